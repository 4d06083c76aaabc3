"""Last-used notes survive a flush the database refuses, and flushes lock rows in key order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from iamd.auth.key_usage import KeyUsage
from iamd.store.errors import Busy

T0 = datetime(2026, 1, 1, tzinfo=UTC)


class RefusingConnection:
    def execute(self, statement: Any, rows: Any) -> None:
        raise Busy("database is locked")


class RecordingConnection:
    def __init__(self) -> None:
        self.rows: list[dict[str, object]] = []

    def execute(self, statement: Any, rows: list[dict[str, object]]) -> None:
        self.rows = rows


def test_refused_notes_wait_for_the_next_flush_and_newer_notes_win() -> None:
    usage = KeyUsage()
    usage.note("AKIAB", T0, "iam", "us-east-1")
    usage.note("AKIAA", T0, "sts", "eu-west-1")
    with pytest.raises(Busy):
        usage.flush(RefusingConnection())  # type: ignore[arg-type]
    usage.note("AKIAB", T0 + timedelta(seconds=5), "sts", "us-east-1")  # while the flush was failing
    conn = RecordingConnection()
    usage.flush(conn)  # type: ignore[arg-type]
    assert [(r["key_id"], r["used_at"]) for r in conn.rows] == [("AKIAA", T0), ("AKIAB", T0 + timedelta(seconds=5))]
