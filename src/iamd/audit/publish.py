"""Copying newly committed digests to the sinks (``copies.py``), from the recorder's timer.

Each sink has a cursor (the newest digest it holds); every tick sends what the database has past
it, oldest first, and stops at the first failure to retry at the next tick — so a sink that was
down catches up, in order. A digest is copied only if its signature verifies under a key this
server vouches for (one it made, or whose sealed private half it opened with the master key, or
the master-derived key of version 1): someone who
edits the database cannot get a digest of their own into the copy. A database behind a sink's
cursor (rolled back, or replaced) is logged as an error; the copy is left as it is.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import Connection, select

from iamd.audit.keys import KeyRing
from iamd.audit.signing import DigestVerifier, PublicKey
from iamd.store.audit_schema import audit_digests, audit_trail_head

log = logging.getLogger("iamd.audit")
BATCH = 500


class Sink(Protocol):
    def cursor(self, trail_id: str, newest: int = 0) -> int: ...

    def put(self, trail_id: str, d: Any, key: PublicKey | None) -> bool: ...


class Publisher:
    def __init__(self, sinks: Sequence[Sink], keyring: KeyRing) -> None:
        self.sinks = list(sinks)
        self.keyring = keyring
        self._warned: set[tuple[int, str]] = set()

    def publish(self, conn: Connection) -> int:
        """Copy what the sinks miss; returns how many copies were written. Never raises."""
        if not self.sinks:
            return 0
        head = conn.execute(select(audit_trail_head.c.trail_id, audit_trail_head.c.digest_count)).first()
        if head is None or head.trail_id is None:
            return 0
        if not _is_trail_id(head.trail_id):  # it names folders and URLs: never a path
            log.error("audit: the trail head's id %r is not a trail id; no copies written", head.trail_id[:64])
            return 0
        copied = 0
        for n, sink in enumerate(self.sinks):
            try:
                copied += self._publish(conn, n, sink, head.trail_id, head.digest_count)
            except Exception:  # noqa: BLE001 - an unreachable sink is retried at the next tick
                log.warning("audit: copying digests to %r failed; will retry", sink, exc_info=True)
        return copied

    def _publish(self, conn: Connection, n: int, sink: Sink, trail_id: str, count: int) -> int:
        start = sink.cursor(trail_id, count)
        if start > count:
            if (n, trail_id) not in self._warned:
                self._warned.add((n, trail_id))
                log.error(
                    "audit: %r holds digest %d of trail %s but the database only %d: "
                    "the database was rolled back (run `iamd trail verify`)",
                    sink, start, trail_id, count,
                )
            return 0
        if start == count:
            return 0
        vouched = self.keyring.vouched(conn)
        verifier = DigestVerifier(vouched.values())
        rows = conn.execute(
            select(audit_digests).where(audit_digests.c.digest_seq > start).order_by(audit_digests.c.digest_seq).limit(BATCH)
        ).all()
        copied = 0
        for d in rows:
            problem = verifier.problem(d)
            if d.trail_id not in (None, trail_id):
                problem = f"names trail {d.trail_id}"
            if problem is not None:
                log.error("audit: digest %d in the database %s; not copied (run `iamd trail verify`)", d.digest_seq, problem)
                return copied
            if not sink.put(trail_id, d, vouched[d.key_id]):
                return copied
            copied += 1
        return copied



def _is_trail_id(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False
