"""``iamd trail verify``: one snapshot of the trail, checked against the keys and copies given.

Everything is read in one snapshot (``Store.snapshot``: REPEATABLE READ on PostgreSQL, a read
transaction on SQLite WAL), so a server appending meanwhile is not mistaken for tampering: the
verification covers the trail up to the head it read.

Output: ``OK: … latest digest N:SIG`` (note N:SIG down somewhere the database's editor cannot
reach, and pass it back with ``--expect-latest`` later), then notes; or ``FAILED at position P:
kind: detail`` for the first bad position, and every other problem on the lines after it.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from iamd.audit.anchors import (
    check_age,
    check_copies,
    check_expected,
    legacy_aware,
    note_time_gaps,
    read_copies,
)
from iamd.audit.copies import load_pem
from iamd.audit.keys import public_keys, trusted
from iamd.audit.signing import DigestVerifier, PublicKey, key_id, legacy_public_key
from iamd.audit.verify import read_head_and_digests, verify


def run_verify(store: Any, args: argparse.Namespace, digest_dir: Path) -> int:
    given: list[PublicKey] = []
    for name in args.public_key:
        try:
            given.append(load_pem(Path(name).read_bytes()))
        except (OSError, ValueError) as err:
            print(f"iamd trail: --public-key {name}: {err}", file=sys.stderr)
            return 2
    if args.expect_latest is not None and not _expected_ok(args.expect_latest):
        print("iamd trail: --expect-latest takes N:SIGNATURE (as printed by `iamd trail verify`)", file=sys.stderr)
        return 2
    copies = read_copies(digest_dir)
    with store.snapshot() as conn:
        head, digests = read_head_and_digests(conn)
        trail_id = head.trail_id if head is not None else None
        copy = copies.get(trail_id or "")
        notes: list[str] = []
        if given:
            keys = legacy_aware(given, [*digests, *(copy.digests.values() if copy else [])])
        elif copy is not None and copy.keys:
            keys = legacy_aware(copy.keys, [*digests, *copy.digests.values()])
        else:
            keys = trusted(public_keys(conn))
            if keys:
                notes.append(
                    "the public keys were read from the database being verified: pass --public-key "
                    "or --digests for a check its editor cannot defeat"
                )
            elif any(d.trail_id is None for d in digests):
                keys = _legacy_keys(args)
                notes.append(
                    "version-1 digests checked with the key derived from the master key (no server has "
                    "started since the upgrade to register its public half)"
                )
        verifier = DigestVerifier(keys)
        report = verify(conn, verifier)
    report.notes[:0] = notes
    check_copies(report, digests, copies, verifier)
    if not copies:
        report.notes.append(f"no digest copy in {digest_dir}: rollback and wipe cannot be told")
    if args.expect_latest is not None:
        check_expected(report, digests, args.expect_latest)
    if args.max_age is not None:
        check_age(report, digests, args.max_age, datetime.now(UTC))
    note_time_gaps(report, digests)
    return _print(report, args)


def _legacy_keys(args: argparse.Namespace) -> list[PublicKey]:
    """Before the first start after the upgrade: the master-derived keys, if a master key is here."""
    from iamd.audit.trail_cli import master_keys

    try:
        masters = master_keys(args)
    except OSError:
        return []
    return [PublicKey(key_id(p), p, True) for p in map(legacy_public_key, masters)]


def _expected_ok(value: str) -> bool:
    number, sep, signature = value.partition(":")
    return bool(sep) and number.isdigit() and len(signature) >= 16 and all(
        c in "0123456789abcdefABCDEF" for c in signature
    )


def _print(report: Any, args: argparse.Namespace) -> int:
    pruned = f", pruned through position {report.pruned_through}" if report.pruned_through else ""
    if report.ok and report.unsigned is not None and getattr(args, "strict", False):
        first, last = report.unsigned
        print(f"FAILED at position {first}: not signed: events {first}..{last} are not covered by a signed digest")
        return 1
    if report.ok:
        latest = f", latest digest {report.latest.digest_seq}:{report.latest.signature}" if report.latest else ""
        print(f"OK: {report.events} events, {report.digests} signed digests{pruned}{latest}")
        for note in report.notes:
            print(f"note: {note}")
        return 0
    first = report.problem
    print(f"FAILED at {first}")
    for other in report.problems:
        if other is not first:
            print(f"also: {other}")
    for note in report.notes:
        print(f"note: {note}")
    return 1
