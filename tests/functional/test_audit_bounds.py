"""What callers can make the trail keep is bounded (issue 9, item 8).

Oversized headers are refused at the HTTP layer; what an event keeps of client-chosen strings is
truncated; failed and unauthenticated calls are throttled per source address; and a denied call
that names another account's ARN leaves that account's trail alone.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from iamd.testing import IamdServer


def _get_with_user_agent(server: IamdServer, size: int) -> bytes:
    """An unsigned request with a ``size``-byte User-Agent; the status line answered, or b"" when
    the server cut the connection while the head was still arriving."""
    head = b"POST / HTTP/1.1\r\nHost: iamd\r\nContent-Length: 0\r\nUser-Agent: "
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        try:
            sock.sendall(head)
            chunk = b"u" * 65536
            for _ in range(size // len(chunk)):
                sock.sendall(chunk)
            sock.sendall(b"\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            return sock.recv(65536).partition(b"\r\n")[0]
        except ConnectionResetError:
            return b""


def test_a_16_mb_user_agent_is_refused(server: IamdServer, sts: Any) -> None:
    for size in (16 * 1024 * 1024, 128 * 1024):
        status_line = _get_with_user_agent(server, size)
        assert status_line in (b"", b"HTTP/1.1 431 Request Header Fields Too Large"), status_line
    assert sts.get_caller_identity()["Account"] == server.account_id


def test_the_trail_keeps_a_bounded_user_agent(server: IamdServer) -> None:
    long_agent = "x" * 8000
    sts = server.client("sts", config=Config(user_agent_extra=long_agent))
    sts.get_caller_identity()
    ct = server.client("cloudtrail")
    for _ in range(50):
        events = ct.lookup_events(
            LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "GetCallerIdentity"}]
        )["Events"]
        if events:
            break
        time.sleep(0.1)
    record = json.loads(events[0]["CloudTrailEvent"])
    assert len(record["userAgent"]) == 1024 and record["omitted"] is True
    assert record["userAgent"].startswith("Boto3/") or record["userAgent"].startswith("aws-sdk")


def _events(db: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db) as conn:
        return list(conn.execute("SELECT account_id, event_name, record FROM audit_events"))


@pytest.fixture
def throttled(tmp_path: Path) -> Iterator[tuple[IamdServer, Path]]:
    data = tmp_path / "data"
    args = ["--data-dir", str(data), "--failed-call-events-rate", "0.001", "--failed-call-events-burst", "20"]
    yield IamdServer(extra_args=args), data / "iamd.db"


def test_a_flood_of_unauthenticated_calls_leaves_the_trail_bounded(throttled: tuple[IamdServer, Path]) -> None:
    server, db = throttled
    with server:
        for n in range(300):
            request = urllib.request.Request(
                server.endpoint + "/", data=f"Action=CreateUser&Version=2010-05-08&UserName=u{n}".encode(),
                headers={"User-Agent": "flood/" + "f" * 4000}, method="POST",
            )
            with pytest.raises(urllib.error.HTTPError):
                urllib.request.urlopen(request, timeout=30)
        # An authenticated caller's successful calls are never throttled.
        for _ in range(30):
            server.client("iam").list_users()
    events = _events(db)  # the server has stopped: everything queued was written
    failed = [json.loads(r) for _, name, r in events if name == "CreateUser"]
    assert len(failed) <= 20
    assert all(len(e["userAgent"]) <= 1024 for e in failed)
    assert len([1 for _, name, _ in events if name == "ListUsers"]) == 30


def test_a_denied_call_naming_another_accounts_arn_is_not_in_that_accounts_trail(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with IamdServer(extra_args=["--data-dir", str(data)]) as server:
        other = "210987654321"
        out = subprocess.run(
            [sys.executable, "-m", "iamd.cli", "account", "create", "--data-dir", str(data), "--new-account-id", other],
            capture_output=True, text=True, timeout=60, check=True,
        ).stdout
        pairs = dict(line.split("=", 1) for line in out.splitlines() if line.startswith("AWS_"))
        intruder = {"aws_access_key_id": pairs["AWS_ACCESS_KEY_ID"], "aws_secret_access_key": pairs["AWS_SECRET_ACCESS_KEY"]}
        victim = server.account_id
        sts, iam = server.client("sts", **intruder), server.client("iam", **intruder)
        for _ in range(3):
            with pytest.raises(ClientError):
                sts.assume_role(RoleArn=f"arn:aws:iam::{victim}:role/anything", RoleSessionName="intruder")
        with pytest.raises(ClientError):
            iam.attach_role_policy(RoleName="mine", PolicyArn=f"arn:aws:iam::{victim}:policy/theirs")
    events = _events(data / "iamd.db")
    names_by_account: dict[str, set[str]] = {}
    for account, name, _ in events:
        names_by_account.setdefault(account, set()).add(name)
    assert {"AssumeRole", "AttachRolePolicy"} <= names_by_account[other]
    assert not {"AssumeRole", "AttachRolePolicy"} & names_by_account.get(victim, set())
