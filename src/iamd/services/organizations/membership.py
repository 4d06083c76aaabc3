"""MoveAccount, RemoveAccountFromOrganization, LeaveOrganization, CloseAccount.

AWS Organizations API Reference:

- MoveAccount "Moves an account from its current source parent root or organizational unit (OU)
  to the specified destination parent root or OU": ``SourceParentNotFoundException``,
  ``DestinationParentNotFoundException``, an account not under the source is
  ``AccountNotFoundException``, one already under the destination ``DuplicateAccountException``.
- RemoveAccountFromOrganization (management account) and LeaveOrganization (the member itself):
  "The management account in an organization … can't be removed" —
  ``MasterCannotLeaveOrganizationException``; a delegated administrator must be deregistered first
  (``ConstraintViolationException`` ``CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG``). The
  account lives on as a standalone account; its attachments and organization tags go.
- CloseAccount: the member becomes ``SUSPENDED`` (AWS passes through ``PENDING_CLOSURE``; iamd is
  strongly consistent) and stays in the organization (it cannot leave or be removed: that would
  lift the closure, which authorization enforces on the account's principals and resources); the management account cannot be closed so
  (``CANNOT_CLOSE_MANAGEMENT_ACCOUNT``); "you can close only 10% of member accounts, between a
  minimum of 10 and a maximum of 1000, within a rolling 30-day period"
  (``CLOSE_ACCOUNT_QUOTA_EXCEEDED``); closing twice is ``AccountAlreadyClosedException``.

Each change bumps the generations of the accounts it touches: what applies to them changed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Row, func, select

from iamd.services.context import Call
from iamd.services.organizations import common, units
from iamd.services.organizations.accounts import member_of
from iamd.services.organizations.errors import (
    AccountAlreadyClosedException,
    AccountNotFoundException,
    ConstraintViolationException,
    DestinationParentNotFoundException,
    DuplicateAccountException,
    MasterCannotLeaveOrganizationException,
    SourceParentNotFoundException,
)
from iamd.services.registry import action
from iamd.store import orgs
from iamd.store.locks import lock_account
from iamd.store.org_schema import org_accounts, org_delegated_admins

CLOSE_WINDOW = timedelta(days=30)
MANAGEMENT_CANNOT_LEAVE = (
    "You can't remove a management account from an organization. If you want the management account to become a "
    "member account in another organization, you must first delete the current organization of the management account."
)


@action("organizations", "MoveAccount")
def move_account(call: Call, p: dict[str, Any]) -> None:
    org = common.locked_org(call)
    source = units.parent_unit(call.conn, org, p["SourceParentId"], SourceParentNotFoundException,
                               "We can't find a source root or OU with the ParentId that you specified.")
    destination = units.parent_unit(call.conn, org, p["DestinationParentId"], DestinationParentNotFoundException,
                                    "We can't find the destination container (a root or OU) with the ParentId "
                                    "that you specified.")
    member = member_of(call.conn, org, p["AccountId"])
    if member.parent_id == destination.unit_id:
        raise DuplicateAccountException("That account is already present in the specified destination.")
    if member.parent_id != source.unit_id:
        raise AccountNotFoundException("The account is not a child of the specified source parent.")
    orgs.move_member(call.conn, member.account_id, destination.unit_id)
    orgs.bump_accounts(call.conn, [member.account_id])


@action("organizations", "RemoveAccountFromOrganization")
def remove_account(call: Call, p: dict[str, Any]) -> None:
    org = common.locked_org(call)
    member = member_of(call.conn, org, p["AccountId"])
    _leave(call, org, member)


@action("organizations", "LeaveOrganization")
def leave_organization(call: Call, p: dict[str, Any]) -> None:
    org = common.caller_org(call)
    lock_account(call.conn, org.management_account_id)
    member = orgs.get_member(call.conn, call.account_id)
    if member is None:
        raise AccountNotFoundException("Your account is not a member of an organization.")
    again = orgs.get_org(call.conn, member.org_id)
    assert again is not None
    _leave(call, again, member)


@action("organizations", "CloseAccount")
def close_account(call: Call, p: dict[str, Any]) -> None:
    org = common.locked_org(call)
    member = member_of(call.conn, org, p["AccountId"])
    if member.account_id == org.management_account_id:
        raise ConstraintViolationException(
            "CANNOT_CLOSE_MANAGEMENT_ACCOUNT", "You attempted to close the management account of the organization."
        )
    if member.status != "ACTIVE":
        raise AccountAlreadyClosedException("You attempted to close an account that is already closed.")
    t = org_accounts
    closed = call.conn.execute(
        select(func.count()).select_from(t).where(t.c.org_id == org.org_id, t.c.closed_at >= call.now - CLOSE_WINDOW)
    ).scalar_one()
    members = orgs.count_members(call.conn, org.org_id) - 1
    allowed = min(1000, max(10, members // 10))
    if closed >= allowed:
        raise ConstraintViolationException(
            "CLOSE_ACCOUNT_QUOTA_EXCEEDED",
            f"You have exceeded the close account quota: {allowed} accounts in a rolling 30-day period.",
        )
    orgs.set_member_status(call.conn, member.account_id, "SUSPENDED", call.now)
    orgs.bump_accounts(call.conn, [member.account_id])


def _leave(call: Call, org: Row[Any], member: Row[Any]) -> None:
    if member.account_id == org.management_account_id:
        raise MasterCannotLeaveOrganizationException(MANAGEMENT_CANNOT_LEAVE)
    if member.status != "ACTIVE":
        # A closed account stays in its organization (AWS removes it when it deletes the account);
        # leaving would lift the closure.
        raise ConstraintViolationException(
            "ACCOUNT_CANNOT_LEAVE_ORGANIZATION", "A closed account cannot leave its organization."
        )
    t = org_delegated_admins
    if call.conn.execute(select(t.c.account_id).where(t.c.account_id == member.account_id).limit(1)).first():
        raise ConstraintViolationException(
            "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG",
            "You can't remove an account that is a delegated administrator; deregister it first.",
        )
    orgs.remove_member(call.conn, member.account_id)
    orgs.bump_accounts(call.conn, [member.account_id])
