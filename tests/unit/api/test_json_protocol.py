"""AWS JSON protocol codec, with botocore's own serializer and parser as the oracle."""

from __future__ import annotations

import calendar
import json
from datetime import UTC, datetime

import botocore.parsers
import botocore.serialize
import botocore.session
import botocore.validate
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.model import ServiceModel
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamd.api import json_protocol
from iamd.api.json_output import epoch
from iamd.api.json_protocol import JsonServiceCodec
from iamd.errors import (
    AwsError,
    SenderError,
    SerializationException,
    UnknownOperation,
    ValidationException,
)

from . import shapegen
from .shapegen import any_value, valid_value
from .test_constraints import clause, one
from .test_models import _Raw

CLOUDTRAIL = JsonServiceCodec.load("cloudtrail")
ORGANIZATIONS = JsonServiceCodec.load("organizations")
CODECS = (CLOUDTRAIL, ORGANIZATIONS)
SERIALIZER = botocore.serialize.create_serializer("json", include_validation=False)
PARSER = botocore.parsers.create_parser("json")
CT = CLOUDTRAIL.target_prefix + "."

# Identifier formats of cloudtrail and organizations the shared generator does not know yet.
EXTRA_CANDIDATES = ["12:30", "cloudtrail.amazonaws.com", "s3://my-bucket/prefix", "h-abcdefgh12",
                    "someone@example.com", "r-abcd", "ou-abcd-abcdefgh", "car-abcdefgh", "rt-abcdefgh"]


@pytest.fixture
def json_service_candidates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shapegen, "CANDIDATES", shapegen.CANDIDATES + EXTRA_CANDIDATES)


def wire(codec: JsonServiceCodec, operation: str, params: dict) -> tuple[str, bytes]:
    """(X-Amz-Target, body) as an SDK sends them."""
    request = SERIALIZER.serialize_to_request(params, codec.model.operation_model(operation))
    assert request["headers"]["Content-Type"] == codec.content_type
    return request["headers"]["X-Amz-Target"], request["body"]


def botocore_parse(codec: JsonServiceCodec, operation: str, body: bytes, status: int = 200) -> dict:
    shape = codec.model.operation_model(operation).output_shape if status == 200 else None
    parsed = PARSER.parse({"body": body, "status_code": status, "headers": {}}, shape)
    parsed.pop("ResponseMetadata", None)
    return parsed


ALL_OPERATIONS = [(c, op) for c in CODECS for op in c.operation_names]
IDS = [f"{c.service_name}.{op}" for c, op in ALL_OPERATIONS]


def test_load_is_cached_and_exposes_metadata() -> None:
    assert JsonServiceCodec.load("cloudtrail") is CLOUDTRAIL
    assert CLOUDTRAIL.target_prefix == "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"
    assert (CLOUDTRAIL.json_version, CLOUDTRAIL.content_type) == ("1.1", "application/x-amz-json-1.1")
    assert "LookupEvents" in CLOUDTRAIL.operation_names
    assert ORGANIZATIONS.target_prefix == "AWSOrganizationsV20161128"
    assert "DescribeOrganization" in ORGANIZATIONS.operation_names


def test_compile_all_and_unknown_operation() -> None:
    for codec in CODECS:
        codec.compile_all()
    with pytest.raises(KeyError):
        CLOUDTRAIL.operation("Nope")


# --- requests: botocore serializes, the codec parses ---------------------------------------------


@pytest.mark.usefixtures("json_service_candidates")
@pytest.mark.parametrize(("codec", "operation"), ALL_OPERATIONS, ids=IDS)
def test_request_round_trip_every_operation(codec: JsonServiceCodec, operation: str) -> None:
    shape = codec.model.operation_model(operation).input_shape
    params = valid_value(shape) if shape is not None else {}
    report = botocore.validate.ParamValidator().validate(params, shape) if shape else None
    assert report is None or not report.has_errors(), report.generate_report()
    assert codec.parse(*wire(codec, operation, params)) == (operation, params)


