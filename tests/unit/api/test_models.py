"""ServiceCodec: loading, start-up cost, non-IAM wire traits, and a real SDK client end to end."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import botocore.parsers
import botocore.serialize
import botocore.session
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError
from botocore.model import ServiceModel

from iamd.api.models import ServiceCodec
from iamd.errors import AwsError, SenderError

from .synthetic import SYNTHETIC_MODEL


def test_load_is_cached_and_exposes_metadata() -> None:
    iam = ServiceCodec.load("iam")
    assert ServiceCodec.load("iam") is iam
    assert iam.api_version == "2010-05-08"
    assert iam.xml_namespace == "https://iam.amazonaws.com/doc/2010-05-08/"
    assert "CreateUser" in iam.operation_names
    sts = ServiceCodec.load("sts")
    assert (sts.api_version, sts.xml_namespace) == ("2011-06-15", "https://sts.amazonaws.com/doc/2011-06-15/")
    assert "AssumeRole" in sts.operation_names


def test_unknown_operation_is_key_error() -> None:
    with pytest.raises(KeyError):
        ServiceCodec.load("iam").operation("Nope")


def test_a_fresh_process_loads_the_models_and_parses() -> None:
    """Loading iam + sts and parsing a first CreateUser in a fresh process (its cost is measured in
    make bench, not asserted here)."""
    code = (
        "from iamd.api.models import ServiceCodec\n"
        "iam = ServiceCodec.load('iam'); ServiceCodec.load('sts')\n"
        "print(iam.parse({'Action': 'CreateUser', 'Version': '2010-05-08', 'UserName': 'u'})[0])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "CreateUser"


# --- traits IAM and STS do not use: flattened lists/maps, locationName, timestamps, blobs ----------

SYN = ServiceCodec(ServiceModel(SYNTHETIC_MODEL, service_name="synthetic"))
SYN_PARAMS = {
    "Names": ["a", "b"],
    "Flat": ["x", "y"],
    "Renamed": ["r1"],
    "Attrs": {"k1": "v1", "k2": "v2"},
    "FlatMap": {"fk": "fv"},
    "When": datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
    "Data": b"\x00\xffbytes",
    "Ratio": 0.25,
    "Big": 2**40,
    "Node": {"Label": "root", "Children": [{"Label": "leaf", "Children": []}]},
}


def test_synthetic_request_round_trip() -> None:
    om = SYN.model.operation_model("Do")
    body = botocore.serialize.create_serializer("query").serialize_to_request(SYN_PARAMS, om)["body"]
    assert {"Flat.1", "Item.1", "Attrs.entry.1.k", "FlatMap.1.key", "When"} <= set(body)
    assert SYN.parse({k: str(v) for k, v in body.items()}) == ("Do", SYN_PARAMS)


def test_synthetic_response_round_trip() -> None:
    body = SYN.render("Do", SYN_PARAMS, "r")
    parsed = botocore.parsers.create_parser("query").parse(
        {"body": body, "status_code": 200, "headers": {}}, SYN.model.operation_model("Do").output_shape)
    parsed.pop("ResponseMetadata")
    assert parsed == SYN_PARAMS


# --- a real botocore client, with the codec standing in for the server ------------------------------


class NoSuchEntityForTest(SenderError):
    code = "NoSuchEntity"
    status = 404


@pytest.fixture
def iam_client():  # type: ignore[no-untyped-def]
    codec = ServiceCodec.load("iam")
    session = botocore.session.get_session()
    client = session.create_client("iam", region_name="us-east-1", endpoint_url="http://iamd.test",
                                   aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")

    def serve(request, **_kwargs):  # type: ignore[no-untyped-def]
        from urllib.parse import parse_qsl

        raw = request.body if isinstance(request.body, str) else request.body.decode()
        params = dict(parse_qsl(raw, keep_blank_values=True))
        try:
            name, args = codec.parse(params)
            if name == "GetUser" and args.get("UserName") == "ghost":
                raise NoSuchEntityForTest("The user with name ghost cannot be found.")
            user = {"Path": "/", "UserName": args.get("UserName", "me"), "UserId": "AIDAEXAMPLE",
                    "Arn": "arn:aws:iam::123456789012:user/x", "CreateDate": datetime(2024, 1, 1, tzinfo=UTC),
                    "Tags": args.get("Tags")}
            status, body = 200, codec.render(name, {"User": user}, "req-42")
        except AwsError as err:
            status, body = err.status, codec.render_error(err, "req-42")
        return AWSResponse(request.url, status, {}, _Raw(body))

    client.meta.events.register("before-send.iam", serve)
    return client


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_kwargs):  # type: ignore[no-untyped-def]
        yield self._body


def test_sdk_create_user(iam_client) -> None:  # type: ignore[no-untyped-def]
    out = iam_client.create_user(UserName="bob", Tags=[{"Key": "team", "Value": "a+b @c"}])
    assert out["User"]["UserName"] == "bob"
    assert out["User"]["Tags"] == [{"Key": "team", "Value": "a+b @c"}]
    assert out["User"]["CreateDate"] == datetime(2024, 1, 1, tzinfo=UTC)
    assert out["ResponseMetadata"]["RequestId"] == "req-42"


def test_sdk_sees_aws_errors(iam_client) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as info:
        iam_client.get_user(UserName="ghost")
    error = info.value.response["Error"]
    assert (error["Code"], error["Message"]) == ("NoSuchEntity", "The user with name ghost cannot be found.")
    assert info.value.response["ResponseMetadata"]["RequestId"] == "req-42"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
