"""Bad input gets a clear AWS error, never a 500, and changes nothing."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def _raw(server, body: bytes | str, *, headers: dict[str, str] | None = None, sign: bool = True,
         secret: str | None = None, service: str = "iam", path: str = "/", method: str = "POST") -> tuple[int, str]:
    data = body.encode() if isinstance(body, str) else body
    hdrs = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", **(headers or {})}
    req = AWSRequest(method=method, url=server.endpoint + path, data=data, headers=hdrs)
    if sign:
        creds = Credentials(server.access_key_id, secret or server.secret_access_key)
        SigV4Auth(creds, service, "us-east-1").add_auth(req)
    prepared = urllib.request.Request(server.endpoint + path, data=data if method == "POST" else None,
                                      headers=dict(req.headers.items()), method=method)
    try:
        with urllib.request.urlopen(prepared, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def _code(xml: str) -> str:
    return xml.split("<Code>", 1)[1].split("</Code>", 1)[0]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("Action=CreateUser&Version=2010-05-08", 400, "ValidationError"),
        ("Action=CreateUser&Version=2010-05-08&UserName=bad%21name", 400, "ValidationError"),
        ("Action=CreateUser&Version=2010-05-08&UserName=" + "a" * 65, 400, "ValidationError"),
        ("Action=ListUsers&Version=2010-05-08&MaxItems=abc", 400, "ValidationError"),
        ("Action=ListUsers&Version=2010-05-08&MaxItems=0", 400, "ValidationError"),
        ("Action=ListUsers&Version=2010-05-08&MaxItems=1001", 400, "ValidationError"),
        ("Action=UpdateAccessKey&Version=2010-05-08&AccessKeyId=AKIAAAAAAAAAAAAAAAAA&Status=Sleeping", 400,
         "ValidationError"),
        ("Action=CreateUser&Version=2010-05-08&UserName=x&Path=no-slashes", 400, "ValidationError"),
        ("Action=NoSuchThing&Version=2010-05-08", 400, "InvalidAction"),
        ("Version=2010-05-08", 400, "MissingAction"),
        ("Action=ListUsers&Version=1999-01-01", 400, "InvalidAction"),
        ("Action=ListUsers&Version=2010-05-08&Marker=%%%", 400, "ValidationError"),
        ("Action=CreatePolicy&Version=2010-05-08&PolicyName=p&PolicyDocument=not-json", 400,
         "MalformedPolicyDocument"),
        ("\x00\x01garbage=&&&==", 400, "MissingAction"),
    ],
)
def test_malformed_parameters(server, iam, body, status, code) -> None:
    before = iam.list_users()["Users"]
    got_status, xml = _raw(server, body)
    assert (got_status, _code(xml)) == (status, code), xml
    assert "<RequestId>" in xml and "Traceback" not in xml
    assert iam.list_users()["Users"] == before


def test_validation_message_in_aws_style(server) -> None:
    status, xml = _raw(server, "Action=CreateUser&Version=2010-05-08&UserName=bad%21name")
    assert (
        "1 validation error detected: Value &apos;bad!name&apos; at &apos;userName&apos; failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+" in xml
        or "1 validation error detected: Value 'bad!name' at 'userName' failed to satisfy" in xml
    ), xml


def test_non_utf8_body(server) -> None:
    status, xml = _raw(server, b"Action=ListUsers&Version=2010-05-08&X=\xff\xfe")
    assert status == 400 and _code(xml) == "MalformedQueryString"


def test_oversized_body(server) -> None:
    status, xml = _raw(server, "Action=ListUsers&Version=2010-05-08&Pad=" + "x" * (600 * 1024))
    assert status == 413 and _code(xml) == "RequestEntityTooLarge"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"sign": False}, "MissingAuthenticationToken"),
        ({"secret": "wrong-secret-wrong-secret-wrong-secret00"}, "SignatureDoesNotMatch"),
        ({"headers": {"Authorization": "AWS4-HMAC-SHA256 Credential=x"}, "sign": False}, "IncompleteSignature"),
        ({"service": "s3"}, "SignatureDoesNotMatch"),
    ],
)
def test_authentication_failures(server, iam, kwargs, code) -> None:
    status, xml = _raw(server, "Action=CreateUser&Version=2010-05-08&UserName=sneaky", **kwargs)
    assert _code(xml) == code, xml
    assert status in (400, 403)
    assert iam.list_users()["Users"] == []


def test_unknown_access_key(server, error_of) -> None:
    iam = server.client("iam", aws_access_key_id="AKIAAAAAAAAAAAAAAAAA", aws_secret_access_key="x" * 40)
    err = error_of(iam.list_users)
    assert (err["Code"], err["HTTPStatus"]) == ("InvalidClientTokenId", 403)


def test_get_requests_are_served(server) -> None:
    status, xml = _raw(server, b"", path="/?Action=ListUsers&Version=2010-05-08", method="GET")
    assert status == 200 and "<ListUsersResult>" in xml


def test_reset_is_refused_to_non_root(server, iam, client_for) -> None:
    from iamd.testing import signed_request

    iam.create_user(UserName="u")
    key = iam.create_access_key(UserName="u")["AccessKey"]
    status = signed_request(server.endpoint, "/_iamd/reset", key["AccessKeyId"], key["SecretAccessKey"])
    assert status == 403
    assert [u["UserName"] for u in iam.list_users()["Users"]] == ["u"]


def test_reset_is_refused_without_ephemeral(tmp_path) -> None:
    from iamd.testing import IamdServer

    with IamdServer(extra_args=["--data-dir", str(tmp_path / "d")]) as srv:
        with pytest.raises(RuntimeError, match="HTTP 400"):
            srv.reset()
