"""Service-linked roles: naming, trust policy, protection, deletion tasks."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

import pytest
from services_helpers import TRUST
from sqlalchemy import insert, select

from iamd.services.iam import roles as roles_mod
from iamd.services.iam.errors import InvalidInput, LimitExceeded, NoSuchEntity, UnmodifiableEntity
from iamd.services.iam.service_linked_names import service_role_name
from iamd.services.iam.service_linked_roles import ensure_modifiable_role
from iamd.services.runtime import Runtime
from iamd.store import schema

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def create(invoke: Any, service: str, **extra: Any) -> dict[str, Any]:
    return invoke("iam", "CreateServiceLinkedRole", {"AWSServiceName": service, **extra})["Role"]


def protected(name: str) -> str:
    return rf"^Cannot perform the operation on the protected role '{name}' - this role is only modifiable by AWS$"


@pytest.mark.parametrize(
    ("service", "suffix", "expected"),
    [
        ("elasticbeanstalk.amazonaws.com", None, "AWSServiceRoleForElasticBeanstalk"),
        ("autoscaling.amazonaws.com", "web", "AWSServiceRoleForAutoScaling_web"),
        ("es.amazonaws.com", None, "AWSServiceRoleForAmazonElasticsearchService"),
        ("ecs.amazonaws.com", None, "AWSServiceRoleForECS"),
        (
            "dynamodb.application-autoscaling.amazonaws.com",
            None,
            "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
        ),
        ("custom-resource.application-autoscaling.amazonaws.com", None,
         "AWSServiceRoleForApplicationAutoScaling_CustomResource"),
        ("lambda.application-autoscaling.amazonaws.com", None,
         "AWSServiceRoleForApplicationAutoScaling_LambdaConcurrency"),
        ("ops.apigateway.amazonaws.com", None, "AWSServiceRoleForAPIGateway"),
        ("new-thing.amazonaws.com", None, "AWSServiceRoleForNewThing"),
        ("worker.new-thing.amazonaws.com", "x", "AWSServiceRoleForNewThing_Worker_x"),
    ],
)
def test_service_role_name(service: str, suffix: str | None, expected: str) -> None:
    assert service_role_name(service, suffix) == expected


def test_create_service_linked_role(invoke: Any, account: str) -> None:
    role = create(invoke, "elasticbeanstalk.amazonaws.com", Description="for EB")
    name = "AWSServiceRoleForElasticBeanstalk"
    assert role["RoleName"] == name
    assert role["Path"] == "/aws-service-role/elasticbeanstalk.amazonaws.com/"
    assert (
        role["Arn"] == f"arn:aws:iam::{account}:role/aws-service-role/elasticbeanstalk.amazonaws.com/{name}"
    )
    assert role["RoleId"].startswith("AROA")
    # Not echoed, as AWS answers (the aws CLI's example); GetRole shows both.
    assert "Description" not in role and "MaxSessionDuration" not in role
    trust = json.loads(unquote(role["AssumeRolePolicyDocument"]))
    assert trust["Statement"] == [
        {
            "Action": "sts:AssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "elasticbeanstalk.amazonaws.com"},
        }
    ]
    got = invoke("iam", "GetRole", {"RoleName": name})["Role"]
    assert (got["Description"], got["MaxSessionDuration"]) == ("for EB", 3600)
    assert got["RoleId"] == role["RoleId"]
    assert got["AssumeRolePolicyDocument"] == role["AssumeRolePolicyDocument"]
    listed = invoke("iam", "ListRoles", {"PathPrefix": "/aws-service-role/"})["Roles"]
    assert [r["RoleName"] for r in listed] == [name]


def test_custom_suffix(invoke: Any) -> None:
    create(invoke, "autoscaling.amazonaws.com")
    role = create(invoke, "autoscaling.amazonaws.com", CustomSuffix="blue")
    assert role["RoleName"] == "AWSServiceRoleForAutoScaling_blue"


@pytest.mark.parametrize("suffix", [None, "blue"])
def test_second_create_is_refused(invoke: Any, suffix: str | None) -> None:
    extra = {"CustomSuffix": suffix} if suffix else {}
    first = create(invoke, "autoscaling.amazonaws.com", **extra)
    name = first["RoleName"]
    message = rf"^Service role name {name} has been taken in this account, please try a different suffix\.$"
    with pytest.raises(InvalidInput, match=message):
        create(invoke, "autoscaling.amazonaws.com", **extra)


def test_name_taken_by_an_ordinary_role(invoke: Any) -> None:
    invoke("iam", "CreateRole", {"RoleName": "awsserviceroleforecs", "AssumeRolePolicyDocument": TRUST})
    with pytest.raises(InvalidInput, match="has been taken in this account"):
        create(invoke, "ecs.amazonaws.com")


def test_counts_against_roles_quota(invoke: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(roles_mod, "ROLES_QUOTA", 1)
    invoke("iam", "CreateRole", {"RoleName": "r", "AssumeRolePolicyDocument": TRUST})
    with pytest.raises(LimitExceeded, match=r"^Cannot exceed quota for RolesPerAccount: 1$"):
        create(invoke, "ecs.amazonaws.com")


@pytest.mark.parametrize("service", ["example.com", ".amazonaws.com", "amazonaws.com"])
def test_not_a_service_principal(invoke: Any, service: str) -> None:
    with pytest.raises(InvalidInput):
        create(invoke, service)
    assert invoke("iam", "ListRoles", {})["Roles"] == []


def test_name_too_long(invoke: Any) -> None:
    name = "AWSServiceRoleForAutoScaling_" + "x" * 40
    with pytest.raises(InvalidInput, match=rf"^Service role name {name} is longer than 64 characters\.$"):
        create(invoke, "autoscaling.amazonaws.com", CustomSuffix="x" * 40)
    assert invoke("iam", "ListRoles", {})["Roles"] == []


# --- protection -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "extra"),
    [
        ("UpdateAssumeRolePolicy", {"PolicyDocument": TRUST}),
        ("DeleteRole", {}),
        ("PutRolePermissionsBoundary", {"PermissionsBoundary": "arn:aws:iam::aws:policy/PowerUserAccess"}),
        ("DeleteRolePermissionsBoundary", {}),
        ("UpdateRole", {"MaxSessionDuration": 7200}),
    ],
)
def test_protected_from_changes(invoke: Any, action: str, extra: dict[str, Any]) -> None:
    role = create(invoke, "ecs.amazonaws.com")
    name = role["RoleName"]
    with pytest.raises(UnmodifiableEntity, match=protected(name)):
        invoke("iam", action, {"RoleName": name, **extra})
    got = invoke("iam", "GetRole", {"RoleName": name})["Role"]
    assert got["AssumeRolePolicyDocument"] == role["AssumeRolePolicyDocument"]
    assert got["MaxSessionDuration"] == 3600
    assert "PermissionsBoundary" not in got


def test_description_stays_editable(invoke: Any) -> None:
    name = create(invoke, "ecs.amazonaws.com")["RoleName"]
    invoke("iam", "UpdateRole", {"RoleName": name, "Description": "mine"})
    out = invoke("iam", "UpdateRoleDescription", {"RoleName": name, "Description": "ours"})
    assert out["Role"]["Description"] == "ours"


def test_ensure_modifiable_role_passes_ordinary_roles(invoke: Any, runtime: Runtime, account: str) -> None:
    invoke("iam", "CreateRole", {"RoleName": "plain", "AssumeRolePolicyDocument": TRUST})
    create(invoke, "ecs.amazonaws.com")
    with runtime.store.begin() as conn:
        plain = roles_mod.roles.get_by_name(conn, account, "plain")
        linked = roles_mod.roles.get_by_name(conn, account, "AWSServiceRoleForECS")
    assert plain is not None and linked is not None
    ensure_modifiable_role(plain)
    with pytest.raises(UnmodifiableEntity, match=protected("AWSServiceRoleForECS")):
        ensure_modifiable_role(linked)


# --- deletion ---------------------------------------------------------------------------------


def test_delete_service_linked_role(invoke: Any, runtime: Runtime, account: str) -> None:
    role = create(invoke, "autoscaling.amazonaws.com", CustomSuffix="table-1")
    name = role["RoleName"]
    invoke("iam", "TagRole", {"RoleName": name, "Tags": [{"Key": "k", "Value": "v"}]})
    with runtime.store.begin() as conn:
        conn.execute(
            insert(schema.inline_policies).values(
                account_id=account,
                principal_type="role",
                principal_id=role["RoleId"],
                name="ServicePolicy",
                document="{}",
                size=2,
            )
        )
    task = invoke("iam", "DeleteServiceLinkedRole", {"RoleName": name})["DeletionTaskId"]
    service = "autoscaling.amazonaws.com"
    assert re.fullmatch(rf"task/aws-service-role/{re.escape(service)}/{name}/{UUID}", task)
    with pytest.raises(NoSuchEntity):
        invoke("iam", "GetRole", {"RoleName": name})
    with runtime.store.begin() as conn:
        left = conn.execute(
            select(schema.inline_policies).where(schema.inline_policies.c.principal_id == role["RoleId"])
        ).all()
        tags = conn.execute(select(schema.tags).where(schema.tags.c.resource_id == role["RoleId"])).all()
    assert left == [] and tags == []
    assert invoke("iam", "GetServiceLinkedRoleDeletionStatus", {"DeletionTaskId": task}) == {
        "Status": "SUCCEEDED"
    }
    # The name is free again.
    assert create(invoke, service, CustomSuffix="table-1")["RoleName"] == name


def test_delete_frees_instance_profiles(invoke: Any) -> None:
    name = create(invoke, "ecs.amazonaws.com")["RoleName"]
    invoke("iam", "CreateInstanceProfile", {"InstanceProfileName": "ip"})
    invoke("iam", "AddRoleToInstanceProfile", {"InstanceProfileName": "ip", "RoleName": name})
    invoke("iam", "DeleteServiceLinkedRole", {"RoleName": name})
    out = invoke("iam", "GetInstanceProfile", {"InstanceProfileName": "ip"})
    assert out["InstanceProfile"]["Roles"] == []


def test_delete_unknown_role(invoke: Any) -> None:
    with pytest.raises(NoSuchEntity, match=r"^The role with name ghost cannot be found\.$"):
        invoke("iam", "DeleteServiceLinkedRole", {"RoleName": "ghost"})


def test_delete_ordinary_role_is_refused(invoke: Any) -> None:
    invoke("iam", "CreateRole", {"RoleName": "plain", "AssumeRolePolicyDocument": TRUST})
    with pytest.raises(NoSuchEntity, match="plain"):
        invoke("iam", "DeleteServiceLinkedRole", {"RoleName": "plain"})
    assert invoke("iam", "GetRole", {"RoleName": "plain"})["Role"]["RoleName"] == "plain"


def test_deletion_status_of_unknown_task(invoke: Any) -> None:
    task = "task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/0b6c8b24-6b0e-4f7a-9d0c-2a3a4f1c9e11"
    with pytest.raises(NoSuchEntity):
        invoke("iam", "GetServiceLinkedRoleDeletionStatus", {"DeletionTaskId": task})


def test_deletion_status_of_another_roles_task(invoke: Any) -> None:
    name = create(invoke, "ecs.amazonaws.com")["RoleName"]
    task = invoke("iam", "DeleteServiceLinkedRole", {"RoleName": name})["DeletionTaskId"]
    forged = task.replace("AWSServiceRoleForECS", "AWSServiceRoleForOther")
    with pytest.raises(NoSuchEntity):
        invoke("iam", "GetServiceLinkedRoleDeletionStatus", {"DeletionTaskId": forged})


def test_deletion_status_names_the_roles_own_service(invoke: Any) -> None:
    """The call is authorized on the role the id names (``…/<service>/<role>``): an id that
    swaps in another service, which the caller may be allowed on, finds no task."""
    name = create(invoke, "ecs.amazonaws.com")["RoleName"]
    task = invoke("iam", "DeleteServiceLinkedRole", {"RoleName": name})["DeletionTaskId"]
    forged = task.replace("/ecs.amazonaws.com/", "/backup.amazonaws.com/")
    with pytest.raises(NoSuchEntity):
        invoke("iam", "GetServiceLinkedRoleDeletionStatus", {"DeletionTaskId": forged})
    assert invoke("iam", "GetServiceLinkedRoleDeletionStatus", {"DeletionTaskId": task})["Status"] == "SUCCEEDED"


@pytest.mark.parametrize(
    "task",
    ["nonsense", "task/aws-service-role/", "task/aws-service-role/svc/role", "task/aws-service-role/a//b"],
)
def test_deletion_status_of_malformed_task(invoke: Any, task: str) -> None:
    with pytest.raises(InvalidInput):
        invoke("iam", "GetServiceLinkedRoleDeletionStatus", {"DeletionTaskId": task})


# --- the service's policy and the suffix rule ----------------------------------------------------


def attached(invoke: Any, name: str) -> list[str]:
    return [p["PolicyArn"] for p in invoke("iam", "ListAttachedRolePolicies", {"RoleName": name})["AttachedPolicies"]]


@pytest.mark.parametrize(
    ("service", "policy"),
    [
        ("autoscaling.amazonaws.com", "AutoScalingServiceRolePolicy"),
        ("custom-resource.application-autoscaling.amazonaws.com", "AWSApplicationAutoScalingCustomResourcePolicy"),
        ("ecs.amazonaws.com", "AmazonECSServiceRolePolicy"),
        ("organizations.amazonaws.com", "AWSOrganizationsServiceTrustPolicy"),
    ],
)
def test_the_services_policy_is_attached(invoke: Any, service: str, policy: str) -> None:
    name = create(invoke, service)["RoleName"]
    arn = f"arn:aws:iam::aws:policy/aws-service-role/{policy}"
    assert attached(invoke, name) == [arn]
    entities = invoke("iam", "ListEntitiesForPolicy", {"PolicyArn": arn})
    assert [r["RoleName"] for r in entities["PolicyRoles"]] == [name]
    assert invoke("iam", "GetPolicy", {"PolicyArn": arn})["Policy"]["AttachmentCount"] == 1


def test_the_policy_cannot_be_detached(invoke: Any) -> None:
    name = create(invoke, "autoscaling.amazonaws.com")["RoleName"]
    arn = "arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy"
    with pytest.raises(UnmodifiableEntity, match=protected(name)):
        invoke("iam", "DetachRolePolicy", {"RoleName": name, "PolicyArn": arn})
    assert attached(invoke, name) == [arn]


def test_a_suffixed_role_carries_the_policy_too(invoke: Any) -> None:
    name = create(invoke, "autoscaling.amazonaws.com", CustomSuffix="blue")["RoleName"]
    assert attached(invoke, name) == ["arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy"]


def test_unknown_principal_gets_no_policy(invoke: Any) -> None:
    name = create(invoke, "worker.new-thing.amazonaws.com", CustomSuffix="a")["RoleName"]
    assert name == "AWSServiceRoleForNewThing_Worker_a"
    assert attached(invoke, name) == []


@pytest.mark.parametrize(
    "service", ["ecs.amazonaws.com", "es.amazonaws.com", "dynamodb.application-autoscaling.amazonaws.com"]
)
def test_suffix_refused_where_the_service_does_not_allow_it(invoke: Any, service: str) -> None:
    with pytest.raises(InvalidInput, match=rf"^Custom suffix is not allowed for {re.escape(service)}$"):
        create(invoke, service, CustomSuffix="x")
    assert invoke("iam", "ListRoles", {})["Roles"] == []


def test_deleting_the_role_releases_the_policy(invoke: Any) -> None:
    name = create(invoke, "autoscaling.amazonaws.com")["RoleName"]
    invoke("iam", "DeleteServiceLinkedRole", {"RoleName": name})
    arn = "arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy"
    assert invoke("iam", "GetPolicy", {"PolicyArn": arn})["Policy"]["AttachmentCount"] == 0
