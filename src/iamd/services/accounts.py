"""Accounts and their root credentials (not an AWS API: used by ``iamd serve`` and ``iamd account``).

An account is the isolation boundary: every entity belongs to exactly one. Its root user owns one
access key created with the account (or preset by ``IAMD_ROOT_ACCESS_KEY_ID`` /
``IAMD_ROOT_SECRET_ACCESS_KEY``); the secret is sealed with the master key and shown only once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select

from iamd.auth import sealed_context
from iamd.auth.ids import new_access_key_id, new_secret_access_key
from iamd.auth.secretbox import SecretBox
from iamd.store import schema

ACCOUNT_ID = re.compile(r"^\d{12}$")


class AccountError(ValueError):
    """A bad account id or a clash; raised to the CLI, never to the wire."""


@dataclass(frozen=True)
class RootCredentials:
    account_id: str
    access_key_id: str
    secret_access_key: str


def account_exists(conn: Connection, account_id: str) -> bool:
    q = select(schema.accounts.c.account_id).where(schema.accounts.c.account_id == account_id)
    return conn.execute(q).first() is not None


def default_account(conn: Connection) -> str | None:
    q = select(schema.accounts.c.account_id).where(schema.accounts.c.is_default.is_(True))
    return conn.execute(q).scalar()


def create_account(
    conn: Connection,
    box: SecretBox,
    account_id: str,
    now: datetime,
    *,
    is_default: bool = False,
    access_key_id: str | None = None,
    secret_access_key: str | None = None,
) -> RootCredentials:
    create_bare_account(conn, account_id, now, is_default=is_default)
    key_id = access_key_id or new_access_key_id("AKIA")
    secret = secret_access_key or new_secret_access_key()
    store_access_key(conn, box, account_id, None, key_id, secret, now)
    return RootCredentials(account_id, key_id, secret)


def create_bare_account(conn: Connection, account_id: str, now: datetime, *, is_default: bool = False) -> None:
    """An account without a root access key: Organizations' CreateAccount makes its members so
    ("AWS Organizations doesn't create root user credentials"; the management account reaches
    them through OrganizationAccountAccessRole)."""
    if not ACCOUNT_ID.match(account_id):
        raise AccountError(f"account id must be 12 digits, not {account_id!r}")
    if account_exists(conn, account_id):
        raise AccountError(f"account {account_id} already exists")
    conn.execute(insert(schema.accounts).values(account_id=account_id, created_at=now, is_default=is_default))


def store_access_key(
    conn: Connection,
    box: SecretBox,
    account_id: str,
    user_id: str | None,
    access_key_id: str,
    secret: str,
    now: datetime,
) -> None:
    """Seal the secret bound to its account, user and key id (``sealed_context``): a sealed
    secret copied into another row, or its row moved to another owner, does not open."""
    conn.execute(
        insert(schema.access_keys).values(
            access_key_id=access_key_id,
            account_id=account_id,
            user_id=user_id,
            secret_sealed=box.seal(secret, aad=sealed_context.access_key(account_id, user_id, access_key_id)),
            status="Active",
            created_at=now,
        )
    )
