"""The Organizations rows of the security resource table (test_security_resource_table.py).

The probing user's account is the management account of an organization made once per row by
``OrgWorld``: all features, SCPs enabled at the root, an OU under the root, a member account
(CreateAccount, left under the root) and an SCP. A handshake needs an account outside the
organization: a second created account is removed again and invited back. Operations that only
a member may call (AcceptHandshake, LeaveOrganization) or that the entity's state refuses still
authorize first, so the probes see the IAM decision; what the action answers after that (a
HandshakeNotFound, "the management account cannot leave") is not an AccessDenied.

Resources are written ``org:<type>/{org}/…`` (``full_arn``): the management account's ARNs of
the Service Authorization Reference, ``arn:aws:organizations::MANAGEMENT:ou/o-…/ou-…``.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from functional_helpers import allow, doc
from resource_table import Row, row

from iamd.testing import IamdServer

SCP = "SERVICE_CONTROL_POLICY"
SERVICE = "config.amazonaws.com"


class OrgWorld:
    """The organization's entities, made by the management account's root on first use."""

    def __init__(self, server: IamdServer) -> None:
        self.client = server.client("organizations")

    @cached_property
    def org(self) -> str:
        made = self.client.create_organization(FeatureSet="ALL")["Organization"]["Id"]
        self.__dict__["root"] = root = str(self.client.list_roots()["Roots"][0]["Id"])
        self.client.enable_policy_type(RootId=root, PolicyType=SCP)
        return str(made)

    @cached_property
    def root(self) -> str:
        assert self.org
        return str(self.__dict__["root"])

    @cached_property
    def ou(self) -> str:
        return str(self.client.create_organizational_unit(ParentId=self.root, Name="team")["OrganizationalUnit"]["Id"])

    def _create(self, name: str) -> dict[str, Any]:
        assert self.org
        status = self.client.create_account(Email=f"{name}@example.com", AccountName=name)["CreateAccountStatus"]
        assert status["State"] == "SUCCEEDED", status
        return dict(status)

    @cached_property
    def creation(self) -> dict[str, Any]:
        return self._create("member")

    @cached_property
    def account(self) -> str:
        return str(self.creation["AccountId"])

    @cached_property
    def policy(self) -> str:
        assert self.org
        made = self.client.create_policy(Content=doc(allow("s3:GetObject")), Description="d", Name="scp", Type=SCP)
        return str(made["Policy"]["PolicySummary"]["Id"])

    @cached_property
    def handshake(self) -> str:
        invitee = str(self._create("invitee")["AccountId"])
        self.client.remove_account_from_organization(AccountId=invitee)
        invited = self.client.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": invitee})
        return str(invited["Handshake"]["Id"])

    @property
    def ids(self) -> dict[str, str]:
        """The ids made so far, for the rows' ``org:`` resources."""
        names = ("org", "root", "ou", "account", "policy", "handshake")
        return {name: self.__dict__[name] for name in names if name in self.__dict__}


def _in_org(w: Any) -> dict[str, Any]:
    """No request members, but the caller is the management account of an organization."""
    return {} if w.org.org else {}


