"""Retention: prune events older than N days without breaking verification of what remains.

Pruning deletes a prefix of the chain, positions 1..P. To keep what remains verifiable, it first
signs a ``range`` digest ending exactly at P if none does, then a ``prune`` digest naming P and the
chain hash after P (the anchor), and records P in the head. ``verify`` starts the chain from that
anchor; since the anchor is signed, deleting a prefix by hand (without the signing key) still
shows as a deletion. Digests are kept (one row per ``DigestPolicy.every`` events).

The prefix ends before the first event at or after the cutoff, so an older event recorded after a
newer one (a batched read landing late) waits for the next prune rather than cutting the chain.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import Connection, delete, func, select, update

from iamd.audit.chain import HEAD_ID, lock_head, write_digest
from iamd.audit.keys import KeyRing
from iamd.store.audit_schema import audit_event_resources, audit_events, audit_trail_head


def prune(conn: Connection, signer: KeyRing, now: datetime, older_than: timedelta) -> int:
    """Delete events older than ``now - older_than`` (a chain prefix); returns how many."""
    head = lock_head(conn)
    cutoff = now - older_than
    first_kept = conn.execute(
        select(func.min(audit_events.c.seq)).where(
            audit_events.c.seq > head.pruned_seq, audit_events.c.event_time >= cutoff
        )
    ).scalar()
    through = (first_kept - 1) if first_kept is not None else head.last_seq
    if through <= head.pruned_seq:
        return 0
    anchor = conn.execute(select(audit_events.c.hash).where(audit_events.c.seq == through)).scalar()
    if anchor is None:
        raise RuntimeError(f"audit trail: event {through} is missing; run `iamd trail verify`")
    values: dict[str, object] = {}
    digests = SimpleNamespace(
        trail_id=head.trail_id, digest_count=head.digest_count, last_signature=head.last_signature
    )
    if head.digested_seq < through:
        values |= write_digest(conn, digests, "range", head.digested_seq + 1, through, anchor, signer, now)
        digests = SimpleNamespace(
            trail_id=head.trail_id, digest_count=values["digest_count"], last_signature=values["last_signature"]
        )
    values |= write_digest(conn, digests, "prune", head.pruned_seq + 1, through, anchor, signer, now)
    values["pruned_seq"] = through
    conn.execute(
        delete(audit_event_resources).where(
            audit_event_resources.c.seq > head.pruned_seq, audit_event_resources.c.seq <= through
        )
    )
    gone = conn.execute(
        delete(audit_events).where(audit_events.c.seq > head.pruned_seq, audit_events.c.seq <= through)
    ).rowcount
    conn.execute(update(audit_trail_head).where(audit_trail_head.c.id == HEAD_ID).values(**values))
    return int(gone or 0)
