"""Emptying a store, for ``--ephemeral`` servers' reset call."""

from __future__ import annotations

from sqlalchemy import Connection, delete

from iamd.store.schema import metadata


def wipe(conn: Connection) -> None:
    """Delete every row, children before parents, in the caller's transaction."""
    for table in reversed(metadata.sorted_tables):
        conn.execute(delete(table))
