"""The store's units of work under concurrent writers: snapshots, and a pool that runs dry."""

from __future__ import annotations

import contextlib
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from iamd.store import schema
from iamd.store.engine import Store
from iamd.store.errors import Busy

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_a_snapshot_sees_one_state_while_others_commit(store_url: str) -> None:
    store = Store(store_url)
    store.migrate()
    count = select(func.count()).select_from(schema.accounts)
    with store.snapshot() as reader:
        before = reader.execute(count).scalar_one()
        with store.begin() as writer:
            writer.execute(insert(schema.accounts).values(
                account_id=f"{random.randrange(10**11, 10**12):012d}", created_at=NOW))
        assert reader.execute(count).scalar_one() == before
    with store.snapshot() as reader:
        assert reader.execute(count).scalar_one() == before + 1
    store.close()


def test_a_pool_with_every_connection_in_use_is_busy(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'pool.db'}", lock_timeout_ms=50, pool_size=5)
    held = 0
    with contextlib.ExitStack() as stack, pytest.raises(Busy):
        for held in range(1, 100):  # noqa: B007 - counted for the assertion below
            stack.enter_context(store.connect())
    assert held == 11  # 5 pooled connections and 5 more on demand (SQLite: max_overflow = pool_size)
    store.close()
