"""Access Analyzer over the wire (boto3 and the aws CLI): analyzers, external-access findings of
role trust policies, their lifecycle, archive rules, access previews."""

from __future__ import annotations

import json
from typing import Any

import pytest
from org_helpers import Org

from iamd.testing import IamdServer

OUTSIDER = "444455556666"


def trust(principal: dict[str, Any], condition: dict[str, Any] | None = None, action: str = "sts:AssumeRole") -> str:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


@pytest.fixture
def aa(server: IamdServer) -> Any:
    return server.client("accessanalyzer")


def analyzer(aa: Any, kind: str = "ACCOUNT", name: str = "main") -> str:
    return str(aa.create_analyzer(analyzerName=name, type=kind)["arn"])


def findings(aa: Any, arn: str, **kw: Any) -> list[dict[str, Any]]:
    return list(aa.list_findings(analyzerArn=arn, **kw)["findings"])


def test_a_role_trusting_another_account_is_an_active_finding_then_resolved(aa: Any, iam: Any) -> None:
    arn = analyzer(aa)
    iam.create_role(RoleName="cross", AssumeRolePolicyDocument=trust({"AWS": f"arn:aws:iam::{OUTSIDER}:root"}))
    (found,) = findings(aa, arn)
    assert found["status"] == "ACTIVE" and found["principal"] == {"AWS": f"arn:aws:iam::{OUTSIDER}:root"}
    assert found["action"] == ["sts:AssumeRole"] and found["isPublic"] is False and found["condition"] == {}
    assert found["resource"].endswith(":role/cross") and found["resourceType"] == "AWS::IAM::Role"
    iam.update_assume_role_policy(RoleName="cross", PolicyDocument=trust({"Service": "ec2.amazonaws.com"}))
    (resolved,) = findings(aa, arn)
    assert (resolved["id"], resolved["status"]) == (found["id"], "RESOLVED")
    iam.update_assume_role_policy(RoleName="cross", PolicyDocument=trust({"AWS": f"arn:aws:iam::{OUTSIDER}:root"}))
    assert [(f["id"], f["status"]) for f in findings(aa, arn)] == [(found["id"], "ACTIVE")]


def test_deleting_the_role_resolves_its_finding(aa: Any, iam: Any) -> None:
    arn = analyzer(aa)
    iam.create_role(RoleName="gone", AssumeRolePolicyDocument=trust({"AWS": OUTSIDER}))
    assert [f["status"] for f in findings(aa, arn)] == ["ACTIVE"]
    iam.delete_role(RoleName="gone")
    assert [f["status"] for f in findings(aa, arn)] == ["RESOLVED"]
    assert aa.list_analyzed_resources(analyzerArn=arn)["analyzedResources"] == []


def test_public_trust_is_public(aa: Any, iam: Any) -> None:
    iam.create_role(RoleName="open", AssumeRolePolicyDocument=trust({"AWS": "*"}))
    arn = analyzer(aa)  # existing roles are analysed on creation
    (found,) = findings(aa, arn)
    assert found["isPublic"] is True and found["principal"] == {"AWS": "*"}
    stats = aa.get_findings_statistics(analyzerArn=arn)["findingsStatistics"][0]["externalAccessFindingsStatistics"]
    assert stats["totalActiveFindings"] == 1
    assert stats["resourceTypeStatistics"]["AWS::IAM::Role"]["totalActivePublic"] == 1


def test_own_account_and_services_are_no_finding(aa: Any, iam: Any, server: IamdServer) -> None:
    arn = analyzer(aa)
    iam.create_role(RoleName="mine", AssumeRolePolicyDocument=trust({"AWS": server.account_id}))
    iam.create_role(RoleName="svc", AssumeRolePolicyDocument=trust({"Service": "lambda.amazonaws.com"}))
    assert findings(aa, arn) == []
    assert len(aa.list_analyzed_resources(analyzerArn=arn)["analyzedResources"]) == 2


