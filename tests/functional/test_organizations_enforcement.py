"""SCPs and RCPs in every authorization, end to end with boto3 against ``iamd serve`` (issue 11,
"How it is checked"): what an SCP at the root, an OU or the account does to a member account's
administrator, and not to the management account; RCPs on a member account's role; the
organization's condition keys; a change enforced on the next request."""

from __future__ import annotations

import json
from typing import Any

import pytest
from functional_helpers import ENCODED, allow, as_creds, denied, doc
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
    assert "because no service control policy allows the iam:ListUsers action. Encoded" in denied(admin.list_users)


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
        deny("*", StringNotEquals={"aws:RequestedRegion": ["us-east-1", "us-west-2"]}),
        attach=(org.root,),
    )
    creds = org.admin(member)
    as_creds(server, "iam", creds, region_name="us-west-2").list_roles()
    denied(as_creds(server, "organizations", creds).describe_organization)
    denied(as_creds(server, "sts", creds, region_name="eu-west-1").get_access_key_info, AccessKeyId=creds["AccessKeyId"])
    as_creds(server, "sts", creds, region_name="us-east-1").get_access_key_info(AccessKeyId=creds["AccessKeyId"])


def test_rcp_denies_a_member_account_s_role_to_principals_outside_the_organization(
    server: IamdServer,
) -> None:
    org = Org(server, SCP, RCP)
    member = org.account("data")
    iam_member = org.as_admin(member)
    trust = doc({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"})
    iam_member.create_role(RoleName="shared", AssumeRolePolicyDocument=trust)
    role = f"arn:aws:iam::{member}:role/shared"
    perimeter = org.policy(
        "Perimeter",
        rcp_deny("sts:AssumeRole", StringNotEqualsIfExists={"aws:PrincipalOrgID": org.id}),
        ptype=RCP,
        attach=(org.root,),
    )
    # The management account is in the organization: allowed.
    as_creds(server, "sts", org.operator).assume_role(RoleArn=role, RoleSessionName="inside")
    # A member's own admin is too.
    as_creds(server, "sts", org.admin(member)).assume_role(RoleArn=role, RoleSessionName="inside")
    # An account that left the organization is outside it: the RCP denies, on the next request,
    # whatever the role's trust policy says. Cross-account, the sentence gives no reason.
    gone = org.account("gone")
    gone_admin = as_creds(server, "sts", org.admin(gone))
    gone_admin.assume_role(RoleArn=role, RoleSessionName="before")
    org.client.remove_account_from_organization(AccountId=gone)
    message = denied(gone_admin.assume_role, RoleArn=role, RoleSessionName="after")
    assert f"is not authorized to perform: sts:AssumeRole on resource: {role}. Encoded" in message
    # Detaching the RCP admits it again.
    org.client.detach_policy(PolicyId=perimeter, TargetId=org.root)
    gone_admin.assume_role(RoleArn=role, RoleSessionName="again")


def test_principal_is_aws_service_is_false_for_every_iamd_principal(server: IamdServer) -> None:
    """AWS's data-perimeter RCP spares AWS service principals with ``aws:PrincipalIsAWSService``
    ("Resource control policy examples"); every caller of iamd is an account's principal, so the
    key is false (present, so a plain ``Bool`` matches): the perimeter still stops an outsider, and
    a Deny for services stops nobody."""
    org = Org(server, RCP)
    member = org.account("data")
    org.as_admin(member).create_role(
        RoleName="shared", AssumeRolePolicyDocument=doc({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"})
    )
    role = f"arn:aws:iam::{member}:role/shared"
    org.policy(
        "Perimeter",
        rcp_deny(
            "sts:AssumeRole",
            StringNotEqualsIfExists={"aws:PrincipalOrgID": org.id},
            Bool={"aws:PrincipalIsAWSService": "false"},
        ),
        rcp_deny("sts:AssumeRole", Bool={"aws:PrincipalIsAWSService": "true"}),
        ptype=RCP,
        attach=(org.root,),
    )
    as_creds(server, "sts", org.admin(member)).assume_role(RoleArn=role, RoleSessionName="inside")
    gone = org.account("gone")
    outsider = as_creds(server, "sts", org.admin(gone))
    org.client.remove_account_from_organization(AccountId=gone)
    denied(outsider.assume_role, RoleArn=role, RoleSessionName="outside")


def test_principal_org_id_in_a_trust_policy_admits_the_organization_and_nobody_else(
    org: Org, server: IamdServer
) -> None:
    a, b = org.account("a"), org.account("b")
    trust = doc({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
                 "Condition": {"StringEquals": {"aws:PrincipalOrgID": org.id}}})  # fmt: skip
    org.as_admin(a).create_role(RoleName="org-wide", AssumeRolePolicyDocument=trust)
    role = f"arn:aws:iam::{a}:role/org-wide"
    as_creds(server, "sts", org.admin(b)).assume_role(RoleArn=role, RoleSessionName="member-b")
    as_creds(server, "sts", org.operator).assume_role(RoleArn=role, RoleSessionName="mgmt")
    # Leaving the organization: the next request no longer carries its id.
    b_admin = org.admin(b)
    org.client.remove_account_from_organization(AccountId=b)
    denied(as_creds(server, "sts", b_admin).assume_role, RoleArn=role, RoleSessionName="member-b")


def test_the_decoded_message_names_the_policy_and_its_level(org: Org, server: IamdServer) -> None:
    outer = org.ou("outer")
    member = org.account("dev", outer)
    creds = org.admin(member)
    pid = org.policy("NoUsers", deny("iam:ListUsers"), attach=(outer,))
    message = denied(as_creds(server, "iam", creds).list_users)
    encoded = message.split(ENCODED, 1)[1]
    decoded = json.loads(as_creds(server, "sts", creds).decode_authorization_message(EncodedMessage=encoded)["DecodedMessage"])
    assert decoded["organizationsDecision"] == {
        "policyType": SCP, "explicitDeny": True, "policyArn": org.arn(pid),
        "targetId": outer, "targetType": "ORGANIZATIONAL_UNIT",
    }  # fmt: skip
    denies = [m for m in decoded["matchedStatements"]["items"] if m["effect"] == "DENY"]
    assert [(m["policyId"], m["targetId"]) for m in denies] == [(org.arn(pid), outer)]
    conditions = {c["key"]: c["values"]["items"] for c in decoded["context"]["conditions"]["items"]}
    assert conditions["aws:PrincipalOrgID"] == [{"value": org.id}]
    assert conditions["aws:PrincipalOrgPaths"] == [{"value": f"{org.id}/{org.root}/{outer}/"}]


def test_an_implicit_deny_names_the_level_without_an_allow(org: Org, server: IamdServer) -> None:
    outer = org.ou("outer")
    member = org.account("dev", outer)
    creds = org.admin(member)
    only_s3 = org.policy("OnlyS3AndSts", allow(["s3:*", "sts:*"]), attach=(outer,))
    org.client.detach_policy(PolicyId=FULL_AWS_ACCESS, TargetId=outer)
    encoded = denied(as_creds(server, "iam", creds).list_users).split(ENCODED, 1)[1]
    decoded = json.loads(as_creds(server, "sts", creds).decode_authorization_message(EncodedMessage=encoded)["DecodedMessage"])
    assert decoded["organizationsDecision"] == {
        "policyType": SCP, "explicitDeny": False, "targetId": outer, "targetType": "ORGANIZATIONAL_UNIT",
        "policiesAtTarget": [org.arn(only_s3)],
    }  # fmt: skip


def test_simulate_principal_policy_fills_organizations_decision_detail(org: Org, iam: Any) -> None:
    member = org.account("dev")
    admin = org.as_admin(member)
    admin.create_user(UserName="alice")
    admin.attach_user_policy(UserName="alice", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    org.policy("NoUsers", deny("iam:ListUsers"), attach=(member,))
    results = admin.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{member}:user/alice", ActionNames=["iam:ListUsers", "iam:ListRoles"]
    )["EvaluationResults"]
    by_action = {r["EvalActionName"]: r for r in results}
    assert by_action["iam:ListUsers"]["EvalDecision"] == "explicitDeny"
    assert by_action["iam:ListUsers"]["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": False}
    assert by_action["iam:ListRoles"]["EvalDecision"] == "allowed"
    assert by_action["iam:ListRoles"]["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": True}
    # The management account's entities are not under SCPs: no detail.
    iam.create_user(UserName="bob")
    mine = iam.simulate_principal_policy(PolicySourceArn=f"arn:aws:iam::{iam_account(iam)}:user/bob",
                                         ActionNames=["iam:ListUsers"])["EvaluationResults"][0]  # fmt: skip
    assert "OrganizationsDecisionDetail" not in mine


def iam_account(iam: Any) -> str:
    return str(iam.get_user()["User"]["Arn"].split(":")[4])


def test_an_rcp_reading_the_role_s_tags_is_decided_with_them(server: IamdServer) -> None:
    """The caller's policies read no resource tag; the RCP does: the role's tags are loaded
    (whether context data is loaded never depends on one policy alone)."""
    org = Org(server, SCP, RCP)
    member = org.account("data")
    trust = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{server.account_id}:root"},
                 "Action": "sts:AssumeRole"})  # fmt: skip
    member_iam = org.as_admin(member)
    member_iam.create_role(RoleName="vault", AssumeRolePolicyDocument=trust, Tags=[{"Key": "locked", "Value": "yes"}])
    org.policy("Locked", rcp_deny("sts:AssumeRole", StringEquals={"aws:ResourceTag/locked": "yes"}),
               ptype=RCP, attach=(member,))  # fmt: skip
    operator = as_creds(server, "sts", org.operator)
    role = f"arn:aws:iam::{member}:role/vault"
    denied(operator.assume_role, RoleArn=role, RoleSessionName="locked")
    member_iam.untag_role(RoleName="vault", TagKeys=["locked"])
    operator.assume_role(RoleArn=role, RoleSessionName="unlocked")


def test_resource_org_id_in_the_caller_s_policy(org: Org, server: IamdServer) -> None:
    """A management-account user allowed to assume roles only inside its organization
    (``aws:ResourceOrgID``): a member's role yes, a role of an account that left, no."""
    member, gone = org.account("in"), org.account("out")
    iam = server.client("iam")
    iam.create_user(UserName="scoped")
    iam.put_user_policy(UserName="scoped", PolicyName="p", PolicyDocument=doc(
        allow("sts:AssumeRole", StringEquals={"aws:ResourceOrgID": org.id})))  # fmt: skip
    key = iam.create_access_key(UserName="scoped")["AccessKey"]
    trust = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{server.account_id}:root"},
                 "Action": "sts:AssumeRole"})  # fmt: skip
    for account in (member, gone):
        org.as_admin(account).create_role(RoleName="target", AssumeRolePolicyDocument=trust)
    org.client.remove_account_from_organization(AccountId=gone)
    scoped = as_creds(server, "sts", key)
    scoped.assume_role(RoleArn=f"arn:aws:iam::{member}:role/target", RoleSessionName="inside")
    denied(scoped.assume_role, RoleArn=f"arn:aws:iam::{gone}:role/target", RoleSessionName="outside")


