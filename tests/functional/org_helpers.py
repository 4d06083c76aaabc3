"""An organization built through the Organizations API, for the enforcement tests: the server's
first account is the management account; member accounts come from CreateAccount and are
entered through OrganizationAccountAccessRole, as an operator does on AWS."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError
from functional_helpers import as_creds, doc

from iamd.testing import IamdServer

SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"
ACCESS_ROLE = "OrganizationAccountAccessRole"
FULL_AWS_ACCESS = "p-FullAWSAccess"


class Org:
    def __init__(self, server: IamdServer, *types: str) -> None:
        self.server = server
        self.client = server.client("organizations")
        self.id = self.client.create_organization(FeatureSet="ALL")["Organization"]["Id"]
        self.root = self.client.list_roots()["Roots"][0]["Id"]
        for ptype in types:
            self.client.enable_policy_type(RootId=self.root, PolicyType=ptype)
        # "Roles may not be assumed by root accounts": an administrator of the management
        # account enters the members.
        iam = server.client("iam")
        iam.create_user(UserName="org-operator")
        iam.attach_user_policy(UserName="org-operator", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
        self.operator = dict(iam.create_access_key(UserName="org-operator")["AccessKey"])

    def account(self, name: str, parent: str | None = None) -> str:
        status = self.client.create_account(Email=f"{name}@example.com", AccountName=name)["CreateAccountStatus"]
        assert status["State"] == "SUCCEEDED", status
        account_id = str(status["AccountId"])
        if parent is not None:
            self.move(account_id, parent)
        return account_id

    def move(self, account_id: str, parent: str) -> None:
        source = self.client.list_parents(ChildId=account_id)["Parents"][0]["Id"]
        self.client.move_account(AccountId=account_id, SourceParentId=source, DestinationParentId=parent)

    def ou(self, name: str, parent: str | None = None) -> str:
        made = self.client.create_organizational_unit(ParentId=parent or self.root, Name=name)
        return str(made["OrganizationalUnit"]["Id"])

    def policy(self, name: str, *statements: dict[str, Any], ptype: str = SCP, attach: tuple[str, ...] = ()) -> str:
        created = self.client.create_policy(Content=doc(*statements), Description=name, Name=name, Type=ptype)
        policy_id = str(created["Policy"]["PolicySummary"]["Id"])
        for target in attach:
            self.client.attach_policy(PolicyId=policy_id, TargetId=target)
        return policy_id

    def arn(self, policy_id: str, ptype: str = SCP) -> str:
        return f"arn:aws:organizations::{self.server.account_id}:policy/{self.id}/{ptype.lower()}/{policy_id}"

    def admin(self, account_id: str, role: str = ACCESS_ROLE) -> dict[str, Any]:
        """Credentials of ``role`` in the member account, assumed from the management account."""
        sts = as_creds(self.server, "sts", self.operator)
        got = sts.assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/{role}", RoleSessionName="ops")
        return dict(got["Credentials"])

    def as_admin(self, account_id: str, service: str = "iam") -> Any:
        return as_creds(self.server, service, self.admin(account_id))


def deny(action: str | list[str], resource: str = "*", **condition: Any) -> dict[str, Any]:
    st: dict[str, Any] = {"Effect": "Deny", "Action": action, "Resource": resource}
    if condition:
        st["Condition"] = condition
    return st


def rcp_deny(action: str | list[str], **condition: Any) -> dict[str, Any]:
    st: dict[str, Any] = {"Effect": "Deny", "Principal": "*", "Action": action, "Resource": "*"}
    if condition:
        st["Condition"] = condition
    return st


def reason_of(fn: Any, **kwargs: Any) -> tuple[str, str | None]:
    """The error code of a call that must fail, and its ``Reason`` member (Organizations'
    ConstraintViolationException, InvalidInputException, HandshakeConstraintViolationException)."""
    try:
        fn(**kwargs)
    except ClientError as err:
        return err.response["Error"]["Code"], err.response.get("Reason")
    raise AssertionError(f"{fn.__name__} succeeded, an error was expected")
