"""Every request member of SimulatePrincipalPolicy and SimulateCustomPolicy, with boto3, and the
result shapes AWS answers with."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from functional_helpers import allow, doc, error

ACCOUNT = "123456789012"
OTHER = "210987654321"


def deny(action: str | list[str], resource: str | list[str] = "*", **condition: Any) -> dict[str, Any]:
    return {**allow(action, resource, **condition), "Effect": "Deny"}


def custom(iam: Any, *policies: str, **kw: Any) -> list[dict[str, Any]]:
    return iam.simulate_custom_policy(PolicyInputList=list(policies), **kw)["EvaluationResults"]  # type: ignore[no-any-return]


def decisions(results: list[dict[str, Any]]) -> dict[str, str]:
    return {r["EvalActionName"]: r["EvalDecision"] for r in results}


def invalid(fn: Any, **kw: Any) -> str:
    err = error(fn, **kw)
    assert (err["Code"], err["HTTPStatus"]) == ("InvalidInput", 400), err
    return str(err["Message"])


# --- PolicySourceArn ------------------------------------------------------------------------


def test_user_group_and_role_sources(iam: Any) -> None:
    iam.create_user(UserName="alice")
    iam.create_group(GroupName="ops")
    iam.add_user_to_group(UserName="alice", GroupName="ops")
    iam.put_user_policy(UserName="alice", PolicyName="own", PolicyDocument=doc(allow("s3:GetObject")))
    iam.put_group_policy(GroupName="ops", PolicyName="grp", PolicyDocument=doc(allow("ec2:StartInstances")))
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}))
    iam.attach_role_policy(RoleName="app", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")

    def sim(arn: str, *actions: str) -> list[dict[str, Any]]:
        return iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=list(actions))["EvaluationResults"]  # type: ignore[no-any-return]

    user = sim(f"arn:aws:iam::{ACCOUNT}:user/alice", "s3:GetObject", "ec2:StartInstances", "iam:DeleteUser")
    assert decisions(user) == {"s3:GetObject": "allowed", "ec2:StartInstances": "allowed", "iam:DeleteUser": "implicitDeny"}
    assert user[1]["MatchedStatements"][0]["SourcePolicyId"] == "group_ops_grp"
    assert "ResourceSpecificResults" not in user[0] and user[0]["EvalResourceName"] == "*"
    group = sim(f"arn:aws:iam::{ACCOUNT}:group/ops", "s3:GetObject", "ec2:StartInstances")
    assert decisions(group) == {"s3:GetObject": "implicitDeny", "ec2:StartInstances": "allowed"}
    role = sim(f"arn:aws:iam::{ACCOUNT}:role/app", "s3:GetObject", "s3:PutObject")
    assert decisions(role) == {"s3:GetObject": "allowed", "s3:PutObject": "implicitDeny"}
    assert role[0]["MatchedStatements"][0]["SourcePolicyId"] == "ReadOnlyAccess"
    # A role session is simulated as its role.
    session = sim(f"arn:aws:sts::{ACCOUNT}:assumed-role/app/some-session", "s3:GetObject", "s3:PutObject")
    assert decisions(session) == decisions(role)


def test_unknown_sources_and_bad_arns(iam: Any) -> None:
    iam.create_user(UserName="bob", Path="/team/")
    sim = iam.simulate_principal_policy
    for arn, message in [
        (f"arn:aws:iam::{ACCOUNT}:user/nobody", "The user with name nobody cannot be found."),
        (f"arn:aws:iam::{ACCOUNT}:user/bob", "The user with name bob cannot be found."),  # wrong path
        (f"arn:aws:iam::{ACCOUNT}:role/none", "The role with name none cannot be found."),
        (f"arn:aws:iam::{ACCOUNT}:group/none", "The group with name none cannot be found."),
    ]:
        err = error(sim, PolicySourceArn=arn, ActionNames=["s3:GetObject"])
        assert (err["Code"], err["Message"], err["HTTPStatus"]) == ("NoSuchEntity", message, 404)
    assert sim(PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/team/bob", ActionNames=["s3:GetObject"])
    for arn in [f"arn:aws:iam::{ACCOUNT}:policy/x", f"arn:aws:sts::{ACCOUNT}:federated-user/x", "not-an-arn-at-all-really"]:
        assert invalid(sim, PolicySourceArn=arn, ActionNames=["s3:GetObject"]) == (
            f"Invalid Entity Arn: {arn} does not clearly define entity type and name."
        )


# --- PolicyInputList, PermissionsBoundaryPolicyInputList, PolicyExclusionList ---------------


def test_extra_policies_and_boundaries(iam: Any) -> None:
    iam.create_user(UserName="carol")
    iam.put_user_policy(UserName="carol", PolicyName="all", PolicyDocument=doc(allow("s3:*")))
    arn = f"arn:aws:iam::{ACCOUNT}:user/carol"
    out = iam.simulate_principal_policy(
        PolicySourceArn=arn, ActionNames=["s3:GetObject", "s3:DeleteBucket", "ec2:RunInstances"],
        PolicyInputList=[doc(allow("ec2:RunInstances"), deny("s3:DeleteBucket"))],
    )["EvaluationResults"]
    assert decisions(out) == {"s3:GetObject": "allowed", "s3:DeleteBucket": "explicitDeny", "ec2:RunInstances": "allowed"}
    # An explicit deny: the Deny statement is the only entry at the top level.
    assert [m["SourcePolicyId"] for m in out[1]["MatchedStatements"]] == ["PolicyInputList.1"]
    assert [m["SourcePolicyId"] for m in out[0]["MatchedStatements"]] == ["user_carol_all"]
    boundary = doc(allow("s3:Get*"))
    bounded = iam.simulate_principal_policy(
        PolicySourceArn=arn, ActionNames=["s3:GetObject", "s3:PutObject"], PermissionsBoundaryPolicyInputList=[boundary]
    )["EvaluationResults"]
    assert decisions(bounded) == {"s3:GetObject": "allowed", "s3:PutObject": "implicitDeny"}
    assert bounded[0]["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": True}
    assert bounded[1]["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": False}
    assert invalid(iam.simulate_custom_policy, PolicyInputList=[doc(allow("*"))], ActionNames=["s3:GetObject"],
                   PermissionsBoundaryPolicyInputList=[boundary, boundary]).startswith("The list of permissions boundary")
    # The entity's own boundary applies, and a submitted one replaces it.
    policy = iam.create_policy(PolicyName="ec2-only", PolicyDocument=doc(allow("ec2:*")))["Policy"]["Arn"]
    iam.put_user_permissions_boundary(UserName="carol", PermissionsBoundary=policy)
    own = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["s3:GetObject"])["EvaluationResults"]
    assert own[0]["EvalDecision"] == "implicitDeny"
    replaced = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["s3:GetObject"],
                                             PermissionsBoundaryPolicyInputList=[boundary])["EvaluationResults"]
    assert replaced[0]["EvalDecision"] == "allowed"


def test_policy_exclusion_list(iam: Any) -> None:
    iam.create_user(UserName="dave")
    iam.put_user_policy(UserName="dave", PolicyName="inline-s3", PolicyDocument=doc(allow("s3:GetObject")))
    managed = iam.create_policy(PolicyName="ec2-start", PolicyDocument=doc(allow("ec2:StartInstances")))["Policy"]["Arn"]
    iam.attach_user_policy(UserName="dave", PolicyArn=managed)
    iam.attach_user_policy(UserName="dave", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    actions = ["s3:GetObject", "ec2:StartInstances", "iam:GetUser"]

    def sim(*exclusions: dict[str, Any]) -> dict[str, str]:
        return decisions(iam.simulate_principal_policy(
            PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/dave", ActionNames=actions, PolicyExclusionList=list(exclusions)
        )["EvaluationResults"])

    assert set(sim().values()) == {"allowed"}
    assert sim({"PolicyType": "inline"})["s3:GetObject"] == "implicitDeny"
    assert sim({"PolicyType": "aws-managed"}) == {"s3:GetObject": "allowed", "ec2:StartInstances": "allowed", "iam:GetUser": "implicitDeny"}
    assert sim({"PolicyType": "user-managed"})["ec2:StartInstances"] == "implicitDeny"
    assert sim({"PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/ec2-*"})["ec2:StartInstances"] == "implicitDeny"
    assert sim({"InlinePolicyIdentifier": {"PolicyName": "inline-s3", "AttachmentType": "user", "AttachmentName": "dave"}})[
        "s3:GetObject"] == "implicitDeny"
    assert set(sim({"PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/nothing-matches"}, {"PolicyType": "scp"}).values()) == {"allowed"}
    message = invalid(iam.simulate_principal_policy, PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/dave",
                      ActionNames=actions, PolicyExclusionList=[{"PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/a*b*"}])
    assert message.startswith("Invalid policy identifier")


# --- ResourceArns, ResourcePolicy, CallerArn, ResourceOwner ---------------------------------


def test_resource_policy_with_caller_arn(iam: Any) -> None:
    bucket = doc({"Sid": "Bob", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/Bob"},
                  "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"},
                 {"Sid": "NoDelete", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::shared/*"})
    identity = doc(allow("s3:DeleteObject"))
    out = custom(iam, identity, ActionNames=["s3:GetObject", "s3:DeleteObject", "s3:PutObject"],
                 ResourceArns=["arn:aws:s3:::shared/a.txt"], ResourcePolicy=bucket, CallerArn=f"arn:aws:iam::{ACCOUNT}:user/Bob")
    assert decisions(out) == {"s3:GetObject": "allowed", "s3:DeleteObject": "explicitDeny", "s3:PutObject": "implicitDeny"}
    [by_resource] = out[0]["MatchedStatements"]
    assert (by_resource["SourcePolicyId"], by_resource["SourcePolicyType"]) == ("ResourcePolicy", "Resource Policy")
    # Per resource, every statement that applied (as AWS answers); at the top, the deciding Deny.
    assert {m["SourcePolicyId"] for m in out[1]["ResourceSpecificResults"][0]["MatchedStatements"]} == {
        "ResourcePolicy", "PolicyInputList.1"}
    assert [m["SourcePolicyId"] for m in out[1]["MatchedStatements"]] == ["ResourcePolicy"]
    assert out[0]["EvalDecisionDetails"] == {}  # same account, resources named
    assert invalid(iam.simulate_custom_policy, PolicyInputList=[identity], ActionNames=["s3:GetObject"],
                   ResourcePolicy=bucket) == "Invalid caller - Caller must be an IAM user in this context."
    # SimulatePrincipalPolicy: "as Bob with David's policies", and a role needs a user caller.
    iam.create_user(UserName="David")
    as_bob = iam.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/David", CallerArn=f"arn:aws:iam::{ACCOUNT}:user/Bob",
        ActionNames=["s3:GetObject"], ResourceArns=["arn:aws:s3:::shared/a.txt"], ResourcePolicy=bucket,
    )["EvaluationResults"]
    assert as_bob[0]["EvalDecision"] == "allowed"
    as_david = iam.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/David", ActionNames=["s3:GetObject"],
        ResourceArns=["arn:aws:s3:::shared/a.txt"], ResourcePolicy=bucket,
    )["EvaluationResults"]
    assert as_david[0]["EvalDecision"] == "implicitDeny"
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}))
    assert invalid(iam.simulate_principal_policy, PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:role/r",
                   ActionNames=["s3:GetObject"], ResourcePolicy=bucket) == "Invalid caller - Caller must be an IAM user in this context."


def test_cross_account_resource_owner(iam: Any) -> None:
    bucket = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/Bob"}, "Action": "s3:GetObject",
                  "Resource": "*"})
    bob = f"arn:aws:iam::{ACCOUNT}:user/Bob"

    def run(identity: str, policy: str | None, owner: str) -> dict[str, Any]:
        kw: dict[str, Any] = {"ResourcePolicy": policy} if policy else {}
        return custom(iam, identity, ActionNames=["s3:GetObject"], ResourceArns=["arn:aws:s3:::theirs/x"],
                      CallerArn=bob, ResourceOwner=owner, **kw)[0]

    both = run(doc(allow("s3:GetObject")), bucket, OTHER)
    assert both["EvalDecision"] == "allowed"
    assert both["EvalDecisionDetails"] == {"IAM Policy": "allowed", "Resource Policy": "allowed"}
    only_identity = run(doc(allow("s3:GetObject")), None, f"arn:aws:iam::{OTHER}:root")
    assert only_identity["EvalDecision"] == "implicitDeny"
    assert only_identity["ResourceSpecificResults"][0]["EvalDecisionDetails"] == {"IAM Policy": "allowed"}
    only_resource = run(doc(allow("ec2:*")), bucket, OTHER)
    assert only_resource["EvalDecision"] == "implicitDeny"
    assert only_resource["EvalDecisionDetails"] == {"IAM Policy": "implicitDeny", "Resource Policy": "allowed"}
    for owner in ["12345", "arn:aws:iam::12:root", "me"]:
        assert invalid(iam.simulate_custom_policy, PolicyInputList=[doc(allow("*"))],
                       ActionNames=["s3:GetObject"], ResourceOwner=owner) == f"'{owner}' is not a valid as a Resource Owner."


def test_trust_policy_as_resource_policy_for_assume_role(iam: Any) -> None:
    """A ResourcePolicy for sts:AssumeRole is read as the role's trust policy, as the authorizer
    reads it: its explicit Deny holds (AWS's simulator ignores it; iamd's real call would not)."""
    trust = doc({"Effect": "Deny", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/Bob"}, "Action": "sts:AssumeRole"})
    out = custom(iam, doc(allow("sts:AssumeRole")), ActionNames=["sts:AssumeRole"],
                 ResourceArns=[f"arn:aws:iam::{ACCOUNT}:role/target"], ResourcePolicy=trust,
                 CallerArn=f"arn:aws:iam::{ACCOUNT}:user/Bob")
    assert out[0]["EvalDecision"] == "explicitDeny"


def test_resource_arns_and_handling_options(iam: Any) -> None:
    policy = doc(allow("ec2:RunInstances", "arn:aws:ec2:us-east-1:123456789012:instance/*"),
                 allow("ec2:RunInstances", ["arn:aws:ec2:us-east-1::image/*", "arn:aws:ec2:us-east-1:123456789012:security-group/*",
                                            "arn:aws:ec2:us-east-1:123456789012:network-interface/*"]))
    resources = ["arn:aws:ec2:us-east-1:123456789012:instance/i-1", "arn:aws:ec2:us-east-1::image/ami-1",
                 "arn:aws:ec2:us-east-1:123456789012:security-group/sg-1",
                 "arn:aws:ec2:us-east-1:123456789012:network-interface/eni-1"]
    [out] = custom(iam, policy, ActionNames=["ec2:RunInstances"], ResourceArns=resources,
                   ResourceHandlingOption="EC2-VPC-InstanceStore")
    assert out["EvalDecision"] == "allowed"
    assert [r["EvalResourceName"] for r in out["ResourceSpecificResults"]] == resources
    assert out["EvalResourceName"] == "arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}"
    assert "missing: subnet" in invalid(iam.simulate_custom_policy, PolicyInputList=[policy], ActionNames=["ec2:RunInstances"],
                                        ResourceArns=resources, ResourceHandlingOption="EC2-VPC-InstanceStore-Subnet")
    assert invalid(iam.simulate_custom_policy, PolicyInputList=[policy], ActionNames=["ec2:RunInstances"],
                   ResourceArns=resources, ResourceHandlingOption="Bogus").startswith("Invalid ResourceHandlingOption Bogus")
    assert invalid(iam.simulate_custom_policy, PolicyInputList=[policy], ActionNames=["ec2:RunInstances"],
                   ResourceArns=["bucket-name"]) == 'Resource bucket-name must be in ARN format or "*".'
    assert "prefaced by a vendor" in invalid(iam.simulate_custom_policy, PolicyInputList=[policy], ActionNames=["RunInstances"])


# --- ContextEntries ----------------------------------------------------------------------------


CONTEXT_CASES = [
    ("string", ["alice"], {"StringEquals": {"aws:username": "alice"}}, "aws:username"),
    ("stringList", ["env", "team"], {"ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]}}, "aws:TagKeys"),
    ("numeric", ["300"], {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}, "aws:MultiFactorAuthAge"),
    ("numericList", ["1", "2"], {"ForAnyValue:NumericEquals": {"s3:max-keys": "2"}}, "s3:max-keys"),
    ("boolean", ["TRUE"], {"Bool": {"aws:SecureTransport": "true"}}, "aws:SecureTransport"),
    ("booleanList", ["true", "true"], {"ForAnyValue:Bool": {"aws:SecureTransport": "true"}}, "aws:SecureTransport"),
    ("ip", ["192.0.2.7"], {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}, "aws:SourceIp"),
    ("ipList", ["10.0.0.1", "192.0.2.9"], {"ForAnyValue:IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}, "aws:SourceIp"),
    ("date", ["2026-02-01T10:00:00Z"], {"DateGreaterThan": {"aws:CurrentTime": "2026-02-01T09:00:00Z"}}, "aws:CurrentTime"),
    ("dateList", ["1769936400"], {"ForAnyValue:DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}, "aws:CurrentTime"),
    ("binary", [base64.b64encode(b"x").decode()], {"BinaryEquals": {"s3:x-amz-key": base64.b64encode(b"x").decode()}}, "s3:x-amz-key"),
    ("binaryList", [base64.b64encode(b"y").decode()], {"ForAnyValue:BinaryEquals": {"s3:x-amz-key": base64.b64encode(b"y").decode()}}, "s3:x-amz-key"),
]


@pytest.mark.parametrize(("kind", "values", "condition", "key"), CONTEXT_CASES, ids=[c[0] for c in CONTEXT_CASES])
def test_context_entry_types(iam: Any, kind: str, values: list[str], condition: dict[str, Any], key: str) -> None:
    policy = doc(allow("s3:GetObject", "*", **condition))
    entry = {"ContextKeyName": key, "ContextKeyValues": values, "ContextKeyType": kind}
    [out] = custom(iam, policy, ActionNames=["s3:GetObject"], ContextEntries=[entry])
    assert (out["EvalDecision"], out["MissingContextValues"]) == ("allowed", [])
    [missing] = custom(iam, policy, ActionNames=["s3:GetObject"])
    assert missing["EvalDecision"] == "implicitDeny"
    assert missing["MissingContextValues"] == [key]


@pytest.mark.parametrize(("kind", "values"), [
    ("numeric", ["ten"]), ("boolean", ["yes"]), ("ip", ["300.1.1.1"]), ("date", ["tomorrow"]),
    ("binary", ["@@@"]), ("string", ["a", "b"]), ("dateList", ["2026-01-01", "never"]),
])
def test_bad_context_values_are_invalid_input(iam: Any, kind: str, values: list[str]) -> None:
    invalid(iam.simulate_custom_policy, PolicyInputList=[doc(allow("*"))], ActionNames=["s3:GetObject"],
            ContextEntries=[{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": values, "ContextKeyType": kind}])


# --- SCPs, pagination, documents, sizes -----------------------------------------------------------


def test_organization_policies(iam: Any) -> None:
    scp_root = doc(allow("*"))
    scp_ou = doc(allow("*"), deny("s3:DeleteBucket"))
    out = custom(iam, doc(allow("s3:*")), ActionNames=["s3:GetObject", "s3:DeleteBucket"],
                 OrderedOrganizationPolicyInputList=[{"ServiceControlPolicyInputList": [scp_root]},
                                                     {"ServiceControlPolicyInputList": [scp_ou]}])
    assert decisions(out) == {"s3:GetObject": "allowed", "s3:DeleteBucket": "explicitDeny"}
    assert out[0]["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": True}
    assert out[1]["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": False}
    assert all(m["SourcePolicyId"] == "PolicyInputList.1" for m in out[1]["MatchedStatements"])
    plain = custom(iam, doc(allow("s3:*")), ActionNames=["s3:GetObject"])
    assert "OrganizationsDecisionDetail" not in plain[0]


def test_pagination(iam: Any) -> None:
    actions = [f"s3:Action{i}" for i in range(7)]
    seen: list[str] = []
    marker = None
    pages = 0
    while True:
        kw = {"Marker": marker} if marker else {}
        page = iam.simulate_custom_policy(PolicyInputList=[doc(allow("s3:*"))], ActionNames=actions, MaxItems=3, **kw)
        seen += [r["EvalActionName"] for r in page["EvaluationResults"]]
        pages += 1
        if not page["IsTruncated"]:
            break
        marker = page["Marker"]
    assert (seen, pages) == (actions, 3)
    paginator = iam.get_paginator("simulate_custom_policy")
    flat = [r["EvalActionName"] for p in paginator.paginate(PolicyInputList=[doc(allow("s3:*"))], ActionNames=actions,
                                                             PaginationConfig={"PageSize": 2}) for r in p["EvaluationResults"]]
    assert flat == actions
    err = error(iam.simulate_custom_policy, PolicyInputList=[doc(allow("s3:*"))], ActionNames=actions, Marker="bm90LWEtbnVtYmVy")
    assert err["Code"] in ("InvalidInput", "ValidationError")


def test_malformed_documents_and_oversized_requests(iam: Any) -> None:
    message = invalid(iam.simulate_custom_policy, PolicyInputList=['{"Version": "2012-10-17", "Statement": ['],
                      ActionNames=["s3:GetObject"])
    assert message == "Syntax errors in policy."
    assert invalid(iam.simulate_custom_policy, PolicyInputList=[doc(allow("*"))],
                   ActionNames=[f"s3:A{i}" for i in range(1001)]) == "The number of ActionNames cannot exceed 1000."
    too_many = invalid(iam.simulate_custom_policy, PolicyInputList=[doc(allow("*"))],
                       ActionNames=[f"s3:A{i}" for i in range(200)],
                       ResourceArns=[f"arn:aws:s3:::b/{i}" for i in range(60)])
    assert "exceeds 10000 action and resource pairs" in too_many
    # A document past the model's 131072 characters never reaches the simulator.
    huge = json.dumps({"Version": "2012-10-17", "Statement": [allow("s3:GetObject", "arn:aws:s3:::" + "b" * 140_000)]})
    err = error(iam.simulate_custom_policy, PolicyInputList=[huge], ActionNames=["s3:GetObject"])
    assert err["HTTPStatus"] == 400
