"""Black-box: the organization's resource-based delegation policy is enforced. A member account's
principal may call the delegable Organizations actions the policy allows it, when its own
identity policies allow them too (a cross-account request on the management account's
resources); conditions, Deny statements, non-delegable actions and changes of the policy hold
on the next request."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from functional_helpers import OTHER_ACCOUNT, allow, as_creds, denied, doc, new_user
from org_helpers import SCP, Org, deny, reason_of
from tools.reliability import races

from iamd.testing import IamdServer

VIEW = ["organizations:Describe*", "organizations:List*"]
MANAGE = ["organizations:CreatePolicy", "organizations:UpdatePolicy", "organizations:DeletePolicy",
          "organizations:AttachPolicy", "organizations:DetachPolicy", "organizations:DescribePolicy"]
TAG = "RESOURCE_CONTROL_POLICY"  # another type iamd serves


def statement(principal: str, actions: list[str], resource: Any = "*", effect: str = "Allow",
              **condition: Any) -> dict[str, Any]:
    st: dict[str, Any] = {"Effect": effect, "Principal": {"AWS": principal}, "Action": actions, "Resource": resource}
    if condition:
        st["Condition"] = condition
    return st


def scp_content(action: str = "s3:*") -> str:
    return doc({"Effect": "Deny", "Action": action, "Resource": "*"})


@pytest.fixture
def org(server: IamdServer) -> Org:
    return Org(server, SCP)


@pytest.fixture
def member(org: Org) -> str:
    return org.account("delegate")


def member_user(org: Org, account: str, name: str, *statements: dict[str, Any]) -> Any:
    """An Organizations client of a user made in the member account with these identity policies."""
    _, key = new_user(org.as_admin(account), name, *statements)
    return as_creds(org.server, "organizations", key)


def put(org: Org, *statements: dict[str, Any]) -> None:
    org.client.put_resource_policy(Content=json.dumps({"Version": "2012-10-17", "Statement": list(statements)}))


def scp_management(org: Org, account: str) -> dict[str, Any]:
    """AWS's example "Consolidated permissions to manage … policies", for SCPs."""
    base = f"arn:aws:organizations::{org.server.account_id}"
    return statement(f"arn:aws:iam::{account}:root", MANAGE, [
        f"{base}:root/{org.id}/{org.root}", f"{base}:ou/{org.id}/*", f"{base}:account/{org.id}/*",
        f"{base}:policy/{org.id}/service_control_policy/*"])


def test_a_delegated_member_reads_and_manages_scps(org: Org, member: str) -> None:
    ou = org.ou("workloads")
    put(org, statement(f"arn:aws:iam::{member}:root", VIEW), scp_management(org, member))
    client = member_user(org, member, "delegate", allow("organizations:*"))
    assert client.describe_organizational_unit(OrganizationalUnitId=ou)["OrganizationalUnit"]["Name"] == "workloads"
    assert {p["Id"] for p in client.list_policies(Filter=SCP)["Policies"]} == {"p-FullAWSAccess"}
    assert [r["Id"] for r in client.list_roots()["Roots"]] == [org.root]
    made = client.create_policy(Name="NoS3", Description="by the delegate", Type=SCP, Content=scp_content())
    policy_id = made["Policy"]["PolicySummary"]["Id"]
    client.attach_policy(PolicyId=policy_id, TargetId=ou)
    client.update_policy(PolicyId=policy_id, Description="changed")
    # The management account sees what the delegate did.
    assert org.client.describe_policy(PolicyId=policy_id)["Policy"]["PolicySummary"]["Description"] == "changed"
    assert [t["TargetId"] for t in org.client.list_targets_for_policy(PolicyId=policy_id)["Targets"]] == [ou]
    client.detach_policy(PolicyId=policy_id, TargetId=ou)
    client.delete_policy(PolicyId=policy_id)
    # Delegable, but not granted by this policy: an RCP's ARN is not among its resources.
    org.client.enable_policy_type(RootId=org.root, PolicyType=TAG)
    assert reason_of(client.create_policy, Name="t", Description="", Type=TAG, Content="{}")[0] == (
        "AccessDeniedException")


def test_a_role_session_of_the_member_is_delegated_too(org: Org, member: str) -> None:
    put(org, statement(member, VIEW))
    session = org.as_admin(member, "organizations")
    assert {a["Id"] for a in session.list_accounts()["Accounts"]} == {org.server.account_id, member}


