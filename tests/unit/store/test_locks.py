"""The account lock and the store's errors, on both backends, with two real connections.

A second connection stands for another ``iamd serve`` process: it must wait for (here: time out
on) the lock the first holds, raising ``Busy``; reads never wait; the constraints a concurrent
writer trips are ``AlreadyExists`` and ``MissingReference``, not driver exceptions.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select, update

from iamd.store import schema
from iamd.store.engine import Store
from iamd.store.errors import AlreadyExists, Busy, MissingReference, classify
from iamd.store.locks import lock_account
from iamd.store.named import call_memo
from iamd.store.repos import users

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def stores(store_url: str) -> Iterator[tuple[Store, Store]]:
    """Two stores on one database; the second gives up on a lock after 50 ms."""
    first = Store(store_url)
    first.migrate()
    second = Store(store_url, lock_timeout_ms=50)
    yield first, second
    first.close()
    second.close()


@pytest.fixture
def account(stores: tuple[Store, Store]) -> str:
    account_id = f"{random.randrange(10**11, 10**12):012d}"
    with stores[0].begin() as conn:
        conn.execute(insert(schema.accounts).values(account_id=account_id, created_at=NOW, generation=7))
    return account_id


def _user(account_id: str, name: str) -> dict[str, object]:
    return {"user_id": "AIDA" + name.upper(), "account_id": account_id, "name": name, "path": "/", "created_at": NOW}


def test_lock_returns_the_generation_read_under_it(stores: tuple[Store, Store], account: str) -> None:
    with stores[0].begin() as conn:
        assert lock_account(conn, account) == 7
        assert lock_account(conn, "000000000001") is None


def test_a_second_writer_waits_for_the_lock_and_gives_up_busy(stores: tuple[Store, Store], account: str) -> None:
    first, second = stores
    with first.begin() as conn:
        lock_account(conn, account)
        with pytest.raises(Busy), second.begin() as other:
            lock_account(other, account)
            # SQLite refuses the database write lock (BEGIN IMMEDIATE), PostgreSQL the row.
        # Readers are never held up by a writer.
        with second.begin() as reader:
            assert reader.execute(
                select(schema.accounts.c.generation).where(schema.accounts.c.account_id == account)
            ).scalar() == 7
    with second.begin() as other:
        assert lock_account(other, account) == 7


def test_a_lock_forgets_lookups_made_before_it(stores: tuple[Store, Store], account: str) -> None:
    """A name looked up (and memoized) before the lock may have been taken while it was awaited."""
    first, second = stores
    with call_memo(), first.begin() as conn:
        assert users.get_by_name(conn, account, "late") is None
        if first.dialect == "postgresql":  # SQLite's IMMEDIATE transaction already excludes the insert
            with second.begin() as other:
                users.insert(other, **_user(account, "late"))
        else:
            conn.execute(insert(schema.users).values(name_lower="late", **_user(account, "late")))
        lock_account(conn, account)
        assert users.get_by_name(conn, account, "late") is not None


def test_a_taken_unique_key_is_already_exists(stores: tuple[Store, Store], account: str) -> None:
    with pytest.raises(AlreadyExists), stores[0].begin() as conn:
        users.insert(conn, **_user(account, "dup"))
        users.insert(conn, **(_user(account, "DUP") | {"user_id": "AIDAOTHER"}))


def test_a_vanished_reference_is_missing_reference(stores: tuple[Store, Store], account: str) -> None:
    with pytest.raises(MissingReference), stores[0].begin() as conn:
        conn.execute(update(schema.accounts).where(schema.accounts.c.account_id == account).values(generation=8))
        users.insert(conn, **_user("000000000002", "orphan"))


def test_only_concurrency_refusals_are_classified() -> None:
    assert classify(None) is None
    assert classify(ValueError("x")) is None
    assert classify(sqlite3.OperationalError("no such table: x")) is None
    locked = sqlite3.OperationalError("")
    locked.sqlite_errorname = "SQLITE_BUSY"
    busy = classify(locked)
    assert isinstance(busy, Busy) and busy.detail == "OperationalError"

