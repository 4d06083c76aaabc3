"""Service-linked roles as AWS makes them, through boto3 and the aws CLI: AWS's role name, path and
trust policy, the service's AWS-managed policy attached, the CustomSuffix rules, and who may
create one."""

from __future__ import annotations

import json
from typing import Any

import pytest
from functional_helpers import allow, as_creds, new_user

from iamd.testing import IamdServer

POLICY = "arn:aws:iam::aws:policy/aws-service-role/"


@pytest.mark.parametrize(
    ("service", "name", "policy"),
    [
        ("autoscaling.amazonaws.com", "AWSServiceRoleForAutoScaling", "AutoScalingServiceRolePolicy"),
        ("custom-resource.application-autoscaling.amazonaws.com",
         "AWSServiceRoleForApplicationAutoScaling_CustomResource", "AWSApplicationAutoScalingCustomResourcePolicy"),
        ("dynamodb.application-autoscaling.amazonaws.com", "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
         "AWSApplicationAutoscalingDynamoDBTablePolicy"),
        ("elasticloadbalancing.amazonaws.com", "AWSServiceRoleForElasticLoadBalancing",
         "AWSElasticLoadBalancingServiceRolePolicy"),
        ("ops.apigateway.amazonaws.com", "AWSServiceRoleForAPIGateway", "APIGatewayServiceRolePolicy"),
    ],
)
def test_the_role_aws_makes(server: IamdServer, iam: Any, service: str, name: str, policy: str) -> None:
    role = iam.create_service_linked_role(AWSServiceName=service)["Role"]
    assert (role["RoleName"], role["Path"]) == (name, f"/aws-service-role/{service}/")
    assert role["Arn"] == f"arn:aws:iam::{server.account_id}:role/aws-service-role/{service}/{name}"
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": service}}
    ]
    attached = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
    assert attached == [{"PolicyName": policy, "PolicyArn": POLICY + policy}]
    document = iam.get_policy_version(PolicyArn=POLICY + policy, VersionId=iam.get_policy(
        PolicyArn=POLICY + policy)["Policy"]["DefaultVersionId"])["PolicyVersion"]["Document"]
    assert document["Statement"]  # the catalogue's document, as AWS publishes it
    details = iam.get_account_authorization_details(Filter=["Role"])["RoleDetailList"]
    assert [r["AttachedManagedPolicies"] for r in details if r["RoleName"] == name] == [attached]


def test_custom_suffix_where_the_service_allows_it(iam: Any, error_of: Any) -> None:
    iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com")
    blue = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com", CustomSuffix="blue")["Role"]
    assert blue["RoleName"] == "AWSServiceRoleForAutoScaling_blue"
    assert [p["PolicyName"] for p in iam.list_attached_role_policies(RoleName=blue["RoleName"])["AttachedPolicies"]] \
        == ["AutoScalingServiceRolePolicy"]
    err = error_of(iam.create_service_linked_role, AWSServiceName="autoscaling.amazonaws.com", CustomSuffix="blue")
    assert (err["Code"], err["Message"], err["HTTPStatus"]) == (
        "InvalidInput",
        "Service role name AWSServiceRoleForAutoScaling_blue has been taken in this account, please try a different "
        "suffix.", 400)


def test_custom_suffix_refused_where_it_is_not(iam: Any, aws: Any) -> None:
    proc = aws.run("iam", "create-service-linked-role", "--aws-service-name", "elasticbeanstalk.amazonaws.com",
                   "--custom-suffix", "x", check=False)
    assert proc.returncode != 0
    assert proc.stderr.strip() == ("An error occurred (InvalidInput) when calling the CreateServiceLinkedRole "
                                   "operation: Custom suffix is not allowed for elasticbeanstalk.amazonaws.com")
    assert iam.list_roles()["Roles"] == []


def test_the_service_policy_stays_the_services(iam: Any, error_of: Any) -> None:
    name = iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")["Role"]["RoleName"]
    arn = POLICY + "AmazonECSServiceRolePolicy"
    err = error_of(iam.detach_role_policy, RoleName=name, PolicyArn=arn)
    assert err["Code"] == "UnmodifiableEntity"
    iam.create_role(RoleName="mine", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }))
    err = error_of(iam.attach_role_policy, RoleName="mine", PolicyArn=arn)
    assert err["Code"] == "PolicyNotAttachable"
    task = iam.delete_service_linked_role(RoleName=name)["DeletionTaskId"]
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "SUCCEEDED"
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 0


def test_only_a_caller_allowed_on_the_roles_arn_may_create_it(server: IamdServer, iam: Any, error_of: Any) -> None:
    """CreateServiceLinkedRole is authorized on the ARN the role will have: a user allowed for
    Auto Scaling's role cannot make ECS's, nor a suffixed Auto Scaling role its policy does not name."""
    scoped = f"arn:aws:iam::{server.account_id}:role/aws-service-role/autoscaling.amazonaws.com/" \
             "AWSServiceRoleForAutoScaling"
    _, key = new_user(iam, "ops", allow("iam:CreateServiceLinkedRole", scoped))
    ops = as_creds(server, "iam", key)
    assert error_of(ops.create_service_linked_role, AWSServiceName="ecs.amazonaws.com")["Code"] == "AccessDenied"
    assert error_of(ops.create_service_linked_role, AWSServiceName="autoscaling.amazonaws.com",
                    CustomSuffix="x")["Code"] == "AccessDenied"
    assert ops.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com")["Role"]["Arn"] == scoped
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == ["AWSServiceRoleForAutoScaling"]