ORGS = "organizations:"
ROOT = "org:root/{org}/{root}"
OU = "org:ou/{org}/{ou}"
ACCOUNT = "org:account/{org}/{account}"
POLICY = "org:policy/{org}/service_control_policy/{policy}"
HANDSHAKE = "org:handshake/{org}/invite/{handshake}"
TAGS = [{"Key": "k", "Value": "v"}]
# "If the request includes tags, then the requester must have the organizations:TagResource
# permission" (API Reference: CreateAccount, CreateOrganizationalUnit, CreatePolicy,
# InviteAccountToOrganization); the entity does not exist yet, so on its type's ARN in the
# organization (``account/o-…/*``, ``ou/o-…/ou-*``), except an invited account, whose ARN is known.
TAG = ORGS + "TagResource"
TO_BE_MADE = "TagResource on an entity still to be made: the ARN of its type in the organization, its id a wildcard"
FULL_ACCESS = "p-FullAWSAccess"
AWS_POLICY = f"arn:aws:organizations::aws:policy/service_control_policy/{FULL_ACCESS}"
AWS_MANAGED = "an AWS managed policy is the SAR's awspolicy resource type, which its table omits for this action"
ORG_ROWS: list[Row] = [
    # The organization: no resource type, authorized on *.
    row(ORGS + "CreateOrganization", lambda w: {"FeatureSet": "ALL"}, "*"),
    row(ORGS + "DescribeOrganization", _in_org, "*"),
    row(ORGS + "DeleteOrganization", _in_org, "*"),
    row(ORGS + "EnableAllFeatures", _in_org, "*"),
    row(ORGS + "LeaveOrganization", _in_org, "*"),
    row(ORGS + "ListRoots", _in_org, "*"),
    row(ORGS + "ListAWSServiceAccessForOrganization", _in_org, "*"),
    row(ORGS + "EnableAWSServiceAccess", lambda w: {"ServicePrincipal": SERVICE} if w.org.org else {}, "*"),
    row(ORGS + "DisableAWSServiceAccess", lambda w: {"ServicePrincipal": SERVICE} if w.org.org else {}, "*"),
    row(ORGS + "EnablePolicyType", lambda w: {"RootId": w.org.root, "PolicyType": "TAG_POLICY"}, ROOT),
    row(ORGS + "DisablePolicyType", lambda w: {"RootId": w.org.root, "PolicyType": SCP}, ROOT),
    # Accounts
    row(ORGS + "CreateAccount", lambda w: {"Email": "new@example.com", "AccountName": "new"} if w.org.org else {}, "*"),
    row(ORGS + "CreateAccount", lambda w: {"Email": "new@example.com", "AccountName": "new", "Tags": TAGS}
        if w.org.org else {}, "*", also=((TAG, "org:account/{org}/*"),), case="tags", beyond_sar=TO_BE_MADE),
    row(ORGS + "DescribeCreateAccountStatus", lambda w: {"CreateAccountRequestId": w.org.creation["Id"]}, "*"),
    row(ORGS + "ListCreateAccountStatus", _in_org, "*"),
    row(ORGS + "ListAccounts", _in_org, "*"),
    row(ORGS + "DescribeAccount", lambda w: {"AccountId": w.org.account}, ACCOUNT),
    row(ORGS + "CloseAccount", lambda w: {"AccountId": w.org.account}, ACCOUNT),
    row(ORGS + "RemoveAccountFromOrganization", lambda w: {"AccountId": w.org.account}, ACCOUNT),
    # MoveAccount: the account, where it is and where it goes.
    row(ORGS + "MoveAccount", lambda w: {"AccountId": w.org.account, "SourceParentId": w.org.root,
                                      "DestinationParentId": w.org.ou}, ACCOUNT, ROOT, OU),
    row(ORGS + "ListParents", lambda w: {"ChildId": w.org.account}, ACCOUNT),
    row(ORGS + "ListParents", lambda w: {"ChildId": w.org.ou}, OU, case="ou"),
    # Organizational units and the tree
    row(ORGS + "CreateOrganizationalUnit", lambda w: {"ParentId": w.org.root, "Name": "ops"}, ROOT),
    row(ORGS + "CreateOrganizationalUnit", lambda w: {"ParentId": w.org.ou, "Name": "ops"}, OU, case="nested"),
    row(ORGS + "CreateOrganizationalUnit", lambda w: {"ParentId": w.org.root, "Name": "ops", "Tags": TAGS}, ROOT,
        also=((TAG, "org:ou/{org}/ou-*"),), case="tags", beyond_sar=TO_BE_MADE),
    row(ORGS + "DescribeOrganizationalUnit", lambda w: {"OrganizationalUnitId": w.org.ou}, OU),
    row(ORGS + "UpdateOrganizationalUnit", lambda w: {"OrganizationalUnitId": w.org.ou, "Name": "ops"}, OU),
    row(ORGS + "DeleteOrganizationalUnit", lambda w: {"OrganizationalUnitId": w.org.ou}, OU),
    row(ORGS + "ListChildren", lambda w: {"ParentId": w.org.root, "ChildType": "ACCOUNT"}, ROOT),
    row(ORGS + "ListChildren", lambda w: {"ParentId": w.org.ou, "ChildType": "ORGANIZATIONAL_UNIT"}, OU, case="ou"),
    row(ORGS + "ListAccountsForParent", lambda w: {"ParentId": w.org.ou}, OU),
    row(ORGS + "ListOrganizationalUnitsForParent", lambda w: {"ParentId": w.org.root}, ROOT),
    # Policies: on the policy; attaching also on the target.
    row(ORGS + "CreatePolicy", lambda w: {"Content": doc(allow("s3:GetObject")), "Description": "d", "Name": "p2",
                                       "Type": SCP} if w.org.org else {}, "*"),
    row(ORGS + "CreatePolicy", lambda w: {"Content": doc(allow("s3:GetObject")), "Description": "d", "Name": "p2",
                                          "Type": SCP, "Tags": TAGS} if w.org.org else {}, "*",
        also=((TAG, "org:policy/{org}/service_control_policy/p-*"),), case="tags", beyond_sar=TO_BE_MADE),
    row(ORGS + "DescribePolicy", lambda w: {"PolicyId": w.org.policy}, POLICY),
    row(ORGS + "DescribePolicy", lambda w: {"PolicyId": FULL_ACCESS} if w.org.org else {}, AWS_POLICY, case="aws-managed",
        beyond_sar=AWS_MANAGED),
    row(ORGS + "ListTargetsForPolicy", lambda w: {"PolicyId": FULL_ACCESS} if w.org.org else {}, AWS_POLICY,
        case="aws-managed", beyond_sar=AWS_MANAGED),
    row(ORGS + "AttachPolicy", lambda w: {"PolicyId": FULL_ACCESS, "TargetId": w.org.ou}, OU, AWS_POLICY,
        case="aws-managed", beyond_sar=AWS_MANAGED),
    row(ORGS + "UpdatePolicy", lambda w: {"PolicyId": w.org.policy, "Name": "renamed"}, POLICY),
    row(ORGS + "DeletePolicy", lambda w: {"PolicyId": w.org.policy}, POLICY),
    row(ORGS + "ListPolicies", lambda w: {"Filter": SCP} if w.org.org else {}, "*"),
    row(ORGS + "ListTargetsForPolicy", lambda w: {"PolicyId": w.org.policy}, POLICY),
    row(ORGS + "AttachPolicy", lambda w: {"PolicyId": w.org.policy, "TargetId": w.org.ou}, OU, POLICY),
    row(ORGS + "AttachPolicy", lambda w: {"PolicyId": w.org.policy, "TargetId": w.org.account}, ACCOUNT, POLICY,
        case="account"),
    row(ORGS + "AttachPolicy", lambda w: {"PolicyId": w.org.policy, "TargetId": w.org.root}, ROOT, POLICY, case="root"),
    row(ORGS + "DetachPolicy", lambda w: {"PolicyId": w.org.policy, "TargetId": w.org.ou}, OU, POLICY),
    row(ORGS + "ListPoliciesForTarget", lambda w: {"TargetId": w.org.account, "Filter": SCP}, ACCOUNT),
    row(ORGS + "ListPoliciesForTarget", lambda w: {"TargetId": w.org.root, "Filter": SCP}, ROOT, case="root"),
    # Tags: on the tagged entity.
    row(ORGS + "TagResource", lambda w: {"ResourceId": w.org.ou, "Tags": TAGS}, OU),
    row(ORGS + "TagResource", lambda w: {"ResourceId": w.org.policy, "Tags": TAGS}, POLICY, case="policy"),
    row(ORGS + "UntagResource", lambda w: {"ResourceId": w.org.account, "TagKeys": ["k"]}, ACCOUNT),
    row(ORGS + "ListTagsForResource", lambda w: {"ResourceId": w.org.root}, ROOT),
    # Handshakes: on the handshake, as the organization that sent it names it.
    row(ORGS + "InviteAccountToOrganization", lambda w: {"Target": {"Type": "ACCOUNT", "Id": w.org.account}}, ACCOUNT),
    # By the owner's email: the account the email names (a Deny on its ARN holds either way).
    row(ORGS + "InviteAccountToOrganization",
        lambda w: {"Target": {"Type": "EMAIL", "Id": "member@example.com"}} if w.org.account else {}, ACCOUNT,
        case="email"),
    row(ORGS + "InviteAccountToOrganization", lambda w: {"Target": {"Type": "ACCOUNT", "Id": w.org.account}, "Tags": TAGS},
        ACCOUNT, also=((TAG, ACCOUNT),), case="tags"),
    row(ORGS + "DescribeHandshake", lambda w: {"HandshakeId": w.org.handshake}, HANDSHAKE),
    row(ORGS + "AcceptHandshake", lambda w: {"HandshakeId": w.org.handshake}, HANDSHAKE),
    row(ORGS + "DeclineHandshake", lambda w: {"HandshakeId": w.org.handshake}, HANDSHAKE),
    row(ORGS + "CancelHandshake", lambda w: {"HandshakeId": w.org.handshake}, HANDSHAKE),
    row(ORGS + "ListHandshakesForAccount", _in_org, "*"),
    row(ORGS + "ListHandshakesForOrganization", _in_org, "*"),
    # Delegated administrators: on the member account.
    row(ORGS + "RegisterDelegatedAdministrator", lambda w: {"AccountId": w.org.account, "ServicePrincipal": SERVICE},
        ACCOUNT),
    row(ORGS + "DeregisterDelegatedAdministrator", lambda w: {"AccountId": w.org.account, "ServicePrincipal": SERVICE},
        ACCOUNT),
    row(ORGS + "ListDelegatedAdministrators", _in_org, "*"),
    row(ORGS + "ListDelegatedServicesForAccount", lambda w: {"AccountId": w.org.account}, ACCOUNT),
]
