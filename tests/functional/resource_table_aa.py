"""The Access Analyzer rows of the security resource table (test_security_resource_table.py).

``AaWorld`` makes, on first use and as the account's root, an ACCOUNT analyzer ``main`` with an
archive rule ``rule``, a role trusting another account (so the analyzer has a finding and an
analyzed resource) and an access preview. Resources are written ``aa:analyzer/…``
(``full_arn``): ``arn:aws:access-analyzer:us-east-1:ACCOUNT:analyzer/…``, as the Service
Authorization Reference names them. ListFindingsV2 and GetFindingV2 are authorized as
access-analyzer:ListFindings / GetFinding ("ListFindings and ListFindingsV2 both use
access-analyzer:ListFindings"). The service-linked analyzer operations are not in the SAR's
table (AWS services call them): ``NOT_IN_SAR``, tested in test_access_analyzer_security.py.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any

from resource_table import Row, row

from iamd.testing import IamdServer

A = "access-analyzer:"
MAIN = "aa:analyzer/main"
NOT_IN_SAR = frozenset({A + "CreateServiceLinkedAnalyzer", A + "DeleteServiceLinkedAnalyzer"})
OUTSIDE = "arn:aws:iam::444455556666:root"
FILTER = {"principal.AWS": {"eq": ["444455556666"]}}


class AaWorld:
    def __init__(self, server: IamdServer) -> None:
        self.server = server
        self.client = server.client("accessanalyzer")

    @cached_property
    def arn(self) -> str:
        made = self.client.create_analyzer(analyzerName="main", type="ACCOUNT",
                                           archiveRules=[{"ruleName": "rule", "filter": FILTER}])
        return str(made["arn"])

    @cached_property
    def role_arn(self) -> str:
        trust = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": OUTSIDE}, "Action": "sts:AssumeRole"}]}
        made = self.server.client("iam").create_role(RoleName="shared", AssumeRolePolicyDocument=json.dumps(trust))
        return str(made["Role"]["Arn"])

    @cached_property
    def finding(self) -> str:
        assert self.role_arn
        return str(self.client.list_findings(analyzerArn=self.arn)["findings"][0]["id"])

    @cached_property
    def preview(self) -> str:
        made = self.client.create_access_preview(analyzerArn=self.arn, configurations={self.role_arn: {"iamRole": {}}})
        return str(made["id"])


    @cached_property
    def generation(self) -> dict[str, Any]:
        """StartPolicyGeneration's parameters for a user of the account, and a job it started."""
        account = self.server.account_id
        params = {"policyGenerationDetails": {"principalArn": f"arn:aws:iam::{account}:user/probe/prober"},
                  "cloudTrailDetails": {
                      "trails": [{"cloudTrailArn": f"arn:aws:cloudtrail:us-east-1:{account}:trail/t"}],
                      "accessRole": f"arn:aws:iam::{account}:role/none",
                      "startTime": datetime.now(UTC) - timedelta(hours=1)}}
        return {"params": params, "job": self.client.start_policy_generation(**params)["jobId"]}


def _arn(w: Any) -> dict[str, Any]:
    return {"analyzerArn": w.aa.arn}


def _named(w: Any) -> dict[str, Any]:
    assert w.aa.arn
    return {"analyzerName": "main"}


_CHECKED = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}]}'
_BUCKET_POLICY = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "123456789012"},'
                  ' "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"}]}')

