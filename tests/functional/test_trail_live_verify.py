"""Verifying a running server while it writes (issue 14, item 3): before, 12 of 12 runs reported
"an event beyond the trail head" on both backends. ``iamd trail verify`` reads one snapshot (up to
the head it read) and must pass every time, on SQLite and on a shared PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from iamd.cli import main
from iamd.testing import IamdServer

RUNS = 6


@pytest.fixture(params=["sqlite", "postgresql"])
def busy(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[str]]:
    """A server taking writes and reads from four threads; yields the store flags to verify it."""
    data = tmp_path / "data"
    store = ["--data-dir", str(data)]
    if request.param == "postgresql":
        store += ["--db", request.getfixturevalue("empty_pg_url")]
    stop = threading.Event()
    errors: list[BaseException] = []
    with IamdServer(extra_args=[*store, "--trail-digest-interval", "1"]) as server:

        def work(k: int) -> None:
            iam = server.client("iam")
            i = 0
            try:
                while not stop.is_set():
                    iam.create_user(UserName=f"live-{k}-{i}")
                    iam.list_users(MaxItems=1)
                    i += 1
            except BaseException as err:  # noqa: BLE001
                errors.append(err)

        threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        try:
            yield store
        finally:
            stop.set()
            for t in threads:
                t.join()
    assert not errors


def test_verify_during_concurrent_writes_passes_every_time(busy: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    seen: list[int] = []
    for _ in range(200):  # bounded: until RUNS verifications saw a trail growing under them
        code = main(["trail", "verify", *busy])
        out = capsys.readouterr().out
        assert code == 0, out
        events = int(out.split()[1])
        if events:
            seen.append(events)
        if len(seen) >= RUNS and seen[-1] > seen[0]:
            break
    assert len(seen) >= RUNS and seen == sorted(seen) and seen[-1] > seen[0], seen


def test_two_servers_on_one_postgresql_sign_one_chain_with_one_key(
    empty_pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Both timers tick; the head's lock lets one write each cadence's digest and make the key."""
    import base64
    import os

    import psycopg

    env = {"IAMD_MASTER_KEY": base64.b64encode(os.urandom(32)).decode()}
    a = IamdServer(extra_args=["--db", empty_pg_url, "--data-dir", str(tmp_path / "a"), "--trail-digest-interval", "1"], env=env)
    b = IamdServer(extra_args=["--db", empty_pg_url, "--data-dir", str(tmp_path / "b"), "--trail-digest-interval", "1"], env=env)
    b.access_key_id, b.secret_access_key = a.access_key_id, a.secret_access_key
    with a, b:
        for i in range(5):
            a.client("iam").create_user(UserName=f"pa-{i}")
            b.client("iam").create_user(UserName=f"pb-{i}")

        def heartbeats() -> bool:
            with psycopg.connect(empty_pg_url) as conn:
                row = conn.execute("SELECT COUNT(*) FROM audit_digests WHERE first_seq > last_seq").fetchone()
            return bool(row and row[0] >= 2)

        for _ in range(400):  # bounded poll
            if heartbeats():
                break
            time.sleep(0.05)
        else:
            raise AssertionError("no heartbeat digests")
    with psycopg.connect(empty_pg_url) as conn:
        keys = conn.execute("SELECT COUNT(*) FROM audit_signing_keys").fetchone()
    assert keys == (1,)
    for data in (tmp_path / "a", tmp_path / "b"):  # each server's copy holds the whole chain
        code = main(["trail", "verify", "--db", empty_pg_url, "--data-dir", str(data), "--strict"])
        out = capsys.readouterr().out
        assert code == 0 and "no digest copy" not in out, out