def test_conditions_that_cannot_be_decided_are_reported(aa: Any, iam: Any) -> None:
    arn = analyzer(aa)
    iam.create_role(RoleName="vendor", AssumeRolePolicyDocument=trust(
        {"AWS": OUTSIDER}, {"StringEquals": {"sts:ExternalId": "s3cret"}}))
    (found,) = findings(aa, arn)
    assert found["condition"] == {"sts:ExternalId": "s3cret"}


def test_federated_principal(aa: Any, iam: Any) -> None:
    arn = analyzer(aa)
    iam.create_role(RoleName="web", AssumeRolePolicyDocument=trust(
        {"Federated": "cognito-identity.amazonaws.com"},
        {"StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:pool"}}, "sts:AssumeRoleWithWebIdentity"))
    (found,) = findings(aa, arn)
    assert found["principal"] == {"Federated": "cognito-identity.amazonaws.com"}
    assert found["action"] == ["sts:AssumeRoleWithWebIdentity"]


def test_principal_org_id_limits_to_the_organization(aa: Any, iam: Any, server: IamdServer) -> None:
    org = Org(server)
    account_arn = analyzer(aa, "ACCOUNT", "acct")
    org_arn = analyzer(aa, "ORGANIZATION", "org")
    iam.create_role(RoleName="orgwide", AssumeRolePolicyDocument=trust(
        {"AWS": "*"}, {"StringEquals": {"aws:PrincipalOrgID": org.id}}))
    assert findings(aa, org_arn) == []
    (found,) = findings(aa, account_arn, filter={"resource": {"contains": [":role/orgwide"]}})
    assert found["condition"] == {"aws:PrincipalOrgID": org.id} and found["isPublic"] is False


def test_member_accounts_are_inside_an_organization_zone(aa: Any, iam: Any, server: IamdServer) -> None:
    org = Org(server)
    member = org.account("member")
    org_arn = analyzer(aa, "ORGANIZATION", "org")
    account_arn = analyzer(aa, "ACCOUNT", "acct")
    iam.create_role(RoleName="tomember", AssumeRolePolicyDocument=trust({"AWS": member}))
    assert findings(aa, org_arn) == []
    assert [f["principal"] for f in findings(aa, account_arn)] == [{"AWS": member}]
    # A member's role trusting an outsider is the organization analyzer's finding too.
    org.as_admin(member).create_role(RoleName="out", AssumeRolePolicyDocument=trust({"AWS": OUTSIDER}))
    assert [f["resourceOwnerAccount"] for f in findings(aa, org_arn)] == [member]


def test_archive_rules_archive_new_and_existing_findings(aa: Any, iam: Any) -> None:
    arn = analyzer(aa)
    iam.create_role(RoleName="before", AssumeRolePolicyDocument=trust({"AWS": OUTSIDER}))
    rule = {"principal.AWS": {"eq": [OUTSIDER]}}
    aa.create_archive_rule(analyzerName="main", ruleName="known", filter=rule)
    assert [f["status"] for f in findings(aa, arn)] == ["ACTIVE"]  # a new rule archives new findings
    iam.create_role(RoleName="after", AssumeRolePolicyDocument=trust({"AWS": OUTSIDER}))
    statuses = {f["resource"].rsplit("/", 1)[1]: f["status"] for f in findings(aa, arn)}
    assert statuses == {"before": "ACTIVE", "after": "ARCHIVED"}
    aa.apply_archive_rule(analyzerArn=arn, ruleName="known")
    assert {f["status"] for f in findings(aa, arn)} == {"ARCHIVED"}
    assert findings(aa, arn, filter={"status": {"eq": ["ACTIVE"]}}) == []
    rules = aa.list_archive_rules(analyzerName="main")["archiveRules"]
    assert [(r["ruleName"], r["filter"]) for r in rules] == [("known", {"principal.AWS": {"eq": [OUTSIDER]}})]


