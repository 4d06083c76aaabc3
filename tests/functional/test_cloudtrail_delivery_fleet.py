"""Delivery across restarts and across servers sharing one PostgreSQL: every event of a logging
trail is delivered exactly once (no duplicate, no gap), whoever delivers it."""

from __future__ import annotations

import base64
import collections
import os
from pathlib import Path

from trail_files import names, wait_for

from iamd.testing import IamdServer

FAST = ["--trail-delivery-interval", "0.05"]


def _like(first: IamdServer, extra_args: list[str], env: dict[str, str] | None = None) -> IamdServer:
    """Another server process with ``first``'s root key (the account the first one created)."""
    other = IamdServer(extra_args=extra_args, env=env)
    other.access_key_id, other.secret_access_key = first.access_key_id, first.secret_access_key
    return other


def _once(bucket: Path, expected: set[str]) -> None:
    counts = collections.Counter(names(bucket, "CreateUser"))
    assert set(counts) == expected
    assert all(n == 1 for n in counts.values()), counts


def test_restart_and_crash_neither_duplicate_nor_lose(tmp_path: Path) -> None:
    data, folder = tmp_path / "data", tmp_path / "trails"
    args = ["--data-dir", str(data), "--trail-dir", str(folder), *FAST]
    first = IamdServer(extra_args=args).start()
    try:
        ct = first.client("cloudtrail")
        ct.create_trail(Name="durable", S3BucketName="durable")
        ct.start_logging(Name="durable")
        iam = first.client("iam")
        for n in range(5):
            iam.create_user(UserName=f"u{n}")
        wait_for(lambda: len(names(folder / "durable", "CreateUser")) == 5)
        for n in range(5, 10):
            iam.create_user(UserName=f"u{n}")
    finally:
        assert first.process is not None
        first.process.kill()  # a crash: whatever was claimed or queued is left as it was
        first.process.wait()
        first.stop()
    second = _like(first, args).start()
    try:
        iam = second.client("iam")
        for n in range(10, 15):
            iam.create_user(UserName=f"u{n}")
        expected = {f"u{n}" for n in range(15)}
        wait_for(lambda: set(names(folder / "durable", "CreateUser")) == expected)
        second.stop()  # a clean stop, then once more
        third = _like(first, args).start()
        try:
            third.client("iam").create_user(UserName="u15")
            wait_for(lambda: "u15" in names(folder / "durable", "CreateUser"))
            _once(folder / "durable", expected | {"u15"})
        finally:
            third.stop()
    finally:
        second.stop()


def test_two_servers_on_one_postgresql_deliver_each_event_once(empty_pg_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "trails"
    env = {"IAMD_MASTER_KEY": base64.b64encode(os.urandom(32)).decode()}
    a = IamdServer(extra_args=["--db", empty_pg_url, "--data-dir", str(tmp_path / "a"), "--trail-dir", str(folder), *FAST],
                   env=env).start()
    try:
        b = _like(a, ["--db", empty_pg_url, "--data-dir", str(tmp_path / "b"), "--trail-dir", str(folder), *FAST],
                  env=env).start()
        try:
            ct = a.client("cloudtrail")
            ct.create_trail(Name="shared", S3BucketName="shared")
            ct.start_logging(Name="shared")
            clients = [a.client("iam"), b.client("iam")]
            for n in range(30):
                clients[n % 2].create_user(UserName=f"p{n}")
            expected = {f"p{n}" for n in range(30)}
            wait_for(lambda: set(names(folder / "shared", "CreateUser")) == expected)
            _once(folder / "shared", expected)
            assert b.client("cloudtrail").get_trail_status(Name="shared")["IsLogging"] is True
        finally:
            b.stop()
    finally:
        a.stop()