def test_lookup_events_full() -> None:
    params = {
        "LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "CreateUser"}],
        "StartTime": datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC),
        "EndTime": datetime(2024, 2, 1, tzinfo=UTC),
        "EventCategory": "insight",
        "MaxResults": 50,
        "NextToken": "t",
    }
    assert CLOUDTRAIL.parse(*wire(CLOUDTRAIL, "LookupEvents", params)) == ("LookupEvents", params)


LOOKUP = CT + "LookupEvents"


@pytest.mark.parametrize(("body", "expected"), [
    (b"", {}),
    (b"  \n", {}),
    (b"{}", {}),
    (b'{"MaxResults": null, "Unknown": [1, {"x": 2}]}', {}),
    (b'{"MaxResults": 5.0}', {"MaxResults": 5}),
    (b'{"StartTime": 1704164645}', {"StartTime": datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)}),
    (b'{"StartTime": 1704164645.5}', {"StartTime": datetime(2024, 1, 2, 3, 4, 5, 500000, tzinfo=UTC)}),
    (b'{"StartTime": "2024-01-02T03:04:05Z"}', {"StartTime": datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)}),
    (b'{"StartTime": "2024-01-02T04:04:05+01:00"}', {"StartTime": datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)}),
    (b'{"StartTime": "1704164645"}', {"StartTime": datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)}),
    ('{"NextToken": "é漢\\ud83d\\ude00"}'.encode(), {"NextToken": "é漢\U0001f600"}),
    (b'{"NextToken": "\\\\ud800"}', {"NextToken": "\\ud800"}),
], ids=["empty", "blank", "object", "null and unknown", "integral float", "epoch", "fractional epoch",
        "iso", "iso offset", "epoch text", "unicode", "escaped backslash before ud800"])
def test_accepted_forms(body: bytes, expected: dict) -> None:
    assert CLOUDTRAIL.parse(LOOKUP, body) == ("LookupEvents", expected)


# --- routing -------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", [
    None, "", "LookupEvents", CT, CT + "Nope", CT + "lookupEvents", "." + "LookupEvents",
    "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101X.LookupEvents",
    "AWSOrganizationsV20161128.LookupEvents", "AWSOrganizationsV20161128.DescribeOrganization",
])
def test_unknown_target_is_unknown_operation_exception(target: str | None) -> None:
    with pytest.raises(UnknownOperation) as info:
        CLOUDTRAIL.parse(target, b"{}")
    assert (info.value.code, info.value.status) == ("UnknownOperationException", 400)


def test_target_is_checked_before_the_body() -> None:
    with pytest.raises(UnknownOperation):
        CLOUDTRAIL.parse(CT + "Nope", b"not json")


# --- SerializationException: not JSON, not an object, wrong JSON type ----------------------------

SERIALIZATION_CASES = [
    ("truncated", b"{", "Request body is not valid JSON."),
    ("not utf-8", b'{"NextToken": "\xff"}', "Request body is not valid JSON."),
    ("NaN literal", b'{"MaxResults": NaN}', "Request body is not valid JSON."),
    ("trailing data", b"{} {}", "Request body is not valid JSON."),
    ("too many digits", b'{"MaxResults": ' + b"9" * 5000 + b"}", "Request body is not valid JSON."),
    ("too deep", b"[" * 100_000 + b"]" * 100_000, "Request body is not valid JSON."),
    ("array", b"[]", "Request body must be a JSON object."),
    ("string", b'"x"', "Request body must be a JSON object."),
    ("null", b"null", "Request body must be a JSON object."),
    ("string for integer", b'{"MaxResults": "5"}', "STRING_VALUE cannot be converted to Integer"),
    ("fraction for integer", b'{"MaxResults": 1.5}', "NUMBER_VALUE cannot be converted to Integer"),
    ("boolean for integer", b'{"MaxResults": true}', "BOOLEAN_VALUE cannot be converted to Integer"),
    ("int32 overflow", b'{"MaxResults": 2147483648}', "NUMBER_VALUE cannot be converted to Integer"),
    ("number for string", b'{"NextToken": 5}', "NUMBER_VALUE cannot be converted to String"),
    ("object for string", b'{"NextToken": {}}', "Start of structure or map found where not expected."),
    ("list for string", b'{"NextToken": []}', "Start of list found where not expected."),
    ("object for list", b'{"LookupAttributes": {}}', "Start of structure or map found where not expected."),
    ("string for list", b'{"LookupAttributes": "x"}', "STRING_VALUE cannot be converted to List"),
    ("string for structure", b'{"LookupAttributes": ["x"]}', "STRING_VALUE cannot be converted to Structure"),
    ("list for structure", b'{"LookupAttributes": [[]]}', "Start of list found where not expected."),
    ("bad timestamp", b'{"StartTime": "yesterday"}', "STRING_VALUE cannot be converted to Timestamp"),
    ("boolean timestamp", b'{"StartTime": false}', "BOOLEAN_VALUE cannot be converted to Timestamp"),
    ("huge timestamp", b'{"StartTime": 1e300}', "NUMBER_VALUE cannot be converted to Timestamp"),
    ("lone surrogate", b'{"NextToken": "a\\udfffb"}', "Request body is not valid JSON."),
    ("lone high surrogate", b'{"NextToken": "\\uD800"}', "Request body is not valid JSON."),
    ("lone surrogate in a key", b'{"\\ud800": 1}', "Request body is not valid JSON."),
    ("lone surrogate deep", b'{"LookupAttributes": [{"AttributeValue": "\\udc00"}]}', "Request body is not valid JSON."),
]