def test_update_findings_and_v2(aa: Any, iam: Any) -> None:
    arn = analyzer(aa)
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust({"AWS": OUTSIDER}))
    (found,) = findings(aa, arn)
    aa.update_findings(analyzerArn=arn, ids=[found["id"]], status="ARCHIVED")
    assert aa.get_finding(analyzerArn=arn, id=found["id"])["finding"]["status"] == "ARCHIVED"
    aa.update_findings(analyzerArn=arn, resourceArn=found["resource"], status="ACTIVE")
    v2 = aa.get_finding_v2(analyzerArn=arn, id=found["id"])
    assert v2["status"] == "ACTIVE" and v2["findingType"] == "ExternalAccess"
    assert v2["findingDetails"][0]["externalAccessDetails"]["principal"] == {"AWS": OUTSIDER}
    assert [f["findingType"] for f in aa.list_findings_v2(analyzerArn=arn)["findings"]] == ["ExternalAccess"]


def test_sort_and_pages(aa: Any, iam: Any) -> None:
    arn = analyzer(aa)
    for name in ("b", "a", "c"):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust({"AWS": OUTSIDER}))
    pages = aa.get_paginator("list_findings").paginate(
        analyzerArn=arn, sort={"attributeName": "resource", "orderBy": "DESC"}, PaginationConfig={"PageSize": 2})
    names = [f["resource"].rsplit("/", 1)[1] for p in pages for f in p["findings"]]
    assert names == ["c", "b", "a"]


def test_start_resource_scan_and_analyzed_resource(aa: Any, iam: Any) -> None:
    arn = analyzer(aa)
    role = iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust({"AWS": "*"}))["Role"]["Arn"]
    aa.start_resource_scan(analyzerArn=arn, resourceArn=role)
    resource = aa.get_analyzed_resource(analyzerArn=arn, resourceArn=role)["resource"]
    assert resource["isPublic"] is True and resource["actions"] == ["sts:AssumeRole"] and resource["status"] == "ACTIVE"
    assert aa.get_analyzer(analyzerName="main")["analyzer"]["lastResourceAnalyzed"] == role


def test_access_preview_of_a_proposed_trust_policy(aa: Any, iam: Any) -> None:
    arn = analyzer(aa)
    role = iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust({"AWS": OUTSIDER}))["Role"]["Arn"]
    proposed = trust({"AWS": "*"})
    preview = aa.create_access_preview(analyzerArn=arn, configurations={role: {"iamRole": {"trustPolicy": proposed}}})
    got = aa.get_access_preview(analyzerArn=arn, accessPreviewId=preview["id"])["accessPreview"]
    assert got["status"] == "COMPLETED"
    found = aa.list_access_preview_findings(analyzerArn=arn, accessPreviewId=preview["id"])["findings"]
    by_change = {(f["changeType"], f["status"]): f for f in found}
    assert by_change[("NEW", "ACTIVE")]["isPublic"] is True
    assert by_change[("CHANGED", "RESOLVED")]["principal"] == {"AWS": OUTSIDER}
    assert [p["id"] for p in aa.list_access_previews(analyzerArn=arn)["accessPreviews"]] == [preview["id"]]
    # Nothing changed: the role still trusts only the outsider.
    assert [f["principal"] for f in findings(aa, arn)] == [{"AWS": OUTSIDER}]


def test_unused_access_analyzers(aa: Any, iam: Any) -> None:
    arn = aa.create_analyzer(analyzerName="unused", type="ACCOUNT_UNUSED_ACCESS",
                             configuration={"unusedAccess": {"unusedAccessAge": 30}})["arn"]
    got = aa.get_analyzer(analyzerName="unused")["analyzer"]
    assert got["configuration"]["unusedAccess"]["unusedAccessAge"] == 30
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust({"AWS": OUTSIDER}))
    assert aa.list_findings_v2(analyzerArn=arn)["findings"] == []
    updated = aa.update_analyzer(analyzerName="unused", configuration={"unusedAccess": {"unusedAccessAge": 60}})
    assert updated["configuration"]["unusedAccess"]["unusedAccessAge"] == 60
    assert [a["type"] for a in aa.list_analyzers(type="ACCOUNT_UNUSED_ACCESS")["analyzers"]] == ["ACCOUNT_UNUSED_ACCESS"]


