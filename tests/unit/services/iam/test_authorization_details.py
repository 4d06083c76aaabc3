"""GetAccountAuthorizationDetails: each detail list, filters, AWS-managed policies in use, pagination."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

import pytest
from services_helpers import DOC, TRUST

from iamd.services.iam import aws_managed

AWS = "arn:aws:iam::aws:policy/"
DOC2 = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}
)
LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")


@pytest.fixture
def world(invoke: Any, account: str) -> dict[str, str]:
    """A user in a group, a role in an instance profile, a two-version policy; each with policies."""
    local = invoke("iam", "CreatePolicy", {"PolicyName": "Local", "PolicyDocument": DOC})["Policy"]["Arn"]
    invoke("iam", "CreatePolicyVersion", {"PolicyArn": local, "PolicyDocument": DOC2, "SetAsDefault": True})
    invoke("iam", "CreatePolicy", {"PolicyName": "Unused", "PolicyDocument": DOC})
    invoke(
        "iam",
        "CreateUser",
        {"UserName": "alice", "Tags": [{"Key": "t", "Value": "1"}], "PermissionsBoundary": local},
    )
    invoke("iam", "CreateGroup", {"GroupName": "devs"})
    invoke("iam", "AddUserToGroup", {"GroupName": "devs", "UserName": "alice"})
    invoke("iam", "PutUserPolicy", {"UserName": "alice", "PolicyName": "own", "PolicyDocument": DOC})
    invoke("iam", "PutGroupPolicy", {"GroupName": "devs", "PolicyName": "team", "PolicyDocument": DOC2})
    invoke("iam", "AttachUserPolicy", {"UserName": "alice", "PolicyArn": AWS + "IAMUserChangePassword"})
    invoke("iam", "AttachGroupPolicy", {"GroupName": "devs", "PolicyArn": local})
    invoke(
        "iam",
        "CreateRole",
        {"RoleName": "app", "AssumeRolePolicyDocument": TRUST, "Tags": [{"Key": "r", "Value": "2"}]},
    )
    invoke("iam", "PutRolePolicy", {"RoleName": "app", "PolicyName": "inline", "PolicyDocument": DOC})
    invoke("iam", "AttachRolePolicy", {"RoleName": "app", "PolicyArn": AWS + "AmazonS3ReadOnlyAccess"})
    invoke("iam", "CreateInstanceProfile", {"InstanceProfileName": "web"})
    invoke("iam", "AddRoleToInstanceProfile", {"InstanceProfileName": "web", "RoleName": "app"})
    return {"local": local}


def details(invoke: Any, **params: Any) -> dict[str, Any]:
    return dict(invoke("iam", "GetAccountAuthorizationDetails", params))


def test_user_detail(invoke: Any, world: dict[str, str], account: str) -> None:
    (user,) = details(invoke, Filter=["User"])["UserDetailList"]
    assert (user["UserName"], user["Arn"], user["Path"]) == (
        "alice",
        f"arn:aws:iam::{account}:user/alice",
        "/",
    )
    assert user["UserId"].startswith("AIDA")
    assert user["GroupList"] == ["devs"]
    assert [(p["PolicyName"], json.loads(unquote(p["PolicyDocument"]))) for p in user["UserPolicyList"]] == [
        ("own", json.loads(DOC))
    ]
    assert user["AttachedManagedPolicies"] == [
        {"PolicyName": "IAMUserChangePassword", "PolicyArn": AWS + "IAMUserChangePassword"}
    ]
    assert user["PermissionsBoundary"]["PermissionsBoundaryArn"] == world["local"]
    assert user["Tags"] == [{"Key": "t", "Value": "1"}]


def test_group_detail(invoke: Any, world: dict[str, str]) -> None:
    (group,) = details(invoke, Filter=["Group"])["GroupDetailList"]
    assert group["GroupName"] == "devs" and group["GroupId"].startswith("AGPA")
    assert [unquote(p["PolicyDocument"]) for p in group["GroupPolicyList"]] == [DOC2]
    assert group["AttachedManagedPolicies"] == [{"PolicyName": "Local", "PolicyArn": world["local"]}]


def test_role_detail(invoke: Any, world: dict[str, str]) -> None:
    (role,) = details(invoke, Filter=["Role"])["RoleDetailList"]
    assert role["RoleName"] == "app" and role["RoleId"].startswith("AROA")
    assert unquote(role["AssumeRolePolicyDocument"]) == TRUST
    assert [p["PolicyName"] for p in role["RolePolicyList"]] == ["inline"]
    assert role["AttachedManagedPolicies"] == [
        {"PolicyName": "AmazonS3ReadOnlyAccess", "PolicyArn": AWS + "AmazonS3ReadOnlyAccess"}
    ]
    (profile,) = role["InstanceProfileList"]
    assert profile["InstanceProfileName"] == "web"
    assert [r["RoleName"] for r in profile["Roles"]] == ["app"]
    assert role["Tags"] == [{"Key": "r", "Value": "2"}]
    assert role["RoleLastUsed"] == {}


def test_local_policies_with_versions(invoke: Any, world: dict[str, str]) -> None:
    policies = details(invoke, Filter=["LocalManagedPolicy"])["Policies"]
    assert [p["PolicyName"] for p in policies] == ["Local", "Unused"]
    local = policies[0]
    assert (local["DefaultVersionId"], local["AttachmentCount"], local["PermissionsBoundaryUsageCount"]) == (
        "v2",
        1,
        1,
    )
    versions = [
        (v["VersionId"], v["IsDefaultVersion"], unquote(v["Document"])) for v in local["PolicyVersionList"]
    ]
    assert versions == [("v2", True, DOC2), ("v1", False, DOC)]


def test_aws_managed_only_those_in_use(invoke: Any, world: dict[str, str]) -> None:
    policies = details(invoke, Filter=["AWSManagedPolicy"])["Policies"]
    assert [p["Arn"] for p in policies] == [AWS + "AmazonS3ReadOnlyAccess", AWS + "IAMUserChangePassword"]
    s3 = policies[0]
    assert s3["AttachmentCount"] == 1
    (version,) = s3["PolicyVersionList"]
    assert version["IsDefaultVersion"] is True
    expected = aws_managed.get(AWS + "AmazonS3ReadOnlyAccess")
    assert expected is not None and json.loads(unquote(version["Document"])) == json.loads(expected.document)


def test_no_filter_is_everything(invoke: Any, world: dict[str, str]) -> None:
    out = details(invoke)
    assert [len(out[k]) for k in LISTS] == [1, 1, 1, 4]
    assert out["IsTruncated"] is False
    only_users = details(invoke, Filter=["User"])
    assert [len(only_users[k]) for k in LISTS] == [1, 0, 0, 0]


def all_pages(invoke: Any, max_items: int, between: Any = None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {k: [] for k in LISTS}
    marker = None
    while True:
        page = details(invoke, MaxItems=max_items, **({"Marker": marker} if marker else {}))
        assert sum(len(page[k]) for k in LISTS) <= max_items
        for k in LISTS:
            out[k] += [item.get("Arn", "") for item in page[k]]
        if not page["IsTruncated"]:
            return out
        marker = page["Marker"]
        if between is not None:
            between()
            between = None


@pytest.mark.parametrize("max_items", [1, 2, 3, 7])
def test_pages_concatenate(invoke: Any, world: dict[str, str], max_items: int) -> None:
    assert all_pages(invoke, max_items) == all_pages(invoke, 100)


def test_pages_while_adding(invoke: Any, world: dict[str, str]) -> None:
    invoke("iam", "CreateUser", {"UserName": "bob"})

    def add() -> None:  # after the first page (alice): one user before the marker, one after
        invoke("iam", "CreateUser", {"UserName": "aaron"})
        invoke("iam", "CreateUser", {"UserName": "carol"})

    users = all_pages(invoke, 1, between=add)["UserDetailList"]
    assert [u.rsplit("/", 1)[1] for u in users] == ["alice", "bob", "carol"]
