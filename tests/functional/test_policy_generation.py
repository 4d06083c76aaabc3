"""Policy generation from iamd's trail over the wire (boto3 and the aws CLI): a role calls five
actions, the generated policy allows exactly those and the simulator agrees."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from functional_helpers import as_creds, new_user

from iamd.testing import IamdServer

CALLED = ["iam:GetAccountSummary", "iam:ListPolicies", "iam:ListRoles", "iam:ListUsers", "sts:GetCallerIdentity"]


@pytest.fixture
def aa(server: IamdServer) -> Any:
    return server.client("accessanalyzer")


def trail_details(account: str, start: datetime, **kw: Any) -> dict[str, Any]:
    return {"trails": [{"cloudTrailArn": f"arn:aws:cloudtrail:us-east-1:{account}:trail/main", "allRegions": True}],
            "accessRole": f"arn:aws:iam::{account}:role/reader", "startTime": start, **kw}


def assumer(server: IamdServer, iam: Any) -> Any:
    """STS acting as a user allowed sts:AssumeRole (root may not assume roles)."""
    try:
        key = iam.create_access_key(UserName="assumer")["AccessKey"]
    except iam.exceptions.NoSuchEntityException:
        _, key = new_user(iam, "assumer", {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})
    return as_creds(server, "sts", key)


def busy_role(server: IamdServer, iam: Any, sts: Any) -> tuple[str, str]:
    """A role allowed iam:* and sts:*, assumed and used for the five CALLED actions."""
    account = sts.get_caller_identity()["Account"]
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "sts:AssumeRole"}]}
    arn = iam.create_role(RoleName="busy", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.create_role(RoleName="reader", AssumeRolePolicyDocument=json.dumps(trust))
    iam.put_role_policy(RoleName="busy", PolicyName="wide", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["iam:*", "sts:*"], "Resource": "*"}]}))
    creds = assumer(server, iam).assume_role(RoleArn=arn, RoleSessionName="work")["Credentials"]
    role_iam, role_sts = as_creds(server, "iam", creds), as_creds(server, "sts", creds)
    role_iam.list_users()
    role_iam.list_roles()
    role_iam.get_account_summary()
    role_iam.list_policies()
    role_sts.get_caller_identity()
    role_iam.list_users()  # twice: still one action
    return account, arn


def test_generated_policy_allows_the_five_called_actions_and_the_simulator_agrees(
        server: IamdServer, aa: Any, iam: Any, sts: Any) -> None:
    account, arn = busy_role(server, iam, sts)
    start = datetime.now(UTC) - timedelta(hours=1)
    job = aa.start_policy_generation(policyGenerationDetails={"principalArn": arn},
                                     cloudTrailDetails=trail_details(account, start))["jobId"]
    out = aa.get_generated_policy(jobId=job)
    assert out["jobDetails"]["status"] == "SUCCEEDED" and out["jobDetails"]["jobId"] == job
    props = out["generatedPolicyResult"]["properties"]
    assert props["principalArn"] == arn and props["isComplete"] is True
    assert props["cloudTrailProperties"]["trailProperties"][0]["cloudTrailArn"].endswith(":trail/main")
    (policy,) = [json.loads(p["policy"]) for p in out["generatedPolicyResult"]["generatedPolicies"]]
    assert policy["Statement"] == [{"Sid": "SupportedServiceSid0", "Effect": "Allow", "Action": CALLED,
                                    "Resource": "*"}]
    document = json.dumps(policy)
    results = iam.simulate_custom_policy(PolicyInputList=[document], ActionNames=[*CALLED, "iam:CreateUser"])
    decisions = {r["EvalActionName"]: r["EvalDecision"] for r in results["EvaluationResults"]}
    assert decisions == {**dict.fromkeys(CALLED, "allowed"), "iam:CreateUser": "implicitDeny"}


def test_resource_placeholders_name_each_action_s_resource_types(server: IamdServer, aa: Any, iam: Any,
                                                                 sts: Any) -> None:
    account, arn = busy_role(server, iam, sts)
    job = aa.start_policy_generation(policyGenerationDetails={"principalArn": arn},
                                     cloudTrailDetails=trail_details(account, datetime.now(UTC) - timedelta(hours=1)))
    out = aa.get_generated_policy(jobId=job["jobId"], includeResourcePlaceholders=True)
    (policy,) = [json.loads(p["policy"]) for p in out["generatedPolicyResult"]["generatedPolicies"]]
    # None of the five actions acts on a resource type: all stay on "*".
    assert [s["Resource"] for s in policy["Statement"]] == ["*"]
    iam_role = as_creds(server, "iam", assumer(server, iam).assume_role(RoleArn=arn, RoleSessionName="again")["Credentials"])
    iam_role.get_role(RoleName="busy")
    job = aa.start_policy_generation(policyGenerationDetails={"principalArn": arn},
                                     cloudTrailDetails=trail_details(account, datetime.now(UTC) - timedelta(hours=1)))
    out = aa.get_generated_policy(jobId=job["jobId"], includeResourcePlaceholders=True)
    stmts = json.loads(out["generatedPolicyResult"]["generatedPolicies"][0]["policy"])["Statement"]
    scoped = [s for s in stmts if s["Resource"] != "*"]
    assert scoped == [{"Sid": "SupportedServiceSid1", "Effect": "Allow", "Action": ["iam:GetRole"],
                       "Resource": "arn:aws:iam::${Account}:role/${RoleNameWithPath}"}]


def test_a_window_before_the_calls_generates_no_policy_and_later_calls_are_not_seen(
        server: IamdServer, aa: Any, iam: Any, sts: Any) -> None:
    account, arn = busy_role(server, iam, sts)
    past = datetime.now(UTC) - timedelta(days=3)
    job = aa.start_policy_generation(policyGenerationDetails={"principalArn": arn},
                                     cloudTrailDetails=trail_details(account, past, endTime=past + timedelta(days=1)))
    assert aa.get_generated_policy(jobId=job["jobId"])["generatedPolicyResult"]["generatedPolicies"] == []


def test_missing_principal_and_unusable_access_role_fail_the_job_with_aws_job_errors(aa: Any, iam: Any,
                                                                                   sts: Any) -> None:
    account = sts.get_caller_identity()["Account"]
    start = datetime.now(UTC) - timedelta(hours=1)
    job = aa.start_policy_generation(policyGenerationDetails={"principalArn": f"arn:aws:iam::{account}:user/ghost"},
                                     cloudTrailDetails=trail_details(account, start))["jobId"]
    details = aa.get_generated_policy(jobId=job)["jobDetails"]
    assert details["status"] == "FAILED" and details["jobError"]["code"] == "RESOURCE_NOT_FOUND_ERROR"
    iam.create_user(UserName="u")
    job = aa.start_policy_generation(policyGenerationDetails={"principalArn": f"arn:aws:iam::{account}:user/u"},
                                     cloudTrailDetails=trail_details(account, start))["jobId"]
    assert aa.get_generated_policy(jobId=job)["jobDetails"]["jobError"]["code"] == "AUTHORIZATION_ERROR"


def test_list_cancel_and_client_token(aa: Any, iam: Any, sts: Any, error_of: Any) -> None:
    account = sts.get_caller_identity()["Account"]
    iam.create_user(UserName="u")
    arn = f"arn:aws:iam::{account}:user/u"
    start = datetime.now(UTC) - timedelta(hours=1)
    first = aa.start_policy_generation(policyGenerationDetails={"principalArn": arn}, clientToken="t1",
                                       cloudTrailDetails=trail_details(account, start))["jobId"]
    again = aa.start_policy_generation(policyGenerationDetails={"principalArn": arn}, clientToken="t1",
                                       cloudTrailDetails=trail_details(account, start))["jobId"]
    other = aa.start_policy_generation(policyGenerationDetails={"principalArn": arn},
                                       cloudTrailDetails=trail_details(account, start))["jobId"]
    assert first == again != other
    listed = aa.list_policy_generations(principalArn=arn)["policyGenerations"]
    assert sorted(j["jobId"] for j in listed) == sorted([first, other])
    assert all(j["principalArn"] == arn and j["status"] == "FAILED" for j in listed)
    page = aa.list_policy_generations(maxResults=1)
    assert len(page["policyGenerations"]) == 1 and "nextToken" in page
    rest = aa.list_policy_generations(maxResults=1, nextToken=page["nextToken"])["policyGenerations"]
    assert {page["policyGenerations"][0]["jobId"], rest[0]["jobId"]} == {first, other}
    assert error_of(aa.cancel_policy_generation, jobId=first)["Code"] == "ValidationException"


def test_the_aws_cli_starts_and_reads_a_generation(aws: Any, server: IamdServer, iam: Any, sts: Any) -> None:
    account, arn = busy_role(server, iam, sts)
    start = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    details = json.dumps(trail_details(account, start))  # type: ignore[arg-type]
    job = aws("accessanalyzer", "start-policy-generation", "--policy-generation-details",
              json.dumps({"principalArn": arn}), "--cloud-trail-details", details)["jobId"]
    out = aws("accessanalyzer", "get-generated-policy", "--job-id", job)
    (policy,) = out["generatedPolicyResult"]["generatedPolicies"]
    assert json.loads(policy["policy"])["Statement"][0]["Action"] == CALLED
    listed = aws("accessanalyzer", "list-policy-generations")["policyGenerations"]
    assert [j["jobId"] for j in listed] == [job]
