"""Answering a request meant for a service iamd does not serve, in that service's protocol.

A client pointed at iamd for a service it does not serve (``aws dynamodb list-tables
--endpoint-url …``, an S3 or SQS SDK sharing one endpoint setting) must print a clear error, not
"An error occurred (400)": its SDK parses only its own service's protocol. The protocol is told
from the request where it says (``X-Amz-Target`` is AWS's JSON protocol, a form body with
``Action`` its Query protocol), else from botocore's model of the service the SigV4 scope
names (REST-XML for S3, REST-JSON for Lambda, EC2's own Query dialect); a name botocore does not
know is answered in the Query protocol, AWS's oldest.

The error is ``UnknownService`` (HTTP 400), naming the service and the ones this endpoint serves.
The scope's service name is the client's claim, unauthenticated: it is looked up only among
botocore's service names, and each model is read at most once per process.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

from botocore.loaders import Loader

from iamd.api import json_output, xml
from iamd.api.params import decode
from iamd.auth.request import HttpRequest
from iamd.errors import AwsError, SenderError

JSON_CONTENT_TYPES = ("application/x-amz-json-1.0", "application/x-amz-json-1.1")
MAX_SERVICE_NAME = 64


class UnknownService(SenderError):
    code = "UnknownService"
    fmt = "iamd does not serve the {service} service; this endpoint serves {served}."


def unknown_service(service: str, served: Iterable[str]) -> UnknownService:
    shown = service if len(service) <= MAX_SERVICE_NAME else service[:MAX_SERVICE_NAME] + "…"
    return UnknownService(service=repr(shown), served=", ".join(sorted(served)))


@cache
def _loader() -> Loader:
    return Loader()


@cache
def _known_services() -> frozenset[str]:
    return frozenset(_loader().list_available_services("service-2"))


@cache
def _model_protocol(service: str) -> str | None:
    """botocore's ``metadata.protocol`` of a service, by its SigV4 signing name where that is
    also its model's name (nearly all); None when botocore has no such model."""
    if service not in _known_services():
        return None
    # A Loader of its own, dropped after the call: botocore's caches every model it loads, and
    # nothing of a foreign model but its protocol may stay in memory.
    metadata = Loader().load_service_model(service, "service-2").get("metadata", {})
    protocol = metadata.get("protocol")
    return protocol if isinstance(protocol, str) else None


class ForeignProtocol:
    """A ``WireProtocol`` that only refuses: iamd has no operation of this service to answer,
    so parsing or rendering a result raises the refusal; errors render in the service's protocol."""

    extra_methods: frozenset[str] = frozenset()

    def __init__(self, protocol: str, content_type: str, refusal: AwsError) -> None:
        self.protocol = protocol
        self.content_type = content_type
        self.refusal = refusal

    def prepare(self, http: HttpRequest, content_type: str) -> None:
        return None

    def parse(self, prepared: object) -> tuple[str, dict[str, Any]]:
        raise self.refusal

    def render(self, operation: str, result: dict[str, Any] | None, request_id: str) -> bytes:
        raise self.refusal

    def operation_name(self, prepared: object) -> str | None:
        return None

    def response_meta(self, operation: str, result: dict[str, Any] | None) -> tuple[int, dict[str, str]]:
        raise self.refusal

    def error_headers(self, err: AwsError) -> dict[str, str]:
        return {}

    def render_error(self, err: AwsError, request_id: str) -> bytes:
        if self.protocol in ("json", "rest-json"):
            return json_output.dumps({"__type": err.code, "message": err.message})
        if self.protocol == "rest-xml":
            return (
                f"<Error><Code>{escape(err.code)}</Code><Message>{escape(err.message)}</Message>"
                f"<RequestId>{escape(request_id)}</RequestId></Error>"
            ).encode()
        if self.protocol == "ec2":
            return (
                f"<Response><Errors><Error><Code>{escape(err.code)}</Code><Message>{escape(err.message)}"
                f"</Message></Error></Errors><RequestID>{escape(request_id)}</RequestID></Response>"
            ).encode()
        return xml.render_error(err, request_id, xmlns="")


def foreign_protocol(service: str, http: HttpRequest, served: Iterable[str]) -> ForeignProtocol:
    """The protocol a client of ``service`` parses (see the module docstring), refusing with
    ``UnknownService``."""
    refusal = unknown_service(service, served)
    headers = {k.lower(): v for k, v in http.headers}
    content_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if "x-amz-target" in headers:
        return ForeignProtocol(
            "json", content_type if content_type in JSON_CONTENT_TYPES else JSON_CONTENT_TYPES[0], refusal
        )
    if content_type == "application/x-www-form-urlencoded":
        try:
            action = decode(http.query_string, http.body, content_type).get("Action")
        except AwsError:
            action = None
        if action:
            return ForeignProtocol("ec2" if _model_protocol(service) == "ec2" else "query", "text/xml", refusal)
    protocol = _model_protocol(service) or "query"
    if protocol in ("json", "rest-json"):
        return ForeignProtocol(protocol, "application/json", refusal)
    return ForeignProtocol(protocol, "application/xml" if protocol == "rest-xml" else "text/xml", refusal)