@pytest.mark.parametrize(("body", "message"), [c[1:] for c in SERIALIZATION_CASES],
                         ids=[c[0] for c in SERIALIZATION_CASES])
def test_serialization_exception(body: bytes, message: str) -> None:
    with pytest.raises(SerializationException) as info:
        CLOUDTRAIL.parse(LOOKUP, body)
    assert (info.value.code, info.value.status, info.value.message) == ("SerializationException", 400, message)


def test_a_document_too_deep_to_re_encode_is_a_serialization_exception(monkeypatch: pytest.MonkeyPatch) -> None:
    def too_deep(*_args: object, **_kw: object) -> str:
        raise RecursionError

    monkeypatch.setattr(json_protocol.json, "dumps", too_deep)
    with pytest.raises(SerializationException):
        CLOUDTRAIL.parse(LOOKUP, b'{"NextToken": "\\ud800"}')


# --- ValidationException: AWS's wording, shared with the Query codec -----------------------------


KEYS = "[EventId, EventName, ReadOnly, Username, ResourceType, ResourceName, EventSource, AccessKeyId]"
VALIDATION_CASES = [
    ("range", CLOUDTRAIL, "LookupEvents", {"MaxResults": 51},
     one(clause("51", "maxResults", "Member must have value less than or equal to 50"))),
    ("range low", CLOUDTRAIL, "LookupEvents", {"MaxResults": 0},
     one(clause("0", "maxResults", "Member must have value greater than or equal to 1"))),
    ("enum", CLOUDTRAIL, "LookupEvents", {"EventCategory": "x"},
     one(clause("x", "eventCategory", "Member must satisfy enum value set: [insight]"))),
    ("list item members", CLOUDTRAIL, "LookupEvents", {"LookupAttributes": [{"AttributeKey": "Nope"}]},
     "2 validation errors detected: "
     + clause("Nope", "lookupAttributes.1.member.attributeKey", f"Member must satisfy enum value set: {KEYS}")
     + "; " + clause(None, "lookupAttributes.1.member.attributeValue", "Member must not be null")),
    ("null list item", CLOUDTRAIL, "LookupEvents", {"LookupAttributes": [None]},
     one(clause(None, "lookupAttributes.1.member", "Member must not be null"))),
    ("required", CLOUDTRAIL, "GetTrailStatus", {},
     one(clause(None, "name", "Member must not be null"))),
    ("pattern", ORGANIZATIONS, "DescribeAccount", {"AccountId": "12"},
     one(clause("12", "accountId", r"Member must satisfy regular expression pattern: ^\d{12}$"))),
    ("length", ORGANIZATIONS, "ListAccounts", {"MaxResults": 21},
     one(clause("21", "maxResults", "Member must have value less than or equal to 20"))),
    ("sensitive value is not echoed", ORGANIZATIONS, "CreateAccount", {"Email": "x", "AccountName": "a"},
     "2 validation errors detected: "
     "Value at 'email' failed to satisfy constraint: Member must have length greater than or equal to 6; "
     r"Value at 'email' failed to satisfy constraint: Member must satisfy regular expression pattern: [^\s@]+@[^\s@]+\.[^\s@]+"),
]


