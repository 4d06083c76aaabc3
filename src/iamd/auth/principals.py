"""From an access key id to the principal it belongs to, and the secret that verifies its signature.

Unknown and inactive keys are the same error to the caller (``InvalidClientTokenId``), as on AWS:
the response must not tell an attacker which key ids exist.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, select

from iamd.auth import sealed_context
from iamd.auth.caller import Caller
from iamd.auth.secretbox import SecretBox, SecretBoxError
from iamd.errors import InvalidClientTokenId
from iamd.store import schema

_keys = schema.access_keys
_users = schema.users
_accounts = schema.accounts
# One query for the key, its user and the account's policy generation: the hot path of every call.
_QUERY = (
    select(
        _keys.c.access_key_id,
        _keys.c.account_id,
        _keys.c.user_id,
        _keys.c.secret_sealed,
        _keys.c.status,
        _users.c.name,
        _users.c.path,
        _accounts.c.generation,
    )
    .select_from(
        _keys.outerjoin(_users, _users.c.user_id == _keys.c.user_id).join(
            _accounts, _accounts.c.account_id == _keys.c.account_id
        )
    )
    .where(_keys.c.access_key_id == bindparam("key_id"))
)


def _caller(row: Any, access_key_id: str) -> Caller:
    if row.user_id is None:
        return Caller(row.account_id, f"arn:aws:iam::{row.account_id}:root", row.account_id, "root", access_key_id)
    arn = f"arn:aws:iam::{row.account_id}:user{row.path}{row.name}"
    return Caller(row.account_id, arn, row.user_id, "user", access_key_id, user_name=row.name)


def resolve_access_key(conn: Connection, box: SecretBox, access_key_id: str) -> tuple[Caller, str, int]:
    """The caller a long-term access key authenticates, its secret (for SigV4 only), and the
    account's policy generation as of this transaction."""
    row = conn.execute(_QUERY, {"key_id": access_key_id}).first()
    if row is None or row.status != "Active":
        raise InvalidClientTokenId()
    try:
        secret = box.open(row.secret_sealed, aad=sealed_context.access_key(row.account_id, row.user_id, row.access_key_id))
    except SecretBoxError:
        # A key sealed under another master key, or a row moved to another user or account (its
        # secret is bound to its owner): unusable, and indistinguishable to the client.
        raise InvalidClientTokenId() from None
    return _caller(row, access_key_id), secret, int(row.generation)


def owner_of_long_term_key(conn: Connection, access_key_id: str) -> Caller | None:
    """Whom an access key belongs to, active or not, without authenticating anyone: for the
    trail of a failed authentication, which CloudTrail records under the key's user (the
    caller is told nothing more than before)."""
    row = conn.execute(_QUERY, {"key_id": access_key_id}).first()
    return None if row is None else _caller(row, access_key_id)


def account_of_long_term_key(conn: Connection, access_key_id: str) -> str | None:
    """The account owning an access key, active or not (for auditing failed authentications)."""
    q = select(_keys.c.account_id).where(_keys.c.access_key_id == access_key_id)
    return conn.execute(q).scalar()
