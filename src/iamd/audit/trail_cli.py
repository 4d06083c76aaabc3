"""``iamd trail verify | export | prune | public-key | rotate-signing-key``, straight from the store.

These run against ``--data-dir`` / ``--db`` directly (no server needed, one may be running).
``verify`` needs no master key: digests verify with the signing keys' public halves, taken from
``--public-key`` files, else the digest copy (``--digests``), else the database itself (noted:
whoever edits the database could have replaced them). ``prune`` and ``rotate-signing-key`` sign,
so they need the master key (``IAMD_MASTER_KEY`` or the data folder's ``master.key``, never
created here).

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

    def digest_flag(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--digests",
            default=os.environ.get("IAMD_TRAIL_DIGEST_DIR") or None,
            help="the folder of digest copies (env IAMD_TRAIL_DIGEST_DIR; default DATA_DIR/trail-digests)",
        )

    verify = trail_sub.add_parser(
        "verify", help="walk the hash chain and signed digests; exit 0 OK, 1 tampered"
    )
    store_flags(verify)
    digest_flag(verify)
    verify.add_argument(
        "--public-key",
        action="append",
        default=[],
        metavar="FILE",
        help="a trusted signing key (PEM, from `iamd trail public-key`); repeat for earlier keys",
    )
    verify.add_argument(
        "--expect-latest",
        metavar="N:SIG",
        help="fail unless the trail holds digest N with this signature (as printed by an earlier verify)",
    )
    verify.add_argument(
        "--max-age", type=float, metavar="SECONDS", help="fail when the newest digest is older than this"
    )
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
    digest_flag(prune)
    public = trail_sub.add_parser("public-key", help="print the digest-signing public key (PEM)")
    store_flags(public)
    public.add_argument("--all", action="store_true", help="every key with its validity, as JSON")
    rotate = trail_sub.add_parser(
        "rotate-signing-key", help="retire the digest-signing key and make a new one (earlier digests still verify)"
    )
    store_flags(rotate)
    digest_flag(rotate)
    from iamd.audit.trail_validate_cli import add_parser as add_validate

    add_validate(trail_sub)
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
    if args.trail_command == "validate":  # reads delivered files, maybe no store at all
        from iamd.audit.trail_validate_cli import run as run_validate

        return run_validate(args)
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
        if args.trail_command == "public-key":
            return _public_key(store, args)
        if args.trail_command == "rotate-signing-key":
            return _rotate(store, args)
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


def master_keys(args: argparse.Namespace) -> list[bytes]:
    from iamd.auth.secretbox import existing_master_key, opening_master_keys

    return [existing_master_key(Path(args.data_dir) / "master.key"), *opening_master_keys()]


def _digest_dir(args: argparse.Namespace) -> Path:
    return Path(args.digests) if getattr(args, "digests", None) else Path(args.data_dir) / "trail-digests"


def _verify(store: Any, args: argparse.Namespace) -> int:
    from iamd.audit.verify_cli import run_verify

    return run_verify(store, args, _digest_dir(args))


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


def _keyring(args: argparse.Namespace) -> Any:
    from iamd.audit.keys import KeyRing

    keys = master_keys(args)
    return KeyRing(keys[0], keys[1:])


def _publish(store: Any, keyring: Any, args: argparse.Namespace) -> None:
    from iamd.audit.copies import DigestFolder
    from iamd.audit.publish import Publisher

    with store.snapshot() as conn:
        Publisher([DigestFolder(_digest_dir(args))], keyring).publish(conn)


def _public_key(store: Any, args: argparse.Namespace) -> int:
    import json

    from iamd.audit.copies import pem
    from iamd.audit.keys import public_keys
    from iamd.audit.signing import PublicKey

    with store.snapshot() as conn:
        rows = public_keys(conn)
    if not rows:
        print("iamd trail: no signing key yet (a server makes one with its first digest)", file=sys.stderr)
        return 2
    if args.all:
        out = [
            {
                "Fingerprint": r.key_id,
                "Value": pem(PublicKey.from_hex(r.public_key).public),
                "ValidityStartTime": r.valid_from.isoformat(),
                "ValidityEndTime": r.valid_until.isoformat() if r.valid_until else None,
                "Legacy": bool(r.legacy),
            }
            for r in rows
        ]
        print(json.dumps(out, indent=2))
        return 0
    active = [r for r in rows if r.valid_until is None] or rows[-1:]
    print(pem(PublicKey.from_hex(active[0].public_key).public), end="")
    return 0


def _rotate(store: Any, args: argparse.Namespace) -> int:
    from iamd.audit.chain import lock_head, seal

    try:
        keyring = _keyring(args)
    except OSError as err:
        print(f"iamd trail: {err}", file=sys.stderr)
        return 2
    now = datetime.now(UTC)
    with store.begin() as conn:
        lock_head(conn)
        keyring.active(conn, now)  # the first key, if none yet
        seal(conn, keyring, now)  # what the old key can still sign
    _publish(store, keyring, args)
    with store.begin() as conn:
        lock_head(conn)
        new = keyring.rotate(conn, now)
    print(f"signing key {new} is active; earlier digests verify with the earlier keys' public halves")
    return 0


def _prune(store: Any, args: argparse.Namespace) -> int:
    from iamd.audit.retention import prune

    if args.retention_days is None or args.retention_days < 1:
        print(
            "iamd trail: --retention-days N (N >= 1) or IAMD_TRAIL_RETENTION_DAYS is required",
            file=sys.stderr,
        )
        return 2
    try:
        signer = _keyring(args)
    except OSError as err:
        print(f"iamd trail: {err}", file=sys.stderr)
        return 2
    with store.begin() as conn:
        gone = prune(conn, signer, datetime.now(UTC), timedelta(days=args.retention_days))
    _publish(store, signer, args)
    print(f"pruned {gone} events older than {args.retention_days} days")
    return 0
