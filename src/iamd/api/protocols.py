"""The wire protocols a service speaks, behind one small interface the app uses.

IAM and STS speak AWS's Query protocol (form or query-string parameters, XML responses);
CloudTrail, Organizations and iamd's own ``iamd`` service speak the JSON 1.1 protocol
(``X-Amz-Target`` names the operation, JSON both ways); Access Analyzer speaks REST-JSON (method
and path name the operation, members travel in the path, query, headers and JSON body). The app
picks the protocol by the SigV4 scope's service (``access-analyzer`` for Access Analyzer, its
signing name).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from iamd.api.json_protocol import JsonServiceCodec
from iamd.api.models import ServiceCodec
from iamd.api.params import decode
from iamd.api.rest_json import RestJsonServiceCodec, RestRequest, query_pairs, render_error
from iamd.auth.request import HttpRequest
from iamd.errors import AwsError
from iamd.services.organizations.validation import invalid_input as organizations_invalid_input


class WireProtocol(Protocol):
    """``prepare`` reads the request once; ``operation_name`` (no validation, for auditing a call
    that fails early) and ``parse`` (full validation) both work from what it returns."""

    content_type: str
    # HTTP methods besides GET and POST that the protocol's operations use.
    extra_methods: frozenset[str]

    def prepare(self, http: HttpRequest, content_type: str) -> Any: ...

    def parse(self, prepared: Any) -> tuple[str, dict[str, Any]]: ...

    def render(self, operation: str, result: dict[str, Any] | None, request_id: str) -> bytes: ...

    def render_error(self, err: AwsError, request_id: str) -> bytes: ...

    def operation_name(self, prepared: Any) -> str | None: ...

    def response_meta(self, operation: str, result: dict[str, Any] | None) -> tuple[int, dict[str, str]]:
        """The status and extra headers of a success."""
        ...

    def error_headers(self, err: AwsError) -> dict[str, str]: ...


class _Fixed:
    """Query and JSON 1.1: every success is 200, errors say their code in the body."""

    extra_methods: frozenset[str] = frozenset()

    def response_meta(self, operation: str, result: dict[str, Any] | None) -> tuple[int, dict[str, str]]:
        return 200, {}

    def error_headers(self, err: AwsError) -> dict[str, str]:
        return {}


class QueryProtocol(_Fixed):
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


class JsonProtocol(_Fixed):
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


class RestJsonProtocol:
    content_type = "application/json"
    extra_methods = frozenset({"PUT", "DELETE"})

    def __init__(self, service: str) -> None:
        self.codec = RestJsonServiceCodec.load(service)

    def prepare(self, http: HttpRequest, content_type: str) -> RestRequest:
        return RestRequest(http.method, http.path, query_pairs(http.query_string), tuple(http.headers), http.body)

    def parse(self, prepared: RestRequest) -> tuple[str, dict[str, Any]]:
        return self.codec.parse(prepared)

    def render(self, operation: str, result: dict[str, Any] | None, request_id: str) -> bytes:
        return self.codec.render(operation, result)

    def render_error(self, err: AwsError, request_id: str) -> bytes:
        return render_error(err)[0]

    def operation_name(self, prepared: RestRequest) -> str | None:
        return self.codec.operation_for(prepared)

    def response_meta(self, operation: str, result: dict[str, Any] | None) -> tuple[int, dict[str, str]]:
        return self.codec.response_meta(operation, result)

    def error_headers(self, err: AwsError) -> dict[str, str]:
        return render_error(err)[1]


def protocols() -> dict[str, WireProtocol]:
    return {
        "iam": QueryProtocol("iam"),
        "sts": QueryProtocol("sts"),
        "cloudtrail": JsonProtocol("cloudtrail"),
        "organizations": JsonProtocol("organizations", organizations_invalid_input),
        "access-analyzer": RestJsonProtocol("accessanalyzer"),
        # iamd's own operations, from the model iamd ships (``iamd.data.models_path``).
        "iamd": JsonProtocol("iamd"),
    }


def rest_service(served: Mapping[str, WireProtocol], http: HttpRequest) -> str | None:
    """The REST service one of whose operations has this method and path, if any."""
    for name, proto in served.items():
        if isinstance(proto, RestJsonProtocol) and proto.codec.route(http.method, http.path) is not None:
            return name
    return None


def named_service(served: Mapping[str, WireProtocol], http: HttpRequest) -> str | None:
    """The served service the request itself names, if any: a JSON service by its
    ``X-Amz-Target`` prefix, a Query service by its ``Version``. A request signed for another
    service that names one of ours is a misconfigured client of ours (AWS's "Credential should
    be scoped to correct service"); one that names none is meant for a service iamd does not
    serve (``api/foreign``)."""
    target = next((v for k, v in http.headers if k.lower() == "x-amz-target"), None)
    if target is not None:
        prefix = target.rpartition(".")[0]
        return next(
            (n for n, p in served.items() if isinstance(p, JsonProtocol) and p.codec.target_prefix == prefix), None
        )
    try:
        version = decode(http.query_string, http.body, "").get("Version")
    except AwsError:
        return None
    return next(
        (n for n, p in served.items() if isinstance(p, QueryProtocol) and p.codec.api_version == version), None
    )


def intended_service(served: Mapping[str, WireProtocol], http: HttpRequest) -> str:
    """The service a request whose scope names none of iamd's was meant for, so that its error is
    one the client can parse: a JSON service when it names an ``X-Amz-Target`` (the one whose
    prefix it has, else the first), a REST service when one of its operations has this method and
    path, else the Query service of its ``Version`` (else IAM)."""
    rest = rest_service(served, http)
    if rest is not None:
        return rest
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
