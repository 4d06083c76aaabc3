"""The recorder: same-transaction events for changes, bounded batches for the rest."""

from __future__ import annotations

import json
import os
import time

import pytest
from helpers import T0, record, root, verify_with_db_keys
from sqlalchemy import func, select

from iamd.audit.chain import DigestPolicy
from iamd.audit.recorder import Recorder
from iamd.audit.throttle import FailureThrottle
from iamd.store.audit_schema import (
    audit_events,
)
from iamd.store.engine import Store

MASTER = os.urandom(32)


def count(store: Store) -> int:
    with store.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(audit_events)).scalar() or 0)


def recorder(store: Store, **kw: object) -> Recorder:
    kw.setdefault("background", False)
    return Recorder(store, MASTER, lambda: T0, digest=DigestPolicy(every=1000, interval=3600), **kw)  # type: ignore[arg-type]


def test_flush_on_size(store: Store) -> None:
    rec = recorder(store, batch_size=5, max_age=60)
    for _ in range(4):
        rec.record_later(record("GetUser"))
    assert count(store) == 0 and rec.pending() == 4
    rec.record_later(record("GetUser"))
    assert count(store) == 5 and rec.pending() == 0


def test_flush_on_age(store: Store) -> None:
    rec = recorder(store, batch_size=100, max_age=0.05)
    rec.record_later(record("ListUsers"))
    assert rec.flush_if_due() == 0
    time.sleep(0.06)
    assert rec.flush_if_due() == 1
    assert count(store) == 1


def test_background_thread_flushes_on_age(store: Store) -> None:
    rec = Recorder(store, MASTER, lambda: T0, batch_size=100, max_age=0.05)
    try:
        rec.record_later(record("ListRoles"))
        for _ in range(250):  # 5 s of polls at most
            if count(store):
                break
            time.sleep(0.02)
        assert count(store) == 1
    finally:
        rec.close()


def test_flush_at_shutdown_and_tail_sealed(store: Store) -> None:
    rec = recorder(store, batch_size=100, max_age=60)
    for _ in range(3):
        rec.record_later(record("GetRole", params={"RoleName": "r"}))
    rec.close()
    assert count(store) == 3
    with store.connect() as conn:
        report = verify_with_db_keys(conn)
    assert report.ok and report.digests == 1


def test_same_transaction_rollback_leaves_no_event(store: Store) -> None:
    rec = recorder(store)

    class Boom(Exception):
        pass

    with pytest.raises(Boom), store.begin() as conn:
        rec.record_in_transaction(conn, record("CreateUser", params={"UserName": "x"}, read_only=False))
        raise Boom
    assert count(store) == 0
    with store.begin() as conn:
        assert rec.record_in_transaction(
            conn, record("CreateUser", params={"UserName": "y"}, read_only=False)
        ) == [1]
    assert count(store) == 1
    with store.connect() as conn:
        assert verify_with_db_keys(conn).ok


def test_in_transaction_errors_propagate(store: Store) -> None:
    rec = recorder(store)
    bad = record("CreateUser", read_only=False)
    object.__setattr__(bad, "event_time", "not a time")
    with pytest.raises(AttributeError), store.begin() as conn:
        rec.record_in_transaction(conn, bad)


def test_batch_errors_never_raise_and_are_retried(store: Store) -> None:
    rec = recorder(store, batch_size=100)
    rec.record_later(record("GetUser"))
    real = rec.store
    rec.store = Store("sqlite:////nonexistent-dir/x.db")
    assert rec.flush() == 0  # logged, kept
    assert rec.pending() == 1
    rec.store = real
    assert rec.flush() == 1
    assert count(store) == 1


def test_a_malformed_record_does_not_lose_its_batch(store: Store) -> None:
    rec = recorder(store, batch_size=100)
    bad = record("GetUser")
    object.__setattr__(bad, "event_time", None)
    rec.record_later(bad)
    rec.record_later(record("GetUser"))
    assert rec.flush() == 2
    assert count(store) == 1


def test_pending_is_bounded_when_the_database_is_down(store: Store) -> None:
    rec = recorder(store, batch_size=1000, max_pending=10)
    rec.store = Store("sqlite:////nonexistent-dir/x.db")
    for _ in range(25):
        rec.record_later(record("GetUser"))
    rec.flush()
    assert rec.pending() == 10


def test_cross_account_event_stored_in_both(store: Store) -> None:
    rec = recorder(store)
    with store.begin() as conn:
        seqs = rec.record_in_transaction(
            conn,
            record(
                "AssumeRole",
                root(),
                service="sts",
                params={"RoleArn": "arn:aws:iam::444455556666:role/X", "RoleSessionName": "s"},
                resource_accounts=("444455556666",),
            ),
        )
    assert seqs == [1, 2]
    with store.connect() as conn:
        accounts = [
            r.account_id for r in conn.execute(select(audit_events.c.account_id).order_by(audit_events.c.seq))
        ]
    assert accounts == ["111122223333", "444455556666"]


def test_failed_calls_past_the_throttle_are_counted_into_the_next_recorded_one(store: Store) -> None:
    now = [0.0]
    rec = recorder(store, throttle=FailureThrottle(rate=1.0, burst=1, clock=lambda: now[0]))
    denied = ("AccessDenied", "no")
    for _ in range(4):
        rec.record_later(record("CreateUser", error=denied))
    rec.record_later(record("GetUser"))  # successes are never throttled
    now[0] = 1.0
    rec.record_later(record("CreateUser", error=denied))
    assert rec.flush() == 3
    with store.connect() as conn:
        rows = [r.record for r in conn.execute(select(audit_events.c.record).order_by(audit_events.c.seq))]
    events = [json.loads(r) for r in rows]
    assert [e["eventName"] for e in events] == ["CreateUser", "GetUser", "CreateUser"]
    assert "additionalEventData" not in events[0]
    assert events[2]["additionalEventData"] == {"suppressedEvents": 3}