@pytest.mark.parametrize(("codec", "operation", "params", "message"), [c[1:] for c in VALIDATION_CASES],
                         ids=[c[0] for c in VALIDATION_CASES])
def test_validation_message(codec: JsonServiceCodec, operation: str, params: dict, message: str) -> None:
    with pytest.raises(ValidationException) as info:
        codec.parse(f"{codec.target_prefix}.{operation}", json.dumps(params).encode())
    assert (info.value.code, info.value.status, info.value.message) == ("ValidationException", 400, message)


# --- a synthetic json 1.0 model: the traits cloudtrail and organizations lack ---------------------

SYNTHETIC = {
    "version": "2.0",
    "metadata": {"apiVersion": "2020-01-01", "endpointPrefix": "syn", "protocol": "json", "jsonVersion": "1.0",
                 "serviceId": "Syn", "signatureVersion": "v4", "targetPrefix": "Syn_20200101"},
    "operations": {"Do": {"name": "Do", "http": {"method": "POST", "requestUri": "/"},
                          "input": {"shape": "Thing"}, "output": {"shape": "Thing"}},
                   "Nothing": {"name": "Nothing", "http": {"method": "POST", "requestUri": "/"}}},
    "shapes": {
        "Thing": {"type": "structure", "members": {
            "Renamed": {"shape": "Str", "locationName": "wireName"},
            "Data": {"shape": "Bytes"}, "Ratio": {"shape": "Ratio"}, "Big": {"shape": "Big"},
            "Flag": {"shape": "Flag"}, "Labels": {"shape": "Labels"}, "Nested": {"shape": "Nested"},
            "Iso": {"shape": "IsoTime"}, "Node": {"shape": "TreeNode"}}},
        "Str": {"type": "string"},
        "Bytes": {"type": "blob", "max": 8},
        "Ratio": {"type": "double"},
        "Big": {"type": "long"},
        "Flag": {"type": "boolean"},
        "Key": {"type": "string", "min": 2, "pattern": "[a-z]+"},
        "Value": {"type": "string", "max": 3},
        "Labels": {"type": "map", "key": {"shape": "Key"}, "value": {"shape": "Value"}, "max": 3},
        "Nested": {"type": "map", "key": {"shape": "Str"}, "value": {"shape": "StrList"}},
        "StrList": {"type": "list", "member": {"shape": "Value"}},
        "IsoTime": {"type": "timestamp", "timestampFormat": "iso8601"},
        "TreeNode": {"type": "structure", "required": ["Label"],
                     "members": {"Label": {"shape": "Str"}, "Children": {"shape": "TreeList"}}},
        "TreeList": {"type": "list", "member": {"shape": "TreeNode"}},
    },
}
SYN = JsonServiceCodec(ServiceModel(SYNTHETIC, service_name="syn"))
SYN_PARAMS = {
    "Renamed": "r", "Data": b"\x00\xff", "Ratio": 2.5, "Big": 2**62, "Flag": False,
    "Labels": {"ab": "v", "cd": ""}, "Nested": {"k": ["a", "b"]},
    "Iso": datetime(2024, 1, 2, 3, 4, 5, 250000, tzinfo=UTC),
    "Node": {"Label": "root", "Children": [{"Label": "a", "Children": [{"Label": "b"}]}]},
}


def test_synthetic_json_1_0_round_trips() -> None:
    assert SYN.content_type == "application/x-amz-json-1.0"
    target, body = wire(SYN, "Do", SYN_PARAMS)
    assert b'"wireName"' in body
    assert SYN.parse(target, body) == ("Do", SYN_PARAMS)
    rendered = SYN.render("Do", SYN_PARAMS)
    assert json.loads(rendered)["Iso"] == "2024-01-02T03:04:05.250000Z"
    assert botocore_parse(SYN, "Do", rendered) == SYN_PARAMS


