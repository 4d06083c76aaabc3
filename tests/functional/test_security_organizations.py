"""How a member account's administrator might try to escape its SCPs, and how a principal of
another organization might reach a member's resources (docs/organizations.md, "Enforcement"):
every path ends in AWS's refusal.

- a role of its own account, assumed by the admin: the role's sessions are the account's
  principals, under the same SCPs;
- a GetFederationToken session of one of its users: the same;
- the member account's root user (an invited account keeps its root key): SCPs apply to root;
- leaving the organization: LeaveOrganization is an action the SCP can deny;
- touching the SCPs themselves: only the management account manages policies;
- another organization's principals, by a trust policy on aws:PrincipalOrgID and by an RCP.
"""

from __future__ import annotations

from typing import Any

import pytest
from functional_helpers import OTHER_ACCOUNT, allow, as_creds, denied, doc, error
from org_helpers import RCP, SCP, Org, deny, rcp_deny

from iamd.testing import IamdServer

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


@pytest.fixture
def org(server: IamdServer) -> Org:
    return Org(server, SCP)


def test_assuming_another_role_of_the_account_keeps_the_scps(org: Org, server: IamdServer) -> None:
    member = org.account("dev")
    admin = org.as_admin(member)
    trust = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{member}:root"}, "Action": "sts:AssumeRole"})
    admin.create_role(RoleName="escape", AssumeRolePolicyDocument=trust)
    admin.attach_role_policy(RoleName="escape", PolicyArn=ADMIN)
    org.policy("NoUsers", deny("iam:ListUsers"), attach=(org.root,))
    sts = as_creds(server, "sts", org.admin(member))
    escaped = sts.assume_role(RoleArn=f"arn:aws:iam::{member}:role/escape", RoleSessionName="escape")["Credentials"]
    denied(as_creds(server, "iam", escaped).list_users)


def test_a_federation_token_session_keeps_the_scps(org: Org, server: IamdServer) -> None:
    member = org.account("dev")
    admin = org.as_admin(member)
    admin.create_user(UserName="fed")
    admin.attach_user_policy(UserName="fed", PolicyArn=ADMIN)
    key = admin.create_access_key(UserName="fed")["AccessKey"]
    token = as_creds(server, "sts", key).get_federation_token(
        Name="escape", Policy=doc(allow("*"))
    )["Credentials"]
    trail = as_creds(server, "cloudtrail", token)
    trail.lookup_events(MaxResults=1)
    org.policy("NoTrail", deny("cloudtrail:*"), attach=(member,))
    denied(trail.lookup_events, MaxResults=1)


def test_the_member_cannot_detach_or_disable_its_scps(org: Org, server: IamdServer) -> None:
    member = org.account("dev")
    pid = org.policy("NoUsers", deny("iam:ListUsers"), attach=(member,))
    member_org = org.as_admin(member, "organizations")
    for call, kwargs in (
        (member_org.detach_policy, {"PolicyId": pid, "TargetId": member}),
        (member_org.disable_policy_type, {"RootId": org.root, "PolicyType": SCP}),
        (member_org.delete_policy, {"PolicyId": pid}),
        (member_org.update_policy, {"PolicyId": pid, "Content": doc(allow("*"))}),
    ):
        assert error(call, **kwargs)["HTTPStatus"] in (400, 403)
    denied(org.as_admin(member).list_users)


def test_leaving_the_organization_is_an_action_the_scp_denies(org: Org, server: IamdServer) -> None:
    member = org.account("dev")
    org.policy("Stay", deny(["organizations:LeaveOrganization", "iam:ListUsers"]), attach=(org.root,))
    denied(org.as_admin(member, "organizations").leave_organization)
    denied(org.as_admin(member).list_users)