def test_organizations_policy_type_from_the_request_and_from_the_named_policy(server: IamdServer) -> None:
    """``organizations:PolicyType``: CreatePolicy's ``Type``, and for AttachPolicy the type of
    the policy its ``PolicyId`` names."""
    org = Org(server, SCP, RCP)
    iam = server.client("iam")
    iam.create_user(UserName="scp-admin")
    only_scps = {"StringEquals": {"organizations:PolicyType": SCP}}
    iam.put_user_policy(UserName="scp-admin", PolicyName="p", PolicyDocument=doc(
        {"Effect": "Allow", "Action": ["organizations:CreatePolicy", "organizations:AttachPolicy"],
         "Resource": "*", "Condition": only_scps},
        allow(["organizations:Describe*", "organizations:List*"])))  # fmt: skip
    scp_admin = as_creds(server, "organizations", iam.create_access_key(UserName="scp-admin")["AccessKey"])
    content = doc(deny("iam:DeleteRole"))
    scp_id = scp_admin.create_policy(Content=content, Description="", Name="s", Type=SCP)["Policy"]["PolicySummary"]["Id"]
    denied(scp_admin.create_policy, Content=doc(rcp_deny("sts:AssumeRole")), Description="", Name="r", Type=RCP)
    rcp_id = org.policy("r", rcp_deny("sts:AssumeRole"), ptype=RCP)
    scp_admin.attach_policy(PolicyId=scp_id, TargetId=org.root)
    denied(scp_admin.attach_policy, PolicyId=rcp_id, TargetId=org.root)


def test_rcps_leave_the_management_account_s_resources_alone(server: IamdServer) -> None:
    org = Org(server, SCP, RCP)
    member = org.account("data")
    trust = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{server.account_id}:root"},
                 "Action": "sts:AssumeRole"})  # fmt: skip
    server.client("iam").create_role(RoleName="home", AssumeRolePolicyDocument=trust)
    org.as_admin(member).create_role(RoleName="away", AssumeRolePolicyDocument=trust)
    org.policy("NoRoles", rcp_deny("sts:AssumeRole"), ptype=RCP, attach=(org.root,))
    operator = as_creds(server, "sts", org.operator)
    operator.assume_role(RoleArn=f"arn:aws:iam::{server.account_id}:role/home", RoleSessionName="home")
    denied(operator.assume_role, RoleArn=f"arn:aws:iam::{member}:role/away", RoleSessionName="away")
