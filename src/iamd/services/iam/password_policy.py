"""The account password policy: its three actions, the rules a new password must meet, reuse
prevention over the password history, and expiry.

AWS (IAM User Guide, "Setting an account password policy for IAM users"):
- without a custom policy the *default* policy applies: 8 to 128 characters and at least three of
  uppercase, lowercase, numbers and the symbols ``! @ # $ % ^ & * ( ) _ + - = [ ] { } | '``;
- UpdateAccountPasswordPolicy replaces the whole policy: an omitted member reverts to its default
  (length 6, every flag false, no expiry, no reuse prevention);
- length and character rules apply the next time a password is set; expiry applies at once to
  passwords already older than ``MaxPasswordAge``;
- ``AllowUsersToChangePassword`` lets every user change their own password in the console without
  an IAM policy; it takes nothing away from a user whose policies allow ``iam:ChangePassword``.

Messages: AWS answers ``PasswordPolicyViolation`` with one sentence per failed rule (the first
one failing, in the order checked here).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from iamd.auth import passwords
from iamd.services.context import Call
from iamd.services.iam.errors import NoSuchEntity, PasswordPolicyViolation
from iamd.services.registry import action
from iamd.store import schema

# AWS's symbol set: other characters are allowed in a password but do not count as symbols.
SYMBOLS = frozenset("!@#$%^&*()_+-=[]{}|'")
MAX_REUSE_PREVENTION = 24
DEFAULT_MINIMUM_LENGTH = 8


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    minimum_password_length: int = 6
    require_symbols: bool = False
    require_numbers: bool = False
    require_uppercase_characters: bool = False
    require_lowercase_characters: bool = False
    allow_users_to_change_password: bool = False
    max_password_age: int | None = None
    password_reuse_prevention: int | None = None
    hard_expiry: bool = False

    @property
    def expire_passwords(self) -> bool:
        return bool(self.max_password_age)


COLUMNS = tuple(PasswordPolicy.__dataclass_fields__)
T = schema.password_policies
H = schema.password_history


def get_policy(conn: Connection, account_id: str) -> PasswordPolicy | None:
    """The account's custom policy, or None when the default policy applies."""
    row = conn.execute(select(*(T.c[c] for c in COLUMNS)).where(T.c.account_id == account_id)).first()
    return PasswordPolicy(**row._asdict()) if row is not None else None


# --- rules -------------------------------------------------------------------------------------


def _kinds(password: str) -> dict[str, bool]:
    return {
        "uppercase": any("A" <= ch <= "Z" for ch in password),
        "lowercase": any("a" <= ch <= "z" for ch in password),
        "number": any("0" <= ch <= "9" for ch in password),
        "symbol": any(ch in SYMBOLS for ch in password),
    }


def check_password(policy: PasswordPolicy | None, password: str) -> None:
    """Raise ``PasswordPolicyViolation`` when ``password`` breaks a rule of ``policy`` (or of the
    default policy when there is none)."""
    kinds = _kinds(password)
    if policy is None:
        if len(password) < DEFAULT_MINIMUM_LENGTH:
            raise PasswordPolicyViolation(
                f"Password should have a minimum length of {DEFAULT_MINIMUM_LENGTH}"
            )
        if sum(kinds.values()) < 3:
            raise PasswordPolicyViolation(
                "Password should have at least three of the following: uppercase letters, lowercase letters,"
                " numbers and symbols"
            )
        return
    if len(password) < policy.minimum_password_length:
        raise PasswordPolicyViolation(
            f"Password should have a minimum length of {policy.minimum_password_length}"
        )
    required = [
        (
            policy.require_uppercase_characters,
            "uppercase",
            "Password should have at least one uppercase letter",
        ),
        (
            policy.require_lowercase_characters,
            "lowercase",
            "Password should have at least one lowercase letter",
        ),
        (policy.require_numbers, "number", "Password should have at least one number"),
        (policy.require_symbols, "symbol", "Password should have at least one symbol"),
    ]
    for wanted, kind, message in required:
        if wanted and not kinds[kind]:
            raise PasswordPolicyViolation(message)


def check_reuse(
    conn: Connection, policy: PasswordPolicy | None, user_id: str, password: str, current_hash: str | None
) -> None:
    """Refuse one of the user's last ``PasswordReusePrevention`` passwords, the current one included.

    Each candidate costs one Argon2 verification: at most 24, on a rare, deliberate operation.
    """
    n = policy.password_reuse_prevention if policy else None
    if not n:
        return
    hashes = list(
        conn.execute(
            select(H.c.password_hash).where(H.c.user_id == user_id).order_by(H.c.entry_id.desc()).limit(n)
        ).scalars()
    )
    if current_hash is not None and current_hash not in hashes:
        hashes = [current_hash, *hashes[: n - 1]]
    for stored in hashes:
        if passwords.verify_password(stored, password).ok:
            raise PasswordPolicyViolation(f"Password should not be one of your previous {n} passwords.")