def test_operation_without_input_or_output() -> None:
    assert SYN.parse("Syn_20200101.Nothing", b"") == ("Nothing", {})
    assert SYN.render("Nothing", {"x": 1}) == b"{}"
    with pytest.raises(SerializationException):
        SYN.parse("Syn_20200101.Nothing", b"[]")


@pytest.mark.parametrize(("params", "expected"), [
    ({"Ratio": "NaN"}, "nan"), ({"Ratio": "Infinity"}, "inf"), ({"Ratio": "-Infinity"}, "-inf"), ({"Ratio": 3}, "3.0"),
])
def test_non_finite_and_integer_doubles(params: dict, expected: str) -> None:
    assert str(SYN.parse("Syn_20200101.Do", json.dumps(params).encode())[1]["Ratio"]) == expected


def test_non_finite_doubles_render_as_strings() -> None:
    for value, text in ((float("nan"), "NaN"), (float("inf"), "Infinity"), (float("-inf"), "-Infinity")):
        assert json.loads(SYN.render("Do", {"Ratio": value})) == {"Ratio": text}


MAP_KEYS = "Map keys must satisfy constraint: "
SYN_VALIDATION = [
    ("map key", {"Labels": {"a": "v", "B1": "v"}},
     one(clause("{a: v,B1: v}", "labels", MAP_KEYS + "[Member must have length greater than or equal to 2, "
                "Member must satisfy regular expression pattern: [a-z]+]"))),
    ("map value", {"Labels": {"ab": "long"}},
     one(clause("{ab: long}", "labels",
                "Map value must satisfy constraint: [Member must have length less than or equal to 3]"))),
    ("map null value", {"Labels": {"ab": None}},
     one(clause("{}", "labels", "Map value must satisfy constraint: [Member must not be null]"))),
    ("map size", {"Labels": {"ab": "1", "cd": "2", "ef": "3", "gh": "4"}},
     one(clause("{ab: 1,cd: 2,ef: 3,gh: 4}", "labels", "Member must have length less than or equal to 3"))),
    ("nested map value", {"Nested": {"k": ["toolong"]}},
     one(clause("toolong", "nested.k.1.member", "Member must have length less than or equal to 3"))),
    ("blob length", {"Data": "AAAAAAAAAAAAAAAA"},
     one(clause("AAAAAAAAAAAAAAAA", "data", "Member must have length less than or equal to 8"))),
    ("recursive required", {"Node": {"Children": [{"Label": "a"}, {}]}},
     "2 validation errors detected: " + clause(None, "node.label", "Member must not be null")
     + "; " + clause(None, "node.children.2.member.label", "Member must not be null")),
]


@pytest.mark.parametrize(("params", "message"), [c[1:] for c in SYN_VALIDATION], ids=[c[0] for c in SYN_VALIDATION])
def test_synthetic_validation(params: dict, message: str) -> None:
    with pytest.raises(ValidationException) as info:
        SYN.parse("Syn_20200101.Do", json.dumps(params).encode())
    assert info.value.message == message


@pytest.mark.parametrize(("params", "message"), [
    ({"Data": "not base64!"}, "STRING_VALUE cannot be converted to Blob"),
    ({"Data": 5}, "NUMBER_VALUE cannot be converted to Blob"),
    ({"Big": 2**63}, "NUMBER_VALUE cannot be converted to Long"),
    ({"Flag": "true"}, "STRING_VALUE cannot be converted to Boolean"),
    ({"Ratio": "1.5"}, "STRING_VALUE cannot be converted to Double"),
    ({"Labels": []}, "Start of list found where not expected."),
    ({"Labels": "x"}, "STRING_VALUE cannot be converted to Map"),
    ({"Labels": {"ab": 1}}, "NUMBER_VALUE cannot be converted to String"),
])
def test_synthetic_serialization(params: dict, message: str) -> None:
    with pytest.raises(SerializationException) as info:
        SYN.parse("Syn_20200101.Do", json.dumps(params).encode())
    assert info.value.message == message


@pytest.mark.parametrize("depth", [50, 300, 450, 600, 3000])
def test_deeply_nested_recursive_shape(depth: int) -> None:
    """Nesting deeper than the interpreter's stack is a SerializationException, never a RecursionError."""
    body = ('{"Node":' + '{"Label":"x","Children":[' * depth + '{"Label":"x"}' + "]}" * depth + "}").encode()
    try:
        name, parsed = SYN.parse("Syn_20200101.Do", body)
    except SerializationException:
        assert depth > 50
    else:
        assert parsed["Node"]["Children"][0]["Label"] == "x"


