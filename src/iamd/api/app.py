"""The ASGI application: one endpoint for every service.

A request goes, in one direction: decode parameters → authenticate (SigV4, the credential scope
names the service) → decode the operation from the service's botocore model → run the action in
one transaction → render. Every failure is an AWS error document; an unexpected exception is
logged with the request id and answered ``InternalFailure`` without internals.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy import Connection
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from iamd.api.models import ServiceCodec
from iamd.api.params import decode
from iamd.auth.authparams import parse_auth
from iamd.auth.caller import Caller
from iamd.auth.principals import resolve_access_key
from iamd.auth.request import HttpRequest, SigV4Auth
from iamd.auth.sigv4 import verify
from iamd.errors import (
    AccessDenied,
    AwsError,
    InternalFailure,
    InvalidAction,
    RequestEntityTooLarge,
    SenderError,
    UnknownService,
)
from iamd.services.context import Call
from iamd.services.registry import ACTIONS, load_all
from iamd.services.runtime import Runtime

log = logging.getLogger("iamd.api")

MAX_BODY = 512 * 1024
DRAIN_LIMIT = 16 * 1024 * 1024
SERVICES = ("iam", "sts")
XML = "text/xml"
RESET_PATH = "/_iamd/reset"


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
            # One connection for the whole call: authentication reads and the action's writes
            # share a transaction, and a failure anywhere rolls everything back.
            with self.runtime.store.begin() as conn:
                caller = self._authenticate(conn, http, auth)
                if http.path != RESET_PATH:
                    params = decode(http.query_string, body, request.headers.get("content-type", ""))
                    operation, inputs = codec.parse(params)
                    result = self._run(conn, auth.service, operation, inputs, caller, auth.region, request_id)
            if http.path == RESET_PATH:
                return self._reset(caller, request_id)
            return Response(codec.render(operation, result, request_id), 200, _headers(request_id))
        except AwsError as err:
            return Response(codec.render_error(err, request_id), err.status, _headers(request_id))
        except Exception:
            log.exception("request %s failed", request_id)
            err = InternalFailure()
            return Response(codec.render_error(err, request_id), err.status, _headers(request_id))

    def _authenticate(self, conn: Connection, http: HttpRequest, auth: SigV4Auth) -> Caller:
        caller, secret = resolve_access_key(conn, self.runtime.secretbox, auth.access_key_id)
        verify(http, auth, secret, self.runtime.clock())
        return caller

    def _run(
        self,
        conn: Connection,
        service: str,
        operation: str,
        inputs: dict[str, Any],
        caller: Caller,
        region: str,
        request_id: str,
    ) -> dict[str, Any] | None:
        fn = ACTIONS.get(service, {}).get(operation)
        if fn is None:
            raise NotImplementedByIamd(service=service, action=operation)
        call = Call(conn, caller, self.runtime.clock(), request_id, self.runtime, region=region)
        return fn(call, inputs)

    def _reset(self, caller: Caller, request_id: str) -> Response:
        """Restore the just-started state of an ``--ephemeral`` server (for users' test suites)."""
        if not self.runtime.ephemeral:
            raise InvalidAction("The reset call is only available on a server started with --ephemeral.")
        if not caller.is_root or caller.account_id != self.runtime.default_account_id:
            raise AccessDenied("Only the root user of the first account may reset an ephemeral server.")
        self.runtime.reset()
        return Response(b"", 204, {"x-amzn-RequestId": request_id})


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
    return Starlette(routes=[Route("/{path:path}", handler.__call__, methods=["GET", "POST"])])
