"""Audit trail costs: events/s recorded in-transaction and batched; lookups in a 1,000,000-event trail.

In-transaction: one CreateUser event appended per transaction (the cost a mutating call adds,
chain-head lock and digest included). Batched: read-only events queued with ``record_later`` and
written 200 per transaction. Lookup: LookupEvents' query (one page of 50, newest first) by access
key and by user name in a trail of 1,000,000 events over 10 accounts, built with a bulk insert.

    .venv/bin/python bench/bench_audit.py [--db URL] [--events 1000000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, insert

sys.path.insert(0, str(Path(__file__).parents[1] / "tests" / "unit" / "audit"))
from helpers import record, root, user  # noqa: E402

from iamd.audit.lookup import lookup  # noqa: E402
from iamd.audit.recorder import Recorder  # noqa: E402
from iamd.store.audit_schema import (  # noqa: E402
    audit_digests,
    audit_event_resources,
    audit_events,
    audit_signing_keys,
    audit_trail_head,
)
from iamd.store.engine import Store  # noqa: E402

ACCOUNTS = [f"{100000000000 + i}" for i in range(10)]
T0 = datetime(2025, 1, 1, tzinfo=UTC)
# One master key for the whole run: the trail's signing key, made by the first recorder, is sealed
# under it, and a recorder with another key cannot sign (as a server started with the wrong key).
MASTER = os.urandom(32)


def clear(store: Store) -> None:
    with store.begin() as conn:
        for table in (audit_event_resources, audit_events, audit_digests, audit_trail_head, audit_signing_keys):
            conn.execute(delete(table))


def bench_in_transaction(store: Store, n: int = 2000) -> float:
    rec = Recorder(store, MASTER, background=False)
    records = [record("CreateUser", root(), params={"UserName": f"u{i}"}, read_only=False) for i in range(n)]
    start = time.perf_counter()
    for r in records:
        with store.begin() as conn:
            rec.record_in_transaction(conn, r)
    return n / (time.perf_counter() - start)


def bench_append_cpu(store: Store, n: int = 2000) -> float:
    """Microseconds per event to build and append, excluding the commit (all in one transaction)."""
    rec = Recorder(store, MASTER, background=False)
    records = [record("CreateUser", root(), params={"UserName": f"u{i}"}, read_only=False) for i in range(n)]
    with store.begin() as conn:
        start = time.perf_counter()
        for r in records:
            rec.record_in_transaction(conn, r)
        return (time.perf_counter() - start) / n * 1e6


def bench_commit_baseline(store: Store, n: int = 2000) -> float:
    """Transactions/s of a one-row update alone: the commit cost the trail cannot beat."""
    from sqlalchemy import update

    start = time.perf_counter()
    for _ in range(n):
        with store.begin() as conn:
            conn.execute(update(audit_trail_head).values(last_seq=audit_trail_head.c.last_seq))
    return n / (time.perf_counter() - start)


def bench_batched(store: Store, n: int = 20000) -> tuple[float, float]:
    rec = Recorder(store, MASTER, background=False, batch_size=200)
    alice = user()
    records = [record("GetUser", alice, params={"UserName": "bob"}) for _ in range(n)]
    start = time.perf_counter()
    for r in records:
        rec.record_later(r)
    rec.flush()
    elapsed = time.perf_counter() - start
    # Hot-path cost: queueing alone, with flushing off.
    rec = Recorder(store, MASTER, background=False, batch_size=n + 1)
    q0 = time.perf_counter()
    for r in records:
        rec.record_later(r)
    queue_us = (time.perf_counter() - q0) / n * 1e6
    rec._pending.clear()
    return n / elapsed, queue_us


def build_big_trail(store: Store, total: int) -> None:
    """Rows as the recorder writes them (columns + a representative record); hashes not chained."""
    rnd = random.Random(7)
    template = record("GetUser", user(), params={"UserName": "bob"})
    from iamd.audit.events import build_events

    text = build_events(template)[0].record
    chunk = 20000
    seq = 0
    with store.begin() as conn:
        while seq < total:
            rows, res = [], []
            for _ in range(min(chunk, total - seq)):
                seq += 1
                account = ACCOUNTS[seq % len(ACCOUNTS)]
                key = f"AKIA{rnd.randrange(5000):016d}"
                when = T0 + timedelta(seconds=seq * 3)
                rows.append(
                    {
                        "seq": seq,
                        "event_id": str(uuid.UUID(int=rnd.getrandbits(128))),
                        "account_id": account,
                        "event_time": when,
                        "event_name": rnd.choice(("GetUser", "ListUsers", "CreateUser", "GetRole")),
                        "event_source": "iam.amazonaws.com",
                        "read_only": True,
                        "username": f"user{rnd.randrange(2000)}",
                        "access_key_id": key,
                        "error_code": None,
                        "record": text,
                        "prev_hash": "0" * 64,
                        "hash": "0" * 64,
                    }
                )
                res.append(
                    {
                        "seq": seq,
                        "position": 0,
                        "account_id": account,
                        "event_time": when,
                        "resource_type": "AWS::IAM::User",
                        "resource_name": f"user{rnd.randrange(2000)}",
                    }
                )
            conn.execute(insert(audit_events), rows)
            conn.execute(insert(audit_event_resources), res)


def bench_lookup(store: Store, rounds: int = 300) -> dict[str, float]:
    rnd = random.Random(11)
    out = {}
    for label, attr in (
        ("AccessKeyId", lambda: ("AccessKeyId", f"AKIA{rnd.randrange(5000):016d}")),
        ("Username", lambda: ("Username", f"user{rnd.randrange(2000)}")),
        ("ResourceName", lambda: ("ResourceName", f"user{rnd.randrange(2000)}")),
        ("none (latest 50)", lambda: None),
    ):
        times = []
        with store.connect() as conn:
            for _ in range(rounds):
                account = rnd.choice(ACCOUNTS)
                t = time.perf_counter()
                rows = lookup(conn, account, attr(), None, None, 51)
                times.append(time.perf_counter() - t)
                assert len(rows) <= 51
        out[label] = statistics.median(times) * 1000
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    ap.add_argument("--events", type=int, default=1_000_000)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="iamd-bench-audit-")
    store = Store(args.db or f"sqlite:///{tmp}/bench.db")
    store.migrate()
    clear(store)
    print(f"in-transaction:  {bench_in_transaction(store):8.0f} events/s (one event per committed transaction)")
    print(f"  baseline:      {bench_commit_baseline(store):8.0f} tx/s (a one-row update per transaction, no event)")
    print(f"  build+append:  {bench_append_cpu(store):8.1f} us per event, excluding the commit")
    rate, queue_us = bench_batched(store)
    print(f"batched:         {rate:8.0f} events/s (200 per transaction); record_later {queue_us:.2f} us on the hot path")
    clear(store)
    t = time.perf_counter()
    build_big_trail(store, args.events)
    print(f"bulk-built trail of {args.events:,} events in {time.perf_counter() - t:.1f} s")
    for label, ms in bench_lookup(store).items():
        print(f"lookup by {label:17s} {ms:7.3f} ms per page of 50 (median)")
    clear(store)
    store.close()


if __name__ == "__main__":
    main()
