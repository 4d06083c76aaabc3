"""Organizations policies through boto3 and the aws CLI: SCPs and RCPs, their attachments, the
root's policy types, AWS's errors and quotas."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from org_policy_helpers import (
    FULL,
    MALFORMED,
    RCP,
    RCP_FULL,
    SCP,
    attached,
    code,
    create,
    fails,
    new_org,
    rcp,
    scp,
)
from validation_table import load_validation_cases

from iamd.testing import IamdServer

POLICY_ID = re.compile(r"p-[0-9a-z]{8}")


@pytest.fixture
def org(server: IamdServer) -> Any:
    return server.client("organizations")


def test_managed_policies_exist_and_enabling_scps_attaches_full_aws_access(org: Any, server: IamdServer) -> None:
    root_id = new_org(org)
    listed = org.list_policies(Filter=SCP)["Policies"]
    assert listed == [{
        "Id": FULL, "Arn": "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
        "Name": "FullAWSAccess", "Description": "Allows access to every operation", "Type": SCP, "AwsManaged": True,
    }]
    assert org.list_roots()["Roots"][0]["PolicyTypes"] == []
    assert org.list_targets_for_policy(PolicyId=FULL)["Targets"] == []
    assert code(org.attach_policy, PolicyId=FULL, TargetId=root_id) == ("PolicyTypeNotEnabledException", None)

    root = org.enable_policy_type(RootId=root_id, PolicyType=SCP)["Root"]
    assert root["Id"] == root_id and root["PolicyTypes"] == [{"Type": SCP, "Status": "ENABLED"}]
    assert org.list_roots()["Roots"][0]["PolicyTypes"] == [{"Type": SCP, "Status": "ENABLED"}]
    assert org.describe_organization()["Organization"]["AvailablePolicyTypes"] == [{"Type": SCP, "Status": "ENABLED"}]
    org_id = org.describe_organization()["Organization"]["Id"]
    targets = {t["TargetId"]: t for t in org.list_targets_for_policy(PolicyId=FULL)["Targets"]}
    assert targets[root_id] == {"TargetId": root_id, "Type": "ROOT", "Name": "Root",
                                "Arn": f"arn:aws:organizations::{server.account_id}:root/{org_id}/{root_id}"}
    mine = targets.pop(server.account_id)
    assert (mine["Type"], mine["Arn"]) == (
        "ACCOUNT", f"arn:aws:organizations::{server.account_id}:account/{org_id}/{server.account_id}")
    assert mine["Name"] and set(targets) == {root_id}
    described = org.describe_policy(PolicyId=FULL)["Policy"]
    assert json.loads(described["Content"]) == {
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    assert code(org.enable_policy_type, RootId=root_id, PolicyType=SCP) == ("PolicyTypeAlreadyEnabledException", None)


def test_create_describe_update_delete(org: Any, server: IamdServer) -> None:
    new_org(org, SCP)
    org_id = org.describe_organization()["Organization"]["Id"]
    made = org.create_policy(Name="DenyIam", Description="no IAM", Type=SCP, Content=scp())["Policy"]
    pid = made["PolicySummary"]["Id"]
    assert POLICY_ID.fullmatch(pid)
    assert made["PolicySummary"] == {
        "Id": pid, "Arn": f"arn:aws:organizations::{server.account_id}:policy/{org_id}/service_control_policy/{pid}",
        "Name": "DenyIam", "Description": "no IAM", "Type": SCP, "AwsManaged": False,
    }
    assert made["Content"] == scp()
    assert org.describe_policy(PolicyId=pid)["Policy"] == made
    assert code(org.create_policy, Name="denyiam", Description="", Type=SCP, Content=scp()) == (
        "DuplicatePolicyException", None)
    # The same name under another type is another namespace.
    create(org, "DenyIam", policy_type=RCP)

    other = create(org, "Other")
    assert code(org.update_policy, PolicyId=other, Name="DENYIAM") == ("DuplicatePolicyException", None)
    new_content = scp({"Effect": "Deny", "Action": "s3:*", "Resource": "*"})
    updated = org.update_policy(PolicyId=pid, Name="DenyS3", Description="no S3", Content=new_content)["Policy"]
    assert (updated["PolicySummary"]["Name"], updated["PolicySummary"]["Description"], updated["Content"]) == (
        "DenyS3", "no S3", new_content)
    assert org.update_policy(PolicyId=pid)["Policy"] == updated  # nothing to change
    assert code(org.update_policy, PolicyId=pid, Content="{}") == ("MalformedPolicyDocumentException", None)
    assert org.describe_policy(PolicyId=pid)["Policy"]["Content"] == new_content

    names = {p["Name"] for p in org.list_policies(Filter=SCP)["Policies"]}
    assert names == {"FullAWSAccess", "DenyS3", "Other"}
    org.delete_policy(PolicyId=pid)
    assert code(org.describe_policy, PolicyId=pid) == ("PolicyNotFoundException", None)
    assert code(org.delete_policy, PolicyId=pid) == ("PolicyNotFoundException", None)
    assert code(org.update_policy, PolicyId="p-00000000", Name="x") == ("PolicyNotFoundException", None)


def test_attach_detach_list_and_their_errors(org: Any, server: IamdServer) -> None:
    root_id = new_org(org, SCP)
    me = server.account_id
    pid = create(org, "DenyIam")
    org.attach_policy(PolicyId=pid, TargetId=root_id)
    org.attach_policy(PolicyId=pid, TargetId=me)
    assert attached(org, root_id) == {FULL, pid} and attached(org, me) == {FULL, pid}
    assert {t["TargetId"] for t in org.list_targets_for_policy(PolicyId=pid)["Targets"]} == {root_id, me}
    assert code(org.attach_policy, PolicyId=pid, TargetId=root_id) == ("DuplicatePolicyAttachmentException", None)
    assert code(org.attach_policy, PolicyId="p-00000000", TargetId=root_id) == ("PolicyNotFoundException", None)
    assert code(org.attach_policy, PolicyId=pid, TargetId="r-zzzz") == ("TargetNotFoundException", None)
    assert code(org.attach_policy, PolicyId=pid, TargetId="999999999999") == ("TargetNotFoundException", None)
    assert code(org.attach_policy, PolicyId=pid, TargetId="ou-zzzz-zzzzzzzz") == ("TargetNotFoundException", None)
    assert code(org.list_policies_for_target, TargetId="999999999999", Filter=SCP) == (
        "TargetNotFoundException", None)
    assert code(org.delete_policy, PolicyId=pid) == ("PolicyInUseException", None)

    org.detach_policy(PolicyId=pid, TargetId=root_id)
    assert attached(org, root_id) == {FULL}
    assert code(org.detach_policy, PolicyId=pid, TargetId=root_id) == ("PolicyNotAttachedException", None)
    assert code(org.detach_policy, PolicyId=FULL, TargetId=root_id) == (
        "ConstraintViolationException", "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
    # FullAWSAccess itself may go once another SCP stays.
    org.detach_policy(PolicyId=FULL, TargetId=me)
    assert attached(org, me) == {pid}
    assert code(org.detach_policy, PolicyId=pid, TargetId=me) == (
        "ConstraintViolationException", "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
    org.attach_policy(PolicyId=FULL, TargetId=me)
    org.detach_policy(PolicyId=pid, TargetId=me)
    org.delete_policy(PolicyId=pid)


def test_ten_scps_and_five_rcps_per_target(org: Any) -> None:
    """"Quotas for AWS Organizations": 10 SCPs per root, OU or account since May 2026 (5 before),
    5 RCPs; the AWS managed policy takes a slot."""
    root_id = new_org(org, SCP, RCP)
    ids = [create(org, f"p{i}") for i in range(10)]
    for pid in ids[:9]:
        org.attach_policy(PolicyId=pid, TargetId=root_id)  # FullAWSAccess is the tenth
    assert code(org.attach_policy, PolicyId=ids[9], TargetId=root_id) == (
        "ConstraintViolationException", "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
    org.detach_policy(PolicyId=FULL, TargetId=root_id)
    org.attach_policy(PolicyId=ids[9], TargetId=root_id)
    assert len(attached(org, root_id)) == 10
    rcps = [create(org, f"r{i}", policy_type=RCP) for i in range(5)]
    for pid in rcps[:4]:
        org.attach_policy(PolicyId=pid, TargetId=root_id)
    assert code(org.attach_policy, PolicyId=rcps[4], TargetId=root_id) == (
        "ConstraintViolationException", "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")


def test_aws_managed_policies_are_immutable(org: Any) -> None:
    root_id = new_org(org, SCP, RCP)
    for managed in (FULL, RCP_FULL):
        assert code(org.update_policy, PolicyId=managed, Name="mine") == ("InvalidInputException", "IMMUTABLE_POLICY")
        assert code(org.delete_policy, PolicyId=managed) == ("InvalidInputException", "IMMUTABLE_POLICY")
    assert code(org.detach_policy, PolicyId=RCP_FULL, TargetId=root_id) == (
        "InvalidInputException", "NON_DETACHABLE_POLICY")
    assert attached(org, root_id, RCP) == {RCP_FULL}
    content = json.loads(org.describe_policy(PolicyId=RCP_FULL)["Policy"]["Content"])
    assert content["Statement"] == [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]


def test_rcps_attach_beside_rcp_full_aws_access(org: Any, server: IamdServer) -> None:
    root_id = new_org(org, RCP)
    pid = create(org, "OrgOnly", policy_type=RCP)
    org.attach_policy(PolicyId=pid, TargetId=server.account_id)
    assert attached(org, server.account_id, RCP) == {RCP_FULL, pid}
    assert attached(org, root_id, SCP) == set()  # SCPs were never enabled
    org.detach_policy(PolicyId=pid, TargetId=server.account_id)
    assert attached(org, server.account_id, RCP) == {RCP_FULL}


def test_disabling_a_type_detaches_its_policies_and_reenabling_restores_only_the_default(org: Any) -> None:
    root_id = new_org(org, SCP, RCP)
    pid = create(org, "DenyIam")
    org.attach_policy(PolicyId=pid, TargetId=root_id)
    root = org.disable_policy_type(RootId=root_id, PolicyType=SCP)["Root"]
    assert root["PolicyTypes"] == [{"Type": RCP, "Status": "ENABLED"}]
    assert org.list_targets_for_policy(PolicyId=pid)["Targets"] == []
    assert org.list_targets_for_policy(PolicyId=FULL)["Targets"] == []
    assert attached(org, root_id, RCP) == {RCP_FULL}  # the other type is untouched
    assert org.describe_policy(PolicyId=pid)["Policy"]["PolicySummary"]["Name"] == "DenyIam"  # not deleted
    assert code(org.disable_policy_type, RootId=root_id, PolicyType=SCP) == ("PolicyTypeNotEnabledException", None)
    org.enable_policy_type(RootId=root_id, PolicyType=SCP)
    assert attached(org, root_id) == {FULL}
    org.delete_policy(PolicyId=pid)


def test_root_and_type_errors(org: Any) -> None:
    root_id = new_org(org)
    assert code(org.enable_policy_type, RootId="r-zzzz", PolicyType=SCP) == ("RootNotFoundException", None)
    assert code(org.disable_policy_type, RootId="r-zzzz", PolicyType=SCP) == ("RootNotFoundException", None)
    for other in ("TAG_POLICY", "BACKUP_POLICY", "AISERVICES_OPT_OUT_POLICY"):
        assert code(org.enable_policy_type, RootId=root_id, PolicyType=other) == (
            "PolicyTypeNotAvailableForOrganizationException", None)
        assert code(org.create_policy, Name="t", Description="", Type=other, Content="{}") == (
            "PolicyTypeNotAvailableForOrganizationException", None)
        assert org.list_policies(Filter=other)["Policies"] == []


def test_consolidated_billing_organizations_have_no_policy_types(org: Any) -> None:
    org.create_organization(FeatureSet="CONSOLIDATED_BILLING")
    root_id = org.list_roots()["Roots"][0]["Id"]
    assert code(org.enable_policy_type, RootId=root_id, PolicyType=SCP) == (
        "PolicyTypeNotAvailableForOrganizationException", None)


def _padded(document: str, size: int) -> str:
    return document[:-1] + " " * (size - len(document)) + "}"


def test_content_size_counts_whitespace(org: Any) -> None:
    """10,240 characters per SCP (since May 2026), 5,120 per RCP, whitespace included."""
    new_org(org)
    create(org, "exactly-the-limit", _padded(scp(), 10240))
    create(org, "rcp-at-the-limit", _padded(rcp(), 5120), RCP)
    over = _padded(scp(), 10241)
    assert code(org.create_policy, Name="over", Description="", Type=SCP, Content=over) == (
        "ConstraintViolationException", "POLICY_CONTENT_LIMIT_EXCEEDED")
    assert code(org.create_policy, Name="over", Description="", Type=RCP, Content=_padded(rcp(), 5121)) == (
        "ConstraintViolationException", "POLICY_CONTENT_LIMIT_EXCEEDED")
    pid = create(org, "small")
    assert code(org.update_policy, PolicyId=pid, Content=over) == (
        "ConstraintViolationException", "POLICY_CONTENT_LIMIT_EXCEEDED")


@pytest.mark.parametrize("kind", ["scp", "rcp"])
def test_the_validation_table_on_create_policy(org: Any, kind: str) -> None:
    """Every SCP / RCP document of cases/validation.yaml: accepted, or refused with AWS's sentence."""
    new_org(org)
    policy_type = SCP if kind == "scp" else RCP
    mismatches = []
    for n, case in enumerate(load_validation_cases({kind})):
        params = {"Name": f"case{n}", "Description": "", "Type": policy_type, "Content": case.text}
        if case.valid:
            try:
                org.create_policy(**params)
            except Exception as err:  # noqa: BLE001 - recorded as a mismatch
                mismatches.append((case.name, "accepted", repr(err)))
        else:
            err = fails(org.create_policy, **params)
            if (err["Code"], err["Message"]) != ("MalformedPolicyDocumentException", MALFORMED):
                mismatches.append((case.name, "refused", err))
    assert mismatches == []


