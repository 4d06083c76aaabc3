"""Put/Get/Delete/List of inline policies for each principal kind; the aggregate size quota."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

import pytest
from services_helpers import TRUST, pages

from iamd.services.iam import inline_policies
from iamd.services.iam.common import policy_size
from iamd.services.iam.errors import LimitExceeded, MalformedPolicyDocument, NoSuchEntity, UnmodifiableEntity

KINDS = ["User", "Group", "Role"]


def doc(action: str = "s3:GetObject", sid: str | None = None) -> str:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": "*"}
    if sid is not None:
        statement["Sid"] = sid
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, indent=4)


def sized(size: int) -> str:
    out = doc(sid="S" * (size - policy_size(doc(sid=""))))
    assert policy_size(out) == size
    return out


def make(invoke: Any, kind: str, name: str = "p") -> None:
    extra = {"AssumeRolePolicyDocument": TRUST} if kind == "Role" else {}
    invoke("iam", f"Create{kind}", {f"{kind}Name": name, **extra})


def put(invoke: Any, kind: str, policy: str, document: str, entity: str = "p") -> None:
    invoke(
        "iam", f"Put{kind}Policy", {f"{kind}Name": entity, "PolicyName": policy, "PolicyDocument": document}
    )


def names(invoke: Any, kind: str, **params: Any) -> list[str]:
    return list(invoke("iam", f"List{kind}Policies", {f"{kind}Name": "p", **params})["PolicyNames"])


@pytest.mark.parametrize("kind", KINDS)
def test_put_get_list_delete(invoke: Any, kind: str) -> None:
    make(invoke, kind)
    put(invoke, kind, "read", doc())
    put(invoke, kind, "Write", doc("s3:PutObject"))
    got = invoke("iam", f"Get{kind}Policy", {f"{kind}Name": "P", "PolicyName": "read"})
    assert got[f"{kind}Name"] == "p" and got["PolicyName"] == "read"
    assert unquote(got["PolicyDocument"]) == doc(), "URL-encoded, decoding gives the input back"
    assert "%7B" in got["PolicyDocument"]
    put(invoke, kind, "read", doc("s3:ListBucket"))
    again = invoke("iam", f"Get{kind}Policy", {f"{kind}Name": "p", "PolicyName": "read"})
    assert unquote(again["PolicyDocument"]) == doc("s3:ListBucket")
    assert names(invoke, kind) == ["Write", "read"]
    invoke("iam", f"Delete{kind}Policy", {f"{kind}Name": "p", "PolicyName": "read"})
    assert names(invoke, kind) == ["Write"]


@pytest.mark.parametrize("kind", KINDS)
def test_missing(invoke: Any, kind: str) -> None:
    noun = kind.lower()
    with pytest.raises(NoSuchEntity, match=f"^The {noun} with name p cannot be found.$"):
        put(invoke, kind, "x", doc())
    make(invoke, kind)
    for action in ("Get", "Delete"):
        with pytest.raises(NoSuchEntity, match=f"^The {noun} policy with name nope cannot be found.$"):
            invoke("iam", f"{action}{kind}Policy", {f"{kind}Name": "p", "PolicyName": "nope"})


@pytest.mark.parametrize("kind", KINDS)
def test_malformed_document_stores_nothing(invoke: Any, kind: str) -> None:
    make(invoke, kind)
    put(invoke, kind, "keep", doc())
    with pytest.raises(MalformedPolicyDocument):
        put(invoke, kind, "keep", '{"Version": "2012-10-17"}')
    assert names(invoke, kind) == ["keep"]
    got = invoke("iam", f"Get{kind}Policy", {f"{kind}Name": "p", "PolicyName": "keep"})
    assert unquote(got["PolicyDocument"]) == doc()


@pytest.mark.parametrize(("kind", "quota"), [("User", 2048), ("Group", 5120), ("Role", 10240)])
def test_aggregate_size_quota(invoke: Any, kind: str, quota: int) -> None:
    make(invoke, kind)
    half = quota // 2
    put(invoke, kind, "a", sized(half))
    put(invoke, kind, "b", sized(quota - half))
    put(invoke, kind, "b", sized(quota - half))  # replacing does not count the old one
    message = f"^Maximum policy size of {quota} bytes exceeded for {kind.lower()} p$"
    with pytest.raises(LimitExceeded, match=message):
        put(invoke, kind, "c", sized(110))
    with pytest.raises(LimitExceeded):
        put(invoke, kind, "b", sized(quota - half + 1))
    assert names(invoke, kind) == ["a", "b"]
    invoke("iam", f"Delete{kind}Policy", {f"{kind}Name": "p", "PolicyName": "a"})
    put(invoke, kind, "c", sized(half))


def test_quota_is_per_entity(invoke: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(inline_policies.SIZE_QUOTA, "user", 300)
    make(invoke, "User", "p")
    make(invoke, "User", "q")
    put(invoke, "User", "a", sized(150), entity="p")
    put(invoke, "User", "a", sized(150), entity="q")
    with pytest.raises(LimitExceeded, match="^Maximum policy size of 300 bytes exceeded for user q$"):
        put(invoke, "User", "b", sized(151), entity="q")


@pytest.mark.parametrize("kind", KINDS)
def test_list_pages(invoke: Any, kind: str) -> None:
    make(invoke, kind)
    wanted = [f"p{i}" for i in range(5)]
    for n in reversed(wanted):
        put(invoke, kind, n, doc())
    seen = []
    for page in pages(invoke, f"List{kind}Policies", {f"{kind}Name": "p", "MaxItems": 2}):
        seen += page["PolicyNames"]
        if page["IsTruncated"]:
            put(invoke, kind, "p0a", doc())  # sorts before the marker once the first page is read
    assert seen == wanted


def test_service_linked_role_inline_policies_are_unmodifiable(invoke: Any) -> None:
    name = invoke("iam", "CreateServiceLinkedRole", {"AWSServiceName": "autoscaling.amazonaws.com"})["Role"][
        "RoleName"
    ]
    with pytest.raises(UnmodifiableEntity):
        invoke("iam", "PutRolePolicy", {"RoleName": name, "PolicyName": "x", "PolicyDocument": doc()})
    with pytest.raises(UnmodifiableEntity):
        invoke("iam", "DeleteRolePolicy", {"RoleName": name, "PolicyName": "x"})
    assert invoke("iam", "ListRolePolicies", {"RoleName": name})["PolicyNames"] == []
