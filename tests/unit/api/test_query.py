"""Request parsing, with botocore's own QuerySerializer as the oracle."""

from __future__ import annotations

from datetime import UTC, datetime

import botocore.serialize
import botocore.validate
import pytest

from iamd.api.models import ServiceCodec
from iamd.api.scalars import decode_timestamp
from iamd.errors import InvalidAction, MissingAction, ValidationError

from .shapegen import valid_value

IAM = ServiceCodec.load("iam")
STS = ServiceCodec.load("sts")
SERIALIZER = botocore.serialize.create_serializer("query", include_validation=False)
V = {"Version": "2010-05-08"}


def wire(codec: ServiceCodec, operation: str, params: dict) -> dict[str, str]:
    """What an SDK puts on the wire, as the HTTP layer hands it over (every value a string)."""
    body = SERIALIZER.serialize_to_request(params, codec.model.operation_model(operation))["body"]
    return {k: str(v) for k, v in body.items()}


ALL_OPERATIONS = [(c, op) for c in (IAM, STS) for op in c.operation_names]


@pytest.mark.parametrize(("codec", "operation"), ALL_OPERATIONS,
                         ids=[f"{c.service_name}.{op}" for c, op in ALL_OPERATIONS])
def test_round_trip_every_operation(codec: ServiceCodec, operation: str) -> None:
    shape = codec.model.operation_model(operation).input_shape
    params = valid_value(shape) if shape is not None else {}
    report = botocore.validate.ParamValidator().validate(params, shape) if shape else None
    assert report is None or not report.has_errors(), report.generate_report()
    assert codec.parse(wire(codec, operation, params)) == (operation, params)


def test_create_user_with_tags_and_permissions_boundary() -> None:
    params = {
        "UserName": "bob",
        "Path": "/eng/",
        "PermissionsBoundary": "arn:aws:iam::123456789012:policy/boundary",
        "Tags": [{"Key": f"k{i}", "Value": f"v {i}"} for i in range(10)],
    }
    assert IAM.parse(wire(IAM, "CreateUser", params)) == ("CreateUser", params)


def test_empty_list_is_sent_as_bare_name() -> None:
    params = {"PolicySourceArn": "arn:aws:iam::123456789012:user/u", "ContextEntries": [],
              "ActionNames": ["iam:GetUser"]}
    raw = wire(IAM, "SimulatePrincipalPolicy", params)
    assert raw["ContextEntries"] == ""
    assert IAM.parse(raw)[1]["ContextEntries"] == []


def test_nested_list_of_structures_with_timestamps_booleans_integers() -> None:
    params = {
        "PolicyInputList": ['{"Version":"2012-10-17"}'],
        "ActionNames": ["iam:GetUser", "s3:GetObject"],
        "ContextEntries": [
            {"ContextKeyName": "aws:CurrentTime", "ContextKeyValues": ["2024-01-01T00:00:00Z"],
             "ContextKeyType": "date"},
            {"ContextKeyName": "aws:MultiFactorAuthPresent", "ContextKeyValues": ["true", "false"],
             "ContextKeyType": "boolean"},
        ],
        "MaxItems": 50,
        "Marker": "m",
    }
    assert IAM.parse(wire(IAM, "SimulateCustomPolicy", params)) == ("SimulateCustomPolicy", params)


def test_sts_assume_role_full() -> None:
    params = {
        "RoleArn": "arn:aws:iam::123456789012:role/r",
        "RoleSessionName": "session",
        "PolicyArns": [{"arn": "arn:aws:iam::123456789012:policy/p1"}],
        "DurationSeconds": 3600,
        "Tags": [{"Key": "team", "Value": "x"}],
        "TransitiveTagKeys": ["team"],
        "SerialNumber": "arn:aws:iam::123456789012:mfa/bob",
        "TokenCode": "123456",
        "ProvidedContexts": [{"ProviderArn": "arn:aws:iam::aws:contextProvider/IdentityCenter",
                              "ContextAssertion": "x" * 20}],
    }
    assert STS.parse({**wire(STS, "AssumeRole", params)}) == ("AssumeRole", params)


def test_map_round_trip() -> None:
    shape = IAM.model.operation_model("PutAccountProperties").input_shape
    params = valid_value(shape)
    raw = wire(IAM, "PutAccountProperties", params)
    assert any(".entry.1.key" in k for k in raw)
    assert IAM.parse(raw) == ("PutAccountProperties", params)


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-01-02T03:04:05Z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ("2024-01-02T03:04:05.250Z", datetime(2024, 1, 2, 3, 4, 5, 250000, tzinfo=UTC)),
    ("2024-01-02T05:04:05+02:00", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ("2024-01-02T03:04:05", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ("1704164645", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ("1704164645.5", datetime(2024, 1, 2, 3, 4, 5, 500000, tzinfo=UTC)),
])
def test_timestamps(text: str, expected: datetime) -> None:
    """IAM and STS take no timestamp input; the synthetic model in test_models covers the wiring."""
    assert decode_timestamp(text) == expected


@pytest.mark.parametrize("text", ["", "yesterday", "2024-13-01T00:00:00Z", "1e400", "9" * 400])
def test_bad_timestamps(text: str) -> None:
    assert decode_timestamp(text) is None


@pytest.mark.parametrize(("text", "value"), [("true", True), ("false", False), ("True", True),
                                             ("FALSE", False)])
def test_booleans(text: str, value: bool) -> None:
    _, parsed = IAM.parse({**V, "Action": "ListPolicies", "OnlyAttached": text})
    assert parsed == {"OnlyAttached": value}


def test_unknown_parameters_are_ignored() -> None:
    _, parsed = IAM.parse({**V, "Action": "GetUser", "UserName": "bob", "Foo": "1",
                           "UserName.member.1": "x", "X-Amz-Date": "20240101T000000Z"})
    assert parsed == {"UserName": "bob"}


def test_list_indices_sorted_numerically_and_junk_indices_ignored() -> None:
    raw = {**V, "Action": "UntagUser", "UserName": "bob", "TagKeys.member.10": "j",
           "TagKeys.member.2": "b", "TagKeys.member.1": "a", "TagKeys.member.x": "?",
           "TagKeys.member.0": "zero"}
    assert IAM.parse(raw)[1]["TagKeys"] == ["a", "b", "j"]


def test_missing_action() -> None:
    with pytest.raises(MissingAction):
        IAM.parse({**V})


@pytest.mark.parametrize(("params", "message"), [
    ({"Action": "Nope", "Version": "2010-05-08"}, "Could not find operation Nope for version 2010-05-08"),
    ({"Action": "GetUser", "Version": "2011-06-15"}, "Could not find operation GetUser for version 2011-06-15"),
    ({"Action": "GetUser"}, "Could not find operation GetUser for version NO_VERSION_SPECIFIED"),
])
def test_invalid_action_and_version(params: dict, message: str) -> None:
    with pytest.raises(InvalidAction) as info:
        IAM.parse(params)
    assert info.value.message == message
    assert info.value.status == 400


def test_sts_version() -> None:
    assert STS.parse({"Action": "GetCallerIdentity", "Version": "2011-06-15"}) == ("GetCallerIdentity", {})
    with pytest.raises(InvalidAction):
        STS.parse({"Action": "GetCallerIdentity", "Version": "2010-05-08"})


def test_validation_error_is_sender_fault() -> None:
    with pytest.raises(ValidationError) as info:
        IAM.parse({**V, "Action": "GetUser", "UserName": ""})
    assert (info.value.code, info.value.status, info.value.sender_fault) == ("ValidationError", 400, True)