def test_parser_recursion_is_a_serialization_exception(monkeypatch: pytest.MonkeyPatch) -> None:
    """A document json.loads accepts but the shape walk cannot finish within the stack."""
    node: dict = {"Label": "x"}
    for _ in range(5000):
        node = {"Label": "x", "Children": [node]}
    monkeypatch.setattr(json_protocol, "load_body", lambda body: {"Node": node})
    with pytest.raises(SerializationException, match="nested too deeply"):
        SYN.parse("Syn_20200101.Do", b"{}")


# --- responses: the codec renders, botocore parses ------------------------------------------------


@pytest.mark.parametrize("items", [0, 2])
@pytest.mark.parametrize(("codec", "operation"), ALL_OPERATIONS, ids=IDS)
def test_response_round_trip_every_operation(codec: JsonServiceCodec, operation: str, items: int) -> None:
    shape = codec.model.operation_model(operation).output_shape
    if shape is None:
        assert codec.render(operation, {"x": 1}) == b"{}"
        return
    output = any_value(shape, items=items)
    assert botocore_parse(codec, operation, codec.render(operation, output)) == output


def test_render_only_present_modelled_members() -> None:
    output = {"Events": [{"EventId": "e", "EventName": None, "Internal": object()}, None],
              "NextToken": None, "Secret": "x"}
    assert json.loads(CLOUDTRAIL.render("LookupEvents", output)) == {"Events": [{"EventId": "e"}]}
    assert CLOUDTRAIL.render("LookupEvents", None) == b"{}"
    assert CLOUDTRAIL.render("LookupEvents", {}) == b"{}"


def test_render_timestamps_as_epoch_seconds() -> None:
    when = datetime(2024, 1, 2, 3, 4, 5, 3691, tzinfo=UTC)
    body = json.loads(CLOUDTRAIL.render("LookupEvents", {"Events": [{"EventTime": when}]}))
    assert body["Events"][0]["EventTime"] == 1704164645.003691
    parsed = botocore_parse(CLOUDTRAIL, "LookupEvents", CLOUDTRAIL.render("LookupEvents",
                                                                           {"Events": [{"EventTime": when}]}))
    assert parsed["Events"][0]["EventTime"] == when


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                    timezones=st.none() | st.timezones()))
def test_epoch_rounds_as_botocore_does(when: datetime) -> None:
    """Same float as botocore's serializer (microseconds added before dividing); naive is UTC."""
    utc = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    assert epoch(when) == (calendar.timegm(utc.timetuple()) * 10**6 + utc.microsecond) / 10**6


def test_render_escapes_lone_surrogates() -> None:
    body = CLOUDTRAIL.render("LookupEvents", {"NextToken": "a\ud800b"})
    assert body == b'{"NextToken":"a\\ud800b"}'


# --- errors ----------------------------------------------------------------------------------------


class InvalidTimeRange(SenderError):
    code = "InvalidTimeRangeException"


@pytest.mark.parametrize("err", [
    InvalidTimeRange("Occurs if the timestamp values are invalid."),
    UnknownOperation("Unknown operation X"),
    SerializationException("Start of list found where not expected."),
    ValidationException("1 validation error detected: ..."),
    AwsError("An internal error occurred. \"quoted\" é"),
])
def test_error_parses_back(err: AwsError) -> None:
    body = CLOUDTRAIL.render_error(err)
    assert json.loads(body) == {"__type": err.code, "message": err.message}
    parsed = PARSER.parse({"body": body, "status_code": err.status, "headers": {}}, None)
    assert (parsed["Error"]["Code"], parsed["Error"]["Message"]) == (err.code, err.message)


