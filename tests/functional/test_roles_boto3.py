"""Roles, instance profiles and service-linked roles through boto3: shapes on the wire, errors, paging."""

from __future__ import annotations

import json

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def test_role_lifecycle(iam, server, error_of) -> None:
    role = iam.create_role(
        RoleName="app",
        Path="/svc/",
        AssumeRolePolicyDocument=json.dumps(TRUST),
        Description="runs the app",
        MaxSessionDuration=7200,
        Tags=[{"Key": "team", "Value": "core"}],
    )["Role"]
    assert role["RoleId"].startswith("AROA") and len(role["RoleId"]) == 21
    assert role["Arn"] == f"arn:aws:iam::{server.account_id}:role/svc/app"
    # botocore URL-decodes and parses the trust policy it receives.
    got = iam.get_role(RoleName="APP")["Role"]
    assert got["AssumeRolePolicyDocument"] == TRUST
    assert (got["Description"], got["MaxSessionDuration"]) == ("runs the app", 7200)
    assert got["Tags"] == [{"Key": "team", "Value": "core"}]
    assert got["RoleLastUsed"] == {}

    iam.update_role(RoleName="app", Description="new")
    assert iam.update_role_description(RoleName="app", Description="newer")["Role"]["Description"] == "newer"
    doc = {
        **TRUST,
        "Statement": [{**TRUST["Statement"][0], "Principal": {"Service": "lambda.amazonaws.com"}}],
    }
    iam.update_assume_role_policy(RoleName="app", PolicyDocument=json.dumps(doc))
    assert iam.get_role(RoleName="app")["Role"]["AssumeRolePolicyDocument"] == doc

    err = error_of(iam.create_role, RoleName="APP", AssumeRolePolicyDocument=json.dumps(TRUST))
    assert (err["Code"], err["HTTPStatus"], err["Message"]) == (
        "EntityAlreadyExists",
        409,
        "Role with name APP already exists.",
    )
    iam.delete_role(RoleName="app")
    err = error_of(iam.get_role, RoleName="app")
    assert (err["Code"], err["HTTPStatus"], err["Message"]) == (
        "NoSuchEntity",
        404,
        "The role with name app cannot be found.",
    )


def test_trust_policy_errors(iam, error_of) -> None:
    err = error_of(iam.create_role, RoleName="r", AssumeRolePolicyDocument="{")
    assert (err["Code"], err["HTTPStatus"]) == ("MalformedPolicyDocument", 400)
    big = {**TRUST, "Statement": [{**TRUST["Statement"][0], "Sid": "A" * 2100}]}
    err = error_of(iam.create_role, RoleName="r", AssumeRolePolicyDocument=json.dumps(big))
    assert (err["Code"], err["Message"]) == ("LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048")
    assert iam.list_roles()["Roles"] == []


def test_list_roles_paginator(iam) -> None:
    expected = sorted(f"role-{i:02d}" for i in range(25))
    for name in expected:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))
    pages = list(iam.get_paginator("list_roles").paginate(PaginationConfig={"PageSize": 10}))
    assert [len(p["Roles"]) for p in pages] == [10, 10, 5]
    assert [r["RoleName"] for p in pages for r in p["Roles"]] == expected
    assert all("Tags" not in r and "RoleLastUsed" not in r for p in pages for r in p["Roles"])


def test_instance_profiles(iam, server, error_of) -> None:
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(TRUST))
    profile = iam.create_instance_profile(InstanceProfileName="web", Path="/app/")["InstanceProfile"]
    assert profile["InstanceProfileId"].startswith("AIPA")
    assert profile["Arn"] == f"arn:aws:iam::{server.account_id}:instance-profile/app/web"
    assert profile["Roles"] == []
    iam.add_role_to_instance_profile(InstanceProfileName="web", RoleName="r")
    err = error_of(iam.add_role_to_instance_profile, InstanceProfileName="web", RoleName="r")
    assert (err["Code"], err["Message"]) == (
        "LimitExceeded",
        "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1",
    )
    (role,) = iam.get_instance_profile(InstanceProfileName="web")["InstanceProfile"]["Roles"]
    assert role["RoleName"] == "r" and role["AssumeRolePolicyDocument"] == TRUST
    listed = iam.list_instance_profiles_for_role(RoleName="r")["InstanceProfiles"]
    assert [p["InstanceProfileName"] for p in listed] == ["web"]

    err = error_of(iam.delete_role, RoleName="r")
    assert err["Message"] == "Cannot delete entity, must remove roles from instance profile first."
    err = error_of(iam.delete_instance_profile, InstanceProfileName="web")
    assert (err["Code"], err["HTTPStatus"]) == ("DeleteConflict", 409)
    iam.remove_role_from_instance_profile(InstanceProfileName="web", RoleName="r")
    iam.delete_instance_profile(InstanceProfileName="web")
    err = error_of(iam.get_instance_profile, InstanceProfileName="web")
    assert (err["Code"], err["Message"]) == ("NoSuchEntity", "Instance Profile web cannot be found.")


def test_service_linked_role(iam, error_of) -> None:
    role = iam.create_service_linked_role(AWSServiceName="elasticbeanstalk.amazonaws.com")["Role"]
    name = role["RoleName"]
    assert name == "AWSServiceRoleForElasticBeanstalk"
    assert role["Path"] == "/aws-service-role/elasticbeanstalk.amazonaws.com/"
    err = error_of(iam.create_service_linked_role, AWSServiceName="elasticbeanstalk.amazonaws.com")
    assert (err["Code"], err["Message"]) == (
        "InvalidInput",
        f"Service role name {name} has been taken in this account, please try a different suffix.",
    )
    err = error_of(iam.delete_role, RoleName=name)
    assert (err["Code"], err["Message"]) == (
        "UnmodifiableEntity",
        f"Cannot perform the operation on the protected role '{name}' - this role is only modifiable by AWS",
    )
    task = iam.delete_service_linked_role(RoleName=name)["DeletionTaskId"]
    assert task.startswith(f"task/aws-service-role/elasticbeanstalk.amazonaws.com/{name}/")
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "SUCCEEDED"
    assert error_of(iam.get_role, RoleName=name)["Code"] == "NoSuchEntity"
