"""CreateAccount, DescribeCreateAccountStatus, ListCreateAccountStatus.

AWS Organizations API Reference (CreateAccount): "Creates an AWS account that is automatically a
member of the organization whose credentials made the request … AWS Organizations creates a copy
of an IAM role … named OrganizationAccountAccessRole by default [RoleName] … that grants
administrator permissions in the new member account. Principals in the management account can
assume the role." The account is placed in the root. "AWS Organizations doesn't create root user
credentials": the new account has no root access key; it is reached through the role.

AWS creates accounts asynchronously and reports the outcome through DescribeCreateAccountStatus;
iamd is strongly consistent, so the request is complete when CreateAccount answers: ``State`` is
``SUCCEEDED`` (with ``AccountId``) or ``FAILED`` with AWS's ``FailureReason`` — an email another
account of any organization already uses is ``EMAIL_ALREADY_EXISTS``, and the failed request is
listed like on AWS. The organization's account quota (``--org-max-accounts``, open invitations
included) is ``ConstraintViolationException`` ``ACCOUNT_NUMBER_LIMIT_EXCEEDED``, checked under the
management account's lock; two requests for one email serialize on that lock, and across
organizations the unique email index decides (the loser is ``ConcurrentModificationException``).
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from sqlalchemy import Connection, Row, insert, select

from iamd.auth.caller import Caller
from iamd.services.accounts import account_exists, create_bare_account
from iamd.services.context import Call
from iamd.services.organizations import common, handshakes
from iamd.services.organizations.accounts import account_limit_reached
from iamd.services.organizations.attachments import attach_defaults
from iamd.services.organizations.errors import (
    ConstraintViolationException,
    CreateAccountStatusNotFoundException,
)
from iamd.services.organizations.pages import page, with_token
from iamd.services.organizations.tagging import add_tags, check_tags
from iamd.services.registry import ACTIONS, action
from iamd.store import orgs
from iamd.store.org_schema import org_create_account_status
from iamd.store.policy_docs import bump_generation

DEFAULT_ROLE = "OrganizationAccountAccessRole"
ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"
STATUS_NOT_FOUND = "We can't find an create account request with the CreateAccountRequestId that you specified."


@action("organizations", "CreateAccount")
def create_account(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    tags = p.get("Tags") or []
    check_tags(tags)
    org = common.locked_org(call)
    if account_limit_reached(call, org, handshakes.open_invitations(call.conn, org, call.now)):
        raise ConstraintViolationException(
            "ACCOUNT_NUMBER_LIMIT_EXCEEDED",
            f"You have reached the maximum number of accounts in the organization ({call.runtime.org_max_accounts}).",
        )
    request_id = common.new_create_account_request_id()
    status: dict[str, Any] = {"request_id": request_id, "org_id": org.org_id, "account_name": p["AccountName"],
                              "requested_at": call.now, "completed_at": call.now}
    if orgs.member_by_email(call.conn, p["Email"]) is not None:
        status.update(state="FAILED", failure_reason="EMAIL_ALREADY_EXISTS")
    else:
        account_id = _new_account_id(call.conn)
        create_bare_account(call.conn, account_id, call.now)
        orgs.add_member(call.conn, org.org_id, account_id, org.root_id, p["AccountName"], p["Email"], "CREATED",
                        call.now)
        attach_defaults(call.conn, org.org_id, account_id, call.now)
        _access_role(call, org, account_id, p.get("RoleName") or DEFAULT_ROLE)
        if tags:
            add_tags(call.conn, orgs.TAG_ACCOUNT, account_id, tags)
        status.update(state="SUCCEEDED", account_id=account_id)
    call.conn.execute(insert(org_create_account_status).values(**status))
    return {"CreateAccountStatus": _shape(_row(call.conn, request_id))}


@action("organizations", "DescribeCreateAccountStatus")
def describe_create_account_status(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    org = common.managed_org(call, delegated=True)
    row = _row(call.conn, p["CreateAccountRequestId"])
    if row is None or row.org_id != org.org_id:
        raise CreateAccountStatusNotFoundException(STATUS_NOT_FOUND)
    return {"CreateAccountStatus": _shape(row)}


@action("organizations", "ListCreateAccountStatus")
def list_create_account_status(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    org = common.managed_org(call, delegated=True)
    t = org_create_account_status
    q = select(t).where(t.c.org_id == org.org_id)
    states = p.get("States")
    if states:
        q = q.where(t.c.state.in_(states))
    rows = list(call.conn.execute(q).all())
    rows.sort(key=_key)
    chunk, token = page(call, p, "ListCreateAccountStatus", rows, _key, query=sorted(states or []))
    return with_token({"CreateAccountStatuses": [_shape(r) for r in chunk]}, token)


def _access_role(call: Call, org: Row[Any], account_id: str, role_name: str) -> None:
    """The role AWS puts in every created account: trusting the management account (its root, so
    that the management account's own policies decide which of its principals may assume it),
    with AdministratorAccess. Made by IAM's own actions, as the new account's root."""
    root = Caller(account_id=account_id, arn=f"arn:aws:iam::{account_id}:root", user_id=account_id, kind="root",
                  access_key_id="")
    as_root = Call(call.conn, root, call.now, call.request_id, call.runtime, call.region)
    trust = {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{org.management_account_id}:root"},
            "Action": "sts:AssumeRole",
        }],
    }
    ACTIONS["iam"]["CreateRole"](as_root, {"RoleName": role_name, "AssumeRolePolicyDocument": json.dumps(trust)})
    ACTIONS["iam"]["AttachRolePolicy"](as_root, {"RoleName": role_name, "PolicyArn": ADMINISTRATOR_ACCESS})
    bump_generation(call.conn, account_id)


def _new_account_id(conn: Connection) -> str:
    while True:
        candidate = f"{secrets.randbelow(9 * 10**11) + 10**11:012d}"
        if not account_exists(conn, candidate):
            return candidate


def _row(conn: Connection, request_id: str) -> Row[Any] | None:
    t = org_create_account_status
    return conn.execute(select(t).where(t.c.request_id == request_id)).first()


def _key(row: Row[Any]) -> str:
    return f"{row.requested_at.isoformat()}|{row.request_id}"


def _shape(row: Row[Any] | None) -> dict[str, Any]:
    assert row is not None
    out: dict[str, Any] = {
        "Id": row.request_id,
        "AccountName": row.account_name,
        "State": row.state,
        "RequestedTimestamp": row.requested_at,
    }
    if row.completed_at is not None:
        out["CompletedTimestamp"] = row.completed_at
    if row.account_id:
        out["AccountId"] = row.account_id
    if row.failure_reason:
        out["FailureReason"] = row.failure_reason
    return out
