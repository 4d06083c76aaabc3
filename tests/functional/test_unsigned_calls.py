"""The unsigned path's scope: only AssumeRoleWithWebIdentity and AssumeRoleWithSAML go without
SigV4, spelt exactly, for STS's version; everything else without a signature is refused as before.

The federation operations themselves are tested end to end in ``test_web_identity*.py``; here
each request that must *not* pass is sent raw and must be answered with an authentication error,
and must not have run (nothing created).
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest

from iamd.testing import IamdServer

STS = "2011-06-15"
IAM = "2010-05-08"
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
ROLE = "arn:aws:iam::123456789012:role/r"
TOKEN = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."  # not a verifiable token; the scope is under test


def raw(server: IamdServer, body: str = "", *, query: str = "", path: str = "/",
        headers: dict[str, str] | None = None, method: str = "POST") -> tuple[int, str]:
    url = server.endpoint + path + (f"?{query}" if query else "")
    req = urllib.request.Request(url, data=body.encode() if method == "POST" else None,
                                 headers={**FORM, **(headers or {})}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def code(xml: str) -> str:
    return xml.split("<Code>", 1)[1].split("</Code>", 1)[0] if "<Code>" in xml else ""


def form(**params: str) -> str:
    return urllib.parse.urlencode(params)


WEB = {"RoleArn": ROLE, "RoleSessionName": "session", "WebIdentityToken": TOKEN}


@pytest.mark.parametrize(
    ("what", "body", "query"),
    [
        ("an IAM call", form(Action="CreateUser", Version=IAM, UserName="mallory"), ""),
        ("IAM ListUsers by GET", "", form(Action="ListUsers", Version=IAM)),
        ("another STS call", form(Action="GetCallerIdentity", Version=STS), ""),
        ("AssumeRole", form(Action="AssumeRole", Version=STS, RoleArn=ROLE, RoleSessionName="s"), ""),
        ("GetSessionToken", form(Action="GetSessionToken", Version=STS), ""),
        ("a mixed-case Action", form(Action="assumeRoleWithWebIdentity", Version=STS, **WEB), ""),
        ("an upper-case Action", form(Action="ASSUMEROLEWITHWEBIDENTITY", Version=STS, **WEB), ""),
        ("the federation Action under IAM's version", form(Action="AssumeRoleWithWebIdentity", Version=IAM, **WEB), ""),
        ("no Version", form(Action="AssumeRoleWithWebIdentity", **WEB), ""),
        ("Action in the query, another in the body",
         form(Action="CreateUser", Version=IAM, UserName="mallory"), form(Action="AssumeRoleWithWebIdentity")),
        ("Action in the body, another in the query",
         form(Action="AssumeRoleWithWebIdentity", Version=STS, **WEB), form(Action="CreateUser", UserName="mallory")),
        ("Action twice in the body",
         "Action=AssumeRoleWithWebIdentity&Action=CreateUser&Version=2010-05-08&UserName=mallory", ""),
        ("Version twice", form(Action="AssumeRoleWithWebIdentity", Version=STS, **WEB) + "&Version=2010-05-08", ""),
    ],
)
def test_refused_without_a_signature(server: IamdServer, iam: Any, what: str, body: str, query: str) -> None:
    status, xml = raw(server, body, query=query)
    assert (status, code(xml)) == (403, "MissingAuthenticationToken"), (what, xml)
    assert "mallory" not in {u["UserName"] for u in iam.list_users()["Users"]}


def test_admin_path_is_never_unsigned(server: IamdServer) -> None:
    status, xml = raw(server, form(Action="AssumeRoleWithWebIdentity", Version=STS, **WEB), path="/_iamd/reset")
    assert (status, code(xml)) == (403, "MissingAuthenticationToken"), xml


@pytest.mark.parametrize(
    ("what", "headers", "query", "expected"),
    [
        ("a signed-looking IAM call with a made-up signature",
         {"Authorization": "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/iam/aws4_request, "
                           "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64, "X-Amz-Date": "20260101T000000Z"},
         "", {"InvalidClientTokenId", "SignatureDoesNotMatch", "RequestExpired"}),
        ("an Authorization header that is not SigV4", {"Authorization": "Bearer abc"}, "", {"IncompleteSignature"}),
        ("a half presigned URL", {}, "X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260101%2Fus-east-1%2Fsts%2Faws4_request",
         {"IncompleteSignature"}),
    ],
)
def test_a_malformed_signature_never_falls_back_to_unsigned(
    server: IamdServer, iam: Any, what: str, headers: dict[str, str], query: str, expected: set[str]
) -> None:
    """A request that claims a signature is judged by it, even for the unsigned operations."""
    for body in (form(Action="CreateUser", Version=IAM, UserName="mallory"),
                 form(Action="AssumeRoleWithWebIdentity", Version=STS, **WEB)):
        status, xml = raw(server, body, query=query, headers=headers)
        assert status in (400, 403) and code(xml) in expected, (what, xml)
    assert "mallory" not in {u["UserName"] for u in iam.list_users()["Users"]}


def test_the_federation_operations_pass_the_gate(server: IamdServer) -> None:
    """Unsigned, by POST form or GET query: the call reaches the token check (an unverifiable
    token is InvalidIdentityToken), not the signature check."""
    body = form(Action="AssumeRoleWithWebIdentity", Version=STS, **WEB)
    for status, xml in (raw(server, body), raw(server, query=body, method="GET")):
        assert code(xml) != "MissingAuthenticationToken", xml
        assert status == 400 and code(xml) == "InvalidIdentityToken", xml