def test_analyzer_lifecycle_tags_and_errors(aa: Any, error_of: Any) -> None:
    arn = aa.create_analyzer(analyzerName="main", type="ACCOUNT", tags={"team": "sec"})["arn"]
    assert aa.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "sec"}
    aa.tag_resource(resourceArn=arn, tags={"env": "prod"})
    aa.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert aa.get_analyzer(analyzerName="main")["analyzer"]["tags"] == {"env": "prod"}
    assert error_of(aa.create_analyzer, analyzerName="main", type="ACCOUNT")["Code"] == "ConflictException"
    quota = error_of(aa.create_analyzer, analyzerName="second", type="ACCOUNT")
    assert quota["Code"] == "ServiceQuotaExceededException"
    organization = error_of(aa.create_analyzer, analyzerName="o", type="ORGANIZATION")
    assert organization["Code"] == "ValidationException"
    aa.delete_analyzer(analyzerName="main")
    missing = error_of(aa.get_analyzer, analyzerName="main")
    assert (missing["Code"], missing["HTTPStatus"]) == ("ResourceNotFoundException", 404)


def test_the_aws_cli(aws: Any, iam: Any) -> None:
    made = aws("accessanalyzer", "create-analyzer", "--analyzer-name", "cli", "--type", "ACCOUNT")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust({"AWS": OUTSIDER}))
    assert [a["name"] for a in aws("accessanalyzer", "list-analyzers")["analyzers"]] == ["cli"]
    listed = aws("accessanalyzer", "list-findings", "--analyzer-arn", made["arn"])
    assert [f["principal"] for f in listed["findings"]] == [{"AWS": OUTSIDER}]


def test_findings_on_postgresql(empty_pg_url: str) -> None:
    """The same lifecycle on the scale-out store (row locks, booleans, timestamps)."""
    with IamdServer(extra_args=["--db", empty_pg_url]) as srv:
        aa, iam = srv.client("accessanalyzer"), srv.client("iam")
        arn = analyzer(aa)
        iam.create_role(RoleName="cross", AssumeRolePolicyDocument=trust({"AWS": OUTSIDER}))
        aa.create_archive_rule(analyzerName="main", ruleName="public", filter={"isPublic": {"eq": ["true"]}})
        iam.create_role(RoleName="open", AssumeRolePolicyDocument=trust({"AWS": "*"}))
        statuses = {f["resource"].rsplit("/", 1)[1]: f["status"] for f in findings(aa, arn)}
        assert statuses == {"cross": "ACTIVE", "open": "ARCHIVED"}
        iam.delete_role(RoleName="cross")
        assert {f["status"] for f in findings(aa, arn, filter={"resource": {"contains": ["cross"]}})} == {"RESOLVED"}


def test_concurrent_readers_analyse_once(aa: Any, iam: Any, server: IamdServer) -> None:
    """Calls that all find the analyzer behind re-analyse under the account's lock: one finding
    per access, never a duplicate or a failed call."""
    from concurrent.futures import ThreadPoolExecutor

    arn = analyzer(aa)
    for i in range(5):
        iam.create_role(RoleName=f"r{i}", AssumeRolePolicyDocument=trust({"AWS": OUTSIDER}))
    clients = [server.client("accessanalyzer") for _ in range(6)]
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda c: len(c.list_findings(analyzerArn=arn)["findings"]), clients))
    assert results == [5] * 6
    assert len({f["id"] for f in findings(aa, arn)}) == 5
