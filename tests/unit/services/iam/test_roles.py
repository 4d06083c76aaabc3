"""Roles: shapes, trust policy rules and quota, updates, deletion conflicts, listing, tags, boundary."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import pytest
from services_helpers import TRUST
from sqlalchemy import insert

from iamd.services.accounts import create_account
from iamd.services.context import Caller
from iamd.services.iam import roles as roles_mod
from iamd.services.iam.errors import (
    DeleteConflict,
    EntityAlreadyExists,
    InvalidInput,
    LimitExceeded,
    MalformedPolicyDocument,
    NoSuchEntity,
    UnmodifiableEntity,
)
from iamd.services.runtime import Runtime
from iamd.store import schema

BOUNDARY = "arn:aws:iam::aws:policy/PowerUserAccess"


def create(invoke: Any, name: str, **extra: Any) -> dict[str, Any]:
    return invoke("iam", "CreateRole", {"RoleName": name, "AssumeRolePolicyDocument": TRUST, **extra})["Role"]


def get(invoke: Any, name: str) -> dict[str, Any]:
    return invoke("iam", "GetRole", {"RoleName": name})["Role"]


def names(invoke: Any, **params: Any) -> list[str]:
    return [r["RoleName"] for r in invoke("iam", "ListRoles", params)["Roles"]]


def trust_with_size(size: int) -> str:
    """A valid trust policy of exactly ``size`` non-white-space characters."""
    base = json.loads(TRUST)
    base["Statement"][0]["Sid"] = ""
    filler = size - roles_mod.policy_size(json.dumps(base))
    base["Statement"][0]["Sid"] = "A" * filler
    doc = json.dumps(base)
    assert roles_mod.policy_size(doc) == size
    return doc


# --- create / get ---------------------------------------------------------------------------


def test_create_role_returns_aws_shape(invoke: Any, account: str) -> None:
    role = create(invoke, "app")
    assert role["RoleName"] == "app"
    assert role["Path"] == "/"
    assert role["Arn"] == f"arn:aws:iam::{account}:role/app"
    assert role["RoleId"].startswith("AROA") and len(role["RoleId"]) == 21
    assert isinstance(role["CreateDate"], datetime)
    assert role["AssumeRolePolicyDocument"] == quote(TRUST, safe="")
    assert "MaxSessionDuration" not in role  # AWS's CreateRole does not answer it; GetRole does
    assert get(invoke, "app")["MaxSessionDuration"] == 3600
    assert "Tags" not in role and "Description" not in role and "PermissionsBoundary" not in role


def test_create_role_with_every_option(invoke: Any, account: str) -> None:
    tags = [{"Key": "team", "Value": "core"}, {"Key": "env", "Value": "prod"}]
    role = create(
        invoke,
        "svc",
        Path="/division/abc/",
        Description="runs the app",
        MaxSessionDuration=43200,
        Tags=tags,
        PermissionsBoundary=BOUNDARY,
    )
    assert role["Arn"] == f"arn:aws:iam::{account}:role/division/abc/svc"
    assert role["Description"] == "runs the app"
    assert "MaxSessionDuration" not in role
    assert role["Tags"] == tags
    assert role["PermissionsBoundary"] == {
        "PermissionsBoundaryType": "Policy",
        "PermissionsBoundaryArn": BOUNDARY,
    }
    got = get(invoke, "svc")
    assert got["MaxSessionDuration"] == 43200
    assert got["Tags"] == tags
    assert got["RoleLastUsed"] == {}
    assert got["PermissionsBoundary"]["PermissionsBoundaryArn"] == BOUNDARY
    assert got["RoleId"] == role["RoleId"]
    assert got["Path"] == "/division/abc/"


def test_get_role_returns_trust_policy_url_encoded(invoke: Any) -> None:
    doc = json.dumps(json.loads(TRUST), indent=2)
    invoke("iam", "CreateRole", {"RoleName": "r", "AssumeRolePolicyDocument": doc})
    encoded = get(invoke, "r")["AssumeRolePolicyDocument"]
    assert encoded == quote(doc, safe="")
    assert "%7B" in encoded and "%22" in encoded and "%20" in encoded


def test_get_role_reports_last_use(invoke: Any, runtime: Runtime, account: str) -> None:
    role = create(invoke, "used")
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=get(invoke, "used")["CreateDate"].tzinfo)
    with runtime.store.begin() as conn:
        roles_mod.roles.update(conn, role["RoleId"], last_used_at=when, last_used_region="eu-west-1")
    assert get(invoke, "used")["RoleLastUsed"] == {"LastUsedDate": when, "Region": "eu-west-1"}


def test_get_unknown_role(invoke: Any) -> None:
    with pytest.raises(NoSuchEntity, match=r"^The role with name nope cannot be found\.$"):
        get(invoke, "nope")


def test_get_role_is_case_insensitive(invoke: Any) -> None:
    create(invoke, "MixedCase")
    assert get(invoke, "mixedcase")["RoleName"] == "MixedCase"


@pytest.mark.parametrize("second", ["Admin", "admin", "ADMIN"])
def test_names_clash_case_insensitively(invoke: Any, second: str) -> None:
    create(invoke, "Admin")
    with pytest.raises(EntityAlreadyExists, match=rf"^Role with name {second} already exists\.$"):
        create(invoke, second)
    assert names(invoke) == ["Admin"]


@pytest.mark.parametrize("document", ["{", "[]", '{"Version": "2012-10-17", "Statement": []}'])
def test_malformed_trust_policy(invoke: Any, document: str) -> None:
    with pytest.raises(MalformedPolicyDocument):
        invoke("iam", "CreateRole", {"RoleName": "bad", "AssumeRolePolicyDocument": document})
    assert names(invoke) == []


def test_trust_policy_needs_a_principal(invoke: Any) -> None:
    doc = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}
    )
    with pytest.raises(MalformedPolicyDocument):
        invoke("iam", "CreateRole", {"RoleName": "bad", "AssumeRolePolicyDocument": doc})


def test_trust_policy_size_quota(invoke: Any) -> None:
    invoke("iam", "CreateRole", {"RoleName": "max", "AssumeRolePolicyDocument": trust_with_size(2048)})
    with pytest.raises(LimitExceeded, match=r"^Cannot exceed quota for ACLSizePerRole: 2048$"):
        invoke("iam", "CreateRole", {"RoleName": "over", "AssumeRolePolicyDocument": trust_with_size(2049)})
    assert names(invoke) == ["max"]


def test_trust_policy_size_ignores_white_space(invoke: Any) -> None:
    doc = json.dumps(json.loads(trust_with_size(2000)), indent=12, separators=(",   ", ":   "))
    assert len(doc) > 2048
    create_params = {"RoleName": "spacious", "AssumeRolePolicyDocument": doc}
    assert invoke("iam", "CreateRole", create_params)["Role"]["RoleName"] == "spacious"


def test_roles_quota(invoke: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(roles_mod, "ROLES_QUOTA", 2)
    create(invoke, "one")
    create(invoke, "two")
    with pytest.raises(LimitExceeded, match=r"^Cannot exceed quota for RolesPerAccount: 2$"):
        create(invoke, "three")
    assert names(invoke) == ["one", "two"]


def test_duplicate_tag_keys_create_nothing(invoke: Any) -> None:
    tags = [{"Key": "a", "Value": "1"}, {"Key": "A", "Value": "2"}]
    with pytest.raises(InvalidInput, match="Tag keys are case insensitive"):
        create(invoke, "tagged", Tags=tags)
    assert names(invoke) == []


def test_unknown_boundary_creates_nothing(invoke: Any, account: str) -> None:
    arn = f"arn:aws:iam::{account}:policy/missing"
    with pytest.raises(NoSuchEntity, match=rf"^Policy {arn} does not exist or is not attachable\.$"):
        create(invoke, "bounded", PermissionsBoundary=arn)
    assert names(invoke) == []


# --- updates ----------------------------------------------------------------------------------


def test_update_role(invoke: Any) -> None:
    create(invoke, "r", Description="old")
    assert (
        invoke("iam", "UpdateRole", {"RoleName": "r", "Description": "new", "MaxSessionDuration": 7200})
        is None
    )
    role = get(invoke, "r")
    assert (role["Description"], role["MaxSessionDuration"]) == ("new", 7200)
    invoke("iam", "UpdateRole", {"RoleName": "r"})
    assert get(invoke, "r")["Description"] == "new"


def test_update_role_description_returns_role(invoke: Any) -> None:
    create(invoke, "r", Tags=[{"Key": "k", "Value": "v"}])
    role = invoke("iam", "UpdateRoleDescription", {"RoleName": "r", "Description": "described"})["Role"]
    assert role["Description"] == "described"
    assert role["Tags"] == [{"Key": "k", "Value": "v"}]
    assert get(invoke, "r")["Description"] == "described"


@pytest.mark.parametrize(
    ("action", "extra"),
    [
        ("UpdateRole", {"Description": "x"}),
        ("UpdateRoleDescription", {"Description": "x"}),
        ("UpdateAssumeRolePolicy", {"PolicyDocument": TRUST}),
        ("DeleteRole", {}),
        ("PutRolePermissionsBoundary", {"PermissionsBoundary": BOUNDARY}),
        ("DeleteRolePermissionsBoundary", {}),
        ("TagRole", {"Tags": [{"Key": "k", "Value": "v"}]}),
        ("UntagRole", {"TagKeys": ["k"]}),
        ("ListRoleTags", {}),
        ("ListInstanceProfilesForRole", {}),
    ],
)
def test_actions_on_unknown_role(invoke: Any, action: str, extra: dict[str, Any]) -> None:
    with pytest.raises(NoSuchEntity, match=r"^The role with name ghost cannot be found\.$"):
        invoke("iam", action, {"RoleName": "ghost", **extra})


def test_update_assume_role_policy(invoke: Any) -> None:
    create(invoke, "r")
    doc = TRUST.replace("ec2.amazonaws.com", "lambda.amazonaws.com")
    invoke("iam", "UpdateAssumeRolePolicy", {"RoleName": "r", "PolicyDocument": doc})
    assert get(invoke, "r")["AssumeRolePolicyDocument"] == quote(doc, safe="")


def test_update_assume_role_policy_failures_change_nothing(invoke: Any) -> None:
    create(invoke, "r")
    with pytest.raises(MalformedPolicyDocument):
        invoke("iam", "UpdateAssumeRolePolicy", {"RoleName": "r", "PolicyDocument": "{"})
    with pytest.raises(LimitExceeded, match="ACLSizePerRole: 2048"):
        invoke("iam", "UpdateAssumeRolePolicy", {"RoleName": "r", "PolicyDocument": trust_with_size(3000)})
    assert get(invoke, "r")["AssumeRolePolicyDocument"] == quote(TRUST, safe="")


# --- delete -----------------------------------------------------------------------------------


def test_delete_role(invoke: Any) -> None:
    create(invoke, "gone", Tags=[{"Key": "k", "Value": "v"}])
    assert invoke("iam", "DeleteRole", {"RoleName": "GONE"}) is None
    with pytest.raises(NoSuchEntity):
        get(invoke, "gone")
    # A new role of the same name starts afresh: no tags carried over.
    assert "Tags" not in get_after_create(invoke, "gone")


def get_after_create(invoke: Any, name: str) -> dict[str, Any]:
    create(invoke, name)
    return get(invoke, name)


def _attach(runtime: Runtime, account: str, role_id: str, table: str) -> None:
    with runtime.store.begin() as conn:
        if table == "inline":
            values = {"name": "p", "document": "{}", "size": 2}
            conn.execute(
                insert(schema.inline_policies).values(
                    account_id=account, principal_type="role", principal_id=role_id, **values
                )
            )
        else:
            conn.execute(
                insert(schema.policy_attachments).values(
                    account_id=account,
                    principal_type="role",
                    principal_id=role_id,
                    policy_arn=BOUNDARY,
                    attached_at=datetime.now().astimezone(),
                )
            )


@pytest.mark.parametrize(
    ("held", "why"),
    [
        ("profile", "must remove roles from instance profile first."),
        ("inline", "must delete policies first."),
        ("attached", "must detach all policies first."),
    ],
)
def test_delete_role_conflicts(invoke: Any, runtime: Runtime, account: str, held: str, why: str) -> None:
    role = create(invoke, "busy", Tags=[{"Key": "k", "Value": "v"}])
    if held == "profile":
        invoke("iam", "CreateInstanceProfile", {"InstanceProfileName": "ip"})
        invoke("iam", "AddRoleToInstanceProfile", {"InstanceProfileName": "ip", "RoleName": "busy"})
    else:
        _attach(runtime, account, role["RoleId"], held)
    with pytest.raises(DeleteConflict, match=rf"^Cannot delete entity, {why}$"):
        invoke("iam", "DeleteRole", {"RoleName": "busy"})
    assert get(invoke, "busy")["Tags"] == [{"Key": "k", "Value": "v"}]


def test_delete_conflicts_come_in_aws_order(invoke: Any, runtime: Runtime, account: str) -> None:
    role = create(invoke, "busy")
    _attach(runtime, account, role["RoleId"], "inline")
    _attach(runtime, account, role["RoleId"], "attached")
    with pytest.raises(DeleteConflict, match="must delete policies first"):
        invoke("iam", "DeleteRole", {"RoleName": "busy"})


def test_delete_role_refuses_service_linked_role(invoke: Any) -> None:
    role = invoke("iam", "CreateServiceLinkedRole", {"AWSServiceName": "autoscaling.amazonaws.com"})["Role"]
    name = role["RoleName"]
    message = rf"^Cannot perform the operation on the protected role '{name}' - this role is only modifiable by AWS$"
    with pytest.raises(UnmodifiableEntity, match=message):
        invoke("iam", "DeleteRole", {"RoleName": name})
    assert get(invoke, name)["RoleId"] == role["RoleId"]


# --- list -------------------------------------------------------------------------------------


def test_list_roles_empty(invoke: Any) -> None:
    assert invoke("iam", "ListRoles", {}) == {"Roles": [], "IsTruncated": False}


def test_list_roles_leaves_out_what_aws_leaves_out(invoke: Any) -> None:
    create(invoke, "r", Description="d", Tags=[{"Key": "k", "Value": "v"}], PermissionsBoundary=BOUNDARY)
    (item,) = invoke("iam", "ListRoles", {})["Roles"]
    assert set(item) == {
        "Path",
        "RoleName",
        "RoleId",
        "Arn",
        "CreateDate",
        "AssumeRolePolicyDocument",
        "Description",
        "MaxSessionDuration",
    }
    assert item["AssumeRolePolicyDocument"] == quote(TRUST, safe="")


def test_list_roles_pages(invoke: Any) -> None:
    all_names = [f"Role{i:02d}" if i % 2 else f"role{i:02d}" for i in range(23)]
    for name in reversed(all_names):
        create(invoke, name)
    pages: list[list[str]] = []
    params: dict[str, Any] = {"MaxItems": 5}
    while True:
        out = invoke("iam", "ListRoles", params)
        pages.append([r["RoleName"] for r in out["Roles"]])
        if not out["IsTruncated"]:
            assert "Marker" not in out
            break
        params = {"MaxItems": 5, "Marker": out["Marker"]}
    assert [len(p) for p in pages] == [5, 5, 5, 5, 3]
    assert sum(pages, []) == sorted(all_names, key=str.lower)
    assert names(invoke) == sorted(all_names, key=str.lower)


def test_list_roles_path_prefix(invoke: Any) -> None:
    create(invoke, "a", Path="/eng/")
    create(invoke, "b", Path="/eng/web/")
    create(invoke, "c", Path="/ops/")
    create(invoke, "d")
    assert names(invoke, PathPrefix="/eng/") == ["a", "b"]
    assert names(invoke, PathPrefix="/eng/web/") == ["b"]
    assert names(invoke, PathPrefix="/") == ["a", "b", "c", "d"]
    assert names(invoke, PathPrefix="/nothing/") == []


def test_roles_are_per_account(invoke: Any, runtime: Runtime) -> None:
    create(invoke, "mine")
    other = f"{random.randrange(10**11, 10**12):012d}"
    with runtime.store.begin() as conn:
        create_account(conn, runtime.secretbox, other, datetime.now(UTC))
    as_other = Caller(other, f"arn:aws:iam::{other}:root", other, "root", "AKIAROOT")
    assert invoke("iam", "ListRoles", {}, caller=as_other)["Roles"] == []
    with pytest.raises(NoSuchEntity):
        invoke("iam", "GetRole", {"RoleName": "mine"}, caller=as_other)
    invoke("iam", "CreateRole", {"RoleName": "mine", "AssumeRolePolicyDocument": TRUST}, caller=as_other)
    assert names(invoke) == ["mine"]


# --- tags -------------------------------------------------------------------------------------


def test_role_tags(invoke: Any) -> None:
    create(invoke, "r", Tags=[{"Key": "a", "Value": "1"}])
    invoke(
        "iam", "TagRole", {"RoleName": "r", "Tags": [{"Key": "A", "Value": "2"}, {"Key": "b", "Value": "3"}]}
    )
    assert invoke("iam", "ListRoleTags", {"RoleName": "r"}) == {
        "Tags": [{"Key": "A", "Value": "2"}, {"Key": "b", "Value": "3"}],
        "IsTruncated": False,
    }
    invoke("iam", "UntagRole", {"RoleName": "r", "TagKeys": ["a"]})
    assert get(invoke, "r")["Tags"] == [{"Key": "b", "Value": "3"}]


def test_role_tag_limit(invoke: Any) -> None:
    create(invoke, "r", Tags=[{"Key": f"k{i}", "Value": ""} for i in range(50)])
    with pytest.raises(LimitExceeded, match="maximum limit"):
        invoke("iam", "TagRole", {"RoleName": "r", "Tags": [{"Key": "one-more", "Value": ""}]})
    assert len(get(invoke, "r")["Tags"]) == 50


# --- permissions boundary -------------------------------------------------------------------


def test_put_and_delete_permissions_boundary(invoke: Any) -> None:
    create(invoke, "r")
    assert (
        invoke("iam", "PutRolePermissionsBoundary", {"RoleName": "r", "PermissionsBoundary": BOUNDARY})
        is None
    )
    assert get(invoke, "r")["PermissionsBoundary"]["PermissionsBoundaryArn"] == BOUNDARY
    assert invoke("iam", "DeleteRolePermissionsBoundary", {"RoleName": "r"}) is None
    assert "PermissionsBoundary" not in get(invoke, "r")


def test_put_unknown_permissions_boundary_changes_nothing(invoke: Any) -> None:
    create(invoke, "r", PermissionsBoundary=BOUNDARY)
    missing = "arn:aws:iam::aws:policy/NoSuchPolicyAtAll"
    with pytest.raises(NoSuchEntity, match="does not exist or is not attachable"):
        invoke("iam", "PutRolePermissionsBoundary", {"RoleName": "r", "PermissionsBoundary": missing})
    with pytest.raises(InvalidInput, match="is not valid"):
        invoke(
            "iam",
            "PutRolePermissionsBoundary",
            {"RoleName": "r", "PermissionsBoundary": "not-an-arn-at-all!!"},
        )
    assert get(invoke, "r")["PermissionsBoundary"]["PermissionsBoundaryArn"] == BOUNDARY
