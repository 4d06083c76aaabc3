"""The repository of Organizations policies: their rows, their attachments, the root's policy types.

Queries only; the rules (who may call, quotas, AWS's errors) are ``services/organizations/``'s.
Callers hold the management account's lock (``store/locks.py``) before any of the writes or the
counts their quotas compare, so a count read here cannot be outgrown by a concurrent writer.

An AWS managed policy (``p-FullAWSAccess``, ``p-RCPFullAWSAccess``) has one row per organization
(``aws_managed`` true) so that its attachments reference a row like any other; ``ensure_managed``
adds it once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from iamd.store.org_schema import org_policies, org_policy_attachments, org_policy_types

P = org_policies
A = org_policy_attachments
T = org_policy_types


def get(conn: Connection, org_id: str, policy_id: str) -> Row[Any] | None:
    return conn.execute(select(P).where(P.c.org_id == org_id, P.c.policy_id == policy_id)).first()


def by_name(conn: Connection, org_id: str, policy_type: str, name: str) -> Row[Any] | None:
    q = select(P).where(P.c.org_id == org_id, P.c.policy_type == policy_type, P.c.name_lower == name.lower())
    return conn.execute(q).first()


def of_type(conn: Connection, org_id: str, policy_type: str) -> list[Row[Any]]:
    """Every policy of a type, ordered by id: the pagination key."""
    q = select(P).where(P.c.org_id == org_id, P.c.policy_type == policy_type).order_by(P.c.policy_id)
    return list(conn.execute(q).all())


def count_customer(conn: Connection, org_id: str, policy_type: str) -> int:
    """The organization's own policies of a type (AWS managed ones do not count against quotas)."""
    q = select(func.count()).select_from(P).where(
        P.c.org_id == org_id, P.c.policy_type == policy_type, P.c.aws_managed.is_(False)
    )
    return int(conn.execute(q).scalar_one())


def insert_policy(
    conn: Connection, org_id: str, policy_id: str, policy_type: str, name: str, description: str, content: str,
    now: datetime, *, aws_managed: bool = False,
) -> None:
    conn.execute(
        insert(P).values(
            org_id=org_id, policy_id=policy_id, policy_type=policy_type, name=name, name_lower=name.lower(),
            description=description, content=content, aws_managed=aws_managed, created_at=now,
        )
    )


def ensure_managed(
    conn: Connection, org_id: str, policy_id: str, policy_type: str, name: str, description: str, content: str,
    now: datetime,
) -> None:
    if get(conn, org_id, policy_id) is None:
        insert_policy(conn, org_id, policy_id, policy_type, name, description, content, now, aws_managed=True)


def update_policy(conn: Connection, org_id: str, policy_id: str, values: dict[str, str]) -> None:
    changes = dict(values)
    if "name" in changes:
        changes["name_lower"] = changes["name"].lower()
    conn.execute(update(P).where(P.c.org_id == org_id, P.c.policy_id == policy_id).values(**changes))


def delete_policy(conn: Connection, org_id: str, policy_id: str) -> None:
    conn.execute(delete(P).where(P.c.org_id == org_id, P.c.policy_id == policy_id))


# --- attachments -------------------------------------------------------------------------------


def is_attached(conn: Connection, org_id: str, policy_id: str, target_id: str) -> bool:
    q = select(A.c.policy_id).where(A.c.org_id == org_id, A.c.policy_id == policy_id, A.c.target_id == target_id)
    return conn.execute(q).first() is not None


def attached_to(conn: Connection, org_id: str, target_id: str, policy_type: str) -> list[Row[Any]]:
    """The policies of a type attached to one target, ordered by id."""
    q = (
        select(P)
        .join(A, (A.c.org_id == P.c.org_id) & (A.c.policy_id == P.c.policy_id))
        .where(A.c.org_id == org_id, A.c.target_id == target_id, P.c.policy_type == policy_type)
        .order_by(P.c.policy_id)
    )
    return list(conn.execute(q).all())


def count_attached(conn: Connection, org_id: str, target_id: str, policy_type: str) -> int:
    q = (
        select(func.count())
        .select_from(A.join(P, (A.c.org_id == P.c.org_id) & (A.c.policy_id == P.c.policy_id)))
        .where(A.c.org_id == org_id, A.c.target_id == target_id, P.c.policy_type == policy_type)
    )
    return int(conn.execute(q).scalar_one())


def targets_of(conn: Connection, org_id: str, policy_id: str) -> list[str]:
    q = select(A.c.target_id).where(A.c.org_id == org_id, A.c.policy_id == policy_id).order_by(A.c.target_id)
    return list(conn.execute(q).scalars())


def is_in_use(conn: Connection, org_id: str, policy_id: str) -> bool:
    q = select(A.c.target_id).where(A.c.org_id == org_id, A.c.policy_id == policy_id).limit(1)
    return conn.execute(q).first() is not None


def attach(conn: Connection, org_id: str, policy_id: str, target_id: str, now: datetime) -> None:
    conn.execute(insert(A).values(org_id=org_id, policy_id=policy_id, target_id=target_id, attached_at=now))


def attach_many(conn: Connection, org_id: str, policy_id: str, target_ids: Sequence[str], now: datetime) -> None:
    """Attach one policy to every target that does not have it yet."""
    have = set(targets_of(conn, org_id, policy_id))
    rows = [
        {"org_id": org_id, "policy_id": policy_id, "target_id": t, "attached_at": now}
        for t in dict.fromkeys(target_ids) if t not in have
    ]
    if rows:
        conn.execute(insert(A), rows)


def detach(conn: Connection, org_id: str, policy_id: str, target_id: str) -> int:
    """Rows removed (0 when the policy was not attached there)."""
    q = delete(A).where(A.c.org_id == org_id, A.c.policy_id == policy_id, A.c.target_id == target_id)
    return int(conn.execute(q).rowcount or 0)


def detach_type(conn: Connection, org_id: str, policy_type: str) -> None:
    """Every attachment of every policy of a type (DisablePolicyType)."""
    ids = select(P.c.policy_id).where(P.c.org_id == org_id, P.c.policy_type == policy_type)
    conn.execute(delete(A).where(A.c.org_id == org_id, A.c.policy_id.in_(ids)))


# --- policy types of the root ------------------------------------------------------------------


def enabled_types(conn: Connection, org_id: str) -> list[str]:
    q = select(T.c.policy_type).where(T.c.org_id == org_id, T.c.status == "ENABLED").order_by(T.c.policy_type)
    return list(conn.execute(q).scalars())


def is_enabled(conn: Connection, org_id: str, policy_type: str) -> bool:
    q = select(T.c.status).where(T.c.org_id == org_id, T.c.policy_type == policy_type)
    return conn.execute(q).scalar() == "ENABLED"


def enable_type(conn: Connection, org_id: str, policy_type: str) -> None:
    conn.execute(insert(T).values(org_id=org_id, policy_type=policy_type, status="ENABLED"))


def disable_type(conn: Connection, org_id: str, policy_type: str) -> None:
    conn.execute(delete(T).where(T.c.org_id == org_id, T.c.policy_type == policy_type))
