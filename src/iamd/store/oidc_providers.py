"""The OIDC provider repository: one row per (account, ``HOST/PATH``)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, Row, bindparam, delete, func, insert, select, update

from iamd.store.named import forget_lookups
from iamd.store.oidc_schema import oidc_providers as t

_BY_URL = select(t).where(t.c.account_id == bindparam("account_id"), t.c.url == bindparam("url"))


def get(conn: Connection, account_id: str, url: str) -> Row[Any] | None:
    return conn.execute(_BY_URL, {"account_id": account_id, "url": url}).first()


def list_all(conn: Connection, account_id: str) -> list[Row[Any]]:
    return list(conn.execute(select(t).where(t.c.account_id == account_id).order_by(t.c.url)))


def count(conn: Connection, account_id: str) -> int:
    return int(conn.execute(select(func.count()).select_from(t).where(t.c.account_id == account_id)).scalar_one())


def insert_provider(conn: Connection, **values: Any) -> None:
    forget_lookups()
    values["client_ids"] = json.dumps(list(values["client_ids"]))
    values["thumbprints"] = json.dumps(list(values["thumbprints"]))
    conn.execute(insert(t).values(**values))


def set_lists(conn: Connection, provider_id: str, *, client_ids: list[str] | None = None,
              thumbprints: list[str] | None = None) -> None:
    values: dict[str, str] = {}
    if client_ids is not None:
        values["client_ids"] = json.dumps(client_ids)
    if thumbprints is not None:
        values["thumbprints"] = json.dumps(thumbprints)
    if values:
        conn.execute(update(t).where(t.c.provider_id == provider_id).values(**values))


def remove(conn: Connection, provider_id: str) -> None:
    conn.execute(delete(t).where(t.c.provider_id == provider_id))


def client_ids(row: Row[Any]) -> list[str]:
    return list(json.loads(row.client_ids))


def thumbprints(row: Row[Any]) -> list[str]:
    return list(json.loads(row.thumbprints))
