"""Per-account IAM settings (``iam_account_settings``): one value per (account, name).

Writers run under the account's lock (the API takes it before every change), so read-then-write
cannot race another writer of the same account; the primary key is the backstop.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, insert, select, update

from iamd.store.settings_schema import iam_account_settings as t


def get(conn: Connection, account_id: str, name: str) -> str | None:
    q = select(t.c.value).where(t.c.account_id == account_id, t.c.name == name)
    value = conn.execute(q).scalar()
    return None if value is None else str(value)


def put(conn: Connection, account_id: str, name: str, value: str, now: datetime) -> None:
    where = (t.c.account_id == account_id, t.c.name == name)
    if conn.execute(update(t).where(*where).values(value=value, updated_at=now)).rowcount == 0:
        conn.execute(insert(t).values(account_id=account_id, name=name, value=value, updated_at=now))


def remove(conn: Connection, account_id: str, name: str) -> None:
    conn.execute(delete(t).where(t.c.account_id == account_id, t.c.name == name))
