"""``iamd outbound rotate-keys --account-id ID``: retire an account's token-signing keys now.

Keys rotate on their own after 30 days (``services/outbound/keys``); this is the operator's step
when a key must go at once (a suspected leak of the database and the master key, a policy of
shorter key lives). The retired keys' public halves stay in the issuer's JWKS for a day, so the
tokens they signed verify until they expire; the next token is signed with the new key. Runs
against ``--data-dir`` / ``--db`` with the servers' master key (never creates one); servers may be
running — they pick the new key up on their next token.

Exit codes: 0 done, 1 the account has never enabled outbound federation, 2 usage or environment.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from iamd.config import env_default


def add_parser(sub: Any) -> None:
    outbound = sub.add_parser("outbound", help="outbound web identity federation: rotate token-signing keys")
    outbound_sub = outbound.add_subparsers(dest="outbound_command", required=True)
    p = outbound_sub.add_parser("rotate-keys", help="retire an account's signing keys and make new ones now")
    p.add_argument("--account-id", required=True, help="the account whose keys rotate")
    p.add_argument("--algorithm", choices=["RS256", "ES384"], help="only this algorithm's key (default: both)")
    p.add_argument("--data-dir", default=env_default("data_dir"), help="data folder (env IAMD_DATA_DIR)")
    p.add_argument("--db", default=env_default("db"), help="database URL (env IAMD_DB)")


def run(args: argparse.Namespace) -> int:
    from iamd.auth.secretbox import (
        SecretBox,
        SecretBoxError,
        existing_master_key,
        previous_master_keys_from_env,
    )
    from iamd.services.outbound import federation, keys
    from iamd.store.engine import Store
    from iamd.store.locks import lock_account

    try:
        box = SecretBox(existing_master_key(Path(args.data_dir) / "master.key"), previous=previous_master_keys_from_env())
    except (OSError, SecretBoxError) as err:
        print(f"iamd outbound: {err}", file=sys.stderr)
        return 2
    store = Store(args.db or f"sqlite:///{Path(args.data_dir) / 'iamd.db'}")
    try:
        store.migrate()
        now = datetime.now(UTC)
        with store.begin() as conn:
            if federation.of_account(conn, args.account_id) is None:
                print(f"iamd outbound: account {args.account_id} has never enabled outbound web identity federation",
                      file=sys.stderr)
                return 1
            lock_account(conn, args.account_id)
            new = keys.rotate(conn, box, args.account_id, now, args.algorithm)
            keys.prune(conn, args.account_id, now)
    finally:
        store.close()
    for kid in new:
        print(f"new signing key {kid}")
    return 0
