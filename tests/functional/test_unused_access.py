"""Unused-access findings over the wire: a role never used and a key not used for the analyzer's
window are findings; a used role's unused services are UnusedPermission findings with a
recommendation; findings resolve once the access is used or removed. Time passes by the server's
controllable clock."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from functional_helpers import as_creds, new_user

from iamd.testing import IamdServer

DAY = 86_400
GRANT = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["iam:*", "sts:GetCallerIdentity", "organizations:Describe*"], "Resource": "*"}]}


@pytest.fixture
def aa(server: IamdServer) -> Iterator[Any]:
    yield server.client("accessanalyzer")
    server.set_clock_offset(0)


def trust(account: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "sts:AssumeRole"}]})


def by_type(aa: Any, arn: str) -> dict[tuple[str, str], dict[str, Any]]:
    found = aa.list_findings_v2(analyzerArn=arn)["findings"]
    out = {}
    for f in found:
        detail = aa.get_finding_v2(analyzerArn=arn, id=f["id"])["findingDetails"][0]
        key = f["resource"].rsplit("/", 1)[-1]
        if "unusedPermissionDetails" in detail:
            key += ":" + detail["unusedPermissionDetails"]["serviceNamespace"]
        out[(f["findingType"], key)] = {**f, "details": detail}
    return out


def setup(server: IamdServer, iam: Any, aa: Any) -> tuple[str, Any, dict[str, Any]]:
    """Roles ``idle`` (never used) and ``busy`` (granted iam, sts, organizations), a user
    ``keyholder`` with a key; two days pass; busy then calls iam and sts."""
    account = server.account_id
    arn = aa.create_analyzer(analyzerName="unused", type="ACCOUNT_UNUSED_ACCESS",
                             configuration={"unusedAccess": {"unusedAccessAge": 1}})["arn"]
    iam.create_role(RoleName="idle", AssumeRolePolicyDocument=trust(account))
    busy = iam.create_role(RoleName="busy", AssumeRolePolicyDocument=trust(account))["Role"]["Arn"]
    iam.put_role_policy(RoleName="busy", PolicyName="grant", PolicyDocument=json.dumps(GRANT))
    iam.create_user(UserName="keyholder")
    held = iam.create_access_key(UserName="keyholder")["AccessKey"]
    _, key = new_user(iam, "assumer", {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})
    server.set_clock_offset(2 * DAY)
    sts = as_creds(server, "sts", key)
    creds = sts.assume_role(RoleArn=busy, RoleSessionName="work")["Credentials"]
    as_creds(server, "iam", creds).list_users()
    as_creds(server, "sts", creds).get_caller_identity()
    return arn, sts, held


def test_unused_role_key_and_permissions_are_findings(server: IamdServer, iam: Any, aa: Any) -> None:
    arn, _, held = setup(server, iam, aa)
    found = by_type(aa, arn)
    assert ("UnusedIAMRole", "idle") in found and ("UnusedIAMRole", "busy") not in found
    role = found[("UnusedIAMRole", "idle")]
    assert role["status"] == "ACTIVE" and role["resourceType"] == "AWS::IAM::Role"
    assert role["details"] == {"unusedIamRoleDetails": {}}
    key = found[("UnusedIAMUserAccessKey", "keyholder")]
    assert key["details"]["unusedIamUserAccessKeyDetails"]["accessKeyId"] == held["AccessKeyId"]
    assert key["resourceType"] == "AWS::IAM::User"
    unused = sorted(k[1] for k in found if k[0] == "UnusedPermission" and k[1].startswith("busy:"))
    assert unused == ["busy:organizations"]  # iam and sts were called
    detail = found[("UnusedPermission", "busy:organizations")]["details"]["unusedPermissionDetails"]
    assert {a["action"] for a in detail["actions"]} >= {"DescribeOrganization", "DescribeAccount"}
    # The assumer's key and its one permission were used: nothing about them.
    assert not [k for k in found if k[1].startswith("assumer")]
    stats = aa.get_findings_statistics(analyzerArn=arn)["findingsStatistics"][0]["unusedAccessFindingsStatistics"]
    assert stats["totalActiveFindings"] == len(found)


def test_findings_resolve_once_the_access_is_used_or_removed(server: IamdServer, iam: Any, aa: Any) -> None:
    arn, sts, held = setup(server, iam, aa)
    found = by_type(aa, arn)
    idle_id = found[("UnusedIAMRole", "idle")]["id"]
    key_id = found[("UnusedIAMUserAccessKey", "keyholder")]["id"]
    perm_id = found[("UnusedPermission", "busy:organizations")]["id"]
    sts.assume_role(RoleArn=f"arn:aws:iam::{server.account_id}:role/idle", RoleSessionName="wake")
    iam.delete_access_key(UserName="keyholder", AccessKeyId=held["AccessKeyId"])
    iam.put_role_policy(RoleName="busy", PolicyName="grant", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["iam:*", "sts:GetCallerIdentity"],
                                                "Resource": "*"}]}))
    statuses = {f["id"]: f["status"] for f in aa.list_findings_v2(analyzerArn=arn)["findings"]}
    assert (statuses[idle_id], statuses[key_id], statuses[perm_id]) == ("RESOLVED", "RESOLVED", "RESOLVED")


def test_the_recommendation_removes_the_unused_service(server: IamdServer, iam: Any, aa: Any) -> None:
    arn, _, _ = setup(server, iam, aa)
    finding = by_type(aa, arn)[("UnusedPermission", "busy:organizations")]
    aa.generate_finding_recommendation(analyzerArn=arn, id=finding["id"])
    out = aa.get_finding_recommendation(analyzerArn=arn, id=finding["id"])
    assert out["status"] == "SUCCEEDED" and out["recommendationType"] == "UnusedPermissionRecommendation"
    assert out["resourceArn"].endswith(":role/busy")
    (step,) = [s["unusedPermissionsRecommendedStep"] for s in out["recommendedSteps"]]
    assert step["recommendedAction"] == "CREATE_POLICY" and step["existingPolicyId"] == "grant"
    policy = json.loads(step["recommendedPolicy"])
    assert policy["Statement"][0]["Action"] == ["iam:*", "sts:GetCallerIdentity"]
    results = iam.simulate_custom_policy(PolicyInputList=[step["recommendedPolicy"]],
                                         ActionNames=["iam:ListUsers", "organizations:DescribeOrganization"])
    assert [r["EvalDecision"] for r in results["EvaluationResults"]] == ["allowed", "implicitDeny"]


def test_the_aws_cli_lists_unused_findings(aws: Any, server: IamdServer, iam: Any, aa: Any) -> None:
    arn, _, _ = setup(server, iam, aa)
    out = aws("accessanalyzer", "list-findings-v2", "--analyzer-arn", arn)
    assert {"UnusedIAMRole", "UnusedIAMUserAccessKey", "UnusedPermission"} <= {f["findingType"] for f in out["findings"]}
