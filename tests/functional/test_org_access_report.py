"""The Organizations access report over boto3: services an OU's accounts used, with when and
which account's path; services SCPs deny are not accessible; only the management account asks."""

from __future__ import annotations

from typing import Any

from functional_helpers import as_creds, error, new_user
from org_helpers import Org

from iamd.testing import IamdServer

SCP = "SERVICE_CONTROL_POLICY"


def test_the_report_lists_what_the_ou_s_accounts_used(server: IamdServer, iam: Any) -> None:
    org = Org(server, SCP)
    ou = org.ou("dev")
    member = org.account("a", parent=ou)
    org.as_admin(member).list_users()
    org.as_admin(member, "sts").get_caller_identity()
    job = iam.generate_organizations_access_report(EntityPath=f"{org.id}/{org.root}/{ou}")["JobId"]
    out = iam.get_organizations_access_report(JobId=job, MaxItems=1000)
    assert out["JobStatus"] == "COMPLETED"
    used = {d["ServiceNamespace"]: d for d in out["AccessDetails"] if "LastAuthenticatedTime" in d}
    assert sorted(used) == ["iam", "sts"]
    assert used["iam"]["EntityPath"] == f"{org.id}/{org.root}/{ou}/{member}"
    assert used["iam"]["TotalAuthenticatedEntities"] == 1
    everything = out["NumberOfServicesAccessible"]
    assert out["NumberOfServicesNotAccessed"] == everything - 2
    # An SCP on the OU that denies s3 takes it out of what is accessible.
    org.policy("no-s3", {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}, attach=(ou,))
    job = iam.generate_organizations_access_report(EntityPath=f"{org.id}/{org.root}/{ou}")["JobId"]
    again = iam.get_organizations_access_report(JobId=job, SortKey="LAST_AUTHENTICATED_TIME_DESCENDING", MaxItems=2)
    assert again["NumberOfServicesAccessible"] == everything - 1 and again["IsTruncated"] is True
    assert {d["ServiceNamespace"] for d in again["AccessDetails"]} == {"iam", "sts"}


def test_errors_and_who_may_ask(server: IamdServer, iam: Any) -> None:
    assert error(iam.generate_organizations_access_report, EntityPath="o-aaaaaaaaaa/r-aaaa")["Code"] == "AccessDenied"
    org = Org(server, SCP)
    for bad in [f"o-zzzzzzzzzz/{org.root}", f"{org.id}/r-zzzz", f"{org.id}/{org.root}/ou-zzzz-zzzzzzzz"]:
        assert error(iam.generate_organizations_access_report, EntityPath=bad)["Code"] == "InvalidInput", bad
    assert error(iam.get_organizations_access_report, JobId="0" * 36)["Code"] == "NoSuchEntity"
    _, key = new_user(iam, "low")
    low = as_creds(server, "iam", key)
    denied = error(low.generate_organizations_access_report, EntityPath=f"{org.id}/{org.root}")
    assert denied["Code"] == "AccessDenied" and "iam:GenerateOrganizationsAccessReport" in denied["Message"]


def test_the_aws_cli_generates_and_reads_the_report(aws: Any, server: IamdServer) -> None:
    org = Org(server, SCP)
    member = org.account("b")
    org.as_admin(member).list_roles()
    job = aws("iam", "generate-organizations-access-report", "--entity-path", f"{org.id}/{org.root}/{member}")["JobId"]
    out = aws("iam", "get-organizations-access-report", "--job-id", job, "--sort-key",
              "LAST_AUTHENTICATED_TIME_DESCENDING")
    used = [d for d in out["AccessDetails"] if "LastAuthenticatedTime" in d]
    assert [(d["ServiceNamespace"], d["EntityPath"]) for d in used] == [("iam", f"{org.id}/{org.root}/{member}")]
