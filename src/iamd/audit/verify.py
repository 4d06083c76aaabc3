"""``iamd trail verify``: walk the hash chain and the signed digests, report the first bad position.

What each tampering looks like:

- **modified**: an event's record no longer hashes to its stored hash (or a lookup column no
  longer matches the record, or its resources index differs);
- **deleted**: a gap in the positions, or the trail ends before its head says it does;
- **inserted**: a row beyond the head, inside the pruned range, or a self-consistent row whose
  link does not come from the previous event;
- **reordered**: a row whose link comes from an event that sits elsewhere in the trail;
- **bad digest**: a digest whose Ed25519 signature does not verify under a trusted public key,
  whose link to the previous digest is broken, which names another trail, or whose covered hash
  differs from the recomputed chain (a rewritten chain: whoever rewrites events and recomputes
  every hash cannot re-sign digests without the signing key);
- **rolled back**, **rewritten**, **wiped**, **stale**: the database against a copy of its digests
  kept elsewhere, or the latest digest an auditor wrote down (``anchors.py``).

The chain alone protects the order and content of events up to the head; digests protect against
a rewrite of the whole chain; copies of the digests outside the database protect against removing
the newest digests with their events. Events after the last digest are protected by the chain
only, as CloudTrail's log files are between two digest files: at most one cadence of them, since
the recorder's timer signs them, and shutdown seals the rest.

The public keys come from the caller (``--public-key``, the digest copy); without them, from the
database being verified — which its editor could have replaced, so the report says so.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from iamd.audit.events import lookup_columns
from iamd.audit.signing import GENESIS_HASH, NO_SIGNATURE, DigestVerifier, chain_hash
from iamd.store.audit_schema import audit_digests, audit_event_resources, audit_events, audit_trail_head

CHUNK = 5000
_COLUMNS = (
    "account_id",
    "event_id",
    "event_time",
    "event_name",
    "event_source",
    "read_only",
    "username",
    "access_key_id",
    "error_code",
)


@dataclass(frozen=True)
class Problem:
    position: int
    kind: str  # modified, deleted, inserted, reordered, bad digest, rolled back, rewritten, wiped, stale
    detail: str

    def __str__(self) -> str:
        return f"position {self.position}: {self.kind}: {self.detail}"


@dataclass
class Report:
    events: int = 0
    digests: int = 0
    pruned_through: int = 0
    problems: list[Problem] = field(default_factory=list)
    trail_id: str | None = None
    latest: Any = None  # the newest digest row
    # Positions after the last signed digest: protected by the hash chain only, so a forged event
    # appended there with a recomputed hash (and the head moved) cannot be told from a real one.
    # A running server always has such a tail; one that shut down cleanly sealed it.
    unsigned: tuple[int, int] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def problem(self) -> Problem | None:
        """The first bad position."""
        return min(self.problems, key=lambda p: p.position) if self.problems else None

    @property
    def ok(self) -> bool:
        return not self.problems


def read_head_and_digests(conn: Connection) -> tuple[Any, list[Any]]:
    head = conn.execute(select(audit_trail_head)).first()
    return head, list(conn.execute(select(audit_digests).order_by(audit_digests.c.digest_seq)).all())


def verify(conn: Connection, verifier: DigestVerifier) -> Report:
    """The chain and the digests, as far as the head read first (``conn`` is one snapshot)."""
    report = Report()
    head, digests = read_head_and_digests(conn)
    report.digests = len(digests)
    report.trail_id = head.trail_id if head is not None else None
    report.latest = digests[-1] if digests else None
    digest_problem, ranges, pruned, anchor = _check_digests(digests, head, verifier)
    report.pruned_through = pruned
    event_problem = _check_events(conn, head, ranges, pruned, anchor, report)
    report.problems += [p for p in (digest_problem, event_problem) if p is not None]
    signed = max([pruned, *ranges])
    head_seq = head.last_seq if head is not None else 0
    if report.ok and head_seq > signed:
        report.unsigned = (signed + 1, head_seq)
        report.notes.append(
            f"events {signed + 1}..{head_seq} are not covered by a signed digest yet "
            "(protected by the hash chain only)"
        )
    return report


def _check_digests(
    digests: Sequence[Any], head: Any, verifier: DigestVerifier
) -> tuple[Problem | None, dict[int, Any], int, str]:
    """Signature and linkage of every digest; the ranges they cover; the pruned prefix."""
    ranges: dict[int, Any] = {}
    prev_sig, prev_last, pruned, anchor = NO_SIGNATURE, 0, 0, GENESIS_HASH
    problem: Problem | None = None
    trail_id = head.trail_id if head is not None else None
    version2 = False
    for n, d in enumerate(digests, start=1):
        where = max(d.first_seq, 1)
        bad_signature = verifier.problem(d)
        if d.digest_seq != n:
            problem = Problem(where, "bad digest", f"digest {n} is missing (found digest {d.digest_seq})")
        elif d.prev_signature != prev_sig:
            problem = Problem(where, "bad digest", f"digest {n} does not link to digest {n - 1}")
        elif bad_signature is not None:
            problem = Problem(where, "bad digest", f"digest {n} {bad_signature}")
        elif d.trail_id is not None and d.trail_id != trail_id:
            problem = Problem(where, "bad digest", f"digest {n} belongs to trail {d.trail_id}, not {trail_id}")
        elif d.trail_id is None and version2:
            problem = Problem(where, "bad digest", f"digest {n} is in the version-1 form after version-2 digests")
        elif d.kind == "range" and d.first_seq != prev_last + 1:
            problem = Problem(
                where,
                "bad digest",
                f"digest {n} covers {d.first_seq}..{d.last_seq}, not from {prev_last + 1}",
            )
        if problem is not None:
            return problem, ranges, pruned, anchor
        version2 = version2 or d.trail_id is not None
        if d.kind == "range":
            ranges[d.last_seq] = d
            prev_last = d.last_seq
        elif d.kind == "prune":
            pruned, anchor = d.last_seq, d.last_hash
        prev_sig = d.signature
    if head is not None and (head.digest_count != len(digests) or head.last_signature != prev_sig):
        return (
            Problem(max(prev_last, 1), "bad digest", "the trail head names a digest that is missing"),
            ranges,
            pruned,
            anchor,
        )
    if head is not None and head.pruned_seq != pruned:
        return (
            Problem(
                max(min(head.pruned_seq, pruned), 1),
                "deleted",
                f"the head says events through {head.pruned_seq} were pruned; signed digests say {pruned}",
            ),
            ranges,
            pruned,
            anchor,
        )
    return None, ranges, pruned, anchor


def _rows(conn: Connection, after: int) -> Iterator[tuple[Any, list[tuple[str, str]]]]:
    """Events in position order with their resource index rows, read in chunks."""
    last = after
    while True:
        rows = conn.execute(
            select(audit_events).where(audit_events.c.seq > last).order_by(audit_events.c.seq).limit(CHUNK)
        ).all()
        if not rows:
            return
        res: dict[int, list[tuple[str, str]]] = {}
        for r in conn.execute(
            select(audit_event_resources)
            .where(audit_event_resources.c.seq.between(rows[0].seq, rows[-1].seq))
            .order_by(audit_event_resources.c.seq, audit_event_resources.c.position)
        ):
            res.setdefault(r.seq, []).append((r.resource_type, r.resource_name))
        for row in rows:
            yield row, res.get(row.seq, [])
        last = rows[-1].seq


def _check_events(
    conn: Connection, head: Any, ranges: dict[int, Any], pruned: int, anchor: str, report: Report
) -> Problem | None:
    early = conn.execute(select(audit_events.c.seq).where(audit_events.c.seq <= pruned).limit(1)).scalar()
    if early is not None:
        return Problem(early, "inserted", f"an event at position {early}, inside the pruned range")
    head_seq = head.last_seq if head is not None else 0
    expected, running = pruned + 1, anchor
    for row, resources in _rows(conn, pruned):
        if row.seq > head_seq:
            return Problem(row.seq, "inserted", f"an event beyond the trail head ({head_seq})")
        if row.seq != expected:
            return Problem(expected, "deleted", f"events {expected}..{row.seq - 1} are missing")
        computed = chain_hash(running, row.record, row.seq)
        if row.prev_hash != running:
            return _misplaced(conn, row, running)
        if computed != row.hash:
            return Problem(row.seq, "modified", "the event's record does not match its hash")
        problem = _check_columns(row, resources)
        if problem is not None:
            return problem
        digest = ranges.get(row.seq)
        if digest is not None and digest.last_hash != computed:
            return Problem(
                digest.first_seq,
                "modified",
                f"events {digest.first_seq}..{digest.last_seq} do not match signed digest "
                f"{digest.digest_seq} (the chain was rewritten)",
            )
        running = computed
        expected += 1
        report.events += 1
    if expected - 1 < head_seq:
        return Problem(expected, "deleted", f"the trail ends at {expected - 1} but its head is at {head_seq}")
    if head is not None and head_seq and running != head.last_hash:
        return Problem(head_seq, "modified", "the last event does not match the trail head's hash")
    beyond = [s for s in ranges if s > head_seq]
    if beyond:
        return Problem(head_seq + 1, "deleted", f"a signed digest covers events through {max(beyond)}")
    return None


def _misplaced(conn: Connection, row: Any, running: str) -> Problem:
    """Name what happened to a row whose link does not come from the event before it.

    A row's stored hash still says which position it was written at (the position is hashed), and
    its stored link names the event it followed; comparing both with where it sits now tells a
    reordered row from an insertion or deletion followed by renumbering.
    """
    seq = row.seq
    if chain_hash(running, row.record, seq) == row.hash:
        return Problem(seq, "modified", "the event's prev_hash column was changed")
    origin = conn.execute(
        select(audit_events.c.seq).where(audit_events.c.hash == row.prev_hash).limit(1)
    ).scalar()
    if origin is not None:
        if origin == seq - 2 and chain_hash(row.prev_hash, row.record, seq - 1) == row.hash:
            return Problem(seq - 1, "inserted", "an event was inserted here and later ones renumbered")
        return Problem(
            seq, "reordered", f"this event was recorded right after the event now at position {origin}"
        )
    if chain_hash(row.prev_hash, row.record, seq + 1) == row.hash:
        return Problem(seq, "deleted", "an event was deleted here and later ones renumbered")
    if chain_hash(row.prev_hash, row.record, seq) == row.hash:
        return Problem(seq - 1, "modified", "the event was rewritten with a recomputed hash")
    return Problem(seq, "modified", "the event does not link to the previous one")


def _check_columns(row: Any, resources: list[tuple[str, str]]) -> Problem | None:
    try:
        cols = lookup_columns(json.loads(row.record))
    except (ValueError, KeyError, TypeError):
        return Problem(row.seq, "modified", "the record is not a CloudTrail event")
    for name in _COLUMNS:
        if getattr(cols, name) != getattr(row, name):
            return Problem(row.seq, "modified", f"column {name} does not match the record")
    if list(cols.resources) != resources:
        return Problem(row.seq, "modified", "the resources index does not match the record")
    return None
