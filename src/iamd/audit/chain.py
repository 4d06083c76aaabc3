"""Appending events to the hash chain, and writing digests, under the chain head's lock.

Every append starts with ``UPDATE audit_trail_head … RETURNING``: on PostgreSQL that row lock
orders concurrent appenders of every server process (each waits for the previous transaction to
commit, then reads its head), on SQLite it takes the database write lock at once — so the read of
the head and the write of the next positions can never interleave with another appender's on
either backend. The lock is held until the caller's transaction ends; callers append last, right
before commit, to keep that short.

Digests: when ``DigestPolicy.every`` events have accumulated since the last digest, the appender
signs a digest of the new range (``signing.py``) in the same transaction. The cadence
(``DigestPolicy.interval``) is kept by a timer, not by appends: ``digest_if_due`` writes a digest
once ``interval`` seconds passed since the last one, covering whatever was appended meanwhile —
nothing, on an idle server: an empty "heartbeat" digest, so that a period without a digest is
itself evidence (of a stopped server, or of digests removed). ``seal`` digests what is pending
(shutdown).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from iamd.audit.events import AuditEvent
from iamd.audit.keys import KeyRing
from iamd.audit.signing import GENESIS_HASH, NO_SIGNATURE, chain_hash, digest_message
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
    if row is not None and row.trail_id is not None:
        return row
    if row is not None:  # a head from before trail ids that the migration did not see
        conn.execute(
            update(audit_trail_head).where(audit_trail_head.c.id == HEAD_ID).values(trail_id=str(uuid.uuid4()))
        )
        return conn.execute(touch).one()
    try:
        with conn.begin_nested():
            conn.execute(
                insert(audit_trail_head).values(
                    id=HEAD_ID,
                    trail_id=str(uuid.uuid4()),
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
    conn: Connection, events: Sequence[AuditEvent], signer: KeyRing, policy: DigestPolicy, now: datetime
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
    if seq - head.digested_seq >= policy.every:
        values |= write_digest(conn, head, "range", head.digested_seq + 1, seq, prev, signer, now, policy.interval)
    _save_head(conn, head, values)
    return positions


def digest_due(conn: Connection, interval: float, now: datetime) -> bool:
    """Whether the cadence calls for a digest (read without the lock: most ticks find none due)."""
    at = conn.execute(select(audit_trail_head.c.digested_at)).scalar()
    return at is None or (now - at).total_seconds() >= interval


def digest_if_due(conn: Connection, signer: KeyRing, interval: float, now: datetime) -> bool:
    """The cadence's digest, empty if nothing was appended since the last; False if not due yet
    (another process sharing the database wrote it)."""
    head = lock_head(conn)
    if head.digested_at is not None and (now - head.digested_at).total_seconds() < interval:
        return False
    _digest_tail(conn, head, signer, now, interval)
    return True


def ensure_signing_key(conn: Connection, signer: KeyRing, now: datetime) -> str:
    """The active signing key's id, made now if there is none: under the head's lock, so servers
    sharing the database agree on one key, and ListPublicKeys has it before the first digest."""
    lock_head(conn)
    return signer.active(conn, now)[0]


def seal(conn: Connection, signer: KeyRing, now: datetime, cadence: float = 0.0) -> bool:
    """Digest the events not covered by a digest yet; False when there were none."""
    head = lock_head(conn)
    if head.last_seq <= head.digested_seq:
        return False
    _digest_tail(conn, head, signer, now, cadence)
    return True


def _digest_tail(conn: Connection, head: Any, signer: KeyRing, now: datetime, cadence: float) -> None:
    values = write_digest(
        conn, head, "range", head.digested_seq + 1, head.last_seq, head.last_hash, signer, now, cadence
    )
    conn.execute(update(audit_trail_head).where(audit_trail_head.c.id == HEAD_ID).values(**values))


def write_digest(
    conn: Connection,
    head: Any,
    kind: str,
    first_seq: int,
    last_seq: int,
    last_hash: str,
    signer: KeyRing,
    now: datetime,
    cadence: float = 0.0,
) -> dict[str, Any]:
    """Write one signed digest after ``head``'s (any object with ``trail_id``, ``digest_count``
    and ``last_signature``); returns the head values that follow from it."""
    number = head.digest_count + 1
    digest = SimpleNamespace(
        trail_id=head.trail_id,
        digest_seq=number,
        kind=kind,
        first_seq=first_seq,
        last_seq=last_seq,
        last_hash=last_hash,
        created_at=now,
        cadence=float(cadence),
        prev_signature=head.last_signature,
    )
    kid, signature = signer.sign(conn, digest_message(digest), now)
    conn.execute(insert(audit_digests).values(**vars(digest), key_id=kid, signature=signature))
    values: dict[str, Any] = {"digest_count": number, "last_signature": signature}
    if kind == "range":
        values |= {"digested_seq": last_seq, "digested_at": now}
    return values