def test_pagination(org: Any) -> None:
    root_id = new_org(org, SCP)
    made = {create(org, f"p{i:02d}") for i in range(23)}
    first = org.list_policies(Filter=SCP, MaxResults=10)
    assert len(first["Policies"]) == 10 and first["NextToken"]
    pages = org.get_paginator("list_policies").paginate(Filter=SCP, PaginationConfig={"PageSize": 7})
    seen = [p["Id"] for page in pages for p in page["Policies"]]
    assert len(seen) == len(set(seen)) == 24 and set(seen) == made | {FULL}
    bad = fails(org.list_policies, Filter=SCP, NextToken=first["NextToken"][:-4] + "AAAA")
    assert (bad["Code"], bad["Reason"]) == ("InvalidInputException", "INVALID_NEXT_TOKEN")
    # A token of one listing is not a token of another.
    assert code(org.list_policies, Filter=RCP, NextToken=first["NextToken"]) == (
        "InvalidInputException", "INVALID_NEXT_TOKEN")
    for pid in list(made)[:4]:
        org.attach_policy(PolicyId=pid, TargetId=root_id)
    page1 = org.list_policies_for_target(TargetId=root_id, Filter=SCP, MaxResults=3)
    page2 = org.list_policies_for_target(TargetId=root_id, Filter=SCP, NextToken=page1["NextToken"])
    assert len(page1["Policies"]) + len(page2["Policies"]) == 5 and "NextToken" not in page2


