"""What the API layer reads off a request before any service sees it: its body (bounded in size
and time), the client's address, the region a call counts as made in, and the accounts its ARN
members name (for the trail)."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request

from iamd.auth.request import SigV4Auth
from iamd.errors import RequestEntityTooLarge, RequestTimeout

MAX_BODY = 512 * 1024
DRAIN_LIMIT = 16 * 1024 * 1024


async def read_body(request: Request, timeout: float) -> bytes:
    """The body, at most ``MAX_BODY`` bytes, read within ``timeout`` seconds.

    An oversized body is still drained (up to ``DRAIN_LIMIT``) before answering 413, so the client
    reads the error instead of a connection reset in the middle of its upload. A body that does
    not arrive in time is ``RequestTimeout``: a client trickling bytes holds a connection and a
    buffer, never a worker.
    """
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(timeout):
            async for chunk in request.stream():
                size += len(chunk)
                if size > MAX_BODY:
                    if size > DRAIN_LIMIT:
                        break
                    continue
                chunks.append(chunk)
    except TimeoutError:
        raise RequestTimeout() from None
    if size > MAX_BODY:
        raise RequestEntityTooLarge(limit=MAX_BODY)
    return b"".join(chunks)


def source_ip(request: Request, trusted_proxies: frozenset[str]) -> str:
    """The client address; behind trusted proxies, the nearest untrusted X-Forwarded-For hop."""
    peer = request.client.host if request.client else "0.0.0.0"
    if peer not in trusted_proxies:
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted_proxies:
            return hop
    return peer


def secure_transport(request: Request, trusted_proxies: frozenset[str]) -> bool:
    """``aws:SecureTransport``: whether the request was sent over TLS.

    On iamd's own TLS listener, yes. Behind a TLS-terminating proxy the client's request was sent
    over TLS to the proxy, which is part of the service as AWS's own front ends are; a trusted
    proxy says so with ``X-Forwarded-Proto``. Every value of the header must be ``https``: a proxy
    that appends to a client's forged value leaves an ``http`` in the list. From any other peer the
    header is ignored.
    """
    if request.url.scheme == "https":
        return True
    peer = request.client.host if request.client else ""
    if peer not in trusted_proxies:
        return False
    header = ",".join(request.headers.getlist("x-forwarded-proto"))
    protos = [p.strip().lower() for p in header.split(",")]
    return protos != [""] and all(p == "https" for p in protos)


# "Some global services, such as IAM, have a single endpoint. Because this endpoint is physically
# located in the US East (N. Virginia) Region, IAM calls are always made to the us-east-1 Region."
# (aws:RequestedRegion, AWS global condition context keys)
GLOBAL_SERVICES = frozenset({"iam", "organizations"})


def requested_region(auth: SigV4Auth) -> str:
    return "us-east-1" if auth.service in GLOBAL_SERVICES else auth.region


def arn_accounts(inputs: dict[str, Any] | None) -> list[str]:
    """Accounts named by ARN members of a request (``RoleArn``…): as on AWS, a call that reaches
    into another account is recorded in that account's trail too."""
    found = []
    for key, value in (inputs or {}).items():
        if key.endswith("Arn") and isinstance(value, str) and value.startswith("arn:"):
            parts = value.split(":", 5)
            if len(parts) == 6 and parts[4].isdigit():
                found.append(parts[4])
    return found
