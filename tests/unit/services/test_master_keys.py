"""The rotation's guards on a shared database: which server may seal with which key, and when."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete

from iamd.auth.secretbox import fingerprint
from iamd.services.master_keys import LIVE, KeyState, KeyStateError, check_reseal, retire_all_but, retirements
from iamd.store.engine import Store
from iamd.store.key_schema import key_servers, master_keys

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
K1, K2, K3 = os.urandom(32), os.urandom(32), os.urandom(32)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    store = Store(store_url)
    store.migrate()
    with store.begin() as conn:  # the registry is one per database: start from an empty one
        conn.execute(delete(key_servers))
        conn.execute(delete(master_keys))
    yield store
    store.close()


def _start(store: Store, current: bytes, others: list[bytes], now: datetime = NOW) -> KeyState:
    state = KeyState(current, others)
    with store.exclusive() as conn:
        state.start(conn, now)
    return state


def test_the_three_steps_in_order(store: Store) -> None:
    a, b = _start(store, K1, []), _start(store, K1, [])
    with store.begin() as conn:
        a.leave(conn)
    a = _start(store, K1, [K2])  # 1. deploy K2 decrypt-only
    with pytest.raises(KeyStateError, match="IAMD_NEXT_MASTER_KEYS first"):
        _start(store, K2, [K1])  # promoting now would lock b out
    with store.begin() as conn:
        b.leave(conn)
    b = _start(store, K1, [K2])
    with store.begin() as conn:
        a.leave(conn)
    a = _start(store, K2, [K1])  # 2. promote, one server at a time
    with store.connect() as conn, pytest.raises(KeyStateError, match="still seal with another master key"):
        check_reseal(conn, fingerprint(K2), NOW)
    with pytest.raises(KeyStateError, match="does not have"):
        _start(store, K1, [])  # a server without K2 cannot open what a seals
    with store.begin() as conn:
        b.leave(conn)
    b = _start(store, K2, [K1])
    with store.begin() as conn:  # 3. re-seal and retire
        check_reseal(conn, fingerprint(K2), NOW)
        assert retire_all_but(conn, fingerprint(K2), NOW) == [fingerprint(K1)]
        assert retirements(conn) == {fingerprint(K1): NOW}
        assert b.heartbeat(conn, NOW) == {fingerprint(K1): NOW}


def test_a_retired_key_never_seals_again(store: Store) -> None:
    _start(store, K2, [K1])  # K1 sealed before the registry existed: never recorded
    with store.begin() as conn:
        assert retire_all_but(conn, fingerprint(K2), NOW, [fingerprint(K1)]) == [fingerprint(K1)]
        conn.execute(delete(key_servers))
    with pytest.raises(KeyStateError, match="was retired"):
        _start(store, K1, [K2])


def test_a_server_that_stopped_answering_counts_only_for_a_while(store: Store) -> None:
    _start(store, K1, [])  # crashed: never left
    with pytest.raises(KeyStateError):
        _start(store, K3, [K1], NOW + LIVE - timedelta(seconds=1))
    _start(store, K3, [K1], NOW + LIVE + timedelta(seconds=1))


def test_a_one_off_command_checks_but_does_not_join(store: Store) -> None:
    state = KeyState(K1, [])
    with store.exclusive() as conn:
        state.start(conn, NOW, join=False)
    _start(store, K2, [])  # nobody running: nothing to lock out