def test_cli_end_to_end(aws: Any, server: IamdServer, tmp_path: Any) -> None:
    aws("organizations", "create-organization", "--feature-set", "ALL")
    root_id = aws("organizations", "list-roots")["Roots"][0]["Id"]
    enabled = aws("organizations", "enable-policy-type", "--root-id", root_id, "--policy-type", SCP)
    assert enabled["Root"]["PolicyTypes"] == [{"Type": SCP, "Status": "ENABLED"}]
    doc = tmp_path / "scp.json"
    doc.write_text(scp())
    made = aws("organizations", "create-policy", "--name", "DenyIam", "--description", "no IAM", "--type", SCP,
               "--content", f"file://{doc}")["Policy"]
    pid = made["PolicySummary"]["Id"]
    aws("organizations", "attach-policy", "--policy-id", pid, "--target-id", server.account_id)
    listed = aws("organizations", "list-policies-for-target", "--target-id", server.account_id, "--filter", SCP)
    assert {p["Id"] for p in listed["Policies"]} == {FULL, pid}
    targets = aws("organizations", "list-targets-for-policy", "--policy-id", pid)["Targets"]
    assert [t["TargetId"] for t in targets] == [server.account_id]
    assert aws("organizations", "describe-policy", "--policy-id", pid)["Policy"]["Content"] == scp()
    aws("organizations", "update-policy", "--policy-id", pid, "--name", "DenyIam2")
    assert {p["Name"] for p in aws("organizations", "list-policies", "--filter", SCP)["Policies"]} == {
        "FullAWSAccess", "DenyIam2"}
    aws("organizations", "detach-policy", "--policy-id", pid, "--target-id", server.account_id)
    aws("organizations", "delete-policy", "--policy-id", pid)
    gone = aws.run("organizations", "describe-policy", "--policy-id", pid, check=False)
    assert gone.returncode != 0 and "PolicyNotFoundException" in gone.stderr
    disabled = aws("organizations", "disable-policy-type", "--root-id", root_id, "--policy-type", SCP)
    assert disabled["Root"]["PolicyTypes"] == []


def test_tags_on_create_policy(org: Any) -> None:
    new_org(org)
    pid = create(org, "Tagged", Tags=[{"Key": "team", "Value": "sec"}])
    assert org.list_tags_for_resource(ResourceId=pid)["Tags"] == [{"Key": "team", "Value": "sec"}]
    assert code(org.create_policy, Name="dup-keys", Description="", Type=SCP, Content=scp(),
                Tags=[{"Key": "a", "Value": "1"}, {"Key": "A", "Value": "2"}]) == (
        "InvalidInputException", "DUPLICATE_TAG_KEY")
    assert "dup-keys" not in {p["Name"] for p in org.list_policies(Filter=SCP)["Policies"]}
    org.delete_policy(PolicyId=pid)
    assert code(org.list_tags_for_resource, ResourceId=pid) == ("TargetNotFoundException", None)
