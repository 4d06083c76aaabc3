"""A request for a service iamd does not serve is refused in that service's protocol."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from iamd.api.foreign import UnknownService, _model_protocol, foreign_protocol
from iamd.auth.request import HttpRequest

SERVED = ("iam", "sts", "cloudtrail", "organizations")


def request(headers: list[tuple[str, str]], body: bytes = b"") -> HttpRequest:
    return HttpRequest(method="POST", path="/", query_string="", headers=headers, body=body)


@pytest.mark.parametrize(
    ("service", "headers", "body", "protocol", "content_type"),
    [
        ("dynamodb", [("X-Amz-Target", "DynamoDB_20120810.ListTables"),
                      ("Content-Type", "application/x-amz-json-1.0")], b"{}", "json", "application/x-amz-json-1.0"),
        ("kms", [("x-amz-target", "TrentService.ListKeys"),
                 ("content-type", "application/x-amz-json-1.1; charset=utf-8")], b"{}", "json",
         "application/x-amz-json-1.1"),
        ("sns", [("Content-Type", "application/x-www-form-urlencoded")], b"Action=ListTopics&Version=2010-03-31",
         "query", "text/xml"),
        ("ec2", [("Content-Type", "application/x-www-form-urlencoded")], b"Action=DescribeRegions&Version=2016-11-15",
         "ec2", "text/xml"),
        ("s3", [], b"", "rest-xml", "application/xml"),
        ("lambda", [], b"", "rest-json", "application/json"),
        ("no-such-service-anywhere", [], b"", "query", "text/xml"),
    ],
)
def test_the_protocol_is_the_services(
    service: str, headers: list[tuple[str, str]], body: bytes, protocol: str, content_type: str
) -> None:
    proto = foreign_protocol(service, request(headers, body), SERVED)
    assert (proto.protocol, proto.content_type) == (protocol, content_type)
    assert isinstance(proto.refusal, UnknownService)
    assert proto.refusal.status == 400
    assert proto.refusal.message == (
        f"iamd does not serve the '{service}' service; this endpoint serves cloudtrail, iam, organizations, sts."
    )


def test_each_rendering_carries_code_and_message() -> None:
    for service, headers, body in [
        ("dynamodb", [("X-Amz-Target", "DynamoDB_20120810.ListTables")], b"{}"),
        ("lambda", [], b""),
    ]:
        proto = foreign_protocol(service, request(headers, body), SERVED)
        doc = json.loads(proto.render_error(proto.refusal, "rid"))
        assert doc == {"__type": "UnknownService", "message": proto.refusal.message}
    s3 = foreign_protocol("s3", request([]), SERVED)
    root = ET.fromstring(s3.render_error(s3.refusal, "rid"))
    assert (root.tag, root.findtext("Code"), root.findtext("RequestId")) == ("Error", "UnknownService", "rid")
    ec2 = foreign_protocol(
        "ec2", request([("Content-Type", "application/x-www-form-urlencoded")], b"Action=DescribeRegions"), SERVED
    )
    root = ET.fromstring(ec2.render_error(ec2.refusal, "rid"))
    assert root.findtext("Errors/Error/Code") == "UnknownService"
    sns = foreign_protocol("sns", request([("Content-Type", "application/x-www-form-urlencoded")], b"Action=X"), SERVED)
    assert b"<Code>UnknownService</Code>" in sns.render_error(sns.refusal, "rid")


def test_a_hostile_service_name_is_escaped_cut_and_never_loaded() -> None:
    name = "<x>&" + "a" * 500
    proto = foreign_protocol(name, request([]), SERVED)
    assert _model_protocol(name) is None
    assert len(proto.refusal.message) < 200
    body = proto.render_error(proto.refusal, "rid")
    assert ET.fromstring(body).findtext("Error/Code") == "UnknownService"
    assert b"<x>" not in body


@pytest.mark.parametrize("name", ["../../etc/passwd", "iam/../sts", ""])
def test_names_outside_botocores_list_load_nothing(name: str) -> None:
    assert _model_protocol(name) is None


def test_parse_and_render_refuse() -> None:
    proto = foreign_protocol("s3", request([]), SERVED)
    assert proto.prepare(request([]), "") is None and proto.operation_name(None) is None
    with pytest.raises(UnknownService):
        proto.parse(None)
    with pytest.raises(UnknownService):
        proto.render("ListBuckets", {}, "rid")


def test_a_foreign_model_is_not_kept() -> None:
    """Only the protocol string is remembered; the shared loader (botocore caches what a Loader
    loads, in ``_cache``) holds no foreign model."""
    from iamd.api import foreign

    _model_protocol.cache_clear()
    assert _model_protocol("sns") == "query"
    cached = foreign._loader()._cache
    assert isinstance(cached, dict)
    assert not [k for k in cached if k[0] in ("load_service_model", "load_data_with_path")]
