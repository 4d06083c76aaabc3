"""Test-suite controls of an ``--ephemeral`` server, under ``/_iamd/``.

- ``POST /_iamd/reset`` restores the just-started state;
- ``POST /_iamd/clock`` with ``offset_seconds=N`` shifts the server's clock (session expiry,
  ``aws:CurrentTime``…) by N seconds from real time, for time-travel tests; SigV4 still checks
  request timestamps against real time, so clients keep signing normally.

Both are SigV4-signed like any AWS call and refused unless the server is ephemeral and the caller
is the first account's root user with its long-term key: a production server has no such doors.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs

from starlette.responses import Response

from iamd.auth.caller import Caller
from iamd.auth.request import HttpRequest
from iamd.errors import AccessDenied, InvalidAction, InvalidParameterValue
from iamd.services.runtime import Runtime

MAX_OFFSET = timedelta(days=3650)


def handle(runtime: Runtime, http: HttpRequest, caller: Caller, request_id: str) -> Response:
    if not runtime.ephemeral:
        raise InvalidAction(f"{http.path} is only available on a server started with --ephemeral.")
    if not caller.is_root or caller.session is not None or caller.account_id != runtime.default_account_id:
        raise AccessDenied("Only the root user of the first account may control an ephemeral server.")
    if http.path == "/_iamd/reset":
        runtime.reset()
    elif http.path == "/_iamd/clock":
        runtime.clock_offset = _offset(http)
    else:
        raise InvalidAction(f"Unknown control {http.path}.")
    return Response(b"", 204, {"x-amzn-RequestId": request_id})


def _offset(http: HttpRequest) -> timedelta:
    form = parse_qs(http.body.decode("utf-8", "replace")) | parse_qs(http.query_string)
    try:
        offset = timedelta(seconds=float(form["offset_seconds"][0]))
    except (KeyError, ValueError, OverflowError):
        raise InvalidParameterValue("offset_seconds must be a number of seconds.") from None
    if abs(offset) > MAX_OFFSET:
        raise InvalidParameterValue("offset_seconds must be within ten years.")
    return offset
