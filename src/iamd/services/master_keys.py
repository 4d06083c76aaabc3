"""The master keys' life on a shared database: promotion, the servers' heartbeats, retirement.

A rolling rotation has three steps (README, "Rotating the master key"); the database holds
what lets each step check the one before it:

1. *deploy* the new key decrypt-only (``IAMD_NEXT_MASTER_KEYS``) on every server, one at a time;
2. *promote* it (``IAMD_MASTER_KEY`` = new, ``IAMD_PREVIOUS_MASTER_KEYS`` = old), one at a time: a
   promoted server seals new secrets and tokens under the new key, which every server opens since
   step 1. A server refuses to start (``KeyStateError``) when a running server would not open what
   it seals, or when it cannot open what a running server seals — step 1 skipped;
3. *re-seal* (``iamd keys reseal``): every stored secret moves to the new key and the old key is
   recorded as retired. It refuses while a running server still seals with the old key — step 2
   unfinished. Tokens the old key seals after its retirement are refused everywhere
   (``auth/session_keyring``); the old key can be dropped once the sessions it sealed before have
   expired (36 hours at most).

"Running" is a ``key_servers`` row refreshed in the last ``LIVE`` (three heartbeats); a server
deletes its row on shutdown, so a stopped server does not hold up the next step, and one that
crashed holds it up for ``LIVE`` at most.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from iamd.auth.secretbox import fingerprint
from iamd.store.key_schema import key_servers, master_keys

__all__ = [
    "HEARTBEAT_SECONDS",
    "LIVE",
    "KeyState",
    "KeyStateError",
    "leave_key_servers",
    "retire_all_but",
    "running_servers",
]

HEARTBEAT_SECONDS = 20.0
LIVE = timedelta(seconds=3 * HEARTBEAT_SECONDS)


class KeyStateError(Exception):
    """A rotation step out of order; the message says which step is missing (never a key)."""


@dataclass(frozen=True)
class Server:
    server_id: str
    current_key: str
    known_keys: frozenset[str]
    seen_at: datetime


def running_servers(conn: Connection, now: datetime, exclude: str | None = None) -> list[Server]:
    rows = conn.execute(select(key_servers).where(key_servers.c.seen_at >= now - LIVE)).all()
    return [
        Server(r.server_id, r.current_key, frozenset(r.known_keys.split(",")), r.seen_at)
        for r in rows
        if r.server_id != exclude
    ]


def retirements(conn: Connection) -> dict[str, datetime]:
    """Each retired key's fingerprint and when it was retired."""
    rows = conn.execute(select(master_keys.c.fingerprint, master_keys.c.retired_at).where(
        master_keys.c.retired_at.is_not(None)
    ))
    return {r.fingerprint: r.retired_at for r in rows}


def retire_all_but(conn: Connection, current: str, now: datetime, previous: Sequence[str] = ()) -> list[str]:
    """Record every key but ``current`` as retired now (those not retired yet); returns them.
    ``previous`` (``IAMD_PREVIOUS_MASTER_KEYS``) are retired too if the database never saw them
    seal (servers from before this registry)."""
    _record_promotion(conn, current, now)
    for fp in previous:
        if fp != current:
            _record_promotion(conn, fp, now)
    retiring = list(conn.execute(select(master_keys.c.fingerprint).where(
        master_keys.c.fingerprint != current, master_keys.c.retired_at.is_(None)
    )).scalars())
    if retiring:
        conn.execute(update(master_keys).where(master_keys.c.fingerprint.in_(retiring)).values(retired_at=now))
    return retiring


def check_reseal(conn: Connection, current: str, now: datetime) -> None:
    """Step 3's guard: every running server seals with ``current`` already."""
    behind = [s for s in running_servers(conn, now) if s.current_key != current]
    if behind:
        names = ", ".join(f"{s.server_id} (seals with {s.current_key})" for s in behind)
        raise KeyStateError(
            f"running servers still seal with another master key: {names}. Promote master key "
            f"{current} on every server first (or wait {int(LIVE.total_seconds())} s after stopping them)."
        )


def _record_promotion(conn: Connection, current: str, now: datetime) -> None:
    known = conn.execute(select(master_keys.c.fingerprint).where(master_keys.c.fingerprint == current)).first()
    if known is None:
        conn.execute(insert(master_keys).values(fingerprint=current, promoted_at=now, retired_at=None))


class KeyState:
    """One server's keys as the database sees them: its heartbeat and the retirements it reads."""

    def __init__(self, current: bytes, others: Sequence[bytes]) -> None:
        self.server_id = secrets.token_hex(8)
        self.current = fingerprint(current)
        self.known = frozenset({self.current, *(fingerprint(k) for k in others)})

    def start(self, conn: Connection, now: datetime, join: bool = True) -> dict[str, datetime]:
        """Check this server may seal with its key, record it, join the running servers (unless
        a one-off command); returns the retirements. Run under the store's exclusive lock, so two
        starting servers see each other."""
        retired = retirements(conn)
        if self.current in retired:
            raise KeyStateError(
                f"master key {self.current} was retired at {retired[self.current].isoformat()}: "
                "start with the key that replaced it in IAMD_MASTER_KEY"
            )
        for server in running_servers(conn, now, exclude=self.server_id):
            if self.current not in server.known_keys:
                raise KeyStateError(
                    f"running server {server.server_id} cannot open master key {self.current}: give every "
                    "server the new key in IAMD_NEXT_MASTER_KEYS first, then promote it"
                )
            if server.current_key not in self.known:
                raise KeyStateError(
                    f"running server {server.server_id} seals with master key {server.current_key}, which "
                    "this server does not have: add it to IAMD_NEXT_MASTER_KEYS or IAMD_PREVIOUS_MASTER_KEYS"
                )
        _record_promotion(conn, self.current, now)
        if join:
            self.heartbeat(conn, now)
        return retired

    def heartbeat(self, conn: Connection, now: datetime) -> dict[str, datetime]:
        """Refresh this server's row; returns the retirements (for the session keyring)."""
        values = {"current_key": self.current, "known_keys": ",".join(sorted(self.known)), "seen_at": now}
        if conn.execute(update(key_servers).where(key_servers.c.server_id == self.server_id).values(values)).rowcount == 0:
            conn.execute(insert(key_servers).values(server_id=self.server_id, **values))
        return retirements(conn)

    def leave(self, conn: Connection) -> None:
        conn.execute(delete(key_servers).where(key_servers.c.server_id == self.server_id))


def leave_key_servers(runtime: Any) -> None:
    """Remove a server (``Runtime``) from the running servers' heartbeats; idempotent."""
    if runtime.key_state is not None:
        with runtime.store.begin() as conn:
            runtime.key_state.leave(conn)
