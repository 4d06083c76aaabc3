"""Invitations: InviteAccountToOrganization, AcceptHandshake, DeclineHandshake, CancelHandshake,
DescribeHandshake, ListHandshakesForAccount, ListHandshakesForOrganization.

AWS Organizations User Guide ("Inviting an AWS account to join your organization"; API Reference
of each operation):

- the management account invites an account by id (``Target`` type ``ACCOUNT``) or by the email
  of its owner (``EMAIL``; iamd accounts made outside Organizations answer to their placeholder
  address, ``common.placeholder_email``). An account already in an organization, this one
  included, is ``HandshakeConstraintViolationException`` ``ALREADY_IN_AN_ORGANIZATION``; a second
  open invitation to one account is ``DuplicateHandshakeException``; open invitations count
  against the account quota (``ACCOUNT_NUMBER_LIMIT_EXCEEDED``); at most 20 invitations a day
  (``HANDSHAKE_RATE_LIMIT_EXCEEDED``). An invitation expires after 15 days.
- only the invited account's principals accept or decline it; only the management account
  cancels it. To anyone else the handshake does not exist (``HandshakeNotFoundException``): an
  account cannot probe another organization's invitations, nor accept one meant for another.
- a handshake that is no longer ``OPEN`` cannot change (``InvalidHandshakeTransitionException``;
  the same state again is ``HandshakeAlreadyInStateException``).

Accepting joins the account to the root, under the management account's lock, and bumps the
account's policy generation (its SCPs and ``aws:PrincipalOrgID`` change on the next request).
The invitation's tags go to the account when it joins (kept meanwhile under the tag type
``org-handshake``).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update

from iamd.services.accounts import account_exists
from iamd.services.context import Call
from iamd.services.organizations import common
from iamd.services.organizations.accounts import account_limit_reached
from iamd.services.organizations.attachments import attach_defaults
from iamd.services.organizations.errors import (
    DuplicateHandshakeException,
    HandshakeAlreadyInStateException,
    HandshakeConstraintViolationException,
    HandshakeNotFoundException,
    InvalidHandshakeTransitionException,
    InvalidInputException,
)
from iamd.services.organizations.organization import account_name
from iamd.services.organizations.pages import page, with_token
from iamd.services.organizations.tagging import add_tags, check_tags
from iamd.services.registry import action
from iamd.store import orgs
from iamd.store import tags as tag_store
from iamd.store.locks import lock_account
from iamd.store.org_schema import org_handshakes

EXPIRES_AFTER = timedelta(days=15)
INVITES_PER_DAY = 20
TAG_HANDSHAKE = orgs.TAG_HANDSHAKE
NOT_FOUND = "We can't find a handshake with the HandshakeId that you specified."
LIVE = ("REQUESTED", "OPEN")


@action("organizations", "InviteAccountToOrganization")
def invite_account(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    tags = p.get("Tags") or []
    check_tags(tags)
    org = common.locked_org(call)
    account_id = _target_account(call.conn, p["Target"])
    if orgs.get_member(call.conn, account_id) is not None:
        raise HandshakeConstraintViolationException(
            "ALREADY_IN_AN_ORGANIZATION", "The account is already a member of an organization."
        )
    live = _live(call.conn, org, call.now)
    if any(h.target_account_id == account_id and h.action == "INVITE" for h in live):
        raise DuplicateHandshakeException("A handshake with the same action and target already exists.")
    if account_limit_reached(call, org, len(live)):
        raise HandshakeConstraintViolationException(
            "ACCOUNT_NUMBER_LIMIT_EXCEEDED",
            f"You have reached the maximum number of accounts in the organization ({call.runtime.org_max_accounts}), "
            "open invitations included.",
        )
    if _sent_since(call.conn, org, call.now - timedelta(days=1)) >= INVITES_PER_DAY:
        raise HandshakeConstraintViolationException(
            "HANDSHAKE_RATE_LIMIT_EXCEEDED", f"You can send at most {INVITES_PER_DAY} invitations a day."
        )
    handshake_id = common.new_handshake_id()
    target = p["Target"]
    management = orgs.get_member(call.conn, org.management_account_id)
    resources: list[dict[str, Any]] = [
        {"Type": "ORGANIZATION", "Value": org.org_id, "Resources": [
            {"Type": "MASTER_EMAIL", "Value": management.email if management is not None else ""},
            {"Type": "MASTER_NAME", "Value": management.name if management is not None else ""},
            {"Type": "ORGANIZATION_FEATURE_SET", "Value": "FULL" if org.feature_set == "ALL" else org.feature_set},
        ]},
        {"Type": target["Type"], "Value": target["Id"]},
    ]
    if p.get("Notes"):
        resources.append({"Type": "NOTES", "Value": p["Notes"]})
    parties = [{"Id": org.org_id, "Type": "ORGANIZATION"}, {"Id": target["Id"], "Type": target["Type"]}]
    call.conn.execute(insert(org_handshakes).values(
        handshake_id=handshake_id, org_id=org.org_id, action="INVITE", state="OPEN", target_account_id=account_id,
        parties=json.dumps(parties), resources=json.dumps(resources), requested_at=call.now,
        expires_at=call.now + EXPIRES_AFTER,
    ))
    if tags:
        add_tags(call.conn, TAG_HANDSHAKE, handshake_id, tags)
    return {"Handshake": shape(call.conn, _get(call.conn, handshake_id), call.now)}


@action("organizations", "AcceptHandshake")
def accept_handshake(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    row = _for_invited(call, p["HandshakeId"])
    org = orgs.get_org(call.conn, row.org_id)
    assert org is not None
    # The organization's lock, then the joining account's own (one order: an account creating an
    # organization of its own at the same moment holds only its own, and is waited for).
    lock_account(call.conn, org.management_account_id)
    lock_account(call.conn, call.account_id)
    row = _for_invited(call, p["HandshakeId"])
    _transition(row, call.now, "ACCEPTED")
    if orgs.get_member(call.conn, call.account_id) is not None:
        raise HandshakeConstraintViolationException(
            "ALREADY_IN_AN_ORGANIZATION", "The account is already a member of an organization."
        )
    email = _invited_email(row) or common.placeholder_email(call.account_id)
    if orgs.member_by_email(call.conn, email) is not None:
        email = common.placeholder_email(call.account_id)
    orgs.add_member(call.conn, org.org_id, call.account_id, org.root_id, account_name(call.conn, call.account_id),
                    email, "INVITED", call.now)
    attach_defaults(call.conn, org.org_id, call.account_id, call.now)
    tags = tag_store.list_tags(call.conn, TAG_HANDSHAKE, row.handshake_id)
    if tags:
        tag_store.put_tags(call.conn, orgs.TAG_ACCOUNT, call.account_id, tags)
        tag_store.drop_all(call.conn, TAG_HANDSHAKE, row.handshake_id)
    _set_state(call.conn, row.handshake_id, "ACCEPTED")
    orgs.bump_accounts(call.conn, [call.account_id])
    return {"Handshake": shape(call.conn, _get(call.conn, row.handshake_id), call.now)}


@action("organizations", "DeclineHandshake")
def decline_handshake(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    row = _for_invited(call, p["HandshakeId"])
    _transition(row, call.now, "DECLINED")
    _set_state(call.conn, row.handshake_id, "DECLINED")
    tag_store.drop_all(call.conn, TAG_HANDSHAKE, row.handshake_id)
    return {"Handshake": shape(call.conn, _get(call.conn, row.handshake_id), call.now)}


@action("organizations", "CancelHandshake")
def cancel_handshake(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    org = common.locked_org(call)
    row = _get(call.conn, p["HandshakeId"])
    if row is None or row.org_id != org.org_id:
        raise HandshakeNotFoundException(NOT_FOUND)
    _transition(row, call.now, "CANCELED")
    _set_state(call.conn, row.handshake_id, "CANCELED")
    tag_store.drop_all(call.conn, TAG_HANDSHAKE, row.handshake_id)
    return {"Handshake": shape(call.conn, _get(call.conn, row.handshake_id), call.now)}


@action("organizations", "DescribeHandshake")
def describe_handshake(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    row = _get(call.conn, p["HandshakeId"])
    if row is None or not _visible(call, row):
        raise HandshakeNotFoundException(NOT_FOUND)
    return {"Handshake": shape(call.conn, row, call.now)}


@action("organizations", "ListHandshakesForAccount")
def list_handshakes_for_account(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    t = org_handshakes
    rows = call.conn.execute(select(t).where(t.c.target_account_id == call.account_id)).all()
    return _list(call, p, "ListHandshakesForAccount", list(rows))


@action("organizations", "ListHandshakesForOrganization")
def list_handshakes_for_organization(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    org = common.managed_org(call, delegated=True)
    t = org_handshakes
    rows = call.conn.execute(select(t).where(t.c.org_id == org.org_id)).all()
    return _list(call, p, "ListHandshakesForOrganization", list(rows))


def open_invitations(conn: Connection, org: Row[Any], now: datetime) -> int:
    return len(_live(conn, org, now))


def shape(conn: Connection, row: Row[Any] | None, now: datetime) -> dict[str, Any]:
    assert row is not None
    org = orgs.get_org(conn, row.org_id)
    assert org is not None
    return {
        "Id": row.handshake_id,
        "Arn": common.handshake_arn(org, row.action, row.handshake_id),
        "Parties": json.loads(row.parties),
        "State": _state(row, now),
        "RequestedTimestamp": row.requested_at,
        "ExpirationTimestamp": row.expires_at,
        "Action": row.action,
        "Resources": json.loads(row.resources),
    }


# --- helpers -------------------------------------------------------------------------------------


def _target_account(conn: Connection, target: dict[str, Any]) -> str:
    kind, value = target["Type"], str(target["Id"])
    if kind == "ACCOUNT":
        if not (value.isdigit() and len(value) == 12):
            raise InvalidInputException("INVALID_PARTY_TYPE_TARGET", "The account id must be 12 digits.")
        account_id = value
    elif kind == "EMAIL":
        local, _, domain = value.partition("@")
        member = orgs.member_by_email(conn, value)
        if member is not None:
            account_id = member.account_id
        elif domain.lower() == common.PLACEHOLDER_DOMAIN and local.isdigit():
            account_id = local
        else:
            raise InvalidInputException(
                "INVALID_EMAIL_ADDRESS_TARGET", "You specified an email address that belongs to no account."
            )
    else:
        raise InvalidInputException(
            "INVALID_PARTY_TYPE_TARGET", "You specified the wrong type of entity (account, organization, or email) as a party."
        )
    if not account_exists(conn, account_id):
        raise InvalidInputException("INVALID_PARTY_TYPE_TARGET", f"There is no account {account_id}.")
    return account_id


def _invited_email(row: Row[Any]) -> str | None:
    for party in json.loads(row.parties):
        if party.get("Type") == "EMAIL":
            return str(party["Id"])
    return None


def _get(conn: Connection, handshake_id: str) -> Row[Any] | None:
    return conn.execute(select(org_handshakes).where(org_handshakes.c.handshake_id == handshake_id)).first()


def _for_invited(call: Call, handshake_id: str) -> Row[Any]:
    row = _get(call.conn, handshake_id)
    if row is None or row.target_account_id != call.account_id:
        raise HandshakeNotFoundException(NOT_FOUND)
    return row


def _visible(call: Call, row: Row[Any]) -> bool:
    if row.target_account_id == call.account_id:
        return True
    org = orgs.get_org(call.conn, row.org_id)
    return org is not None and org.management_account_id == call.account_id


def _state(row: Row[Any], now: datetime) -> str:
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=now.tzinfo)
    return "EXPIRED" if row.state in LIVE and expires <= now else str(row.state)


def _transition(row: Row[Any], now: datetime, to: str) -> None:
    state = _state(row, now)
    if state == to:
        raise HandshakeAlreadyInStateException(f"The handshake is already in the {to} state.")
    if state not in LIVE:
        raise InvalidHandshakeTransitionException(
            f"You can't perform the operation on the handshake in its current state ({state})."
        )


def _set_state(conn: Connection, handshake_id: str, state: str) -> None:
    conn.execute(update(org_handshakes).where(org_handshakes.c.handshake_id == handshake_id).values(state=state))


def _live(conn: Connection, org: Row[Any], now: datetime) -> list[Row[Any]]:
    t = org_handshakes
    rows = conn.execute(select(t).where(t.c.org_id == org.org_id, t.c.state.in_(LIVE))).all()
    return [r for r in rows if _state(r, now) in LIVE]


def _sent_since(conn: Connection, org: Row[Any], since: datetime) -> int:
    t = org_handshakes
    q = select(func.count()).select_from(t).where(t.c.org_id == org.org_id, t.c.requested_at >= since)
    return int(conn.execute(q).scalar_one())


def _list(call: Call, p: dict[str, Any], operation: str, rows: list[Row[Any]]) -> dict[str, Any]:
    wanted = p.get("Filter") or {}
    if wanted.get("ActionType"):
        rows = [r for r in rows if r.action == wanted["ActionType"]]
    if wanted.get("ParentHandshakeId"):
        rows = []  # only ENABLE_ALL_FEATURES handshakes have children; iamd sends none
    rows.sort(key=lambda r: r.handshake_id)
    chunk, token = page(call, p, operation, rows, lambda r: r.handshake_id, query=wanted)
    return with_token({"Handshakes": [shape(call.conn, r, call.now) for r in chunk]}, token)

