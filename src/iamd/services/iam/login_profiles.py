"""Login profiles (console passwords): create, get, update, delete, ChangePassword, and the
verification a sign-in uses.

A password is never returned, logged or audited: only its Argon2id hash is stored
(``auth/passwords.py``), botocore marks every password member ``sensitive``, and no message here
quotes one. Every password set goes through the account password policy
(``password_policy.py``) and, for reuse prevention, into the user's password history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from iamd.auth import passwords
from iamd.auth.session_claims import ROOT_SESSION
from iamd.errors import AccessDenied, ValidationError
from iamd.services.context import Call
from iamd.services.iam import password_policy
from iamd.services.iam.errors import (
    ConcurrentModification,
    EntityAlreadyExists,
    InvalidInput,
    InvalidUserType,
    NoSuchEntity,
)
from iamd.services.iam.users import caller_user_name, get_user_row
from iamd.services.registry import action
from iamd.store import schema
from iamd.store.locks import lock_account
from iamd.store.repos import users

LP = schema.login_profiles


def _target_user(call: Call, p: dict[str, Any]) -> Row[Any]:
    """``UserName``, or the calling IAM user when it is omitted (as GetUser does).

    "When you make this request with root user credentials, you must use an AssumeRoot session to
    omit the user name" (GetLoginProfile's API reference): such a session asks about the member's
    root password, and iamd keeps none for root users, so there is none to find or delete."""
    name = p.get("UserName")
    if name is None and _root_session(call):
        raise NoSuchEntity("Login Profile for User root cannot be found.")
    return get_user_row(call, caller_user_name(call) if name is None else name)


def _root_session(call: Call) -> bool:
    session = call.caller.session
    return session is not None and session.kind == ROOT_SESSION


def _profile(conn: Connection, user_id: str) -> Row[Any] | None:
    return conn.execute(select(LP).where(LP.c.user_id == user_id)).first()


def _require_profile(call: Call, user: Row[Any]) -> Row[Any]:
    row = _profile(call.conn, user.user_id)
    if row is None:
        raise NoSuchEntity(f"Login Profile for User {user.name} cannot be found.")
    return row


def _shape(user: Row[Any], profile: Row[Any]) -> dict[str, Any]:
    return {
        "UserName": user.name,
        "CreateDate": profile.created_at,
        "PasswordResetRequired": bool(profile.password_reset_required),
    }


@dataclass(frozen=True, slots=True)
class _CheckedPassword:
    """A new password checked against the policy and the history, and hashed, before the lock;
    ``basis`` is what those checks read."""

    hashed: str
    policy: password_policy.PasswordPolicy | None
    basis: tuple[object, ...]


def _check_new_password(call: Call, user_id: str, password: str, current_hash: str | None) -> _CheckedPassword:
    """Check ``password`` against the policy and the history and hash it, holding no lock.

    These actions take the account's lock themselves (``locks_itself``), after this Argon2 work —
    a hash, and one verification per remembered password, up to 25 — so that one user's
    ChangePassword calls cannot hold every change of the account (of the database, on SQLite)
    for seconds. Then ``_record_password`` confirms under the lock that nothing it read changed.
    """
    policy = password_policy.get_policy(call.conn, call.account_id)
    basis = (policy, _newest_history(call, user_id))
    password_policy.check_password(policy, password)
    password_policy.check_reuse(call.conn, policy, user_id, password, current_hash)
    return _CheckedPassword(passwords.hash_password(password), policy, basis)


def _record_password(call: Call, user_id: str, checked: _CheckedPassword) -> str:
    """Under the lock: store the password in the history, unless the policy or the history changed
    since it was checked — another change won: ConcurrentModification, retry."""
    if (password_policy.get_policy(call.conn, call.account_id), _newest_history(call, user_id)) != checked.basis:
        raise _concurrent()
    password_policy.record_password(call.conn, checked.policy, user_id, checked.hashed, call.now)
    return checked.hashed


def _newest_history(call: Call, user_id: str) -> int | None:
    h = password_policy.H
    return call.conn.execute(select(func.max(h.c.entry_id)).where(h.c.user_id == user_id)).scalar()


def _concurrent() -> ConcurrentModification:
    return ConcurrentModification(
        "The request was rejected because multiple requests to change this object were submitted "
        "simultaneously. Wait a few minutes and submit your request again."
    )


def _unchanged(call: Call, user: Row[Any], checked_hash: str) -> Row[Any]:
    """The login profile under the lock, still the one whose password was checked."""
    profile = _require_profile(call, user)
    if profile.password_hash != checked_hash:
        raise _concurrent()
    return profile


@action("iam", "CreateLoginProfile", locks_itself=True)
def create_login_profile(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    if p.get("UserName") is None and _root_session(call):
        # IAMCreateRootUserPassword's task: allowing a member's root password to be recovered.
        raise InvalidInput("iamd keeps no console password for root users: there is no root password to recover.")
    user = _target_user(call, p)
    password = p.get("Password")
    if password is None:
        # Only an AssumeRoot session may omit it (to recover a root password): refused above.
        raise ValidationError(
            "1 validation error detected: Value null at 'password' failed to satisfy constraint: "
            "Member must not be null"
        )
    if _profile(call.conn, user.user_id) is not None:
        raise EntityAlreadyExists(f"Login Profile for user {user.name} already exists.")
    checked = _check_new_password(call, user.user_id, password, None)
    lock_account(call.conn, call.account_id)
    if _profile(call.conn, user.user_id) is not None:  # made by another call meanwhile
        raise EntityAlreadyExists(f"Login Profile for user {user.name} already exists.")
    hashed = _record_password(call, user.user_id, checked)
    call.conn.execute(
        insert(LP).values(
            user_id=user.user_id,
            password_hash=hashed,
            password_reset_required=bool(p.get("PasswordResetRequired", False)),
            created_at=call.now,
            password_last_changed=call.now,
        )
    )
    profile = _profile(call.conn, user.user_id)
    assert profile is not None
    return {"LoginProfile": _shape(user, profile)}


@action("iam", "GetLoginProfile")
def get_login_profile(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    user = _target_user(call, p)
    return {"LoginProfile": _shape(user, _require_profile(call, user))}


@action("iam", "UpdateLoginProfile", locks_itself=True)
def update_login_profile(call: Call, p: dict[str, Any]) -> None:
    user = get_user_row(call, p["UserName"])
    profile = _require_profile(call, user)
    changes: dict[str, Any] = {}
    if p.get("Password") is not None:
        checked = _check_new_password(call, user.user_id, p["Password"], profile.password_hash)
        lock_account(call.conn, call.account_id)
        _unchanged(call, user, profile.password_hash)
        changes["password_hash"] = _record_password(call, user.user_id, checked)
        changes["password_last_changed"] = call.now
    else:
        lock_account(call.conn, call.account_id)
        _require_profile(call, user)
    if p.get("PasswordResetRequired") is not None:
        changes["password_reset_required"] = bool(p["PasswordResetRequired"])
    if changes:
        call.conn.execute(update(LP).where(LP.c.user_id == user.user_id).values(**changes))
    return None


@action("iam", "DeleteLoginProfile")
def delete_login_profile(call: Call, p: dict[str, Any]) -> None:
    user = _target_user(call, p)
    _require_profile(call, user)
    call.conn.execute(delete(LP).where(LP.c.user_id == user.user_id))
    return None


@action("iam", "ChangePassword", locks_itself=True)
def change_password(call: Call, p: dict[str, Any]) -> None:
    """The calling IAM user changes its own password; the old one must be right.

    Authorization (``iam:ChangePassword`` on the caller's own user ARN) happened before this runs.
    Root and role sessions have no login profile to change: ``InvalidUserType``.
    """
    caller = call.caller
    user = users.get_by_id(call.conn, caller.user_id) if caller.kind == "user" else None
    if user is None:
        raise InvalidUserType("Only IAM Users can change their own password.")
    profile = _require_profile(call, user)
    if not passwords.verify_password(profile.password_hash, p["OldPassword"]).ok:
        raise AccessDenied("The old password was incorrect.")
    checked = _check_new_password(call, user.user_id, p["NewPassword"], profile.password_hash)
    lock_account(call.conn, call.account_id)
    _unchanged(call, user, profile.password_hash)  # the old password was checked against this one
    hashed = _record_password(call, user.user_id, checked)
    call.conn.execute(
        update(LP)
        .where(LP.c.user_id == user.user_id)
        .values(password_hash=hashed, password_last_changed=call.now, password_reset_required=False)
    )
    return None


# --- sign-in -----------------------------------------------------------------------------------


class LoginOutcome(StrEnum):
    SUCCESS = "Success"
    # Unknown user, no login profile or wrong password: deliberately indistinguishable.
    FAILED = "Failed"
    # Signed in, but must set a new password before doing anything else.
    RESET_REQUIRED = "PasswordResetRequired"
    EXPIRED = "PasswordExpired"
    # Expired under HardExpiry: no sign-in until an administrator resets the password.
    EXPIRED_ADMIN_RESET = "PasswordExpiredAdminResetRequired"


@dataclass(frozen=True, slots=True)
class LoginResult:
    outcome: LoginOutcome
    user_id: str | None = None
    user_name: str | None = None
    # When the password expires (None: never), for the console's "expires in N days" warning.
    expires_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is LoginOutcome.SUCCESS

    @property
    def must_change_password(self) -> bool:
        return self.outcome in (LoginOutcome.RESET_REQUIRED, LoginOutcome.EXPIRED)


def verify_login(
    conn: Connection, account_id: str, user_name: str, password: str, now: datetime
) -> LoginResult:
    """Check a console sign-in and keep its bookkeeping, in the caller's transaction.

    A correct password records ``users.password_last_used`` (the credential report's
    ``password_last_used``, GetUser's ``PasswordLastUsed``) unless HardExpiry keeps the user out,
    and replaces a hash made with outdated Argon2 parameters. An unknown user or a missing login
    profile costs one verification too, so timing does not reveal which users exist.
    """
    user = users.get_by_name(conn, account_id, user_name)
    profile = _profile(conn, user.user_id) if user is not None else None
    if user is None or profile is None:
        passwords.verify_nothing(password)
        return LoginResult(LoginOutcome.FAILED)
    checked = passwords.verify_password(profile.password_hash, password)
    if not checked.ok:
        return LoginResult(LoginOutcome.FAILED)
    policy = password_policy.get_policy(conn, account_id)
    expires_at = password_policy.next_rotation(policy, profile.password_last_changed)
    result = LoginResult(LoginOutcome.SUCCESS, user.user_id, user.name, expires_at)
    if expires_at is not None and now >= expires_at:
        assert policy is not None
        if policy.hard_expiry:
            return LoginResult(LoginOutcome.EXPIRED_ADMIN_RESET, user.user_id, user.name, expires_at)
        result = LoginResult(LoginOutcome.EXPIRED, user.user_id, user.name, expires_at)
    elif profile.password_reset_required:
        result = LoginResult(LoginOutcome.RESET_REQUIRED, user.user_id, user.name, expires_at)
    users.update(conn, user.user_id, password_last_used=now)
    if checked.new_hash is not None:
        conn.execute(update(LP).where(LP.c.user_id == user.user_id).values(password_hash=checked.new_hash))
    return result
