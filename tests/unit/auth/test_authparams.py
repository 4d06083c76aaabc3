"""Reading SigV4 authentication: each malformation gets AWS's IncompleteSignature message."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from iamd.auth.sigv4 import HttpRequest, parse_auth
from iamd.errors import IncompleteSignature, MissingAuthenticationToken

SIG = "f" * 64
GOOD_CREDENTIAL = "AKIAIOSFODNN7EXAMPLE/20261129/us-east-1/iam/aws4_request"


def with_header(authorization: str | None, *extra: tuple[str, str], date: bool = True) -> HttpRequest:
    headers = [("Host", "iam.amazonaws.com"), *extra]
    if date:
        headers.append(("X-Amz-Date", "20261129T000000Z"))
    if authorization is not None:
        headers.append(("Authorization", authorization))
    return HttpRequest("POST", "/", "", headers, b"")


def header(credential: str = GOOD_CREDENTIAL, signed: str = "host;x-amz-date") -> str:
    return f"AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders={signed}, Signature={SIG}"


def with_query(query: str) -> HttpRequest:
    return HttpRequest("GET", "/", query, [("Host", "iam.amazonaws.com")], b"")


def presigned_query(**override: str) -> str:
    params = {
        "Action": "GetUser",
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
        "X-Amz-Credential": GOOD_CREDENTIAL.replace("/", "%2F"),
        "X-Amz-Date": "20261129T000000Z",
        "X-Amz-Expires": "300",
        "X-Amz-SignedHeaders": "host",
        "X-Amz-Signature": SIG,
    }
    params.update(override)
    return "&".join(f"{k}={v}" for k, v in params.items() if v != "-")


def test_parses_a_header():
    auth = parse_auth(with_header(header(), ("X-Amz-Security-Token", "tok")))
    assert auth.access_key_id == "AKIAIOSFODNN7EXAMPLE"
    assert (auth.date, auth.region, auth.service) == ("20261129", "us-east-1", "iam")
    assert auth.signed_headers == ("host", "x-amz-date")
    assert auth.signature == SIG and auth.security_token == "tok"
    assert auth.request_time == datetime(2026, 11, 29, tzinfo=UTC)
    assert auth.credential_scope == "20261129/us-east-1/iam/aws4_request"


def test_header_without_spaces_after_commas_and_mixed_case_names():
    raw = f"AWS4-HMAC-SHA256 Credential={GOOD_CREDENTIAL},SignedHeaders=X-Amz-Date;Host,Signature={SIG}"
    assert parse_auth(with_header(raw)).signed_headers == ("host", "x-amz-date")


def test_parses_a_presigned_query():
    auth = parse_auth(with_query(presigned_query(**{"X-Amz-Security-Token": "a%2Bb%2F%3D"})))
    assert auth.presigned and auth.expires == 300 and auth.security_token == "a+b/="
    assert auth.access_key_id == "AKIAIOSFODNN7EXAMPLE"


def test_no_authentication_at_all():
    with pytest.raises(MissingAuthenticationToken, match="Request is missing Authentication Token"):
        parse_auth(with_query("Action=GetUser&X-Amz-Foo=1"))


def test_every_missing_part_is_named():
    raw = "AWS4-HMAC-SHA256 Foo=bar"
    with pytest.raises(IncompleteSignature) as err:
        parse_auth(with_header(raw, date=False))
    assert err.value.message == (
        "Authorization header requires 'Credential' parameter. "
        "Authorization header requires 'Signature' parameter. "
        "Authorization header requires 'SignedHeaders' parameter. "
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
        f"Authorization={raw}"
    )


@pytest.mark.parametrize(
    ("credential", "message"),
    [
        ("AKID/20261129/us-east-1/iam", "the Credential is mal-formed"),
        ("/20261129/us-east-1/iam/aws4_request", "the Credential is mal-formed"),
        ("AKID/2026-11-29/us-east-1/iam/aws4_request", "scoped to a valid date"),
        ("AKID/20261129//iam/aws4_request", "Credential should be scoped to a valid region, not ''"),
        ("AKID/20261129/US East/iam/aws4_request", "Credential should be scoped to a valid region"),
        ("AKID/20261129/us-east-1//aws4_request", "scoped to correct service"),
        ("AKID/20261129/us-east-1/iam/aws5_request", "valid terminator: 'aws4_request', not 'aws5_request'"),
    ],
)
def test_bad_credential_scope(credential, message):
    with pytest.raises(IncompleteSignature, match=message):
        parse_auth(with_header(header(credential)))


def test_host_must_be_signed():
    with pytest.raises(IncompleteSignature, match="'Host' or ':authority' must be a 'SignedHeader'"):
        parse_auth(with_header(header(signed="x-amz-date")))


@pytest.mark.parametrize("algorithm", ["AWS4-HMAC-SHA512", "AWS4-ECDSA-P256-SHA256", "AWS"])
def test_other_algorithms(algorithm):
    with pytest.raises(IncompleteSignature, match=f"Unsupported AWS 'algorithm': '{algorithm}'"):
        parse_auth(with_header(header().replace("AWS4-HMAC-SHA256", algorithm)))


@pytest.mark.parametrize("value", ["2026-11-29T00:00:00Z", "20261129T000000", "20261332T000000Z"])
def test_bad_x_amz_date(value):
    req = with_header(header(), ("X-Amz-Date", value), date=False)
    with pytest.raises(IncompleteSignature, match=f"Date must be in ISO-8601 'basic format'. Got '{value}'"):
        parse_auth(req)


def test_http_date_header():
    req = with_header(header(signed="date;host"), ("Date", "Sun, 29 Nov 2026 00:00:00 GMT"), date=False)
    auth = parse_auth(req)
    assert auth.timestamp == "20261129T000000Z" and auth.request_time == datetime(2026, 11, 29, tzinfo=UTC)


def test_bad_http_date_header():
    req = with_header(header(signed="date;host"), ("Date", "yesterday"), date=False)
    with pytest.raises(IncompleteSignature, match="Got 'yesterday'"):
        parse_auth(req)


def test_presigned_missing_parameters_are_named():
    with pytest.raises(IncompleteSignature) as err:
        parse_auth(with_query(presigned_query(**{"X-Amz-Date": "-", "X-Amz-SignedHeaders": "-"})))
    assert err.value.message == (
        "AWS query-string parameters must include 'X-Amz-Date'. "
        "AWS query-string parameters must include 'X-Amz-SignedHeaders'. "
        "Re-examine the query-string parameters."
    )


def test_presigned_other_algorithm():
    with pytest.raises(IncompleteSignature, match="Unsupported AWS 'algorithm'"):
        parse_auth(with_query(presigned_query(**{"X-Amz-Algorithm": "AWS4-HMAC-SHA1"})))


@pytest.mark.parametrize(
    ("expires", "message"),
    [
        ("604801", "X-Amz-Expires must be less than a week \\(in seconds\\) that is 604800"),
        ("-1", "X-Amz-Expires should be a number"),
        ("soon", "X-Amz-Expires should be a number"),
    ],
)
def test_presigned_expires_bounds(expires, message):
    with pytest.raises(IncompleteSignature, match=message):
        parse_auth(with_query(presigned_query(**{"X-Amz-Expires": expires})))


def test_presigned_expires_of_a_week_is_allowed():
    assert parse_auth(with_query(presigned_query(**{"X-Amz-Expires": "604800"}))).expires == 604800


def test_header_wins_over_query():
    req = HttpRequest(
        "GET",
        "/",
        presigned_query(),
        [("Host", "h"), ("X-Amz-Date", "20261129T000000Z"), ("Authorization", header())],
        b"",
    )
    assert not parse_auth(req).presigned
