"""Trail delivery on both stores: a crash between writing a log file and committing the cursor
rewrites the same object (no duplicate), a failing destination is reported and retried (no gap),
and digests chain and sign what was delivered."""

from __future__ import annotations

import gzip
import json
import os
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from helpers import ACCOUNT, T0, record
from sqlalchemy import delete, insert, select

from iamd.audit.recorder import Recorder
from iamd.audit.trail_delivery import TrailDelivery
from iamd.audit.trail_destinations import FolderDestination
from iamd.audit.trail_validate import validate
from iamd.services.accounts import create_bare_account
from iamd.store.cloudtrail_schema import ct_trails
from iamd.store.engine import Store
from iamd.store.schema import accounts


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> Any:
        return self.now


class Flaky(FolderDestination):
    """Writes, then fails as a process killed before its commit would."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.fail = True

    def put(self, bucket: str, key: str, body: bytes, metadata: dict[str, str] | None = None) -> None:
        super().put(bucket, key, body, metadata)
        if self.fail:
            raise OSError("killed")


@pytest.fixture
def env(store: Store, tmp_path: Path) -> Iterator[tuple[Store, Recorder, Clock, str]]:
    clock = Clock()
    with store.begin() as conn:
        conn.execute(delete(ct_trails))
        if conn.execute(select(accounts.c.account_id).where(accounts.c.account_id == ACCOUNT)).first() is None:
            create_bare_account(conn, ACCOUNT, T0)
    rec = Recorder(store, os.urandom(32), clock, background=False)
    trail_id = uuid.uuid4().hex
    with store.begin() as conn:
        conn.execute(insert(ct_trails).values(
            trail_id=trail_id, account_id=ACCOUNT, home_region="us-east-1", name="t1", s3_bucket="b1",
            include_global=True, multi_region=True, organization=False, validation=True, is_logging=True,
            start_logging_time=T0, created_at=T0, delivered_seq=0, digest_start=T0))
    yield store, rec, clock, trail_id
    with store.begin() as conn:
        conn.execute(delete(ct_trails))


def _event(store: Store, rec: Recorder, name: str) -> None:
    with store.begin() as conn:
        rec.record_in_transaction(conn, record("CreateUser", read_only=False, params={"userName": name}))


def _users(root: Path) -> list[str]:
    out = []
    for p in sorted(root.rglob("*.json.gz")):
        if "/CloudTrail/" in p.as_posix():
            out += [r["requestParameters"]["userName"] for r in json.loads(gzip.decompress(p.read_bytes()))["Records"]]
    return out


def test_crash_after_write_rewrites_the_same_file(env: Any, tmp_path: Path) -> None:
    store, rec, clock, trail_id = env
    _event(store, rec, "a")
    _event(store, rec, "b")
    flaky = Flaky(tmp_path / "out")
    delivery = TrailDelivery(store, flaky, rec.signer, clock)
    assert delivery.tick() == 0
    with store.connect() as conn:
        row = conn.execute(select(ct_trails)).one()
    assert row.pending_first is not None and row.latest_delivery_error == "killed"
    _event(store, rec, "c")  # arrives after the claim: the next range
    flaky.fail = False
    clock.now += timedelta(minutes=1)
    assert delivery.tick() == 2
    assert sorted(_users(tmp_path / "out")) == ["a", "b", "c"]
    with store.connect() as conn:
        row = conn.execute(select(ct_trails)).one()
    assert row.pending_first is None and row.latest_delivery_error is None


def test_digest_chain_validates(env: Any, tmp_path: Path) -> None:
    store, rec, clock, trail_id = env
    dest = FolderDestination(tmp_path / "out")
    delivery = TrailDelivery(store, dest, rec.signer, clock, digest_period=3600)
    _event(store, rec, "a")
    delivery.tick()
    clock.now += timedelta(hours=1, minutes=1)
    delivery.tick()
    _event(store, rec, "b")
    delivery.tick()
    clock.now += timedelta(hours=1, minutes=1)
    delivery.tick()
    with store.connect() as conn:
        keys = {k.key_id: k.public for k in _trusted(conn)}
    report = validate(dest, "b1", "", keys)
    assert report.ok and report.digests == 2 and report.logs == 2, report.lines()
    assert validate(dest, "b1", "", {}).problems  # an untrusted key is reported


def _trusted(conn: Any) -> Any:
    from iamd.audit.keys import public_keys, trusted

    return [k for k in trusted(public_keys(conn)) if not k.legacy]


def test_stopped_trail_delivers_until_the_stop(env: Any, tmp_path: Path) -> None:
    store, rec, clock, trail_id = env
    _event(store, rec, "before")
    with store.begin() as conn:
        from iamd.store.audit_schema import audit_trail_head

        head = conn.execute(select(audit_trail_head.c.last_seq)).scalar_one()
        conn.execute(ct_trails.update().values(is_logging=False, stop_seq=head + 1))
    _event(store, rec, "after")
    TrailDelivery(store, FolderDestination(tmp_path / "out"), rec.signer, clock).tick()
    assert _users(tmp_path / "out") == ["before"]


def test_restarted_while_draining_skips_the_stopped_time(env: Any, tmp_path: Path) -> None:
    """StopLogging, events, StartLogging before the last period was delivered: the events of the
    stopped time are not delivered, those before and after are."""
    store, rec, clock, trail_id = env
    from iamd.store.audit_schema import audit_trail_head

    _event(store, rec, "before")
    with store.begin() as conn:
        head = conn.execute(select(audit_trail_head.c.last_seq)).scalar_one()
        conn.execute(ct_trails.update().values(is_logging=False, stop_seq=head + 1))
    _event(store, rec, "stopped")
    with store.begin() as conn:
        head = conn.execute(select(audit_trail_head.c.last_seq)).scalar_one()
        row = conn.execute(select(ct_trails)).one()
        conn.execute(ct_trails.update().values(is_logging=True, stop_seq=None, skip_from=row.stop_seq, skip_to=head))
    _event(store, rec, "after")
    TrailDelivery(store, FolderDestination(tmp_path / "out"), rec.signer, clock).tick()
    assert _users(tmp_path / "out") == ["before", "after"]
