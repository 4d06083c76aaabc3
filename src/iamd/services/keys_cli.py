"""``iamd keys status | reseal``: the master keys' rotation state, and its last step.

Both run against ``--data-dir`` / ``--db`` directly, with the keys of the servers' environment
(``IAMD_MASTER_KEY`` or the data folder's ``master.key``, never created here, plus
``IAMD_NEXT_MASTER_KEYS`` and ``IAMD_PREVIOUS_MASTER_KEYS``); servers may be running.

``reseal`` is step 3 of a rotation (``services/master_keys``): under the store's exclusive lock it
checks that every running server seals with the current key, re-seals every stored secret under
it and records every other key as retired. ``--force`` skips the check (a server that did not shut
down cleanly, say; its row expires by itself after a minute).

Exit codes: 0 done, 1 refused (a rotation step is missing), 2 usage or environment error.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from iamd.auth.session_keyring import CLOCK_SKEW
from iamd.config import env_default

LONGEST_SESSION_HOURS = 36


def add_parser(sub: Any) -> None:
    keys = sub.add_parser("keys", help="master-key rotation: show its state, re-seal stored secrets")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    for name, text in (
        ("status", "show the master keys the database knows and the running servers' keys"),
        ("reseal", "re-seal every stored secret under the current master key and retire the others"),
    ):
        p = keys_sub.add_parser(name, help=text)
        p.add_argument("--data-dir", default=env_default("data_dir"), help="data folder (env IAMD_DATA_DIR)")
        p.add_argument("--db", default=env_default("db"), help="database URL (env IAMD_DB)")
        if name == "reseal":
            p.add_argument("--force", action="store_true", help="re-seal even while a running server "
                           "seals with another key (it will fail to open what was re-sealed)")


def run(args: argparse.Namespace) -> int:
    from iamd.auth.secretbox import (
        SecretBox,
        SecretBoxError,
        existing_master_key,
        fingerprint,
        next_master_keys_from_env,
        previous_master_keys_from_env,
    )
    from iamd.services import master_keys
    from iamd.services.rotation import reseal_all
    from iamd.store.engine import Store

    path = Path(args.data_dir) / "master.key"
    try:
        current = existing_master_key(path)
        previous = previous_master_keys_from_env()
        others = [*next_master_keys_from_env(), *previous]
    except (OSError, SecretBoxError) as err:
        print(f"iamd keys: {err}", file=sys.stderr)
        return 2
    store = Store(args.db or f"sqlite:///{Path(args.data_dir) / 'iamd.db'}")
    try:
        store.migrate()
        now = datetime.now(UTC)
        if args.keys_command == "status":
            with store.connect() as conn:
                print(_status(conn, fingerprint(current), now))
            return 0
        with store.exclusive() as conn:
            if not args.force:
                master_keys.check_reseal(conn, fingerprint(current), now)
            count = reseal_all(conn, SecretBox(current, previous=others))
            retired = master_keys.retire_all_but(conn, fingerprint(current), now, [fingerprint(k) for k in previous])
    except master_keys.KeyStateError as err:
        print(f"iamd keys: {err}", file=sys.stderr)
        return 1
    finally:
        store.close()
    print(f"re-sealed {count} stored secrets under master key {fingerprint(current)}")
    for fp in retired:
        print(f"retired master key {fp} at {now.isoformat()}")
    if retired:
        # The longest session a retired key may still open was issued up to CLOCK_SKEW after now.
        until = now + CLOCK_SKEW + timedelta(hours=LONGEST_SESSION_HOURS)
        print(f"sessions sealed under the retired keys expire by {until.isoformat()}; "
              "then drop those keys from IAMD_PREVIOUS_MASTER_KEYS")
    return 0


def _status(conn: Any, current: str, now: datetime) -> str:
    from sqlalchemy import select

    from iamd.services.master_keys import running_servers
    from iamd.store.key_schema import master_keys

    lines = [f"this environment's current master key: {current}", "master keys recorded:"]
    for row in conn.execute(select(master_keys).order_by(master_keys.c.promoted_at)):
        state = f"retired {row.retired_at.isoformat()}" if row.retired_at else "in use"
        lines.append(f"  {row.fingerprint}  promoted {row.promoted_at.isoformat()}  {state}")
    lines.append("running servers:")
    for server in running_servers(conn, now):
        lines.append(f"  {server.server_id}  seals with {server.current_key}  opens "
                     f"{', '.join(sorted(server.known_keys))}  seen {server.seen_at.isoformat()}")
    return "\n".join(lines)
