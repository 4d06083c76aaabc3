"""An account's outbound federation switch and its issuer.

The issuer identifier is a random UUID made the first time the account enables the feature and
kept afterwards: disabling and enabling again gives the same issuer URL, so external services'
trust in it survives (AWS: the enable call "generates a unique issuer URL for your AWS account").
The issuer URL is ``PUBLIC_URL/_iamd/outbound/ISSUER_ID``; its discovery documents are at
``/.well-known/openid-configuration`` and ``/.well-known/jwks.json`` beneath it, as AWS says of
``IssuerIdentifier``.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from iamd.store.outbound_schema import outbound_federation as _F

PATH_PREFIX = "/_iamd/outbound/"
ISSUER_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


@dataclass(frozen=True)
class Federation:
    account_id: str
    issuer_id: str
    enabled: bool


def issuer_url(public_url: str, issuer_id: str) -> str:
    return f"{public_url.rstrip('/')}{PATH_PREFIX}{issuer_id}"


def of_account(conn: Connection, account_id: str) -> Federation | None:
    row = conn.execute(select(_F).where(_F.c.account_id == account_id)).first()
    return None if row is None else Federation(row.account_id, row.issuer_id, bool(row.enabled))


def of_issuer(conn: Connection, issuer_id: str) -> Federation | None:
    """The account an issuer id belongs to (enabled or not: tokens issued before a disable still
    verify until they expire, as AWS says the disable "does not affect tokens that were issued")."""
    if not ISSUER_ID.fullmatch(issuer_id):
        return None
    row = conn.execute(select(_F).where(_F.c.issuer_id == issuer_id)).first()
    return None if row is None else Federation(row.account_id, row.issuer_id, bool(row.enabled))


def set_enabled(conn: Connection, account_id: str, enabled: bool, now: datetime) -> Federation:
    """Turn the switch (the caller holds the account's lock and checked the current state)."""
    current = of_account(conn, account_id)
    if current is None:
        issuer_id = str(uuid.uuid4())
        conn.execute(insert(_F).values(account_id=account_id, issuer_id=issuer_id, enabled=enabled, updated_at=now))
        return Federation(account_id, issuer_id, enabled)
    conn.execute(update(_F).where(_F.c.account_id == account_id).values(enabled=enabled, updated_at=now))
    return Federation(account_id, current.issuer_id, enabled)
