"""The ASGI application: one endpoint for every service.

A request goes, in one direction: decode parameters → authenticate (SigV4, the credential scope
names the service) → decode the operation from the service's botocore model → run the action in
one transaction → render. Every failure is an AWS error document; an unexpected exception is
logged with the request id and answered ``InternalFailure`` without internals.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from iamd.api import admin
from iamd.api.models import ServiceCodec
from iamd.api.params import decode
from iamd.auth.authparams import parse_auth
from iamd.auth.caller import Caller
from iamd.auth.principals import resolve_access_key
from iamd.auth.request import HttpRequest, SigV4Auth
from iamd.auth.sessions import SessionKeyring, caller_from_claims, open_session
from iamd.auth.sigv4 import verify
from iamd.authz.authorizer import Authorizer
from iamd.authz.context import RequestInfo
from iamd.errors import (
    AwsError,
    InternalFailure,
    RequestEntityTooLarge,
    SenderError,
    UnknownService,
)
from iamd.services.context import Call
from iamd.services.registry import ACTIONS, load_all
from iamd.services.runtime import Runtime
from iamd.store.policy_docs import bump_generation

log = logging.getLogger("iamd.api")

MAX_BODY = 512 * 1024
DRAIN_LIMIT = 16 * 1024 * 1024
SERVICES = ("iam", "sts")
XML = "text/xml"
ADMIN_PREFIX = "/_iamd/"
# IAM operations that change nothing (all others bump the account's policy generation).
READ_ONLY_PREFIXES = ("Get", "List", "Simulate", "Generate")


class NotImplementedByIamd(SenderError):
    code = "NotImplemented"
    status = 501
    fmt = "iamd does not implement {service}:{action} yet."


class App:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        load_all()
        self.codecs = {name: ServiceCodec.load(name) for name in SERVICES}
        for codec in self.codecs.values():
            codec.compile_all()
        self.authorizer = Authorizer(runtime.master_key, runtime.previous_master_keys)
        runtime.message_sealer = self.authorizer.messages
        runtime.caches["policy_sets"] = self.authorizer.policy_sets
        if runtime.session_keyring is None:
            runtime.session_keyring = SessionKeyring(runtime.master_key, runtime.previous_master_keys)
        self.keyring: SessionKeyring = runtime.session_keyring

    async def __call__(self, request: Request) -> Response:
        request_id = str(uuid.uuid4())
        codec = self.codecs["iam"]
        try:
            body = await _read_body(request)
            http = HttpRequest(
                method=request.method,
                path=request.scope.get("raw_path", b"/").decode("latin-1").split("?", 1)[0] or "/",
                query_string=request.scope.get("query_string", b"").decode("latin-1"),
                headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.scope["headers"]],
                body=body,
            )
            auth = parse_auth(http)
            if auth.service not in self.codecs:
                raise UnknownService(service=auth.service)
            codec = self.codecs[auth.service]
            if http.path.startswith(ADMIN_PREFIX):
                with self.runtime.store.begin() as conn:
                    caller = self._authenticate(conn, http, auth)
                return admin.handle(self.runtime, http, caller, request_id)
            params = decode(http.query_string, body, request.headers.get("content-type", ""))
            info = self._request_info(request, auth)
            # One transaction per call: authentication reads, authorization reads and the
            # action's writes see one state, and a failure anywhere rolls everything back.
            with self.runtime.store.begin() as conn:
                caller = self._authenticate(conn, http, auth)
                operation, inputs = codec.parse(params)
                info = replace(info, operation=operation)
                now = self.runtime.clock()
                self.authorizer.authorize(conn, caller, info, inputs, now)
                result = self._run(conn, info, inputs, caller, now, request_id)
            if self.runtime.key_usage.due():
                self.flush_key_usage()
            return Response(codec.render(operation, result, request_id), 200, _headers(request_id))
        except AwsError as err:
            return Response(codec.render_error(err, request_id), err.status, _headers(request_id))
        except Exception:
            log.exception("request %s failed", request_id)
            err = InternalFailure()
            return Response(codec.render_error(err, request_id), err.status, _headers(request_id))

    def _authenticate(self, conn: Connection, http: HttpRequest, auth: SigV4Auth) -> Caller:
        if auth.security_token is not None:
            claims = open_session(auth.security_token, auth.access_key_id, self.keyring, self.runtime.clock())
            caller, secret = caller_from_claims(claims, auth.security_token), claims.secret_access_key
        else:
            caller, secret = resolve_access_key(conn, self.runtime.secretbox, auth.access_key_id)
        verify(http, auth, secret, self.runtime.wall_clock())
        if caller.session is None:
            self.runtime.key_usage.note(caller.access_key_id, self.runtime.clock(), auth.service, auth.region)
        return caller

    def flush_key_usage(self) -> None:
        with self.runtime.store.begin() as conn:
            self.runtime.key_usage.flush(conn)

    def _request_info(self, request: Request, auth: SigV4Auth) -> RequestInfo:
        return RequestInfo(
            service=auth.service,
            operation="",
            region=auth.region,
            source_ip=source_ip(request, self.runtime.trusted_proxies),
            secure_transport=request.url.scheme == "https",
            user_agent=request.headers.get("user-agent", ""),
        )

    def _run(
        self, conn: Connection, info: RequestInfo, inputs: dict[str, Any], caller: Caller, now: Any, request_id: str
    ) -> dict[str, Any] | None:
        fn = ACTIONS.get(info.service, {}).get(info.operation)
        if fn is None:
            raise NotImplementedByIamd(service=info.service, action=info.operation)
        call = Call(conn, caller, now, request_id, self.runtime, region=info.region)
        result = fn(call, inputs)
        if info.service == "iam" and not info.operation.startswith(READ_ONLY_PREFIXES):
            # Compiled policy sets are cached per generation: the next request sees this change.
            bump_generation(conn, caller.account_id)
        return result


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


async def _read_body(request: Request) -> bytes:
    """The body, at most ``MAX_BODY`` bytes.

    An oversized body is still drained (up to ``DRAIN_LIMIT``) before answering 413, so the client
    reads the error instead of a connection reset in the middle of its upload.
    """
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            if size > DRAIN_LIMIT:
                break
            continue
        chunks.append(chunk)
    if size > MAX_BODY:
        raise RequestEntityTooLarge(limit=MAX_BODY)
    return b"".join(chunks)


def _headers(request_id: str) -> dict[str, str]:
    return {"x-amzn-RequestId": request_id, "content-type": XML}


def create_app(runtime: Runtime) -> Starlette:
    handler = App(runtime)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        handler.flush_key_usage()  # last-used times noted since the last batch

    return Starlette(routes=[Route("/{path:path}", handler.__call__, methods=["GET", "POST"])], lifespan=lifespan)
