"""SCPs and RCPs in every authorization, end to end with boto3 against ``iamd serve`` (issue 11,
"How it is checked"): what an SCP at the root, an OU or the account does to a member account's
administrator, and not to the management account; RCPs on a member account's role; the
organization's condition keys; a change enforced on the next request."""

from __future__ import annotations

from typing import Any

import pytest
from functional_helpers import allow, as_creds, denied, doc
from org_helpers import FULL_AWS_ACCESS, RCP, SCP, Org, deny, rcp_deny

from iamd.testing import IamdServer


@pytest.fixture
def org(server: IamdServer) -> Org:
    return Org(server, SCP)


def test_an_scp_denying_iam_at_the_root_stops_a_member_admin_not_the_management_account(
    org: Org, iam: Any
) -> None:
    member = org.account("dev")
    admin = org.as_admin(member)
    admin.list_roles()
    pid = org.policy("NoIAM", deny("iam:*"), attach=(org.root,))
    message = denied(admin.list_roles)
    assert f"is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::{member}:role/ " in message
    assert f"with an explicit deny in a service control policy: {org.arn(pid)}" in message
    iam.list_roles()  # the management account is not affected by SCPs


def test_an_allow_list_leaves_everything_else_implicitly_denied(org: Org) -> None:
    member = org.account("dev")
    admin = org.as_admin(member)
    only_s3 = org.policy("OnlyS3", allow("s3:*"))
    org.client.attach_policy(PolicyId=only_s3, TargetId=member)
    org.client.detach_policy(PolicyId=FULL_AWS_ACCESS, TargetId=member)
    message = denied(admin.list_users)
    assert message.endswith("because no service control policy allows the iam:ListUsers action") or (
        "because no service control policy allows the iam:ListUsers action. Encoded" in message
    )


def test_inheritance_through_two_ou_levels(org: Org) -> None:
    outer = org.ou("outer")
    inner = org.ou("inner", outer)
    member = org.account("dev", inner)
    admin = org.as_admin(member)
    admin.list_users()
    pid = org.policy("NoUsers", deny("iam:ListUsers"), attach=(outer,))
    assert org.arn(pid) in denied(admin.list_users)
    admin.list_roles()  # only what the OU's SCP denies
    org.client.detach_policy(PolicyId=pid, TargetId=outer)
    admin.list_users()  # enforced on the next request


def test_the_seed_sentence_admin_under_an_scp_denying_organizations_and_other_regions(
    org: Org, server: IamdServer
) -> None:
    """The seed: "SCPs from Organizations and permission boundaries further constrain what's
    allowed" — a member role with AdministratorAccess, under an SCP denying organizations:* and
    every region but us-east-1 and us-west-2."""
    member = org.account("prod")
    org.policy(
        "Guardrails",
        deny("organizations:*"),
        {"Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "Resource": "*"} | {},
        deny("*", StringNotEquals={"aws:RequestedRegion": ["us-east-1", "us-west-2"]}),
        attach=(org.root,),
    )
    creds = org.admin(member)
    as_creds(server, "iam", creds, region_name="us-west-2").list_roles()
    denied(as_creds(server, "organizations", creds).describe_organization)
    denied(as_creds(server, "sts", creds, region_name="eu-west-1").get_access_key_info, AccessKeyId=creds["AccessKeyId"])
    as_creds(server, "sts", creds, region_name="us-east-1").get_access_key_info(AccessKeyId=creds["AccessKeyId"])


def test_root_user_of_a_member_account_is_limited_by_scps(org: Org) -> None:
    """AWS: SCPs affect the root user of member accounts."""
    member = org.account("dev")
    admin = org.as_admin(member)
    key = admin.create_access_key(UserName=admin.create_user(UserName="u")["User"]["UserName"])["AccessKey"]
    del key  # the member's root has no key (CreateAccount); its principals are what SCPs reach
    org.policy("NoIAM", deny("iam:CreateUser"), attach=(member,))
    denied(admin.create_user, UserName="v")


def test_rcp_denies_a_member_account_s_role_to_principals_outside_the_organization(
    server: IamdServer,
) -> None:
    org = Org(server, SCP, RCP)
    member = org.account("data")
    iam_member = org.as_admin(member)
    trust = doc({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"})
    iam_member.create_role(RoleName="shared", AssumeRolePolicyDocument=trust)
    role = f"arn:aws:iam::{member}:role/shared"
    org.policy(
        "Perimeter",
        rcp_deny("sts:AssumeRole", StringNotEqualsIfExists={"aws:PrincipalOrgID": org.id}),
        ptype=RCP,
        attach=(org.root,),
    )
    # The management account is in the organization: allowed.
    server.client("sts").assume_role(RoleArn=role, RoleSessionName="inside")
    # A member's own admin is too.
    as_creds(server, "sts", org.admin(member)).assume_role(RoleArn=role, RoleSessionName="inside")
