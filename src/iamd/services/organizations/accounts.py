"""DescribeAccount, ListAccounts, ListAccountsForParent, and the Account shape the other
operations share.

AWS Organizations API Reference: these "can be called only from the organization's management
account or by a member account that is a delegated administrator". ``Status`` is ``ACTIVE``,
``SUSPENDED`` (closed) or ``PENDING_CLOSURE``; ``State`` the newer field with the same values (and
``CLOSED`` once AWS deletes the account for good, which iamd never does). ``Paths`` is the
account's place in the tree, ``o-…/r-…/ou-…/ACCOUNT/``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row

from iamd.services.context import Call
from iamd.services.organizations import common, units
from iamd.services.organizations.errors import AccountNotFoundException
from iamd.services.organizations.pages import page, with_token
from iamd.services.registry import action
from iamd.store import orgs

ACCOUNT_NOT_FOUND = "You specified an account that doesn't exist."


@action("organizations", "DescribeAccount")
def describe_account(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    org = common.managed_org(call, delegated=True)
    return {"Account": account_shape(call.conn, org, member_of(call.conn, org, p["AccountId"]))}


@action("organizations", "ListAccounts")
def list_accounts(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    org = common.managed_org(call, delegated=True)
    rows = orgs.members(call.conn, org.org_id)
    chunk, token = page(call, p, "ListAccounts", rows, lambda r: r.account_id)
    return with_token({"Accounts": [account_shape(call.conn, org, r) for r in chunk]}, token)


@action("organizations", "ListAccountsForParent")
def list_accounts_for_parent(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    org = common.managed_org(call, delegated=True)
    parent = units.parent_unit(call.conn, org, p["ParentId"])
    rows = orgs.members(call.conn, org.org_id, parent.unit_id)
    chunk, token = page(call, p, "ListAccountsForParent", rows, lambda r: r.account_id, query=parent.unit_id)
    return with_token({"Accounts": [account_shape(call.conn, org, r) for r in chunk]}, token)


def member_of(conn: Connection, org: Row[Any], account_id: str) -> Row[Any]:
    """The account's membership in this organization, or AccountNotFoundException (also for an
    account of another organization: it is not this one's to know)."""
    member = orgs.get_member(conn, account_id)
    if member is None or member.org_id != org.org_id:
        raise AccountNotFoundException(ACCOUNT_NOT_FOUND)
    return member


def account_shape(conn: Connection, org: Row[Any], member: Row[Any]) -> dict[str, Any]:
    return {
        "Id": member.account_id,
        "Arn": common.account_arn(org, member.account_id),
        "Email": member.email,
        "Name": member.name,
        "Status": member.status,
        "State": member.status,
        "Paths": [f"{units.unit_path(conn, org, member.parent_id)}{member.account_id}/"],
        "JoinedMethod": member.joined_method,
        "JoinedTimestamp": member.joined_at,
    }


def account_limit_reached(call: Call, org: Row[Any], pending: int) -> bool:
    """Whether no more account fits: members plus ``pending`` open invitations against the
    organization's quota ("Quotas for AWS Organizations": "Default maximum number of accounts:
    10 … Invitations sent to accounts count against this quota"; ``--org-max-accounts``)."""
    return orgs.count_members(call.conn, org.org_id) + pending >= call.runtime.org_max_accounts
