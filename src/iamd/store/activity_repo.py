"""Reads and writes of ``activity_jobs`` (store/activity_schema.py), and the principal lookups
the jobs need. Every read is scoped to one account."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update

from iamd.store.activity_schema import activity_jobs as J
from iamd.store.schema import roles, users


def add_job(conn: Connection, values: Mapping[str, Any]) -> None:
    conn.execute(insert(J).values(**values))


def job(conn: Connection, account_id: str, kind: str, job_id: str) -> Row[Any] | None:
    q = select(J).where(J.c.account_id == account_id, J.c.kind == kind, J.c.job_id == job_id)
    return conn.execute(q).first()


def jobs(conn: Connection, account_id: str, kind: str, principal_arn: str | None = None) -> list[Row[Any]]:
    q = select(J).where(J.c.account_id == account_id, J.c.kind == kind)
    if principal_arn is not None:
        q = q.where(J.c.principal_arn == principal_arn)
    return list(conn.execute(q.order_by(J.c.started_at.desc(), J.c.job_id)).all())


def count_since(conn: Connection, account_id: str, kind: str, since: Any) -> int:
    q = select(func.count()).select_from(J).where(J.c.account_id == account_id, J.c.kind == kind,
                                                  J.c.started_at >= since)
    return int(conn.execute(q).scalar_one())


def update_job(conn: Connection, job_id: str, **values: Any) -> None:
    conn.execute(update(J).where(J.c.job_id == job_id).values(**values))


def principal_exists(conn: Connection, account_id: str, kind: str, name: str) -> bool:
    """Whether the account has the role or user ``name`` (IAM names compare case-insensitively)."""
    table = roles if kind == "role" else users
    q = select(table.c.name).where(table.c.account_id == account_id, table.c.name_lower == name.lower())
    return conn.execute(q).first() is not None
