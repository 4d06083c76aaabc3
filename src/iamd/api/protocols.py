"""The wire protocols a service speaks, behind one small interface the app uses.

IAM and STS speak AWS's Query protocol (form or query-string parameters, XML responses);
CloudTrail, Organizations and iamd's own ``iamd`` service speak the JSON 1.1 protocol (``X-Amz-Target`` names the
operation, JSON both ways). The app picks the protocol by the SigV4 scope's service.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from iamd.api.json_protocol import JsonServiceCodec
from iamd.api.models import ServiceCodec
from iamd.api.params import decode
from iamd.auth.request import HttpRequest
from iamd.errors import AwsError
from iamd.services.organizations.validation import invalid_input as organizations_invalid_input


class WireProtocol(Protocol):
    """``prepare`` reads the request once; ``operation_name`` (no validation, for auditing a call
    that fails early) and ``parse`` (full validation) both work from what it returns."""

    content_type: str

    def prepare(self, http: HttpRequest, content_type: str) -> Any: ...

    def parse(self, prepared: Any) -> tuple[str, dict[str, Any]]: ...

    def render(self, operation: str, result: dict[str, Any] | None, request_id: str) -> bytes: ...

    def render_error(self, err: AwsError, request_id: str) -> bytes: ...

    def operation_name(self, prepared: Any) -> str | None: ...


class QueryProtocol:
    content_type = "text/xml"

    def __init__(self, service: str) -> None:
        self.codec = ServiceCodec.load(service)
        self.codec.compile_all()

    def prepare(self, http: HttpRequest, content_type: str) -> dict[str, str]:
        return decode(http.query_string, http.body, content_type)

    def parse(self, prepared: dict[str, str]) -> tuple[str, dict[str, Any]]:
        return self.codec.parse(prepared)

    def render(self, operation: str, result: dict[str, Any] | None, request_id: str) -> bytes:
        return self.codec.render(operation, result, request_id)

    def render_error(self, err: AwsError, request_id: str) -> bytes:
        return self.codec.render_error(err, request_id)

    def operation_name(self, prepared: dict[str, str]) -> str | None:
        action = prepared.get("Action")
        return action if action in self.codec.operation_names else None


class JsonProtocol:
    def __init__(self, service: str, invalid_input: Callable[[list[str]], None] | None = None) -> None:
        self.codec = JsonServiceCodec.load(service)
        self.content_type = self.codec.content_type
        self.invalid_input = invalid_input

    def prepare(self, http: HttpRequest, content_type: str) -> tuple[str | None, bytes]:
        target = next((v for k, v in http.headers if k.lower() == "x-amz-target"), None)
        return target, http.body

    def parse(self, prepared: tuple[str | None, bytes]) -> tuple[str, dict[str, Any]]:
        return self.codec.parse(*prepared, invalid_input=self.invalid_input)

    def render(self, operation: str, result: dict[str, Any] | None, request_id: str) -> bytes:
        return self.codec.render(operation, result)

    def render_error(self, err: AwsError, request_id: str) -> bytes:
        return self.codec.render_error(err)

    def operation_name(self, prepared: tuple[str | None, bytes]) -> str | None:
        prefix, _, name = (prepared[0] or "").rpartition(".")
        return name if prefix == self.codec.target_prefix and name in self.codec.operation_names else None


def protocols() -> dict[str, WireProtocol]:
    return {
        "iam": QueryProtocol("iam"),
        "sts": QueryProtocol("sts"),
        "cloudtrail": JsonProtocol("cloudtrail"),
        "organizations": JsonProtocol("organizations", organizations_invalid_input),
        # iamd's own operations, from the model iamd ships (``iamd.data.models_path``).
        "iamd": JsonProtocol("iamd"),
    }


def intended_service(served: Mapping[str, WireProtocol], http: HttpRequest) -> str:
    """The service a request whose scope names none of iamd's was meant for, so that its error is
    one the client can parse: a JSON service when it names an ``X-Amz-Target`` (the one whose
    prefix it has, else the first), else the Query service of its ``Version`` (else IAM)."""
    target = next((v for k, v in http.headers if k.lower() == "x-amz-target"), None)
    if target is not None:
        json_services = [(n, p) for n, p in served.items() if isinstance(p, JsonProtocol)]
        prefix = target.rpartition(".")[0]
        return next((n for n, p in json_services if p.codec.target_prefix == prefix), json_services[0][0])
    try:
        version = decode(http.query_string, http.body, "").get("Version")
    except AwsError:
        version = None
    return next(
        (n for n, p in served.items() if isinstance(p, QueryProtocol) and p.codec.api_version == version), "iam"
    )