@pytest.fixture
def cloudtrail_client():  # type: ignore[no-untyped-def]
    session = botocore.session.get_session()
    client = session.create_client("cloudtrail", region_name="us-east-1", endpoint_url="http://iamd.test",
                                   aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
                                   config=Config(parameter_validation=False, retries={"max_attempts": 0}))

    def serve(request, **_kwargs):  # type: ignore[no-untyped-def]
        try:
            name, args = CLOUDTRAIL.parse(request.headers.get("X-Amz-Target").decode(), request.body or b"")
            if args.get("StartTime") and args.get("EndTime") and args["StartTime"] > args["EndTime"]:
                raise InvalidTimeRange("Start time must be before end time.")
            event = {"EventId": "e-1", "EventName": "CreateUser", "EventTime": args.get("StartTime"),
                     "Resources": [{"ResourceType": "AWS::IAM::User", "ResourceName": "bob"}]}
            status, body = 200, CLOUDTRAIL.render(name, {"Events": [event], "NextToken": "next"})
        except AwsError as err:
            status, body = err.status, CLOUDTRAIL.render_error(err)
        return AWSResponse(request.url, status, {"x-amzn-RequestId": "req-7"}, _Raw(body))

    client.meta.events.register("before-send.cloudtrail", serve)
    return client


def test_sdk_lookup_events(cloudtrail_client) -> None:  # type: ignore[no-untyped-def]
    start = datetime(2024, 3, 1, 12, 30, tzinfo=UTC)
    out = cloudtrail_client.lookup_events(
        StartTime=start, LookupAttributes=[{"AttributeKey": "Username", "AttributeValue": "bob"}])
    assert out["Events"][0]["EventTime"] == start
    assert out["Events"][0]["Resources"] == [{"ResourceType": "AWS::IAM::User", "ResourceName": "bob"}]
    assert (out["NextToken"], out["ResponseMetadata"]["RequestId"]) == ("next", "req-7")


def test_sdk_sees_modelled_errors(cloudtrail_client) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(cloudtrail_client.exceptions.InvalidTimeRangeException) as info:
        cloudtrail_client.lookup_events(StartTime=datetime(2024, 2, 1, tzinfo=UTC),
                                        EndTime=datetime(2024, 1, 1, tzinfo=UTC))
    assert info.value.response["Error"]["Message"] == "Start time must be before end time."
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_sdk_sees_validation_exception(cloudtrail_client) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as info:
        cloudtrail_client.lookup_events(MaxResults=99)
    error = info.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert error["Message"].endswith("Member must have value less than or equal to 50")


# --- fuzz: nothing but AwsError escapes ------------------------------------------------------------

NAMES = sorted({m for c in CODECS for op in c.operation_names
                for shape in [c.model.operation_model(op).input_shape] if shape for m in shape.members}
               | {"AttributeKey", "AttributeValue", "Key", "Value", "Label", "Children", "Labels", "Data"})
json_scalars = (st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False)
                | st.sampled_from(["", "NaN", "Infinity", "2024-01-01T00:00:00Z", "AAAA", "x!", "12" * 6,
                                   "EventName", "insight"]) | st.text(max_size=8))
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.sampled_from(NAMES) | st.text(max_size=4), inner, max_size=4),
                           max_leaves=20)
targets = st.sampled_from([f"{c.target_prefix}.{op}" for c in (*CODECS, SYN) for op in c.operation_names])
bodies = (st.dictionaries(st.sampled_from(NAMES), json_values, max_size=6).map(lambda d: json.dumps(d).encode())
          | json_values.map(lambda v: json.dumps(v).encode()) | st.binary(max_size=40))


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(targets | st.none() | st.text(max_size=30), bodies)
def test_parse_raises_only_aws_errors(target: str | None, body: bytes) -> None:
    for codec in (CLOUDTRAIL, ORGANIZATIONS, SYN):
        try:
            name, parsed = codec.parse(target, body)
        except AwsError as err:
            assert err.message and 400 <= err.status < 500
            continue
        assert name in codec.operation_names
        assert isinstance(parsed, dict)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(ALL_OPERATIONS), st.integers(0, 3))
def test_render_of_any_output_parses_back(case: tuple[JsonServiceCodec, str], items: int) -> None:
    codec, operation = case
    shape = codec.model.operation_model(operation).output_shape
    output = any_value(shape, items=items) if shape is not None else {}
    assert botocore_parse(codec, operation, codec.render(operation, output)) == output
