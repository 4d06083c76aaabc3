"""Attach/Detach/ListAttached…Policies for each principal kind, quotas, and ListEntitiesForPolicy."""

from __future__ import annotations

from typing import Any

import pytest
from services_helpers import DOC, TRUST, pages

from iamd.services.iam import attachments
from iamd.services.iam.errors import (
    InvalidInput,
    LimitExceeded,
    NoSuchEntity,
    PolicyNotAttachable,
    UnmodifiableEntity,
)

AWS = "arn:aws:iam::aws:policy/"
KINDS = ["User", "Group", "Role"]


def make(invoke: Any, kind: str, name: str, path: str = "/") -> None:
    extra = {"AssumeRolePolicyDocument": TRUST} if kind == "Role" else {}
    invoke("iam", f"Create{kind}", {f"{kind}Name": name, "Path": path, **extra})


def policy(invoke: Any, name: str, path: str = "/") -> str:
    params = {"PolicyName": name, "PolicyDocument": DOC, "Path": path}
    return str(invoke("iam", "CreatePolicy", params)["Policy"]["Arn"])


def attach(invoke: Any, kind: str, name: str, arn: str) -> None:
    invoke("iam", f"Attach{kind}Policy", {f"{kind}Name": name, "PolicyArn": arn})


def attached(invoke: Any, kind: str, name: str, **params: Any) -> list[str]:
    out = invoke("iam", f"ListAttached{kind}Policies", {f"{kind}Name": name, **params})
    return [p["PolicyArn"] for p in out["AttachedPolicies"]]


@pytest.mark.parametrize("kind", KINDS)
def test_attach_list_detach(invoke: Any, kind: str) -> None:
    make(invoke, kind, "p")
    local = policy(invoke, "Mine", "/team/")
    attach(invoke, kind, "p", local)
    attach(invoke, kind, "p", AWS + "ReadOnlyAccess")
    attach(invoke, kind, "P", AWS + "ReadOnlyAccess")  # again, and by another spelling: a no-op
    listed = invoke("iam", f"ListAttached{kind}Policies", {f"{kind}Name": "p"})
    assert listed["AttachedPolicies"] == [
        {"PolicyName": "Mine", "PolicyArn": local},
        {"PolicyName": "ReadOnlyAccess", "PolicyArn": AWS + "ReadOnlyAccess"},
    ], "in ARN order"
    assert attached(invoke, kind, "p", PathPrefix="/team/") == [local]
    assert invoke("iam", "GetPolicy", {"PolicyArn": local})["Policy"]["AttachmentCount"] == 1
    invoke("iam", f"Detach{kind}Policy", {f"{kind}Name": "p", "PolicyArn": local})
    assert attached(invoke, kind, "p") == [AWS + "ReadOnlyAccess"]
    with pytest.raises(NoSuchEntity, match=f"^Policy {local} was not found.$"):
        invoke("iam", f"Detach{kind}Policy", {f"{kind}Name": "p", "PolicyArn": local})


