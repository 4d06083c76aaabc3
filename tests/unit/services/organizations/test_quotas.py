"""Quotas and time rules of Organizations, called directly on both store backends: invitations
per day, invitations counting against the account quota, the OU quota, handshake expiry."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from iamd.services.accounts import create_account
from iamd.services.context import Call, Caller
from iamd.services.organizations import errors, units
from iamd.services.registry import ACTIONS
from iamd.services.runtime import Runtime

Run = Callable[..., Any]


def root(account_id: str) -> Caller:
    return Caller(account_id, f"arn:aws:iam::{account_id}:root", account_id, "root", "AKIAROOT")


def new_accounts(runtime: Runtime, n: int) -> list[str]:
    ids = [f"{random.randrange(10**11, 10**12):012d}" for _ in range(n)]
    with runtime.store.begin() as conn:
        for account_id in ids:
            create_account(conn, runtime.secretbox, account_id, datetime.now(UTC))
    return ids


@pytest.fixture
def run(runtime: Runtime) -> Run:
    def call(account_id: str, name: str, params: dict[str, Any] | None = None, now: datetime | None = None) -> Any:
        with runtime.store.begin() as conn:
            c = Call(conn, root(account_id), now or datetime.now(UTC), str(uuid.uuid4()), runtime)
            return ACTIONS["organizations"][name](c, params or {})

    return call


def invite(run: Run, management: str, account_id: str, now: datetime | None = None) -> str:
    out = run(management, "InviteAccountToOrganization", {"Target": {"Type": "ACCOUNT", "Id": account_id}}, now)
    return str(out["Handshake"]["Id"])


def test_twenty_invitations_a_day(runtime: Runtime, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime, "org_max_accounts", 100)
    management, *others = new_accounts(runtime, 23)
    run(management, "CreateOrganization")
    start = datetime.now(UTC)
    for account_id in others[:20]:
        invite(run, management, account_id, start)
    with pytest.raises(errors.HandshakeConstraintViolationException) as caught:
        invite(run, management, others[20], start + timedelta(hours=23))
    assert caught.value.reason == "HANDSHAKE_RATE_LIMIT_EXCEEDED"
    invite(run, management, others[20], start + timedelta(hours=25))


def test_open_invitations_count_against_the_account_quota(runtime: Runtime, run: Run,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime, "org_max_accounts", 3)
    management, a, b, c = new_accounts(runtime, 4)
    run(management, "CreateOrganization")
    first = invite(run, management, a)
    invite(run, management, b)
    with pytest.raises(errors.HandshakeConstraintViolationException) as caught:
        invite(run, management, c)
    assert caught.value.reason == "ACCOUNT_NUMBER_LIMIT_EXCEEDED"
    with pytest.raises(errors.ConstraintViolationException) as refused:
        run(management, "CreateAccount", {"AccountName": "n", "Email": "n@example.com"})
    assert refused.value.reason == "ACCOUNT_NUMBER_LIMIT_EXCEEDED"
    run(management, "CancelHandshake", {"HandshakeId": first})
    invite(run, management, c)


def test_invitation_expires_after_fifteen_days(runtime: Runtime, run: Run) -> None:
    management, invited = new_accounts(runtime, 2)
    run(management, "CreateOrganization")
    start = datetime.now(UTC)
    hs = invite(run, management, invited, start)
    later = start + timedelta(days=15, seconds=1)
    shown = run(invited, "DescribeHandshake", {"HandshakeId": hs}, later)["Handshake"]
    assert shown["State"] == "EXPIRED"
    with pytest.raises(errors.InvalidHandshakeTransitionException):
        run(invited, "AcceptHandshake", {"HandshakeId": hs}, later)
    # An expired invitation no longer blocks a new one.
    invite(run, management, invited, later)


def test_ou_quota(runtime: Runtime, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(units, "MAX_UNITS", 2)
    (management,) = new_accounts(runtime, 1)
    run(management, "CreateOrganization")
    root_id = run(management, "ListRoots")["Roots"][0]["Id"]
    run(management, "CreateOrganizationalUnit", {"ParentId": root_id, "Name": "a"})
    run(management, "CreateOrganizationalUnit", {"ParentId": root_id, "Name": "b"})
    with pytest.raises(errors.ConstraintViolationException) as caught:
        run(management, "CreateOrganizationalUnit", {"ParentId": root_id, "Name": "c"})
    assert caught.value.reason == "OU_NUMBER_LIMIT_EXCEEDED"


def test_delete_organization_drops_open_invitations(runtime: Runtime, run: Run) -> None:
    management, invited = new_accounts(runtime, 2)
    run(management, "CreateOrganization")
    hs = invite(run, management, invited)
    run(management, "DeleteOrganization")
    with pytest.raises(errors.HandshakeNotFoundException):
        run(invited, "AcceptHandshake", {"HandshakeId": hs})
