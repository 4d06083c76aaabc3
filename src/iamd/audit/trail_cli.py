"""``iamd trail verify | export | prune``: the audit trail, read straight from the store.

These run against ``--data-dir`` / ``--db`` directly (no server needed, one may be running).
The master key comes from ``IAMD_MASTER_KEY`` or the data folder's ``master.key``, never created
here: verifying with a fresh key would only report every digest as forged. Earlier master keys
(``IAMD_PREVIOUS_MASTER_KEYS``) verify digests signed before a rotation.

Exit codes: 0 OK, 1 the trail failed verification, 2 usage or environment error.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from iamd.config import env_default


def add_parser(sub: Any) -> None:
    trail = sub.add_parser("trail", help="the audit trail: verify its integrity, export it, prune it")
    trail_sub = trail.add_subparsers(dest="trail_command", required=True)

    def store_flags(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data-dir", default=env_default("data_dir"), help="data folder (env IAMD_DATA_DIR)")
        p.add_argument("--db", default=env_default("db"), help="database URL (env IAMD_DB)")

    verify = trail_sub.add_parser(
        "verify", help="walk the hash chain and signed digests; exit 0 OK, 1 tampered"
    )
    store_flags(verify)
    verify.add_argument(
        "--strict",
        action="store_true",
        help="also fail when events after the last signed digest exist (expected only while a server "
        "runs or after a crash; a cleanly stopped server signs its tail)",
    )
    export = trail_sub.add_parser("export", help="stream events as JSON lines (for a SIEM)")
    store_flags(export)
    export.add_argument("--format", choices=["jsonl"], default="jsonl")
    export.add_argument("--account", help="only this account's events")
    export.add_argument("--since", help="only events at or after this time (ISO 8601, UTC if no zone)")
    prune = trail_sub.add_parser("prune", help="delete events older than the retention period")
    store_flags(prune)
    prune.add_argument(
        "--retention-days",
        type=int,
        default=_env_int("IAMD_TRAIL_RETENTION_DAYS"),
        help="keep this many days of events (env IAMD_TRAIL_RETENTION_DAYS)",
    )


def _env_int(name: str) -> int | None:
    value = os.environ.get(name, "").strip()
    return int(value) if value else None


def run(args: argparse.Namespace) -> int:
    try:
        store = _open_store(args)
    except (OSError, ValueError) as err:
        print(f"iamd trail: {err}", file=sys.stderr)
        return 2
    try:
        if args.trail_command == "verify":
            return _verify(store, args)
        if args.trail_command == "export":
            return _export(store, args)
        if args.trail_command == "prune":
            return _prune(store, args)
        return 2
    finally:
        store.close()


def _open_store(args: argparse.Namespace) -> Any:
    from iamd.store.engine import Store, sqlite_url

    url = args.db or sqlite_url(Path(args.data_dir) / "iamd.db")
    if not args.db and not (Path(args.data_dir) / "iamd.db").exists():
        raise OSError(f"no store at {Path(args.data_dir) / 'iamd.db'}")
    store = Store(url)
    store.migrate()
    return store


def _master_keys(args: argparse.Namespace) -> list[bytes]:
    from iamd.auth.secretbox import (
        MASTER_KEY_ENV,
        master_key_from_env_or_file,
        previous_master_keys_from_env,
    )

    path = Path(args.data_dir) / "master.key"
    if not os.environ.get(MASTER_KEY_ENV) and not path.exists():
        raise OSError(f"no master key: set {MASTER_KEY_ENV} or provide {path}")
    return [master_key_from_env_or_file(path), *previous_master_keys_from_env()]


def _verify(store: Any, args: argparse.Namespace) -> int:
    from iamd.audit.verify import verify

    try:
        keys = _master_keys(args)
    except OSError as err:
        print(f"iamd trail: {err}", file=sys.stderr)
        return 2
    with store.snapshot() as conn:
        report = verify(conn, keys)
    pruned = f", pruned through position {report.pruned_through}" if report.pruned_through else ""
    if report.ok and report.unsigned is not None and getattr(args, "strict", False):
        first, last = report.unsigned
        print(
            f"FAILED at position {first}: not signed: events {first}..{last} are not covered by a signed digest"
        )
        return 1
    if report.ok:
        print(f"OK: {report.events} events, {report.digests} signed digests{pruned}")
        for note in report.notes:
            print(f"note: {note}")
        return 0
    print(f"FAILED at {report.problem}", file=sys.stdout)
    return 1


def _export(store: Any, args: argparse.Namespace) -> int:
    from iamd.audit.lookup import export

    since = None
    if args.since:
        try:
            since = datetime.fromisoformat(args.since.replace("Z", "+00:00"))
        except ValueError:
            print(f"iamd trail: --since {args.since!r} is not an ISO 8601 time", file=sys.stderr)
            return 2
        since = since.replace(tzinfo=UTC) if since.tzinfo is None else since
    out = sys.stdout
    with store.snapshot() as conn:
        for line in export(conn, args.account, since):
            out.write(line)
            out.write("\n")
    out.flush()
    return 0


def _prune(store: Any, args: argparse.Namespace) -> int:
    from iamd.audit.retention import prune
    from iamd.audit.signing import DigestSigner

    if args.retention_days is None or args.retention_days < 1:
        print(
            "iamd trail: --retention-days N (N >= 1) or IAMD_TRAIL_RETENTION_DAYS is required",
            file=sys.stderr,
        )
        return 2
    try:
        signer = DigestSigner(_master_keys(args)[0])
    except OSError as err:
        print(f"iamd trail: {err}", file=sys.stderr)
        return 2
    with store.begin() as conn:
        gone = prune(conn, signer, datetime.now(UTC), timedelta(days=args.retention_days))
    print(f"pruned {gone} events older than {args.retention_days} days")
    return 0
