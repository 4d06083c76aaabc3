"""The database's trail against what was seen of it elsewhere: digest copies, a noted latest digest,
and the clock. What ``verify.py`` cannot see from inside the database:

- **rolled back**: the copy holds digests the database does not (the newest digests deleted with
  the events they cover and the head set back; or events cut after the last digest, which the
  timer had signed by then);
- **rewritten**: a digest differs from its copy (a history re-signed, with the master key or any
  other, after the copy was taken);
- **wiped**: the copy holds a trail the database does not have (everything deleted, or the
  database replaced by a fresh one with a new trail id);
- **stale**: the newest digest is older than ``--max-age`` (the server stopped signing, or the
  newest digests and the copies of them are gone).

Every gap is reported, not only the first: numbers missing from the copy, and periods longer than
two cadences without a digest (a stopped server looks like that too: notes, not failures).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from iamd.audit.copies import from_json, load_pem
from iamd.audit.signing import DigestVerifier, PublicKey
from iamd.audit.verify import Problem, Report


@dataclass
class CopiedTrail:
    trail_id: str
    digests: dict[int, Any] = field(default_factory=dict)
    keys: list[PublicKey] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)


def read_copies(root: Path) -> dict[str, CopiedTrail]:
    """Every trail copied under ``root``, by trail id."""
    trails: dict[str, CopiedTrail] = {}
    if not root.is_dir():
        return trails
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        trail = CopiedTrail(folder.name)
        for path in sorted(folder.glob("*.json")):
            try:
                d = from_json(path.read_text())
                trail.digests[int(d.digest_seq)] = d
            except (OSError, ValueError, KeyError, TypeError):
                trail.unreadable.append(path.name)
        for path in sorted((folder / "public-keys").glob("*.pem")):
            try:
                trail.keys.append(load_pem(path.read_bytes()))
            except (OSError, ValueError):
                trail.unreadable.append(f"public-keys/{path.name}")
        if trail.digests or trail.keys:
            trails[trail.trail_id] = trail
    return trails


def legacy_aware(keys: Sequence[PublicKey], copied: Sequence[Any]) -> list[PublicKey]:
    """A key file does not say whether it is a version-1 (master-derived) key; the digests it
    signed do. A key that signed version-1 copies verifies version-1 digests only."""
    legacy = {d.key_id for d in copied if d.trail_id is None}
    return [PublicKey(k.key_id, k.public, k.key_id in legacy) for k in keys]


def check_copies(report: Report, digests: Sequence[Any], copies: dict[str, CopiedTrail], verifier: DigestVerifier) -> None:
    """Compare the database's digests with the copies; problems and notes go into ``report``."""
    trail = copies.get(report.trail_id or "")
    for other in copies.values():
        if other is not trail and other.digests:
            newest = other.digests[max(other.digests)]
            report.problems.append(
                Problem(
                    1,
                    "wiped",
                    f"the copy holds trail {other.trail_id} (digests through {newest.digest_seq}, "
                    f"events through {newest.last_seq}, signed {_when(newest.created_at)}), which this "
                    f"database does not have (its trail: {report.trail_id or 'none'})",
                )
            )
    if trail is None:
        return
    for name in trail.unreadable:
        report.notes.append(f"copy {name} is unreadable")
    mine = {d.digest_seq: d for d in digests}
    numbers = sorted(trail.digests)
    missing = sorted(set(range(1, numbers[-1] + 1)) - set(numbers)) if numbers else []
    for first, last in _runs(missing):
        report.notes.append(f"digests {first}..{last} are not in the copy")
    for n in numbers:
        copy = trail.digests[n]
        bad = verifier.problem(copy)
        where = max(int(copy.first_seq), 1)
        if bad is not None:
            report.problems.append(Problem(where, "bad digest", f"the copy of digest {n} {bad}"))
            continue
        own = mine.get(n)
        if own is None:
            count = len(digests)
            report.problems.append(
                Problem(
                    where,
                    "rolled back",
                    f"the copy holds digest {n} (events {copy.first_seq}..{copy.last_seq}, signed "
                    f"{_when(copy.created_at)}) but the database's trail ends at digest {count}",
                )
            )
            break  # every later copy says the same
        if own.signature != copy.signature:
            report.problems.append(
                Problem(where, "rewritten", f"digest {n} differs from its copy (the trail was re-signed)")
            )
            break


def check_expected(report: Report, digests: Sequence[Any], expected: str) -> None:
    """``N:SIG``: the trail must hold digest N with that signature (or a prefix of 16+ characters)."""
    number, _, signature = expected.partition(":")
    n = int(number)
    own = next((d for d in digests if d.digest_seq == n), None)
    if own is None:
        report.problems.append(
            Problem(
                max(report.events, 1) + report.pruned_through,
                "rolled back",
                f"digest {n} is expected but the database's trail ends at digest {len(digests)}",
            )
        )
    elif not own.signature.startswith(signature.lower()):
        report.problems.append(
            Problem(max(int(own.first_seq), 1), "rewritten", f"digest {n} is not the expected one")
        )


def check_age(report: Report, digests: Sequence[Any], max_age: float, now: datetime) -> None:
    newest = digests[-1] if digests else None
    if newest is None or now - newest.created_at > timedelta(seconds=max_age):
        when = _when(newest.created_at) if newest is not None else "never"
        where = int(newest.last_seq) + 1 if newest is not None else 1
        report.problems.append(
            Problem(where, "stale", f"the newest digest was signed {when}, more than {max_age:g} s ago")
        )


def note_time_gaps(report: Report, digests: Sequence[Any]) -> None:
    for before, after in zip(digests, digests[1:], strict=False):
        cadence = float(before.cadence or 0)
        if cadence > 0 and (after.created_at - before.created_at).total_seconds() > 2 * cadence:
            report.notes.append(
                f"no digest between {_when(before.created_at)} and {_when(after.created_at)} "
                f"(digests {before.digest_seq} and {after.digest_seq}; cadence {cadence:g} s): "
                "the server was stopped, or digests are missing"
            )


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for n in numbers:
        if runs and runs[-1][1] == n - 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def _when(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")
