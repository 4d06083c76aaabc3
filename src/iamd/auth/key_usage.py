"""When each long-term access key was last used, recorded without a write per request.

Every authenticated call notes (time, service, region) in memory; the notes are written in one
transaction at most once per ``interval`` (and at shutdown, and before anything reads them in
this process). A crash loses at most ``interval`` of last-used times, never a key or a change.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, update

from iamd.store import schema

_UPDATE = (
    update(schema.access_keys)
    .where(schema.access_keys.c.access_key_id == bindparam("key_id"))
    .values(
        last_used_at=bindparam("used_at"),
        last_used_service=bindparam("service"),
        last_used_region=bindparam("region"),
    )
)


class KeyUsage:
    def __init__(self, interval: float = 1.0) -> None:
        self.interval = interval
        self._pending: dict[str, tuple[datetime, str, str]] = {}
        self._lock = threading.Lock()
        self._last_flush = time.monotonic()

    def note(self, access_key_id: str, when: datetime, service: str, region: str) -> None:
        # Calls run on many threads: without the lock a note could land in a batch being taken.
        with self._lock:
            self._pending[access_key_id] = (when, service, region)

    def due(self) -> bool:
        return bool(self._pending) and time.monotonic() - self._last_flush >= self.interval

    def take(self) -> list[dict[str, object]]:
        with self._lock:
            pending, self._pending = self._pending, {}
            self._last_flush = time.monotonic()
        # In key order: processes flushing at once lock the rows in one order, so never deadlock.
        return [
            {"key_id": key_id, "used_at": when, "service": service, "region": region}
            for key_id, (when, service, region) in sorted(pending.items())
        ]

    def flush(self, conn: Connection) -> None:
        """Write the pending notes in the caller's transaction; if the database refuses, they
        wait for the next flush (notes made meanwhile are newer and win)."""
        rows = self.take()
        if rows:
            try:
                conn.execute(_UPDATE, rows)
            except Exception:
                with self._lock:
                    for row in rows:
                        note: Any = (row["used_at"], row["service"], row["region"])
                        self._pending.setdefault(str(row["key_id"]), note)
                raise

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()
