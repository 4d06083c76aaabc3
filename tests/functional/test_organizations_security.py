"""Attacks on the Organizations API (docs/organizations.md, "Security"): the management account
of another organization, a member account, a role session inside a member, an invitee that is
not the invited account, forged and replayed continuation tokens, oversized input, unsigned calls."""

from __future__ import annotations

import contextlib
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from functional_helpers import OTHER_ACCOUNT, as_creds
from org_helpers import reason_of

from iamd.testing import IamdServer


@contextlib.contextmanager
def organization(client: Any) -> Iterator[dict[str, str]]:
    """An organization for the block; its members are removed and it is deleted afterwards
    (the ``two_accounts`` server is shared by the module)."""
    created = client.create_organization()["Organization"]
    try:
        yield {"org": created["Id"], "root": client.list_roots()["Roots"][0]["Id"]}
    finally:
        for account in client.list_accounts()["Accounts"]:
            if account["Id"] != created["MasterAccountId"]:
                client.remove_account_from_organization(AccountId=account["Id"])
        client.delete_organization()


def admin_sts(srv: IamdServer, name: str) -> Any:
    iam = srv.client("iam")
    with contextlib.suppress(ClientError):
        iam.create_user(UserName=name)
        iam.attach_user_policy(UserName=name, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return as_creds(srv, "sts", key)


def test_another_organizations_management_account(two_accounts: Any) -> None:
    """B's management account sees nothing of A's organization and changes nothing in it."""
    srv, other_key = two_accounts
    a = srv.client("organizations")
    b = as_creds(srv, "organizations", other_key)
    with organization(a) as tree_a, organization(b) as tree_b:
        ou_a = a.create_organizational_unit(ParentId=tree_a["root"], Name="Secret")["OrganizationalUnit"]["Id"]
        member = a.create_account(AccountName="M", Email="m@example.com")["CreateAccountStatus"]
        assert reason_of(b.describe_account, AccountId=member["AccountId"])[0] == "AccountNotFoundException"
        assert reason_of(b.describe_account, AccountId=srv.account_id)[0] == "AccountNotFoundException"
        assert reason_of(b.describe_organizational_unit, OrganizationalUnitId=ou_a)[0] == (
            "OrganizationalUnitNotFoundException")
        assert reason_of(b.delete_organizational_unit, OrganizationalUnitId=ou_a)[0] == (
            "OrganizationalUnitNotFoundException")
        assert reason_of(b.create_organizational_unit, ParentId=tree_a["root"], Name="x")[0] == (
            "ParentNotFoundException")
        assert reason_of(b.move_account, AccountId=member["AccountId"], SourceParentId=tree_a["root"],
                         DestinationParentId=tree_b["root"])[0] == "SourceParentNotFoundException"
        assert reason_of(b.remove_account_from_organization, AccountId=member["AccountId"])[0] == (
            "AccountNotFoundException")
        assert reason_of(b.close_account, AccountId=member["AccountId"])[0] == "AccountNotFoundException"
        assert reason_of(b.tag_resource, ResourceId=ou_a, Tags=[{"Key": "k", "Value": "v"}])[0] == (
            "TargetNotFoundException")
        assert reason_of(b.list_tags_for_resource, ResourceId=member["AccountId"])[0] == "TargetNotFoundException"
        assert reason_of(b.describe_create_account_status, CreateAccountRequestId=member["Id"])[0] == (
            "CreateAccountStatusNotFoundException")
        assert reason_of(b.list_parents, ChildId=member["AccountId"])[0] == "ChildNotFoundException"
        assert reason_of(b.invite_account_to_organization, Target={"Type": "ACCOUNT", "Id": member["AccountId"]}) == (
            "HandshakeConstraintViolationException", "ALREADY_IN_AN_ORGANIZATION")
        assert [x["Id"] for x in b.list_accounts()["Accounts"]] == [OTHER_ACCOUNT]
        assert b.list_create_account_status()["CreateAccountStatuses"] == []
        # A's token does not page B's listing (tokens are bound to the calling account).
        for i in range(3):
            a.create_organizational_unit(ParentId=tree_a["root"], Name=f"p{i}")
            b.create_organizational_unit(ParentId=tree_b["root"], Name=f"p{i}")
        token = a.list_children(ParentId=tree_a["root"], ChildType="ORGANIZATIONAL_UNIT", MaxResults=1)["NextToken"]
        assert reason_of(b.list_children, ParentId=tree_b["root"], ChildType="ORGANIZATIONAL_UNIT",
                         NextToken=token) == ("InvalidInputException", "INVALID_NEXT_TOKEN")
        for ou in a.list_organizational_units_for_parent(ParentId=tree_a["root"])["OrganizationalUnits"]:
            a.delete_organizational_unit(OrganizationalUnitId=ou["Id"])


def test_invitation_accepted_by_the_wrong_account(two_accounts: Any) -> None:
    """A invites OTHER_ACCOUNT; a member of A (a third account) and A itself cannot accept,
    decline or even see it; OTHER_ACCOUNT accepts."""
    srv, other_key = two_accounts
    a = srv.client("organizations")
    invited = as_creds(srv, "organizations", other_key)
    with organization(a):
        third = a.create_account(AccountName="T", Email="t@example.com")["CreateAccountStatus"]["AccountId"]
        creds = admin_sts(srv, "entering").assume_role(
            RoleArn=f"arn:aws:iam::{third}:role/OrganizationAccountAccessRole", RoleSessionName="ss")["Credentials"]
        wrong = as_creds(srv, "organizations", creds)
        hs = a.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": OTHER_ACCOUNT})["Handshake"]["Id"]
        for client in (wrong, a):
            assert reason_of(client.accept_handshake, HandshakeId=hs)[0] == "HandshakeNotFoundException"
            assert reason_of(client.decline_handshake, HandshakeId=hs)[0] == "HandshakeNotFoundException"
        assert reason_of(wrong.describe_handshake, HandshakeId=hs)[0] == "HandshakeNotFoundException"
        assert wrong.list_handshakes_for_account()["Handshakes"] == []
        assert reason_of(wrong.cancel_handshake, HandshakeId=hs)[0] == "AccessDeniedException"
        assert reason_of(wrong.list_handshakes_for_organization)[0] == "AccessDeniedException"
        assert invited.accept_handshake(HandshakeId=hs)["Handshake"]["State"] == "ACCEPTED"


def test_invitee_in_another_organization_cannot_accept(two_accounts: Any) -> None:
    srv, other_key = two_accounts
    a = srv.client("organizations")
    b = as_creds(srv, "organizations", other_key)
    with organization(a):
        hs = a.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": OTHER_ACCOUNT})["Handshake"]["Id"]
        with organization(b):
            assert reason_of(b.accept_handshake, HandshakeId=hs) == (
                "HandshakeConstraintViolationException", "ALREADY_IN_AN_ORGANIZATION")
        a.cancel_handshake(HandshakeId=hs)


def test_member_role_session_cannot_manage(two_accounts: Any) -> None:
    """An administrator inside a member account (AdministratorAccess through the role) is still
    not the management account."""
    srv, _ = two_accounts
    a = srv.client("organizations")
    with organization(a) as tree:
        member = a.create_account(AccountName="M", Email="m2@example.com")["CreateAccountStatus"]["AccountId"]
        creds = admin_sts(srv, "entering2").assume_role(
            RoleArn=f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole", RoleSessionName="ss")["Credentials"]
        inside = as_creds(srv, "organizations", creds)
        for call, kwargs in ((inside.create_organizational_unit, {"ParentId": tree["root"], "Name": "x"}),
                             (inside.tag_resource, {"ResourceId": member, "Tags": [{"Key": "k", "Value": "v"}]}),
                             (inside.invite_account_to_organization, {"Target": {"Type": "ACCOUNT",
                                                                                 "Id": OTHER_ACCOUNT}}),
                             (inside.enable_aws_service_access, {"ServicePrincipal": "iam.amazonaws.com"}),
                             (inside.register_delegated_administrator, {"AccountId": member,
                                                                        "ServicePrincipal": "iam.amazonaws.com"}),
                             (inside.list_delegated_administrators, {})):
            assert reason_of(call, **kwargs)[0] == "AccessDeniedException", call
        assert reason_of(inside.create_organization)[0] == "AlreadyInOrganizationException"


def test_oversized_and_malformed_input(two_accounts: Any) -> None:
    srv, _ = two_accounts
    a = srv.client("organizations")
    with organization(a) as tree:
        cases = [
            (a.create_organizational_unit, {"ParentId": tree["root"], "Name": "x" * 10_000}, "MAX_LENGTH_EXCEEDED"),
            (a.create_account, {"AccountName": "x" * 51, "Email": "a@example.com"}, "MAX_LENGTH_EXCEEDED"),
            (a.create_account, {"AccountName": "x", "Email": ("a" * 60) + "@example.com"}, "MAX_LENGTH_EXCEEDED"),
            (a.create_account, {"AccountName": "tab\there", "Email": "a@example.com"}, "INVALID_PATTERN"),
            (a.invite_account_to_organization, {"Target": {"Type": "ACCOUNT", "Id": OTHER_ACCOUNT},
                                                "Notes": "n" * 1025}, "MAX_LENGTH_EXCEEDED"),
            (a.tag_resource, {"ResourceId": tree["root"], "Tags": [{"Key": "k" * 129, "Value": "v"}]},
             "MAX_LENGTH_EXCEEDED"),
            (a.list_accounts, {"MaxResults": 21}, "MAX_VALUE_EXCEEDED"),
            (a.list_children, {"ParentId": tree["root"], "ChildType": "POLICY"}, "INVALID_ENUM"),
            (a.list_accounts, {"NextToken": "x" * 100_001}, "MAX_LENGTH_EXCEEDED"),
        ]
        for call, kwargs, reason in cases:
            assert reason_of(call, **kwargs) == ("InvalidInputException", reason), (call, kwargs)
        assert [x["Id"] for x in a.list_accounts()["Accounts"]] == [srv.account_id]
        assert a.list_organizational_units_for_parent(ParentId=tree["root"])["OrganizationalUnits"] == []


def test_unsigned_call_is_refused(server: IamdServer) -> None:
    request = urllib.request.Request(
        server.endpoint, data=b"{}", method="POST",
        headers={"X-Amz-Target": "AWSOrganizationsV20161128.DescribeOrganization",
                 "Content-Type": "application/x-amz-json-1.1"})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)  # noqa: S310 - loopback test server
    body = caught.value.read()
    assert caught.value.code in (400, 403)
    assert b"MissingAuthenticationToken" in body and body.startswith(b"{")