AA_ROWS: list[Row] = [
    row(A + "CreateAnalyzer", lambda w: {"analyzerName": "probe", "type": "ACCOUNT"}, "aa:analyzer/probe"),
    row(A + "GetAnalyzer", _named, MAIN),
    row(A + "ListAnalyzers", lambda w: {}, "*"),
    row(A + "UpdateAnalyzer", _named, MAIN),
    row(A + "DeleteAnalyzer", _named, MAIN),
    row(A + "TagResource", lambda w: {"resourceArn": w.aa.arn, "tags": {"team": "sec"}}, MAIN),
    row(A + "UntagResource", lambda w: {"resourceArn": w.aa.arn, "tagKeys": ["team"]}, MAIN),
    row(A + "ListTagsForResource", lambda w: {"resourceArn": w.aa.arn}, MAIN),
    row(A + "CreateArchiveRule", lambda w: {**_named(w), "ruleName": "new", "filter": FILTER},
        MAIN + "/archive-rule/new"),
    row(A + "UpdateArchiveRule", lambda w: {**_named(w), "ruleName": "rule", "filter": FILTER},
        MAIN + "/archive-rule/rule"),
    row(A + "DeleteArchiveRule", lambda w: {**_named(w), "ruleName": "rule"}, MAIN + "/archive-rule/rule"),
    row(A + "GetArchiveRule", lambda w: {**_named(w), "ruleName": "rule"}, MAIN + "/archive-rule/rule"),
    row(A + "ListArchiveRules", _named, MAIN),
    row(A + "ApplyArchiveRule", lambda w: {**_arn(w), "ruleName": "rule"}, MAIN),
    row(A + "ListFindings", _arn, MAIN),
    row(A + "ListFindingsV2", _arn, also=((A + "ListFindings", MAIN),)),
    row(A + "GetFinding", lambda w: {**_arn(w), "id": w.aa.finding}, MAIN),
    row(A + "GetFindingV2", lambda w: {**_arn(w), "id": w.aa.finding}, also=((A + "GetFinding", MAIN),)),
    row(A + "UpdateFindings", lambda w: {**_arn(w), "ids": [w.aa.finding], "status": "ARCHIVED"}, MAIN),
    row(A + "GetFindingsStatistics", _arn, MAIN),
    row(A + "StartResourceScan", lambda w: {**_arn(w), "resourceArn": w.aa.role_arn}, MAIN),
    row(A + "GetAnalyzedResource", lambda w: {**_arn(w), "resourceArn": w.aa.role_arn}, MAIN),
    row(A + "ListAnalyzedResources", _arn, MAIN),
    row(A + "CreateAccessPreview", lambda w: {**_arn(w), "configurations": {w.aa.role_arn: {"iamRole": {}}}}, MAIN),
    row(A + "GetAccessPreview", lambda w: {**_arn(w), "accessPreviewId": w.aa.preview}, MAIN),
    row(A + "ListAccessPreviews", _arn, MAIN),
    row(A + "ListAccessPreviewFindings", lambda w: {**_arn(w), "accessPreviewId": w.aa.preview}, MAIN),
    row(A + "GenerateFindingRecommendation", lambda w: {**_arn(w), "id": w.aa.finding}, MAIN),
    row(A + "GetFindingRecommendation", lambda w: {**_arn(w), "id": w.aa.finding}, MAIN),
    row(A + "StartPolicyGeneration", lambda w: w.aa.generation["params"], "*"),
    row(A + "GetGeneratedPolicy", lambda w: {"jobId": w.aa.generation["job"]}, "*"),
    row(A + "ListPolicyGenerations", lambda w: {}, "*"),
    row(A + "CancelPolicyGeneration", lambda w: {"jobId": w.aa.generation["job"]}, "*"),
    # The custom policy checks read only the documents they are given: no resource type in the SAR.
    row(A + "CheckNoNewAccess", lambda w: {"newPolicyDocument": _CHECKED, "existingPolicyDocument": _CHECKED,
                                           "policyType": "IDENTITY_POLICY"}, "*"),
    row(A + "CheckAccessNotGranted", lambda w: {"policyDocument": _CHECKED, "policyType": "IDENTITY_POLICY",
                                                "access": [{"actions": ["iam:DeleteUser"]}]}, "*"),
    row(A + "CheckNoPublicAccess", lambda w: {"policyDocument": _BUCKET_POLICY,
                                              "resourceType": "AWS::S3::Bucket"}, "*"),
]


# IAM's last-accessed reports (services/iam/last_accessed.py): generated on the user, group, role
# or policy ``Arn`` names; read by job id (no resource type in the SAR).
U = "iam:"
ACCOUNT = "123456789012"


def _report_job(w: Any) -> str:
    return str(w.iam.generate_service_last_accessed_details(Arn=f"arn:aws:iam::{ACCOUNT}:user/team/{w.user}")["JobId"])


def _org_job(w: Any) -> str:
    return str(w.iam.generate_organizations_access_report(EntityPath=f"{w.org.org}/{w.org.root}")["JobId"])


LAST_ACCESSED_ROWS: list[Row] = [
    row(U + "GenerateServiceLastAccessedDetails", lambda w: {"Arn": f"arn:aws:iam::{ACCOUNT}:user/team/{w.user}"},
        "user/team/target"),
    row(U + "GenerateServiceLastAccessedDetails", lambda w: {"Arn": w.role_arn}, "role/team/app", case="role"),
    row(U + "GenerateServiceLastAccessedDetails", lambda w: {"Arn": f"arn:aws:iam::{ACCOUNT}:group/team/{w.group}"},
        "group/team/devs", case="group"),
    row(U + "GenerateServiceLastAccessedDetails", lambda w: {"Arn": w.policy}, "policy/team/pol", case="policy"),
    row(U + "GetServiceLastAccessedDetails", lambda w: {"JobId": _report_job(w)}, "*"),
    row(U + "GetServiceLastAccessedDetailsWithEntities", lambda w: {"JobId": _report_job(w), "ServiceNamespace": "iam"},
        "*"),
    row(U + "ListPoliciesGrantingServiceAccess", lambda w: {"Arn": f"arn:aws:iam::{ACCOUNT}:user/team/{w.user}",
                                                          "ServiceNamespaces": ["iam"]}, "user/team/target"),
    row(U + "ListPoliciesGrantingServiceAccess", lambda w: {"Arn": w.role_arn, "ServiceNamespaces": ["iam"]},
        "role/team/app", case="role"),
    row(U + "GenerateOrganizationsAccessReport", lambda w: {"EntityPath": f"{w.org.org}/{w.org.root}"},
        "access-report/{org}/{root}"),
    row(U + "GetOrganizationsAccessReport", lambda w: {"JobId": _org_job(w)}, "*"),
]
