"""The AWS Signature Version 4 test suite (aws-sig-v4-test-suite, as in aws-c-auth and botocore).

Every case uses the suite's fixed example credentials, region us-east-1, service ``service`` and
time 20150830T123600Z. Each case asserts the spec's steps: the canonical request (where the suite
prints one), the string to sign, and the suite's published signature; then ``verify`` accepts it.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from iamd.auth.signing_key import derive_signing_key
from iamd.auth.sigv4 import HttpRequest, compute_steps, parse_auth, payload_hash, verify

AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
NOW = datetime(2015, 8, 30, 12, 36, tzinfo=UTC)
SCOPE = "20150830/us-east-1/service/aws4_request"
HOST = ("Host", "example.amazonaws.com")
DATE = ("X-Amz-Date", "20150830T123600Z")
EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
STS_TOKEN = (
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflf"
    "KD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8"
    "Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSI"
    "lTJabIQwj2ICCR/oLxBA=="
)
UNRESERVED = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
FORM = ("Content-Type", "application/x-www-form-urlencoded")


def creq(method: str, uri: str, query: str, headers: str, signed: str, payload: str = EMPTY) -> str:
    return f"{method}\n{uri}\n{query}\n{headers}\n\n{signed}\n{payload}"


VANILLA_HEADERS = "host:example.amazonaws.com\nx-amz-date:20150830T123600Z"
VANILLA_CREQ = creq("GET", "/", "", VANILLA_HEADERS, "host;x-amz-date")

# name, method, raw path, raw query, headers, body, expected canonical request (None: not printed
# here, covered by the signature), suite signature
CASES = [
    ("get-vanilla", "GET", "/", "", [HOST, DATE], b"", VANILLA_CREQ,
     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
    ("get-vanilla-query", "GET", "/", "", [HOST, DATE], b"", VANILLA_CREQ,
     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
    ("get-vanilla-empty-query-key", "GET", "/", "Param1=value1", [HOST, DATE], b"",
     creq("GET", "/", "Param1=value1", VANILLA_HEADERS, "host;x-amz-date"),
     "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"),
    ("get-vanilla-query-order-key", "GET", "/", "Param1=value2&Param1=Value1", [HOST, DATE], b"",
     creq("GET", "/", "Param1=Value1&Param1=value2", VANILLA_HEADERS, "host;x-amz-date"),
     "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1"),
    ("get-vanilla-query-order-key-case", "GET", "/", "Param2=value2&Param1=value1", [HOST, DATE], b"",
     creq("GET", "/", "Param1=value1&Param2=value2", VANILLA_HEADERS, "host;x-amz-date"),
     "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
    ("get-vanilla-query-order-value", "GET", "/", "Param1=value2&Param1=value1", [HOST, DATE], b"",
     creq("GET", "/", "Param1=value1&Param1=value2", VANILLA_HEADERS, "host;x-amz-date"),
     "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694"),
    ("get-vanilla-query-order-encoded", "GET", "/", "Param-3=Value3&Param=Value2&%E1%88%B4=Value1",
     [HOST, DATE], b"",
     creq("GET", "/", "%E1%88%B4=Value1&Param=Value2&Param-3=Value3", VANILLA_HEADERS, "host;x-amz-date"),
     "371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac"),
    ("get-vanilla-query-unreserved", "GET", "/", f"{UNRESERVED}={UNRESERVED}", [HOST, DATE], b"",
     creq("GET", "/", f"{UNRESERVED}={UNRESERVED}", VANILLA_HEADERS, "host;x-amz-date"),
     "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"),
    ("get-vanilla-utf8-query", "GET", "/", "ሴ=bar", [HOST, DATE], b"",
     creq("GET", "/", "%E1%88%B4=bar", VANILLA_HEADERS, "host;x-amz-date"),
     "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
    ("get-utf8", "GET", "/ሴ", "", [HOST, DATE], b"",
     creq("GET", "/%E1%88%B4", "", VANILLA_HEADERS, "host;x-amz-date"),
     "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),
    ("get-space", "GET", "/example space/", "", [HOST, DATE], b"",
     creq("GET", "/example%20space/", "", VANILLA_HEADERS, "host;x-amz-date"),
     "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"),
    ("get-slash", "GET", "//", "", [HOST, DATE], b"", VANILLA_CREQ,
     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
    ("get-slash-dot-slash", "GET", "/./", "", [HOST, DATE], b"", VANILLA_CREQ,
     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
    ("get-slash-pointless-dot", "GET", "/./example", "", [HOST, DATE], b"",
     creq("GET", "/example", "", VANILLA_HEADERS, "host;x-amz-date"),
     "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5"),
    ("get-slashes", "GET", "//example//", "", [HOST, DATE], b"",
     creq("GET", "/example/", "", VANILLA_HEADERS, "host;x-amz-date"),
     "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"),
    ("get-relative", "GET", "/example/..", "", [HOST, DATE], b"", VANILLA_CREQ,
     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
    ("get-relative-relative", "GET", "/example1/example2/../..", "", [HOST, DATE], b"", VANILLA_CREQ,
     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
    ("get-header-value-trim", "GET", "/", "",
     [HOST, ("My-Header1", " value1"), ("My-Header2", ' "a   b   c"'), DATE], b"",
     creq("GET", "/", "",
          'host:example.amazonaws.com\nmy-header1:value1\nmy-header2:"a b c"\nx-amz-date:20150830T123600Z',
          "host;my-header1;my-header2;x-amz-date"),
     "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
    ("get-header-key-duplicate", "GET", "/", "",
     [HOST, ("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1"), DATE], b"",
     creq("GET", "/", "",
          "host:example.amazonaws.com\nmy-header1:value2,value2,value1\nx-amz-date:20150830T123600Z",
          "host;my-header1;x-amz-date"),
     "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"),
    ("get-header-value-order", "GET", "/", "",
     [HOST, ("My-Header1", "value4"), ("My-Header1", "value1"), ("My-Header1", "value3"),
      ("My-Header1", "value2"), DATE], b"",
     creq("GET", "/", "",
          "host:example.amazonaws.com\nmy-header1:value4,value1,value3,value2\nx-amz-date:20150830T123600Z",
          "host;my-header1;x-amz-date"),
     "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"),
    ("post-vanilla", "POST", "/", "", [HOST, DATE], b"",
     creq("POST", "/", "", VANILLA_HEADERS, "host;x-amz-date"),
     "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
    ("post-vanilla-query", "POST", "/", "Param1=value1", [HOST, DATE], b"",
     creq("POST", "/", "Param1=value1", VANILLA_HEADERS, "host;x-amz-date"),
     "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"),
    ("post-header-key-case", "POST", "/", "", [("host", "example.amazonaws.com"), ("x-amz-date", DATE[1])],
     b"", None, "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
    ("post-header-key-sort", "POST", "/", "", [HOST, ("My-Header1", "value1"), DATE], b"",
     creq("POST", "/", "", "host:example.amazonaws.com\nmy-header1:value1\nx-amz-date:20150830T123600Z",
          "host;my-header1;x-amz-date"),
     "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"),
    ("post-header-value-case", "POST", "/", "", [HOST, ("My-Header1", "VALUE1"), DATE], b"",
     creq("POST", "/", "", "host:example.amazonaws.com\nmy-header1:VALUE1\nx-amz-date:20150830T123600Z",
          "host;my-header1;x-amz-date"),
     "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"),
    ("post-x-www-form-urlencoded", "POST", "/", "", [FORM, HOST, DATE], b"Param1=value1",
     creq("POST", "/", "",
          "content-type:application/x-www-form-urlencoded\n" + VANILLA_HEADERS,
          "content-type;host;x-amz-date",
          "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"),
     "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"),
    ("post-x-www-form-urlencoded-parameters", "POST", "/", "",
     [("Content-Type", "application/x-www-form-urlencoded; charset=utf8"), HOST, DATE], b"Param1=value1",
     creq("POST", "/", "",
          "content-type:application/x-www-form-urlencoded; charset=utf8\n" + VANILLA_HEADERS,
          "content-type;host;x-amz-date",
          "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"),
     "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe"),
    ("post-sts-header-before", "POST", "/", "", [HOST, DATE, ("X-Amz-Security-Token", STS_TOKEN)], b"",
     creq("POST", "/", "", VANILLA_HEADERS + "\nx-amz-security-token:" + STS_TOKEN,
          "host;x-amz-date;x-amz-security-token"),
     "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"),
]  # fmt: skip


def _request(method, path, query, headers, body, signature):
    signed = ";".join(sorted({name.lower() for name, _ in headers}))
    authorization = (
        f"AWS4-HMAC-SHA256 Credential={AKID}/{SCOPE}, SignedHeaders={signed}, Signature={signature}"
    )
    return HttpRequest(method, path, query, [*headers, ("Authorization", authorization)], body)


@pytest.mark.parametrize(
    ("method", "path", "query", "headers", "body", "expected_creq", "expected_signature"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_suite_case(method, path, query, headers, body, expected_creq, expected_signature):
    req = _request(method, path, query, headers, body, expected_signature)
    auth = parse_auth(req)
    key = derive_signing_key(SECRET, "20150830", "us-east-1", "service")
    steps = compute_steps(req, auth, key, payload_hash(req, auth))
    if expected_creq is not None:
        assert steps.canonical_request == expected_creq
    digest = hashlib.sha256(steps.canonical_request.encode()).hexdigest()
    assert steps.string_to_sign == f"AWS4-HMAC-SHA256\n20150830T123600Z\n{SCOPE}\n{digest}"
    assert steps.signature == expected_signature
    verify(req, auth, SECRET, NOW)


def test_get_vanilla_string_to_sign_as_printed_by_the_suite():
    req = _request("GET", "/", "", [HOST, DATE], b"", "0" * 64)
    key = derive_signing_key(SECRET, "20150830", "us-east-1", "service")
    steps = compute_steps(req, parse_auth(req), key, EMPTY)
    assert steps.string_to_sign == (
        "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
        "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"
    )
