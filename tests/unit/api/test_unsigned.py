"""``unsigned_operation``: which requests without authentication may go on, decided on the raw
parameters — exactly the registered federation operations, spelt exactly, under STS's version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from iamd.api.unsigned import unsigned_operation
from iamd.auth import federated
from iamd.auth.request import HttpRequest
from iamd.errors import MalformedQueryString

VERSIONS = {"iam": "2010-05-08", "sts": "2011-06-15"}
FORM = "application/x-www-form-urlencoded"


def never(runtime: Any, inputs: Any, now: datetime) -> federated.FederatedIdentity:
    raise AssertionError("not called here")


@pytest.fixture(autouse=True)
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(federated.AUTHENTICATORS, ("sts", "AssumeRoleWithWebIdentity"), never)
    monkeypatch.delitem(federated.AUTHENTICATORS, ("sts", "AssumeRoleWithSAML"), raising=False)


def req(body: str = "", query: str = "", path: str = "/") -> HttpRequest:
    return HttpRequest("POST", path, query, [("Content-Type", FORM)], body.encode())


@pytest.mark.parametrize(
    ("body", "query", "path", "expected"),
    [
        ("Action=AssumeRoleWithWebIdentity&Version=2011-06-15", "", "/", ("sts", "AssumeRoleWithWebIdentity")),
        ("", "Action=AssumeRoleWithWebIdentity&Version=2011-06-15", "/", ("sts", "AssumeRoleWithWebIdentity")),
        ("Action=AssumeRoleWithWebIdentity", "Version=2011-06-15", "/", ("sts", "AssumeRoleWithWebIdentity")),
        ("Action=AssumeRoleWithWebIdentity&Version=2011-06-15", "Action=AssumeRoleWithWebIdentity", "/",
         ("sts", "AssumeRoleWithWebIdentity")),
        ("Action=AssumeRoleWithSAML&Version=2011-06-15", "", "/", None),  # no authenticator registered
        ("Action=assumerolewithwebidentity&Version=2011-06-15", "", "/", None),
        ("Action=AssumeRoleWithWebIdentity&Version=2010-05-08", "", "/", None),
        ("Action=AssumeRoleWithWebIdentity", "", "/", None),
        ("Version=2011-06-15", "", "/", None),
        ("Action=AssumeRoleWithWebIdentity&Version=2011-06-15", "Action=CreateUser", "/", None),
        ("Action=AssumeRoleWithWebIdentity&Action=CreateUser&Version=2011-06-15", "", "/", None),
        ("Action=AssumeRoleWithWebIdentity&Version=2011-06-15&Version=2010-05-08", "", "/", None),
        ("Action=GetCallerIdentity&Version=2011-06-15", "", "/", None),
        ("Action=AssumeRoleWithWebIdentity&Version=2011-06-15", "", "/_iamd/reset", None),
        ("Action=AssumeRoleWithWebIdentity%00&Version=2011-06-15", "", "/", None),
    ],
)
def test_the_gate(body: str, query: str, path: str, expected: tuple[str, str] | None) -> None:
    assert unsigned_operation(req(body, query, path), FORM, VERSIONS, "/_iamd/") == expected


def test_a_body_that_is_not_a_form_is_not_read() -> None:
    http = HttpRequest("POST", "/", "", [], b"Action=AssumeRoleWithWebIdentity&Version=2011-06-15")
    assert unsigned_operation(http, "application/json", VERSIONS, "/_iamd/") is None


def test_the_decoders_bounds_apply_first() -> None:
    with pytest.raises(MalformedQueryString):
        unsigned_operation(req("Action=AssumeRoleWithWebIdentity&Version=2011-06-15&" + "a." * 20 + "=x"), FORM,
                           VERSIONS, "/_iamd/")