@pytest.mark.parametrize("kind", KINDS)
def test_quota(invoke: Any, kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(attachments.ATTACHED_QUOTA, kind.lower(), 2)
    make(invoke, kind, "p")
    attach(invoke, kind, "p", AWS + "ReadOnlyAccess")
    attach(invoke, kind, "p", AWS + "IAMReadOnlyAccess")
    attach(invoke, kind, "p", AWS + "IAMReadOnlyAccess")  # already there: not a third one
    with pytest.raises(LimitExceeded, match=f"^Cannot exceed quota for PoliciesPer{kind}: 2$"):
        attach(invoke, kind, "p", AWS + "AmazonS3ReadOnlyAccess")
    assert attached(invoke, kind, "p") == [AWS + "IAMReadOnlyAccess", AWS + "ReadOnlyAccess"]


def test_default_quota_is_ten(invoke: Any) -> None:
    make(invoke, "User", "u")
    for i in range(10):
        attach(invoke, "User", "u", policy(invoke, f"p{i}"))
    with pytest.raises(LimitExceeded, match="^Cannot exceed quota for PoliciesPerUser: 10$"):
        attach(invoke, "User", "u", AWS + "ReadOnlyAccess")


@pytest.mark.parametrize("kind", KINDS)
def test_service_role_policies_are_not_attachable(invoke: Any, kind: str) -> None:
    """AWS-managed policies under /aws-service-role/ are for service-linked roles only."""
    make(invoke, kind, "p")
    for name in ("AutoScalingServiceRolePolicy", "AmazonElasticsearchServiceRolePolicy"):
        with pytest.raises(PolicyNotAttachable, match="^Cannot attach a Service Role Policy to a Customer Role.$"):
            attach(invoke, kind, "p", AWS + "aws-service-role/" + name)
    attach(invoke, kind, "p", AWS + "service-role/AWSLambdaBasicExecutionRole")  # a service *role* policy is fine
    assert attached(invoke, kind, "p") == [AWS + "service-role/AWSLambdaBasicExecutionRole"]


@pytest.mark.parametrize("kind", KINDS)
def test_unknown_entity_or_policy(invoke: Any, kind: str, account: str) -> None:
    with pytest.raises(NoSuchEntity, match=f"^The {kind.lower()} with name ghost cannot be found.$"):
        attach(invoke, kind, "ghost", AWS + "ReadOnlyAccess")
    make(invoke, kind, "p")
    missing = f"arn:aws:iam::{account}:policy/Missing"
    with pytest.raises(NoSuchEntity, match=f"^Policy {missing} does not exist or is not attachable.$"):
        attach(invoke, kind, "p", missing)
    with pytest.raises(InvalidInput, match="^ARN nonsense is not valid.$"):
        attach(invoke, kind, "p", "nonsense")
    with pytest.raises(InvalidInput):
        invoke("iam", f"Detach{kind}Policy", {f"{kind}Name": "p", "PolicyArn": "nonsense"})
    assert attached(invoke, kind, "p") == []


@pytest.mark.parametrize("kind", KINDS)
def test_list_attached_pages(invoke: Any, kind: str) -> None:
    make(invoke, kind, "p")
    arns = sorted(AWS + n for n in ["ReadOnlyAccess", "IAMReadOnlyAccess", "AmazonS3ReadOnlyAccess"])
    for a in arns:
        attach(invoke, kind, "p", a)
    listed = pages(invoke, f"ListAttached{kind}Policies", {f"{kind}Name": "p", "MaxItems": 1})
    assert [p["PolicyArn"] for page in listed for p in page["AttachedPolicies"]] == arns


def test_service_linked_role_policies_are_unmodifiable(invoke: Any) -> None:
    name = invoke("iam", "CreateServiceLinkedRole", {"AWSServiceName": "autoscaling.amazonaws.com"})["Role"][
        "RoleName"
    ]
    before = attached(invoke, "Role", name)
    with pytest.raises(UnmodifiableEntity):
        attach(invoke, "Role", name, AWS + "AdministratorAccess")
    with pytest.raises(UnmodifiableEntity):
        invoke("iam", "DetachRolePolicy", {"RoleName": name, "PolicyArn": AWS + "AdministratorAccess"})
    assert attached(invoke, "Role", name) == before


# --- ListEntitiesForPolicy -------------------------------------------------------------------


def entities(invoke: Any, arn: str, **params: Any) -> dict[str, list[str]]:
    """Every page, concatenated: {"PolicyGroups": [names], "PolicyUsers": …, "PolicyRoles": …}."""
    out: dict[str, list[str]] = {"PolicyGroups": [], "PolicyUsers": [], "PolicyRoles": []}
    for page in pages(invoke, "ListEntitiesForPolicy", {"PolicyArn": arn, **params}):
        for member, kind in [("PolicyGroups", "Group"), ("PolicyUsers", "User"), ("PolicyRoles", "Role")]:
            out[member] += [e[f"{kind}Name"] for e in page[member]]
            assert all(e[f"{kind}Id"] for e in page[member])
    return out


@pytest.fixture
def used(invoke: Any) -> str:
    """A policy attached to two users, a group and a role, and a third user's boundary."""
    arn = policy(invoke, "Shared")
    for kind, name, path in [
        ("User", "bob", "/a/"),
        ("User", "Al", "/"),
        ("Group", "devs", "/a/"),
        ("Role", "r", "/"),
    ]:
        make(invoke, kind, name, path)
        attach(invoke, kind, name, arn)
    invoke("iam", "CreateUser", {"UserName": "fenced", "PermissionsBoundary": arn})
    return arn


def test_entities_for_policy(invoke: Any, used: str) -> None:
    assert entities(invoke, used) == {
        "PolicyGroups": ["devs"],
        "PolicyUsers": ["Al", "bob", "fenced"],
        "PolicyRoles": ["r"],
    }
    assert entities(invoke, used, PolicyUsageFilter="PermissionsPolicy")["PolicyUsers"] == ["Al", "bob"]
    assert entities(invoke, used, PolicyUsageFilter="PermissionsBoundary") == {
        "PolicyGroups": [],
        "PolicyUsers": ["fenced"],
        "PolicyRoles": [],
    }
    assert entities(invoke, used, EntityFilter="Role") == {
        "PolicyGroups": [],
        "PolicyUsers": [],
        "PolicyRoles": ["r"],
    }
    assert entities(invoke, used, EntityFilter="LocalManagedPolicy") == {
        "PolicyGroups": [],
        "PolicyUsers": [],
        "PolicyRoles": [],
    }
    assert entities(invoke, used, PathPrefix="/a/") == {
        "PolicyGroups": ["devs"],
        "PolicyUsers": ["bob"],
        "PolicyRoles": [],
    }


@pytest.mark.parametrize("max_items", [1, 2, 3, 5])
def test_entities_pages_concatenate(invoke: Any, used: str, max_items: int) -> None:
    assert entities(invoke, used, MaxItems=max_items) == entities(invoke, used)


def test_entities_pages_while_adding(invoke: Any, used: str) -> None:
    first = invoke("iam", "ListEntitiesForPolicy", {"PolicyArn": used, "MaxItems": 2})
    assert (
        [g["GroupName"] for g in first["PolicyGroups"]],
        [u["UserName"] for u in first["PolicyUsers"]],
    ) == (["devs"], ["Al"])
    make(invoke, "User", "aaa")  # sorts before the marker: not seen
    make(invoke, "User", "zed")  # after it: seen
    for name in ["aaa", "zed"]:
        attach(invoke, "User", name, used)
    rest = invoke("iam", "ListEntitiesForPolicy", {"PolicyArn": used, "Marker": first["Marker"]})
    assert [u["UserName"] for u in rest["PolicyUsers"]] == ["bob", "fenced", "zed"]
    assert [r["RoleName"] for r in rest["PolicyRoles"]] == ["r"]


def test_entities_for_aws_policy_and_unknown(invoke: Any, account: str) -> None:
    make(invoke, "Role", "r")
    attach(invoke, "Role", "r", AWS + "PowerUserAccess")
    assert entities(invoke, AWS + "PowerUserAccess")["PolicyRoles"] == ["r"]
    missing = f"arn:aws:iam::{account}:policy/Missing"
    with pytest.raises(NoSuchEntity, match=f"^Policy {missing} was not found.$"):
        entities(invoke, missing)
