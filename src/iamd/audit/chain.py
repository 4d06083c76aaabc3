"""Appending events to the hash chain, and writing digests, under the chain head's lock.

Every append starts with ``UPDATE audit_trail_head … RETURNING``: on PostgreSQL that row lock
orders concurrent appenders of every server process (each waits for the previous transaction to
commit, then reads its head), on SQLite it takes the database write lock at once — so the read of
the head and the write of the next positions can never interleave with another appender's on
either backend. The lock is held until the caller's transaction ends; callers append last, right
before commit, to keep that short.

Digests: when ``digest_every`` events have accumulated since the last digest, or
``digest_interval`` seconds passed since it, the appender signs a digest of the new range
(``signing.py``) in the same transaction. ``seal`` digests whatever is pending (shutdown).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, update

from iamd.audit.events import AuditEvent
from iamd.audit.signing import GENESIS_HASH, NO_SIGNATURE, DigestSigner, chain_hash, digest_message
from iamd.store.audit_schema import audit_digests, audit_event_resources, audit_events, audit_trail_head
from iamd.store.errors import AlreadyExists

HEAD_ID = 1


@dataclass
class DigestPolicy:
    every: int = 1000
    interval: float = 60.0


# Built once: constructing statements costs more than running them on the append path.
_TOUCH = (
    update(audit_trail_head)
    .where(audit_trail_head.c.id == HEAD_ID)
    .values(last_seq=audit_trail_head.c.last_seq)
    .returning(*audit_trail_head.c)
)
_INSERT_EVENTS = insert(audit_events)
_INSERT_RESOURCES = insert(audit_event_resources)
_HEAD_FIELDS = ("last_seq", "last_hash", "digested_seq", "digested_at", "digest_count", "last_signature")
_UPDATE_HEAD = (
    update(audit_trail_head)
    .where(audit_trail_head.c.id == HEAD_ID)
    .values({name: bindparam(f"new_{name}") for name in _HEAD_FIELDS})
)


def _save_head(conn: Connection, head: Any, values: dict[str, Any]) -> None:
    conn.execute(
        _UPDATE_HEAD, {f"new_{n}": values[n] if n in values else getattr(head, n) for n in _HEAD_FIELDS}
    )


def lock_head(conn: Connection) -> Any:
    """The head row, locked for the rest of the transaction (created on first use)."""
    touch = _TOUCH
    row = conn.execute(touch).first()
    if row is not None:
        return row
    try:
        with conn.begin_nested():
            conn.execute(
                insert(audit_trail_head).values(
                    id=HEAD_ID,
                    last_seq=0,
                    last_hash=GENESIS_HASH,
                    digested_seq=0,
                    digested_at=None,
                    digest_count=0,
                    last_signature=NO_SIGNATURE,
                    pruned_seq=0,
                )
            )
    except AlreadyExists:
        pass  # another process created it first
    return conn.execute(touch).one()


def append(
    conn: Connection, events: Sequence[AuditEvent], signer: DigestSigner, policy: DigestPolicy, now: datetime
) -> list[int]:
    """Append ``events`` in order; returns their positions."""
    if not events:
        return []
    head = lock_head(conn)
    seq, prev = head.last_seq, head.last_hash
    rows, res_rows, positions = [], [], []
    for ev in events:
        seq += 1
        digest = chain_hash(prev, ev.record, seq)
        c = ev.columns
        rows.append(
            {
                "seq": seq,
                "event_id": c.event_id,
                "account_id": c.account_id,
                "event_time": c.event_time,
                "event_name": c.event_name,
                "event_source": c.event_source,
                "read_only": c.read_only,
                "username": c.username,
                "access_key_id": c.access_key_id,
                "error_code": c.error_code,
                "record": ev.record,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        for n, (kind, name) in enumerate(c.resources):
            res_rows.append(
                {
                    "seq": seq,
                    "position": n,
                    "account_id": c.account_id,
                    "event_time": c.event_time,
                    "resource_type": kind,
                    "resource_name": name,
                }
            )
        positions.append(seq)
        prev = digest
    conn.execute(_INSERT_EVENTS, rows)
    if res_rows:
        conn.execute(_INSERT_RESOURCES, res_rows)
    values: dict[str, Any] = {"last_seq": seq, "last_hash": prev}
    due = seq - head.digested_seq >= policy.every or (
        head.digested_at is not None and (now - head.digested_at).total_seconds() >= policy.interval
    )
    if head.digested_at is None:
        # The first digest's clock starts with the first event.
        values["digested_at"] = now
    if due:
        values |= write_digest(conn, head, "range", head.digested_seq + 1, seq, prev, signer, now)
    _save_head(conn, head, values)
    return positions


def seal(conn: Connection, signer: DigestSigner, now: datetime) -> bool:
    """Digest the events not covered by a digest yet; False when there were none."""
    head = lock_head(conn)
    if head.last_seq <= head.digested_seq:
        return False
    values = write_digest(
        conn, head, "range", head.digested_seq + 1, head.last_seq, head.last_hash, signer, now
    )
    conn.execute(update(audit_trail_head).where(audit_trail_head.c.id == HEAD_ID).values(**values))
    return True


def write_digest(
    conn: Connection,
    head: Any,
    kind: str,
    first_seq: int,
    last_seq: int,
    last_hash: str,
    signer: DigestSigner,
    now: datetime,
) -> dict[str, Any]:
    """Write one signed digest after ``head``'s (any object with ``digest_count`` and
    ``last_signature``); returns the head values that follow from it."""
    number = head.digest_count + 1
    message = digest_message(number, kind, first_seq, last_seq, last_hash, now, head.last_signature)
    signature = signer.sign(message)
    conn.execute(
        insert(audit_digests).values(
            digest_seq=number,
            kind=kind,
            first_seq=first_seq,
            last_seq=last_seq,
            last_hash=last_hash,
            created_at=now,
            prev_signature=head.last_signature,
            key_id=signer.key_id,
            signature=signature,
        )
    )
    values: dict[str, Any] = {"digest_count": number, "last_signature": signature}
    if kind == "range":
        values |= {"digested_seq": last_seq, "digested_at": now}
    return values