def test_without_its_own_identity_policy_allow_it_is_refused(org: Org, member: str) -> None:
    put(org, statement(f"arn:aws:iam::{member}:root", VIEW))
    bare = member_user(org, member, "bare")
    message = denied(bare.list_roots)
    assert "organizations:ListRoots" in message
    partial = member_user(org, member, "partial", allow("organizations:ListRoots"))
    partial.list_roots()
    denied(partial.list_accounts)


def test_without_the_delegation_policy_it_is_refused(org: Org, member: str) -> None:
    client = member_user(org, member, "delegate", allow("organizations:*"))
    for call, kw in ((client.list_roots, {}), (client.list_policies, {"Filter": SCP}),
                     (client.create_policy, {"Name": "x", "Description": "", "Type": SCP, "Content": scp_content()})):
        assert reason_of(call, **kw)[0] == "AccessDeniedException"
    # A member's own operation needs no delegation.
    assert client.describe_organization()["Organization"]["Id"] == org.id


def test_a_change_or_a_delete_is_enforced_on_the_next_request(org: Org, member: str) -> None:
    client = member_user(org, member, "delegate", allow("organizations:*"))
    put(org, statement(member, VIEW))
    client.list_roots()  # cached with the policy
    put(org, statement(member, ["organizations:ListAccounts"]))
    client.list_accounts()
    assert reason_of(client.list_roots)[0] == "AccessDeniedException"
    org.client.delete_resource_policy()
    assert reason_of(client.list_accounts)[0] == "AccessDeniedException"


def test_only_the_principal_named_is_delegated(org: Org, member: str) -> None:
    other = org.account("other")
    named = member_user(org, member, "named", allow("organizations:*"))
    member_user(org, member, "unnamed", allow("organizations:*"))
    put(org, statement(f"arn:aws:iam::{member}:user/named", VIEW))
    named.list_roots()
    for client in (member_user(org, member, "second", allow("organizations:*")),
                   member_user(org, other, "elsewhere", allow("organizations:*"))):
        assert reason_of(client.list_roots)[0] == "AccessDeniedException"


def test_actions_that_cannot_be_delegated_stay_the_management_accounts(org: Org, member: str) -> None:
    put(org, statement(member, ["organizations:*"]))
    client = member_user(org, member, "delegate", allow("organizations:*"))
    client.list_roots()
    for call, kw in (
        (client.create_organizational_unit, {"ParentId": org.root, "Name": "mine"}),
        (client.put_resource_policy, {"Content": json.dumps({"Version": "2012-10-17", "Statement": [
            statement(member, ["organizations:*"])]})}),
        (client.delete_resource_policy, {}),
        (client.enable_aws_service_access, {"ServicePrincipal": "guardduty.amazonaws.com"}),
        (client.create_account, {"Email": "x@example.com", "AccountName": "x"}),
        (client.move_account, {"AccountId": member, "SourceParentId": org.root, "DestinationParentId": org.root}),
    ):
        assert reason_of(call, **kw)[0] == "AccessDeniedException", call
    assert [o["Name"] for o in org.client.list_organizational_units_for_parent(ParentId=org.root)[
        "OrganizationalUnits"]] == []


def test_conditions_are_honoured(org: Org, member: str) -> None:
    org.client.enable_policy_type(RootId=org.root, PolicyType=TAG)
    principal = f"arn:aws:iam::{member}:root"
    put(org,
        statement(principal, ["organizations:ListPolicies", "organizations:CreatePolicy"],
                  StringEquals={"organizations:PolicyType": SCP}),
        statement(principal, ["organizations:ListRoots"], Bool={"aws:SecureTransport": "true"}))
    client = member_user(org, member, "delegate", allow("organizations:*"))
    client.list_policies(Filter=SCP)
    assert reason_of(client.list_policies, Filter=TAG)[0] == "AccessDeniedException"
    client.create_policy(Name="scp", Description="", Type=SCP, Content=scp_content())
    assert reason_of(client.create_policy, Name="tag", Description="", Type=TAG, Content="{}")[0] == (
        "AccessDeniedException")
    assert reason_of(client.list_roots)[0] == "AccessDeniedException"  # plain HTTP to the test server
    # The caller's identity policy may narrow it with the same keys.
    narrow = member_user(org, member, "narrow", allow("organizations:ListPolicies", **{
        "StringEquals": {"organizations:PolicyType": TAG}}))
    assert reason_of(narrow.list_policies, Filter=SCP)[0] == "AccessDeniedException"


