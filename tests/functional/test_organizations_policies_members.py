"""Policies across the tree: OUs and member accounts get the AWS managed defaults, policies attach
to OUs, and a member account — even its administrator — cannot touch the policies that bind it."""

from __future__ import annotations

from typing import Any

import pytest
from functional_helpers import OTHER_ACCOUNT, as_creds, new_user
from org_policy_helpers import FULL, RCP, RCP_FULL, SCP, attached, code, create, new_org

from iamd.testing import IamdServer


@pytest.fixture
def org(server: IamdServer) -> Any:
    return server.client("organizations")


def _account(org: Any, name: str) -> str:
    status = org.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]
    assert status["State"] == "SUCCEEDED", status
    return str(status["AccountId"])


def _member_admin(server: IamdServer, account_id: str) -> Any:
    """An organizations client of the member account's administrator, entered as AWS documents it:
    a user of the management account assumes OrganizationAccountAccessRole."""
    _, ops = new_user(server.client("iam"), "ops", {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})
    creds = as_creds(server, "sts", ops).assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole", RoleSessionName="admin")["Credentials"]
    return as_creds(server, "organizations", creds)


def test_defaults_reach_every_ou_and_account_before_and_after_enabling(org: Any, server: IamdServer) -> None:
    root_id = new_org(org)
    ou_a = org.create_organizational_unit(ParentId=root_id, Name="a")["OrganizationalUnit"]["Id"]
    ou_b = org.create_organizational_unit(ParentId=ou_a, Name="b")["OrganizationalUnit"]["Id"]
    member = _account(org, "member")
    org.move_account(AccountId=member, SourceParentId=root_id, DestinationParentId=ou_b)
    org.enable_policy_type(RootId=root_id, PolicyType=SCP)
    everyone = {root_id, ou_a, ou_b, member, server.account_id}
    assert {t["TargetId"] for t in org.list_targets_for_policy(PolicyId=FULL)["Targets"]} == everyone

    org.enable_policy_type(RootId=root_id, PolicyType=RCP)
    later_ou = org.create_organizational_unit(ParentId=ou_a, Name="later")["OrganizationalUnit"]["Id"]
    later_account = _account(org, "later")
    for target in (later_ou, later_account):
        assert attached(org, target) == {FULL} and attached(org, target, RCP) == {RCP_FULL}
    assert {t["TargetId"] for t in org.list_targets_for_policy(PolicyId=RCP_FULL)["Targets"]} == (
        everyone | {later_ou, later_account})


def test_policies_attach_to_ous(org: Any) -> None:
    root_id = new_org(org, SCP)
    ou = org.create_organizational_unit(ParentId=root_id, Name="workloads")["OrganizationalUnit"]
    pid = create(org, "DenyIam")
    org.attach_policy(PolicyId=pid, TargetId=ou["Id"])
    assert org.list_targets_for_policy(PolicyId=pid)["Targets"] == [
        {"TargetId": ou["Id"], "Arn": ou["Arn"], "Name": "workloads", "Type": "ORGANIZATIONAL_UNIT"}]
    assert attached(org, ou["Id"]) == {FULL, pid}
    # A deleted OU takes its attachments with it.
    org.detach_policy(PolicyId=pid, TargetId=ou["Id"])
    org.attach_policy(PolicyId=pid, TargetId=ou["Id"])
    org.delete_organizational_unit(OrganizationalUnitId=ou["Id"])
    assert org.list_targets_for_policy(PolicyId=pid)["Targets"] == []
    org.delete_policy(PolicyId=pid)


def test_member_administrator_cannot_lift_its_own_guardrail(org: Any, server: IamdServer) -> None:
    """The escalation: an administrator of a member account detaching the Deny SCP that binds
    it. Only the management account manages policies; the member gets AccessDeniedException."""
    root_id = new_org(org, SCP)
    member = _account(org, "guarded")
    deny = create(org, "DenyOrganizations")
    org.attach_policy(PolicyId=deny, TargetId=member)
    admin = _member_admin(server, member)
    for call, kw in (
        (admin.detach_policy, {"PolicyId": deny, "TargetId": member}),
        (admin.detach_policy, {"PolicyId": FULL, "TargetId": member}),
        (admin.update_policy, {"PolicyId": deny, "Content": "{}"}),
        (admin.delete_policy, {"PolicyId": deny}),
        (admin.attach_policy, {"PolicyId": FULL, "TargetId": member}),
        (admin.create_policy, {"Name": "mine", "Description": "", "Type": SCP, "Content": "{}"}),
        (admin.disable_policy_type, {"RootId": root_id, "PolicyType": SCP}),
        (admin.describe_policy, {"PolicyId": deny}),
        (admin.list_policies, {"Filter": SCP}),
        (admin.list_policies_for_target, {"TargetId": member, "Filter": SCP}),
    ):
        assert code(call, **kw) == ("AccessDeniedException", None), call
    assert attached(org, member) == {FULL, deny}


def test_an_invited_account_gets_the_defaults(two_accounts: Any) -> None:
    srv, other_key = two_accounts
    mine, theirs = srv.client("organizations"), as_creds(srv, "organizations", other_key)
    root_id = new_org(mine, SCP, RCP)
    try:
        handshake = mine.invite_account_to_organization(Target={"Id": OTHER_ACCOUNT, "Type": "ACCOUNT"})["Handshake"]
        theirs.accept_handshake(HandshakeId=handshake["Id"])
        assert attached(mine, OTHER_ACCOUNT) == {FULL} and attached(mine, OTHER_ACCOUNT, RCP) == {RCP_FULL}
        assert code(theirs.detach_policy, PolicyId=FULL, TargetId=OTHER_ACCOUNT) == ("AccessDeniedException", None)
        mine.remove_account_from_organization(AccountId=OTHER_ACCOUNT)
        assert OTHER_ACCOUNT not in {t["TargetId"] for t in mine.list_targets_for_policy(PolicyId=FULL)["Targets"]}
        assert attached(mine, root_id) == {FULL}
    finally:
        mine.delete_organization()


def test_a_delegated_administrator_reads_but_does_not_change(org: Any, server: IamdServer) -> None:
    root_id = new_org(org, SCP)
    member = _account(org, "delegate")
    pid = create(org, "DenyIam")
    org.attach_policy(PolicyId=pid, TargetId=member)
    org.enable_aws_service_access(ServicePrincipal="config.amazonaws.com")
    org.register_delegated_administrator(AccountId=member, ServicePrincipal="config.amazonaws.com")
    delegate = _member_admin(server, member)
    assert delegate.describe_policy(PolicyId=pid)["Policy"]["PolicySummary"]["Name"] == "DenyIam"
    assert {p["Id"] for p in delegate.list_policies(Filter=SCP)["Policies"]} == {FULL, pid}
    assert attached(delegate, member) == {FULL, pid}
    assert {t["TargetId"] for t in delegate.list_targets_for_policy(PolicyId=pid)["Targets"]} == {member}
    assert code(delegate.detach_policy, PolicyId=pid, TargetId=member) == ("AccessDeniedException", None)
    assert code(delegate.disable_policy_type, RootId=root_id, PolicyType=SCP) == ("AccessDeniedException", None)


def test_managed_policies_cannot_be_tagged(org: Any) -> None:
    new_org(org, SCP)
    assert code(org.tag_resource, ResourceId=FULL, Tags=[{"Key": "k", "Value": "v"}]) == (
        "InvalidInputException", "IMMUTABLE_POLICY")
