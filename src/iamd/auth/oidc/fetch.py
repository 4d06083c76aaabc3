"""One HTTPS GET of a small JSON document from an identity provider, with every limit held.

An unauthenticated caller decides *when* iamd talks to an issuer (each AssumeRoleWithWebIdentity
may need its keys), and whoever may create an OIDC provider decides *where*. So the request is
as narrow as it can be (docs/security.md, "OIDC federation"):

- ``https`` only, to the host the URL names; no redirects (a 3xx is a failure, so an issuer
  cannot bounce iamd to another host or scheme); only status 200 counts;
- the server's certificate is verified against the CA bundle (the system's, or
  ``--oidc-ca-bundle``) with its host name; failing that, and only when the provider lists
  thumbprints, the SHA-1 fingerprint of the certificate the server presented must be one of them
  (AWS's fallback "only if your OIDC IdP relies on a certificate that is not signed by one of
  these trusted CAs"; Python sees the server's own certificate, not its chain, so that is the one
  compared — for a self-signed issuer the same certificate AWS would use);
- one deadline for connecting, sending and reading (checked between reads, each read bounded by
  the socket timeout, so a server trickling bytes holds a worker at most twice the timeout); at
  most ``max_bytes`` read; the body must be
  a JSON object. Nothing the server sends is echoed into an error message.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import ssl
import time
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

__all__ = ["FetchError", "Fetched", "https_get_json", "ssl_context", "TRUST_STORE", "THUMBPRINT"]

# CloudTrail's additionalEventData.identityProviderConnectionVerificationMethod values.
TRUST_STORE = "IAMTrustStore"
THUMBPRINT = "Thumbprint"
_CHUNK = 16384


class FetchError(Exception):
    """The document could not be fetched; the message is for iamd's log, never for the caller."""


@dataclass(frozen=True)
class Fetched:
    document: dict[str, Any]
    method: str  # TRUST_STORE or THUMBPRINT


def ssl_context(ca_bundle: str | None) -> ssl.SSLContext:
    """Certificate and host-name verification against ``ca_bundle`` (a PEM file), else the system's CAs."""
    context = ssl.create_default_context(cafile=ca_bundle or None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _unverified_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def https_get_json(
    url: str,
    *,
    context: ssl.SSLContext,
    thumbprints: Collection[str] = (),
    timeout: float = 5.0,
    max_bytes: int = 65536,
) -> Fetched:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or "@" in parts.netloc:
        raise FetchError(f"not an https URL: {url[:200]}")
    deadline = time.monotonic() + timeout
    try:
        return Fetched(_get(parts, context, None, deadline, max_bytes), TRUST_STORE)
    except ssl.SSLCertVerificationError as err:
        if not thumbprints:
            raise FetchError(f"{parts.hostname}: certificate not trusted ({err.verify_message})") from None
    wanted = {t.lower() for t in thumbprints}
    return Fetched(_get(parts, _unverified_context(), wanted, deadline, max_bytes), THUMBPRINT)


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError("timed out")
    return left


def _get(parts: Any, context: ssl.SSLContext, thumbprints: set[str] | None, deadline: float, max_bytes: int) -> dict[str, Any]:
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    conn = http.client.HTTPSConnection(parts.hostname, parts.port or 443, timeout=_remaining(deadline), context=context)
    try:
        conn.connect()
        sock = conn.sock  # kept: http.client drops its reference once a closing response begins
        if not isinstance(sock, ssl.SSLSocket):
            raise FetchError(f"{parts.hostname}: no TLS connection")
        if thumbprints is not None:
            der = sock.getpeercert(binary_form=True)
            seen = hashlib.sha1(der or b"", usedforsecurity=False).hexdigest()
            if not der or not any(hmac.compare_digest(seen, t) for t in thumbprints):
                raise FetchError(f"{parts.hostname}: certificate matches no thumbprint of the provider")
        sock.settimeout(_remaining(deadline))
        conn.request("GET", path, headers={"Accept": "application/json", "User-Agent": "iamd-oidc"})
        response = conn.getresponse()
        if response.status != 200:
            raise FetchError(f"{parts.hostname}: HTTP {response.status} (redirects are not followed)")
        body = bytearray()
        while True:
            _remaining(deadline)  # each read waits at most the socket timeout set above
            chunk = response.read(_CHUNK)
            if not chunk:
                break
            body += chunk
            if len(body) > max_bytes:
                raise FetchError(f"{parts.hostname}: document larger than {max_bytes} bytes")
    except ssl.SSLCertVerificationError:
        raise
    except (OSError, http.client.HTTPException) as err:
        raise FetchError(f"{parts.hostname}: {type(err).__name__}: {err}") from None
    finally:
        conn.close()
    try:
        document = json.loads(bytes(body))
    except (ValueError, UnicodeDecodeError):
        raise FetchError(f"{parts.hostname}: not JSON") from None
    if not isinstance(document, dict):
        raise FetchError(f"{parts.hostname}: not a JSON object")
    return document
