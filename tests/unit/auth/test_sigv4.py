"""SigV4 verification of requests signed by botocore's own signers, and each way one fails."""

from __future__ import annotations

import dataclasses
import logging
import re
from datetime import UTC, datetime, timedelta
from unittest import mock
from urllib.parse import urlsplit

import pytest
from botocore.auth import BaseSigner, SigV4QueryAuth
from botocore.auth import SigV4Auth as BotoSigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from iamd.auth import canonical
from iamd.auth.signing_key import signature
from iamd.auth.sigv4 import HttpRequest, SigningSteps, parse_auth, verify
from iamd.errors import RequestExpired, SignatureDoesNotMatch

SIGNED_AT = datetime(2026, 11, 29, 0, 0, 0, tzinfo=UTC)


def botocore_signed(request: AWSRequest, signer: BaseSigner, at: datetime = SIGNED_AT) -> HttpRequest:
    """Sign ``request`` at ``at`` and return it as received: raw path and query, every header as
    sent (repeated ones too) plus the Host an HTTP client adds, and the body bytes."""
    with mock.patch("botocore.auth.get_current_datetime", return_value=at.replace(tzinfo=None)):
        signer.add_auth(request)
    prepared = request.prepare()
    url = urlsplit(prepared.url)
    headers = list(request.headers.items())
    if not any(name.lower() == "host" for name, _ in headers):
        headers.append(("Host", url.netloc))
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode()
    return HttpRequest(prepared.method, url.path or "/", url.query, headers, body)


AKID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "FwoGZXIvYXdzEXAMPLE+token/with=padding=="
CREDS = Credentials(AKID, SECRET)
ENDPOINT = "https://iam.amazonaws.com/"
PARAMS = {"Action": "GetUser", "Version": "2010-05-08", "UserName": "Zoë Smith+co ~*/é"}


def header_signer(creds: Credentials = CREDS, service: str = "iam") -> BotoSigV4Auth:
    return BotoSigV4Auth(creds, service, "us-east-1")


def signed_post(**extra: str) -> HttpRequest:
    return botocore_signed(AWSRequest("POST", ENDPOINT, data={**PARAMS, **extra}), header_signer())


def test_post_form_body_verifies():
    req = signed_post()
    auth = parse_auth(req)
    assert (auth.access_key_id, auth.date, auth.region, auth.service) == (
        AKID,
        "20261129",
        "us-east-1",
        "iam",
    )
    assert auth.request_time == SIGNED_AT and auth.timestamp == "20261129T000000Z"
    assert not auth.presigned and auth.expires is None and auth.security_token is None
    assert "host" in auth.signed_headers
    verify(req, auth, SECRET, SIGNED_AT)


def test_get_with_unicode_spaces_and_reserved_characters_verifies():
    req = botocore_signed(AWSRequest("GET", ENDPOINT, params=PARAMS), header_signer())
    assert "+" in req.query_string  # botocore's URL says '+' for a space, its signature '%20'
    verify(req, parse_auth(req), SECRET, SIGNED_AT)


@pytest.mark.parametrize("space", ["%20", "+"])
def test_a_space_sent_either_way_verifies(space):
    req = botocore_signed(
        AWSRequest("GET", ENDPOINT, params={"Action": "GetUser", "UserName": "a b"}), header_signer()
    )
    req = dataclasses.replace(req, query_string=req.query_string.replace("+", space))
    verify(req, parse_auth(req), SECRET, SIGNED_AT)


def test_a_bare_plus_is_a_space_and_never_verifies_as_a_signed_percent_2b():
    """A signature over ``A=1%2B2`` (a plus) does not cover ``A=1+2``, which the parser reads as
    ``1 2``: one reading of the query, the parser's, so no rewrite verifies as another value."""
    signed = botocore_signed(AWSRequest("GET", ENDPOINT, params={"A": "1+2"}), header_signer())
    assert "A=1%2B2" in signed.query_string
    verify(signed, parse_auth(signed), SECRET, SIGNED_AT)
    rewritten = dataclasses.replace(signed, query_string=signed.query_string.replace("A=1%2B2", "A=1+2"))
    with pytest.raises(SignatureDoesNotMatch):
        verify(rewritten, parse_auth(rewritten), SECRET, SIGNED_AT)


@pytest.mark.parametrize("signer", ["header", "query"])
def test_a_lowercase_escape_is_the_same_value_and_verifies(signer):
    params = {"Action": "GetUser", "UserName": "a+b/c"}
    if signer == "header":
        signed = botocore_signed(AWSRequest("GET", ENDPOINT, params=params), header_signer())
    else:
        signed = botocore_signed(
            AWSRequest("GET", ENDPOINT, params=params), SigV4QueryAuth(CREDS, "iam", "us-east-1", expires=60)
        )
    lowered = re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), signed.query_string)
    assert lowered != signed.query_string
    req = dataclasses.replace(signed, query_string=lowered)
    verify(req, parse_auth(req), SECRET, SIGNED_AT)