def test_a_deny_refuses_whatever_else_allows(org: Org, member: str) -> None:
    principal = f"arn:aws:iam::{member}:root"
    put(org, statement(principal, VIEW),
        statement(principal, ["organizations:ListRoots", "organizations:DescribeOrganization"], effect="Deny"))
    client = member_user(org, member, "delegate", allow("organizations:*"))
    client.list_accounts()
    # A cross-account denial names no reason (the resource's policy is the other account's).
    assert "organizations:ListRoots on resource: *" in denied(client.list_roots)
    # The member's own DescribeOrganization too: the management account denied it.
    denied(client.describe_organization)
    # The member account's SCPs limit what is delegated to it, as any of its requests.
    org.client.delete_resource_policy()
    put(org, statement(principal, VIEW))
    org.policy("NoAccounts", deny("organizations:ListAccounts"), attach=(member,))
    client.list_roots()
    denied(client.list_accounts)


def test_a_delegated_administrator_keeps_its_reads(org: Org, member: str) -> None:
    org.client.enable_aws_service_access(ServicePrincipal="guardduty.amazonaws.com")
    org.client.register_delegated_administrator(AccountId=member, ServicePrincipal="guardduty.amazonaws.com")
    put(org, statement(member, ["organizations:CreatePolicy"]))
    client = member_user(org, member, "delegate", allow("organizations:*"))
    client.list_roots()  # a delegated administrator's read, not granted by the policy
    client.create_policy(Name="scp", Description="", Type=SCP, Content=scp_content())
    assert reason_of(client.update_policy, PolicyId="p-FullAWSAccess", Description="x")[0] == (
        "AccessDeniedException")


def test_an_account_outside_the_organization_gets_nothing(two_accounts: Any) -> None:
    srv, other_key = two_accounts
    own = srv.client("organizations")
    own.create_organization(FeatureSet="ALL")
    try:
        # Naming an account that is not a member is accepted, as an account id ("INVALID_PRINCIPAL"
        # is for principals that are not accounts); it grants nothing while it is not one.
        own.put_resource_policy(Content=json.dumps({"Version": "2012-10-17", "Statement": [
            statement(OTHER_ACCOUNT, ["organizations:*"])]}))
        outsider = as_creds(srv, "organizations", other_key)
        for call in (outsider.list_roots, outsider.list_accounts, outsider.describe_resource_policy):
            assert reason_of(call)[0] == "AWSOrganizationsNotInUseException"
        outsider.create_organization(FeatureSet="ALL")
        try:
            theirs = outsider.list_roots()["Roots"][0]["Arn"]
            assert f"::{OTHER_ACCOUNT}:" in theirs
            assert reason_of(outsider.describe_resource_policy)[0] == "ResourcePolicyNotFoundException"
        finally:
            outsider.delete_organization()
    finally:
        own.delete_resource_policy()
        own.delete_organization()


def test_two_servers_on_one_postgresql_enforce_each_others_changes(empty_pg_url: str, tmp_path: Path) -> None:
    """Each server caches the member's placement (and its delegation policy) under the account's
    generation; a Put or Delete on one moves it, so the other's very next request decides anew."""
    with races.serve_pair(tmp_path / "data", empty_pg_url, log_dir=tmp_path) as (first, second):
        org = Org(first, SCP)
        member = org.account("delegate")
        _, key = new_user(org.as_admin(member), "delegate", allow("organizations:*"))
        on_first, on_second = (as_creds(s, "organizations", key) for s in (first, second))
        assert reason_of(on_second.list_roots)[0] == "AccessDeniedException"  # cached without a policy
        put(org, statement(member, VIEW))
        on_second.list_roots()
        on_first.list_roots()
        as_creds(second, "organizations", org.operator).delete_resource_policy()
        assert reason_of(on_first.list_roots)[0] == "AccessDeniedException"
        assert reason_of(on_second.list_roots)[0] == "AccessDeniedException"
        as_creds(second, "organizations", org.operator).put_resource_policy(Content=json.dumps({
            "Version": "2012-10-17", "Statement": [statement(member, ["organizations:ListRoots"])]}))
        on_first.list_roots()
        assert reason_of(on_first.list_accounts)[0] == "AccessDeniedException"
    for log in ("first.log", "second.log"):
        text = (tmp_path / log).read_text()
        assert not re.search(r"iamd\.api request \S+ failed", text), text[-4000:]
