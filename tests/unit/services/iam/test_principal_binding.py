"""Trust policies store the users and roles they name as unique ids and show them as current ARNs.

Every response that carries a role's trust policy — GetRole, ListRoles, CreateRole,
UpdateRoleDescription, the instance-profile operations, GetAccountAuthorizationDetails — maps the
ids back, and shows the id of an entity that is gone.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from random import randrange
from typing import Any
from urllib.parse import unquote
from uuid import uuid4

import pytest
from sqlalchemy import select

from iamd.services.accounts import create_account
from iamd.services.context import Call, Caller
from iamd.services.iam.errors import MalformedPolicyDocument
from iamd.services.registry import ACTIONS
from iamd.services.runtime import Runtime
from iamd.store import schema


def trust(*principals: str, spaced: bool = False) -> str:
    statement = {"Effect": "Allow", "Principal": {"AWS": list(principals)}, "Action": "sts:AssumeRole"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, indent=2 if spaced else None)


def named(role: dict[str, Any]) -> list[str]:
    return list(json.loads(unquote(role["AssumeRolePolicyDocument"]))["Statement"][0]["Principal"]["AWS"])


def stored(runtime: Runtime, role_id: str) -> str:
    with runtime.store.begin() as conn:
        return str(
            conn.execute(select(schema.roles.c.assume_role_policy).where(schema.roles.c.role_id == role_id)).scalar_one()
        )


@pytest.fixture
def world(invoke: Any, account: str) -> dict[str, Any]:
    """User bob, role /svc/app, and role ``r`` trusting both and the account, in a profile."""
    bob = invoke("iam", "CreateUser", {"UserName": "bob"})["User"]
    app = invoke("iam", "CreateRole", {"RoleName": "app", "Path": "/svc/", "AssumeRolePolicyDocument": trust(account)})
    document = trust(bob["Arn"], app["Role"]["Arn"], account, spaced=True)
    role = invoke("iam", "CreateRole", {"RoleName": "r", "AssumeRolePolicyDocument": document})["Role"]
    invoke("iam", "CreateInstanceProfile", {"InstanceProfileName": "ip"})
    invoke("iam", "AddRoleToInstanceProfile", {"InstanceProfileName": "ip", "RoleName": "r"})
    return {"bob": bob, "app": app["Role"], "role": role, "document": document}


def every_shape_of_r(invoke: Any) -> list[dict[str, Any]]:
    details = invoke("iam", "GetAccountAuthorizationDetails", {"Filter": ["Role"]})["RoleDetailList"]
    detail = next(d for d in details if d["RoleName"] == "r")
    return [
        invoke("iam", "GetRole", {"RoleName": "r"})["Role"],
        next(x for x in invoke("iam", "ListRoles", {})["Roles"] if x["RoleName"] == "r"),
        invoke("iam", "UpdateRoleDescription", {"RoleName": "r", "Description": "d"})["Role"],
        invoke("iam", "GetInstanceProfile", {"InstanceProfileName": "ip"})["InstanceProfile"]["Roles"][0],
        invoke("iam", "ListInstanceProfiles", {})["InstanceProfiles"][0]["Roles"][0],
        invoke("iam", "ListInstanceProfilesForRole", {"RoleName": "r"})["InstanceProfiles"][0]["Roles"][0],
        detail,
        detail["InstanceProfileList"][0]["Roles"][0],
    ]


def test_stored_by_id_shown_by_arn_as_written(invoke: Any, runtime: Runtime, world: dict[str, Any]) -> None:
    bob, app, role = world["bob"], world["app"], world["role"]
    assert stored(runtime, role["RoleId"]) == world["document"].replace(bob["Arn"], bob["UserId"]).replace(
        app["Arn"], app["RoleId"]
    )
    assert unquote(role["AssumeRolePolicyDocument"]) == world["document"]
    for shape in every_shape_of_r(invoke):
        assert unquote(shape["AssumeRolePolicyDocument"]) == world["document"]


def test_deleted_entities_are_shown_by_id(invoke: Any, world: dict[str, Any], account: str) -> None:
    bob, app = world["bob"], world["app"]
    invoke("iam", "DeleteUser", {"UserName": "bob"})
    for shape in every_shape_of_r(invoke):
        assert named(shape) == [bob["UserId"], app["Arn"], account]
    invoke("iam", "DeleteRole", {"RoleName": "app"})
    invoke("iam", "CreateUser", {"UserName": "bob"})
    for shape in every_shape_of_r(invoke):
        assert named(shape) == [bob["UserId"], app["RoleId"], account]


def test_a_renamed_user_is_shown_by_its_new_arn(invoke: Any, world: dict[str, Any], account: str) -> None:
    invoke("iam", "UpdateUser", {"UserName": "bob", "NewUserName": "robert", "NewPath": "/x/"})
    shape = invoke("iam", "GetRole", {"RoleName": "r"})["Role"]
    assert named(shape) == [f"arn:aws:iam::{account}:user/x/robert", world["app"]["Arn"], account]


def test_a_unique_id_of_an_existing_entity_is_accepted_and_shown_as_its_arn(
    invoke: Any, runtime: Runtime, world: dict[str, Any]
) -> None:
    bob = world["bob"]
    invoke("iam", "UpdateAssumeRolePolicy", {"RoleName": "r", "PolicyDocument": trust(bob["UserId"])})
    assert stored(runtime, world["role"]["RoleId"]) == trust(bob["UserId"])
    assert named(invoke("iam", "GetRole", {"RoleName": "r"})["Role"]) == [bob["Arn"]]


@pytest.mark.parametrize(
    "principal",
    [
        "arn:aws:iam::{account}:user/nobody",
        "arn:aws:iam::{account}:role/app",  # the role's path is /svc/
        "arn:aws:iam::{account}:role/svc/APP",
        "AROAAAAAAAAAAAAAAAAAA",
        "AIDAAAAAAAAAAAAAAAAAA",
    ],
)
def test_a_principal_naming_no_entity_is_refused_and_changes_nothing(
    invoke: Any, runtime: Runtime, world: dict[str, Any], account: str, principal: str
) -> None:
    value = principal.format(account=account)
    with pytest.raises(MalformedPolicyDocument) as err:
        invoke("iam", "UpdateAssumeRolePolicy", {"RoleName": "r", "PolicyDocument": trust(account, value)})
    assert err.value.message == f'Invalid principal in policy: "AWS":"{value}"'
    with pytest.raises(MalformedPolicyDocument):
        invoke("iam", "CreateRole", {"RoleName": "new", "AssumeRolePolicyDocument": trust(value)})
    assert unquote(invoke("iam", "GetRole", {"RoleName": "r"})["Role"]["AssumeRolePolicyDocument"]) == world["document"]


def test_a_user_of_another_account_is_bound(invoke: Any, world: dict[str, Any], runtime: Runtime) -> None:
    """The other account's role names this account's bob; bob's id is what it stores."""
    other = f"{randrange(10**11, 10**12):012d}"
    with runtime.store.begin() as conn:
        create_account(conn, runtime.secretbox, other, datetime.now(UTC))
    caller = Caller(other, f"arn:aws:iam::{other}:root", other, "root", "AKIAROOT")
    bob = world["bob"]
    with runtime.store.begin() as conn:
        call = Call(conn=conn, caller=caller, now=datetime.now(UTC), request_id=str(uuid4()), runtime=runtime)
        role = ACTIONS["iam"]["CreateRole"](call, {"RoleName": "x", "AssumeRolePolicyDocument": trust(bob["Arn"])})
    assert stored(runtime, role["Role"]["RoleId"]) == trust(bob["UserId"])
    assert named(role["Role"]) == [bob["Arn"]]