def test_json_protocol_post_with_target_header_verifies():
    request = AWSRequest(
        "POST",
        ENDPOINT,
        data=b'{"UserName": "alice"}',
        headers={
            "X-Amz-Target": "AWSIdentityManagementV20100508.GetUser",
            "Content-Type": "application/x-amz-json-1.1",
        },
    )
    req = botocore_signed(request, header_signer())
    auth = parse_auth(req)
    assert {"x-amz-target", "content-type"} <= set(auth.signed_headers)
    verify(req, auth, SECRET, SIGNED_AT)


def test_repeated_headers_verify():
    request = AWSRequest("POST", ENDPOINT, data=PARAMS)
    request.headers["X-Custom"] = "first   value"
    request.headers["X-Custom"] = " second"
    req = botocore_signed(request, header_signer())
    assert [v for n, v in req.headers if n == "X-Custom"] == ["first   value", " second"]
    verify(req, parse_auth(req), SECRET, SIGNED_AT)


def test_session_token_is_reported():
    req = botocore_signed(
        AWSRequest("POST", ENDPOINT, data=PARAMS), header_signer(Credentials(AKID, SECRET, TOKEN))
    )
    auth = parse_auth(req)
    assert auth.security_token == TOKEN
    verify(req, auth, SECRET, SIGNED_AT)


def test_date_header_instead_of_x_amz_date():
    request = AWSRequest("POST", ENDPOINT, data=PARAMS, headers={"Date": "placeholder"})
    req = botocore_signed(request, header_signer())
    auth = parse_auth(req)
    assert auth.request_time == SIGNED_AT and "date" in auth.signed_headers
    verify(req, auth, SECRET, SIGNED_AT)


def test_sts_scope_and_other_regions():
    request = AWSRequest("POST", "https://sts.eu-west-3.amazonaws.com/", data={"Action": "GetCallerIdentity"})
    req = botocore_signed(request, BotoSigV4Auth(CREDS, "sts", "eu-west-3"))
    auth = parse_auth(req)
    assert (auth.region, auth.service) == ("eu-west-3", "sts")
    verify(req, auth, SECRET, SIGNED_AT)


# --- presigned URLs --------------------------------------------------------------------------


def presigned(expires: int = 60, creds: Credentials = CREDS) -> HttpRequest:
    return botocore_signed(
        AWSRequest("GET", ENDPOINT, params=PARAMS), SigV4QueryAuth(creds, "iam", "us-east-1", expires)
    )


def test_presigned_url_verifies_until_it_expires():
    req = presigned(expires=60)
    auth = parse_auth(req)
    assert auth.presigned and auth.expires == 60 and auth.signature
    verify(req, auth, SECRET, SIGNED_AT + timedelta(seconds=60))
    with pytest.raises(RequestExpired, match="Request has expired"):
        verify(req, auth, SECRET, SIGNED_AT + timedelta(seconds=61))


def test_presigned_url_with_session_token():
    req = presigned(creds=Credentials(AKID, SECRET, TOKEN))
    auth = parse_auth(req)
    assert auth.security_token == TOKEN
    verify(req, auth, SECRET, SIGNED_AT)


def test_presigned_url_not_yet_valid():
    req = presigned()
    with pytest.raises(SignatureDoesNotMatch, match="Signature not yet current"):
        verify(req, parse_auth(req), SECRET, SIGNED_AT - timedelta(minutes=15, seconds=1))


def test_presigned_url_tampered_param_fails():
    req = presigned()
    req = dataclasses.replace(req, query_string=req.query_string.replace("GetUser", "GetRole"))
    with pytest.raises(SignatureDoesNotMatch):
        verify(req, parse_auth(req), SECRET, SIGNED_AT)


# --- failures --------------------------------------------------------------------------------


def test_wrong_secret():
    req = signed_post()
    with pytest.raises(SignatureDoesNotMatch, match="^The request signature we calculated does not match"):
        verify(req, parse_auth(req), SECRET[:-1] + "X", SIGNED_AT)


def test_tampered_body():
    req = signed_post()
    tampered = dataclasses.replace(req, body=req.body.replace(b"GetUser", b"DeleteUser"))
    with pytest.raises(SignatureDoesNotMatch):
        verify(tampered, parse_auth(tampered), SECRET, SIGNED_AT)


def test_tampered_signed_header():
    req = signed_post()
    headers = [(n, "evil.example.com" if n == "Host" else v) for n, v in req.headers]
    tampered = dataclasses.replace(req, headers=headers)
    with pytest.raises(SignatureDoesNotMatch):
        verify(tampered, parse_auth(tampered), SECRET, SIGNED_AT)


def test_scope_date_must_be_the_request_date():
    req = signed_post()
    auth = dataclasses.replace(parse_auth(req), date="20261128")
    with pytest.raises(SignatureDoesNotMatch, match="'20261128' != '20261129', from '20261129T000000Z'"):
        verify(req, auth, SECRET, SIGNED_AT)


