"""Response rendering, with botocore's own QueryParser as the oracle."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from xml.etree import ElementTree

import botocore.parsers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iamd.api.models import ServiceCodec
from iamd.api.xml import escape, render_error, timestamp
from iamd.errors import AccessDenied, InternalFailure, ValidationError

from .shapegen import any_value

NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
IAM = ServiceCodec.load("iam")
STS = ServiceCodec.load("sts")
ALL_OPERATIONS = [(c, op) for c in (IAM, STS) for op in c.operation_names]
IDS = [f"{c.service_name}.{op}" for c, op in ALL_OPERATIONS]


def botocore_parse(codec: ServiceCodec, operation: str, body: bytes, status: int = 200) -> dict:
    shape = codec.model.operation_model(operation).output_shape if status == 200 else None
    parser = botocore.parsers.create_parser("query")
    return parser.parse({"body": body, "status_code": status, "headers": {}}, shape)


@pytest.mark.parametrize("items", [2, 1, 0])
@pytest.mark.parametrize(("codec", "operation"), ALL_OPERATIONS, ids=IDS)
def test_round_trip_every_operation(codec: ServiceCodec, operation: str, items: int) -> None:
    shape = codec.model.operation_model(operation).output_shape
    output = any_value(shape, items=items) if shape is not None else None
    body = codec.render(operation, output, "req-1")
    parsed = botocore_parse(codec, operation, body)
    assert parsed.pop("ResponseMetadata")["RequestId"] == "req-1"
    assert parsed == (output or {})


def test_none_members_are_skipped_and_model_order_kept() -> None:
    user = {"UserName": "bob", "Path": "/", "Arn": "arn:aws:iam::123456789012:user/bob",
            "UserId": "AIDAEXAMPLE", "CreateDate": datetime(2024, 1, 2, tzinfo=UTC),
            "PasswordLastUsed": None}
    body = IAM.render("GetUser", {"User": user}, "r").decode()
    assert "PasswordLastUsed" not in body
    assert body.index("<Path>") < body.index("<UserName>") < body.index("<UserId>") < body.index("<Arn>")
    assert "<CreateDate>2024-01-02T00:00:00Z</CreateDate>" in body


def test_envelope_shape() -> None:
    body = IAM.render("CreateUser", {"User": {"UserName": "u"}}, "rid").decode()
    assert body.startswith('<CreateUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
                           "<CreateUserResult><User>")
    assert body.endswith("</CreateUserResult><ResponseMetadata><RequestId>rid</RequestId>"
                         "</ResponseMetadata></CreateUserResponse>")
    assert IAM.render("DeleteUser", None, "rid") == (
        b'<DeleteUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ResponseMetadata>'
        b"<RequestId>rid</RequestId></ResponseMetadata></DeleteUserResponse>")
    sts = STS.render("GetCallerIdentity", {"Account": "123456789012"}, "r").decode()
    assert 'xmlns="https://sts.amazonaws.com/doc/2011-06-15/"' in sts
    assert "<GetCallerIdentityResult><Account>123456789012</Account>" in sts


def test_empty_output_of_operation_with_result_keeps_wrapper() -> None:
    parsed = botocore_parse(IAM, "ListUsers", IAM.render("ListUsers", None, "r"))
    assert parsed.pop("ResponseMetadata")["RequestId"] == "r"
    assert parsed == {}


@pytest.mark.parametrize(("value", "text"), [
    ("plain", "plain"),
    ("a&b<c>d", "a&amp;b&lt;c&gt;d"),
    ("line\r\nnext", "line&#13;\nnext"),
    ("bell\x07", "bell\ufffd"),
    ("%7B%22Version%22%3A%222012-10-17%22%7D", "%7B%22Version%22%3A%222012-10-17%22%7D"),
    (12, "12"),
])
def test_escape(value: object, text: str) -> None:
    assert escape(value) == text


def test_escaped_text_parses_back_exactly() -> None:
    tricky = "a&b<c>]]>d\r\n\t\"' é \U0001f600"
    body = IAM.render("GetUser", {"User": {"UserName": tricky}}, "<&>")
    parsed = botocore_parse(IAM, "GetUser", body)
    assert parsed["User"]["UserName"] == tricky
    assert parsed["ResponseMetadata"]["RequestId"] == "<&>"


@settings(max_examples=300, deadline=None)
@given(st.text(), st.text())
def test_any_text_renders_well_formed_xml(text: str, request_id: str) -> None:
    """Characters XML 1.0 cannot carry come back as U+FFFD; everything else exactly."""
    body = IAM.render("GetUser", {"User": {"UserName": text}}, request_id)
    parsed = botocore_parse(IAM, "GetUser", body)
    assert parsed["User"]["UserName"] == NOT_XML.sub("\ufffd", text)
    assert parsed["ResponseMetadata"]["RequestId"] == (NOT_XML.sub("\ufffd", request_id) or None)


@pytest.mark.parametrize(("value", "text"), [
    (datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC), "2024-01-02T03:04:05Z"),
    (datetime(2024, 1, 2, 3, 4, 5, 359000, tzinfo=UTC), "2024-01-02T03:04:05.359Z"),
    (datetime(2024, 1, 2, 5, 4, 5, tzinfo=timezone(timedelta(hours=2))), "2024-01-02T03:04:05Z"),
    (datetime(2024, 1, 2, 3, 4, 5), "2024-01-02T03:04:05Z"),
    (1704164645, "2024-01-02T03:04:05Z"),
])
def test_timestamp(value: object, text: str) -> None:
    assert timestamp(value) == text


def test_booleans_and_integers() -> None:
    body = IAM.render("ListUsers", {"Users": [], "IsTruncated": True, "Marker": "m"}, "r").decode()
    assert "<Users></Users><IsTruncated>true</IsTruncated><Marker>m</Marker>" in body


@pytest.mark.parametrize(("err", "fault"), [
    (ValidationError("1 validation error detected: <bad> & worse"), "Sender"),
    (AccessDenied("User: arn:aws:iam::1:user/x is not authorized"), "Sender"),
    (InternalFailure(), "Receiver"),
])
def test_error_parsed_by_botocore(err: ValidationError, fault: str) -> None:
    body = IAM.render_error(err, "rid-9")
    parsed = botocore_parse(IAM, "GetUser", body, status=err.status)
    assert parsed["Error"] == {"Type": fault, "Code": err.code, "Message": err.message}
    assert parsed["ResponseMetadata"]["RequestId"] == "rid-9"
    root = ElementTree.fromstring(body)
    assert root.tag == "{https://iam.amazonaws.com/doc/2010-05-08/}ErrorResponse"


def test_render_error_sender_fault_override() -> None:
    body = render_error(AccessDenied("x"), "r", sender_fault=False, xmlns="urn:x")
    assert b"<Type>Receiver</Type>" in body
    assert body.startswith(b'<ErrorResponse xmlns="urn:x">')
