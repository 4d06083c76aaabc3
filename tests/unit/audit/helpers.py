"""Callers and API-call records for audit tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from iamd.audit.record import ApiCallRecord
from iamd.auth.caller import Caller
from iamd.auth.session_claims import ASSUMED_ROLE, FEDERATED_USER, SessionClaims

ACCOUNT = "111122223333"
OTHER = "444455556666"
T0 = datetime(2024, 3, 4, 5, 6, 7, tzinfo=UTC)


def root(account: str = ACCOUNT) -> Caller:
    return Caller(account, f"arn:aws:iam::{account}:root", account, "root", "AKIAROOTROOTROOT1234")


def user(name: str = "alice", account: str = ACCOUNT, key: str = "AKIAALICEALICE123456") -> Caller:
    return Caller(account, f"arn:aws:iam::{account}:user/{name}", "AIDAALICE", "user", key, user_name=name)


def assumed_role(mfa: bool = True, source_identity: str | None = "alice") -> Caller:
    claims = SessionClaims(
        kind=ASSUMED_ROLE,
        account_id=ACCOUNT,
        access_key_id="ASIAROLESESSION12345",
        secret_access_key="SECRET-session-secret",
        issued_at=T0 - timedelta(minutes=5),
        expires_at=T0 + timedelta(hours=1),
        arn=f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/sess-1",
        principal_id="AROAADMIN:sess-1",
        source_arn=f"arn:aws:iam::{ACCOUNT}:role/ops/Admin",
        source_id="AROAADMIN",
        session_name="sess-1",
        source_identity=source_identity,
        mfa_authenticated=mfa,
    )
    return Caller(
        ACCOUNT, claims.arn, claims.principal_id, ASSUMED_ROLE, claims.access_key_id, None, "TOKEN", claims
    )


def federated() -> Caller:
    claims = SessionClaims(
        kind=FEDERATED_USER,
        account_id=ACCOUNT,
        access_key_id="ASIAFEDERATED1234567",
        secret_access_key="SECRET-fed-secret",
        issued_at=T0,
        expires_at=T0 + timedelta(hours=1),
        arn=f"arn:aws:sts::{ACCOUNT}:federated-user/carol",
        principal_id=f"{ACCOUNT}:carol",
        source_arn=f"arn:aws:iam::{ACCOUNT}:user/alice",
        source_id="AIDAALICE",
        session_name="carol",
    )
    return Caller(
        ACCOUNT, claims.arn, claims.principal_id, FEDERATED_USER, claims.access_key_id, None, "T", claims
    )


def record(
    operation: str = "GetUser",
    caller: Caller | None = None,
    *,
    service: str = "iam",
    params: dict[str, Any] | None = None,
    response: dict[str, Any] | None = None,
    read_only: bool = True,
    when: datetime = T0,
    error: tuple[str, str] | None = None,
    access_key_id: str | None = None,
    account_id: str | None = ACCOUNT,
    resource_accounts: tuple[str, ...] = (),
) -> ApiCallRecord:
    caller = caller if caller is not None or access_key_id else root()
    return ApiCallRecord(
        request_id=str(uuid.uuid4()),
        event_time=when,
        service=service,
        operation=operation,
        region="us-west-2",
        source_ip="192.0.2.10",
        user_agent="aws-cli/2.15 Python/3.11",
        caller=caller,
        access_key_id=access_key_id or (caller.access_key_id if caller else None),
        account_id=account_id if caller is None else caller.account_id,
        params=params,
        response=response,
        error_code=error[0] if error else None,
        error_message=error[1] if error else None,
        read_only=read_only,
        resource_accounts=resource_accounts,
    )


def verify_with_db_keys(conn: Any) -> Any:
    """``verify`` with the public keys the database lists (what a verifier without a copy has)."""
    from iamd.audit.keys import public_keys, trusted
    from iamd.audit.signing import DigestVerifier
    from iamd.audit.verify import verify

    return verify(conn, DigestVerifier(trusted(public_keys(conn))))