def test_another_organization_is_kept_out_by_trust_and_rcp(server: IamdServer) -> None:
    org = Org(server, SCP, RCP)
    member = org.account("data")
    trust = doc({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
                 "Condition": {"StringEquals": {"aws:PrincipalOrgID": org.id}}})  # fmt: skip
    open_trust = doc({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"})
    member_iam = org.as_admin(member)
    member_iam.create_role(RoleName="org-only", AssumeRolePolicyDocument=trust)
    member_iam.create_role(RoleName="open", AssumeRolePolicyDocument=open_trust)
    org.policy("Perimeter", rcp_deny("sts:*", StringNotEqualsIfExists={"aws:PrincipalOrgID": org.id}),
               ptype=RCP, attach=(org.root,))  # fmt: skip
    # An account leaves and founds an organization of its own.
    other = org.account("rival")
    rival = org.admin(other)
    org.client.remove_account_from_organization(AccountId=other)
    as_creds(server, "organizations", rival).create_organization(FeatureSet="ALL")
    rival_sts = as_creds(server, "sts", rival)
    for role in ("org-only", "open"):
        message = denied(rival_sts.assume_role, RoleArn=f"arn:aws:iam::{member}:role/{role}", RoleSessionName="rival")
        assert "Perimeter" not in message and "resource control policy" not in message  # no reason cross-account


def test_the_root_user_of_an_invited_member_is_under_scps(two_accounts: tuple[IamdServer, dict[str, str]]) -> None:
    """An invited account keeps its root user and key: SCPs apply to it ("SCPs affect the root
    user of member accounts"), LeaveOrganization included; once allowed to leave, it is free."""
    srv, other_root = two_accounts
    mgmt = srv.client("organizations")
    mgmt.create_organization(FeatureSet="ALL")
    try:
        root_id = mgmt.list_roots()["Roots"][0]["Id"]
        mgmt.enable_policy_type(RootId=root_id, PolicyType=SCP)
        hs = mgmt.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": OTHER_ACCOUNT})["Handshake"]
        as_creds(srv, "organizations", other_root).accept_handshake(HandshakeId=hs["Id"])
        pid = mgmt.create_policy(Content=doc(deny(["iam:CreateUser", "organizations:LeaveOrganization"])),
                                 Description="", Name="RootToo", Type=SCP)["Policy"]["PolicySummary"]["Id"]  # fmt: skip
        mgmt.attach_policy(PolicyId=pid, TargetId=OTHER_ACCOUNT)
        root_iam = as_creds(srv, "iam", other_root)
        message = denied(root_iam.create_user, UserName="escape")
        assert f"arn:aws:iam::{OTHER_ACCOUNT}:root is not authorized" in message
        assert "with an explicit deny in a service control policy" in message
        denied(as_creds(srv, "organizations", other_root).leave_organization)
        mgmt.detach_policy(PolicyId=pid, TargetId=OTHER_ACCOUNT)
        as_creds(srv, "organizations", other_root).leave_organization()
        root_iam.create_user(UserName="free")
        root_iam.delete_user(UserName="free")
    finally:
        if error_free(mgmt.list_accounts):
            for account in mgmt.list_accounts()["Accounts"]:
                if account["Id"] == OTHER_ACCOUNT:
                    mgmt.remove_account_from_organization(AccountId=OTHER_ACCOUNT)
        mgmt.delete_organization()


def error_free(call: Any) -> bool:
    try:
        call()
    except Exception:  # noqa: BLE001 - only whether it answered
        return False
    return True


def test_a_service_linked_role_is_exempt_but_no_member_can_use_it(org: Org, server: IamdServer) -> None:
    """"SCPs don't affect service-linked roles": the simulator decides the member's
    service-linked role without its account's SCPs (no OrganizationsDecisionDetail, while an
    ordinary role of the account gets one) — and the member's admin can neither assume it nor
    rewrite its trust policy to do so."""
    member = org.account("dev")
    admin = org.as_admin(member)
    role = admin.create_service_linked_role(AWSServiceName="config.amazonaws.com")["Role"]
    org.policy("NoRoles", deny("iam:ListRoles"), attach=(member,))
    ordinary = f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole"
    by_arn = {
        arn: admin.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["iam:ListRoles"])["EvaluationResults"][0]
        for arn in (role["Arn"], ordinary)
    }
    assert "OrganizationsDecisionDetail" not in by_arn[role["Arn"]]
    assert by_arn[ordinary]["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": False}
    trust = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{member}:root"}, "Action": "sts:AssumeRole"})
    err = error(admin.update_assume_role_policy, RoleName=role["RoleName"], PolicyDocument=trust)
    assert err["Code"] == "UnmodifiableEntity"
    denied(as_creds(server, "sts", org.admin(member)).assume_role, RoleArn=role["Arn"], RoleSessionName="slr")