def test_declared_payload_hash_must_match_the_body():
    request = AWSRequest("POST", ENDPOINT, data=PARAMS, headers={"X-Amz-Content-SHA256": "0" * 64})
    req = botocore_signed(request, header_signer())
    with pytest.raises(SignatureDoesNotMatch, match="x-amz-content-sha256"):
        verify(req, parse_auth(req), SECRET, SIGNED_AT)


def test_declared_payload_hash_that_matches_verifies():
    body = b"Action=GetUser&Version=2010-05-08"
    sha = canonical.hashlib.sha256(body).hexdigest()
    request = AWSRequest("POST", ENDPOINT, data=body, headers={"X-Amz-Content-SHA256": sha})
    req = botocore_signed(request, header_signer())
    verify(req, parse_auth(req), SECRET, SIGNED_AT)


def test_unsigned_payload_allowed_unless_forbidden():
    request = AWSRequest("POST", ENDPOINT, data=PARAMS, headers={"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    req = botocore_signed(request, header_signer())
    verify(req, parse_auth(req), SECRET, SIGNED_AT)
    with pytest.raises(SignatureDoesNotMatch, match="x-amz-content-sha256"):
        verify(req, parse_auth(req), SECRET, SIGNED_AT, allow_unsigned_payload=False)


# --- clock skew: 15 minutes either way (header auth) -----------------------------------------


@pytest.mark.parametrize("offset", [timedelta(0), timedelta(minutes=15), -timedelta(minutes=15)])
def test_within_skew(offset):
    req = signed_post()
    verify(req, parse_auth(req), SECRET, SIGNED_AT + offset)


def test_expired_one_second_past_the_window():
    req = signed_post()
    now = datetime(2026, 11, 29, 0, 15, 1, tzinfo=UTC)
    with pytest.raises(RequestExpired) as err:
        verify(req, parse_auth(req), SECRET, now)
    assert err.value.message == (
        "Signature expired: 20261129T000000Z is now earlier than 20261129T000001Z (20261129T001501Z - 15 min.)"
    )


def test_not_yet_current_one_second_before_the_window():
    req = signed_post()
    now = datetime(2026, 11, 28, 23, 44, 59, tzinfo=UTC)
    with pytest.raises(SignatureDoesNotMatch) as err:
        verify(req, parse_auth(req), SECRET, now)
    assert err.value.message == (
        "Signature not yet current: 20261129T000000Z is still later than 20261128T235959Z "
        "(20261128T234459Z + 15 min.)"
    )


# --- logging ---------------------------------------------------------------------------------


def test_mismatch_logs_steps_at_debug_but_never_the_key_or_token(caplog):
    req = botocore_signed(
        AWSRequest("POST", ENDPOINT, data=PARAMS), header_signer(Credentials(AKID, SECRET, TOKEN))
    )
    with caplog.at_level(logging.DEBUG, logger="iamd.auth.sigv4"), pytest.raises(SignatureDoesNotMatch):
        verify(req, parse_auth(req), "wrong-secret", SIGNED_AT)
    text = caplog.text
    assert "CanonicalRequest" in text and "StringToSign" in text and "AWS4-HMAC-SHA256" in text
    assert "wrong-secret" not in text and SECRET not in text and TOKEN not in text


@pytest.mark.parametrize(
    "params",
    [
        {"Action": "ChangePassword", "OldPassword": "0ld-Pa55word!", "NewPassword": "N3w-Pa55word!"},
        {"Action": "CreateLoginProfile", "UserName": "bob", "Password": "N3w-Pa55word!"},
        {"Action": "GetSessionToken", "SerialNumber": "arn:aws:iam::1:mfa/m", "TokenCode": "123456"},
        {"Action": "EnableMFADevice", "AuthenticationCode1": "123456", "AuthenticationCode2": "N3w-Pa55word!"},
    ],
)
def test_a_mismatch_log_keeps_secret_query_parameters_out(caplog, params):
    """A GET (or presigned) call carries its parameters in the query string, which the logged
    canonical request shows: passwords and one-time codes must not reach the log."""
    req = botocore_signed(AWSRequest("GET", ENDPOINT, params={**params, "Version": "2010-05-08"}), header_signer())
    with caplog.at_level(logging.DEBUG, logger="iamd.auth.sigv4"), pytest.raises(SignatureDoesNotMatch):
        verify(req, parse_auth(req), "wrong-secret", SIGNED_AT)
    text = caplog.text
    assert "CanonicalRequest" in text and "Action=" in text
    assert "Pa55word" not in text and "123456" not in text


def test_steps_are_named_as_the_spec_names_them():
    assert [f.name for f in dataclasses.fields(SigningSteps)] == [
        "canonical_request",
        "string_to_sign",
        "signature",
    ]
    assert signature(b"k" * 32, "x") == signature(b"k" * 32, "x")