def record_password(
    conn: Connection, policy: PasswordPolicy | None, user_id: str, password_hash: str, now: datetime
) -> None:
    """Remember a newly set password for reuse prevention; only the last N are kept (none without
    reuse prevention: no hash is kept longer than the policy needs it)."""
    n = (policy.password_reuse_prevention if policy else None) or 0
    if n:
        conn.execute(insert(H).values(user_id=user_id, password_hash=password_hash, changed_at=now))
    keep = select(H.c.entry_id).where(H.c.user_id == user_id).order_by(H.c.entry_id.desc()).limit(n)
    conn.execute(delete(H).where(H.c.user_id == user_id, H.c.entry_id.not_in(keep.scalar_subquery())))


# --- expiry ------------------------------------------------------------------------------------


def next_rotation(policy: PasswordPolicy | None, last_changed: datetime) -> datetime | None:
    """When a password set at ``last_changed`` expires (the credential report's
    ``password_next_rotation``); None when passwords never expire."""
    if policy is None or not policy.max_password_age:
        return None
    return last_changed + timedelta(days=policy.max_password_age)


def is_expired(policy: PasswordPolicy | None, last_changed: datetime, now: datetime) -> bool:
    due = next_rotation(policy, last_changed)
    return due is not None and now >= due


# --- actions -----------------------------------------------------------------------------------


def _not_found(account_id: str) -> NoSuchEntity:
    return NoSuchEntity(f"The Password Policy with domain name {account_id} cannot be found.")


@action("iam", "UpdateAccountPasswordPolicy")
def update_account_password_policy(call: Call, p: dict[str, Any]) -> None:
    default = PasswordPolicy()
    values: dict[str, Any] = {
        "minimum_password_length": p.get("MinimumPasswordLength") or default.minimum_password_length,
        "require_symbols": bool(p.get("RequireSymbols", False)),
        "require_numbers": bool(p.get("RequireNumbers", False)),
        "require_uppercase_characters": bool(p.get("RequireUppercaseCharacters", False)),
        "require_lowercase_characters": bool(p.get("RequireLowercaseCharacters", False)),
        "allow_users_to_change_password": bool(p.get("AllowUsersToChangePassword", False)),
        "max_password_age": p.get("MaxPasswordAge") or None,
        "password_reuse_prevention": p.get("PasswordReusePrevention") or None,
        "hard_expiry": bool(p.get("HardExpiry") or False),
    }
    exists = call.conn.execute(select(T.c.account_id).where(T.c.account_id == call.account_id)).first()
    if exists:
        call.conn.execute(T.update().where(T.c.account_id == call.account_id).values(**values))
    else:
        call.conn.execute(insert(T).values(account_id=call.account_id, **values))
    return None


@action("iam", "GetAccountPasswordPolicy")
def get_account_password_policy(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    policy = get_policy(call.conn, call.account_id)
    if policy is None:
        raise _not_found(call.account_id)
    out: dict[str, Any] = {
        "MinimumPasswordLength": policy.minimum_password_length,
        "RequireSymbols": policy.require_symbols,
        "RequireNumbers": policy.require_numbers,
        "RequireUppercaseCharacters": policy.require_uppercase_characters,
        "RequireLowercaseCharacters": policy.require_lowercase_characters,
        "AllowUsersToChangePassword": policy.allow_users_to_change_password,
        "ExpirePasswords": policy.expire_passwords,
    }
    if policy.max_password_age:
        out["MaxPasswordAge"] = policy.max_password_age
    if policy.password_reuse_prevention:
        out["PasswordReusePrevention"] = policy.password_reuse_prevention
    out["HardExpiry"] = policy.hard_expiry
    return {"PasswordPolicy": out}


@action("iam", "DeleteAccountPasswordPolicy")
def delete_account_password_policy(call: Call, p: dict[str, Any]) -> None:
    """AWS words the missing policy differently here than GetAccountPasswordPolicy does."""
    done = call.conn.execute(delete(T).where(T.c.account_id == call.account_id))
    if not done.rowcount:
        raise NoSuchEntity("The account policy with name PasswordPolicy cannot be found.")
    return None
