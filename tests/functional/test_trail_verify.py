"""``iamd trail verify | export | prune`` on the data folder a real server wrote.

A server runs against a data folder, takes some calls and stops (which writes the queued events
and signs the tail). Each tampering case then edits a fresh copy of that untouched SQLite file by
hand, the way someone with file access but without the master key could, and ``iamd trail verify``
must name the first bad position and exit 1.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from iamd.audit.events import lookup_columns
from iamd.audit.record import ApiCallRecord
from iamd.audit.recorder import Recorder
from iamd.audit.signing import chain_hash
from iamd.auth.caller import Caller
from iamd.auth.secretbox import load_or_create_master_key
from iamd.cli import main
from iamd.store.engine import Store, sqlite_url
from iamd.testing import IamdServer

ACCOUNT = "123456789012"


def iamd(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "iamd.cli", *args], capture_output=True, text=True, timeout=60
    )


def verify(data: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """``iamd trail verify`` in-process (the same entry point as the command, without its start-up)."""
    code = main(["trail", "verify", "--data-dir", str(data)])
    return code, capsys.readouterr().out.strip()


def export(data: Path) -> list[dict[str, Any]]:
    proc = iamd("trail", "export", "--format", "jsonl", "--data-dir", str(data))
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def some_calls(server: IamdServer, prefix: str = "v") -> None:
    """Changes, reads, a denial and a failed authentication: every way an event is written."""
    iam = server.client("iam")
    for i in range(4):
        iam.create_user(UserName=f"{prefix}-{i}", Tags=[{"Key": "n", "Value": str(i)}])
    iam.create_group(GroupName=f"{prefix}-g")
    iam.add_user_to_group(GroupName=f"{prefix}-g", UserName=f"{prefix}-0")
    key = iam.create_access_key(UserName=f"{prefix}-1")["AccessKey"]
    user = server.client(
        "iam", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
    )
    with pytest.raises(ClientError, match="AccessDenied"):
        user.list_users()
    iam.update_access_key(UserName=f"{prefix}-1", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    with pytest.raises(ClientError, match="InvalidClientTokenId"):
        user.get_user()
    iam.list_users()
    iam.get_user(UserName=f"{prefix}-2")  # read-only, queued: written when the server stops


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("trail") / "data"
    with IamdServer(extra_args=["--data-dir", str(data)]) as server:
        some_calls(server)
    return data


@pytest.fixture
def copy(pristine: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(pristine, target)
    return target


def sql(data: Path, *statements: str, params: tuple[Any, ...] = ()) -> None:
    with sqlite3.connect(data / "iamd.db") as db:
        for statement in statements:
            db.execute(statement, params if "?" in statement else ())
    db.close()


def rows(data: Path, query: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(data / "iamd.db") as db:
        out = db.execute(query).fetchall()
    db.close()
    return out


def test_untouched_trail_verifies_and_exports(pristine: Path) -> None:
    proc = iamd("trail", "verify", "--data-dir", str(pristine))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    events = export(pristine)
    assert proc.stdout.startswith(f"OK: {len(events)} events, ")
    names = [e["eventName"] for e in events]
    assert names.count("CreateUser") == 4
    assert {"CreateGroup", "AddUserToGroup", "CreateAccessKey", "UpdateAccessKey", "ListUsers"} <= set(names)
    # The read made just before the server stopped was flushed at shutdown.
    assert any(e["eventName"] == "GetUser" and e["requestParameters"] == {"userName": "v-2"} for e in events)
    assert any(e.get("errorCode") == "AccessDenied" for e in events)
    assert any(e.get("errorCode") == "InvalidClientTokenId" for e in events)
    assert all(e["eventVersion"] == "1.08" and e["recipientAccountId"] == ACCOUNT for e in events)
    assert len({e["eventID"] for e in events}) == len(events)
    (seq_count,) = rows(pristine, "SELECT COUNT(*) FROM audit_events")[0]
    assert seq_count == len(events)


def _swap(data: Path, a: int, b: int) -> None:
    sql(
        data,
        f"UPDATE audit_events SET seq = -1 WHERE seq = {a}",
        f"UPDATE audit_events SET seq = {a} WHERE seq = {b}",
        f"UPDATE audit_events SET seq = {b} WHERE seq = -1",
    )


def _forged_row(data: Path, seq: int, prev_hash: str, template_seq: int) -> dict[str, Any]:
    """A new event as an attacker who knows the (public) chain algorithm but not the master key
    would write it: a plausible record, its lookup columns, and a correctly chained hash."""
    (record,) = rows(data, f"SELECT record FROM audit_events WHERE seq = {template_seq}")[0]
    event = json.loads(record) | {"eventID": str(uuid.uuid4()), "eventName": "DeleteUser", "readOnly": False}
    text = json.dumps(event, separators=(",", ":"))
    cols = lookup_columns(event)
    return {
        "seq": seq,
        "event_id": cols.event_id,
        "account_id": cols.account_id,
        "event_time": rows(data, f"SELECT event_time FROM audit_events WHERE seq = {template_seq}")[0][0],
        "event_name": cols.event_name,
        "event_source": cols.event_source,
        "read_only": cols.read_only,
        "username": cols.username,
        "access_key_id": cols.access_key_id,
        "error_code": cols.error_code,
        "record": text,
        "prev_hash": prev_hash,
        "hash": chain_hash(prev_hash, text, seq),
    }


def _insert(data: Path, row: dict[str, Any]) -> None:
    """The row and its resource index entries, consistent with its record."""
    names = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    resources = lookup_columns(json.loads(row["record"])).resources
    with sqlite3.connect(data / "iamd.db") as db:
        db.execute(f"INSERT INTO audit_events ({names}) VALUES ({marks})", tuple(row.values()))
        for n, (kind, name) in enumerate(resources):
            db.execute(
                "INSERT INTO audit_event_resources VALUES (?, ?, ?, ?, ?, ?)",
                (row["seq"], n, row["account_id"], row["event_time"], kind, name),
            )
    db.close()


def _forge_append(data: Path, move_head: bool = False) -> None:
    (last, last_hash) = rows(data, "SELECT last_seq, last_hash FROM audit_trail_head")[0]
    row = _forged_row(data, last + 1, last_hash, last)
    _insert(data, row)
    if move_head:
        sql(data, "UPDATE audit_trail_head SET last_seq = ?, last_hash = ?", params=(last + 1, row["hash"]))


def _forge_in_middle(data: Path, at: int) -> None:
    """Insert a correctly chained row at ``at`` and renumber the rest, hiding the insertion."""
    sql(
        data,
        f"UPDATE audit_events SET seq = -seq WHERE seq >= {at}",
        f"UPDATE audit_events SET seq = 1 - seq WHERE seq <= -{at}",
        f"UPDATE audit_event_resources SET seq = seq + 1000000 WHERE seq >= {at}",
        "UPDATE audit_event_resources SET seq = seq - 1000000 + 1 WHERE seq >= 1000000",
    )
    (prev,) = rows(data, f"SELECT hash FROM audit_events WHERE seq = {at - 1}")[0]
    _insert(data, _forged_row(data, at, prev, at - 1))


# (name, tamper(data), expected "position N: kind" prefix)
TAMPERING: list[tuple[str, Callable[[Path], None], str]] = [
    (
        "record edited",
        lambda d: sql(d, "UPDATE audit_events SET record = REPLACE(record, '\"v-', '\"w-') WHERE seq = 3"),
        "position 3: modified",
    ),
    (
        "lookup column edited (hides the event from AccessKeyId lookups)",
        lambda d: sql(d, "UPDATE audit_events SET access_key_id = 'AKIAOTHER' WHERE seq = 5"),
        "position 5: modified",
    ),
    (
        "resource index row deleted",
        lambda d: sql(d, "DELETE FROM audit_event_resources WHERE seq = 2"),
        "position 2: modified",
    ),
    ("row deleted", lambda d: sql(d, "DELETE FROM audit_events WHERE seq = 4"), "position 4: deleted"),
    (
        "row deleted and later ones renumbered",
        lambda d: sql(
            d,
            "DELETE FROM audit_events WHERE seq = 4",
            "UPDATE audit_events SET seq = -(seq - 1) WHERE seq > 4",
            "UPDATE audit_events SET seq = -seq WHERE seq < 0",
        ),
        "position 4: deleted",
    ),
    ("forged row appended", _forge_append, "position {head1}: inserted"),
    ("forged row inserted in the middle", lambda d: _forge_in_middle(d, 6), "position 6: inserted"),
    ("two rows' positions swapped", lambda d: _swap(d, 3, 7), "position 3: reordered"),
    (
        "digest signature altered",
        lambda d: sql(
            d, "UPDATE audit_digests SET signature = REPLACE(signature, substr(signature, 1, 2), 'ff')"
        ),
        "position 1: bad digest",
    ),
]


@pytest.mark.parametrize(
    ("tamper", "expected"), [(t, e) for _, t, e in TAMPERING], ids=[n for n, _, _ in TAMPERING]
)
def test_tampering_is_reported_at_the_first_bad_position(
    copy: Path, capsys: pytest.CaptureFixture[str], tamper: Callable[[Path], None], expected: str
) -> None:
    assert verify(copy, capsys)[0] == 0
    (head,) = rows(copy, "SELECT last_seq FROM audit_trail_head")[0]
    tamper(copy)
    code, out = verify(copy, capsys)
    assert code == 1, out
    assert out.startswith(f"FAILED at {expected.format(head1=head + 1)}"), out


def test_forged_tail_with_a_moved_head_needs_strict(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Past the last signed digest only the chain protects events; a cleanly stopped server signed
    its whole trail, so ``--strict`` (for stopped servers) refuses any unsigned tail."""
    (head,) = rows(copy, "SELECT last_seq FROM audit_trail_head")[0]
    assert main(["trail", "verify", "--strict", "--data-dir", str(copy)]) == 0
    capsys.readouterr()
    _forge_append(copy, move_head=True)
    code, out = verify(copy, capsys)
    assert code == 0 and f"note: events {head + 1}..{head + 1} are not covered by a signed digest" in out
    assert main(["trail", "verify", "--strict", "--data-dir", str(copy)]) == 1
    assert capsys.readouterr().out.startswith(f"FAILED at position {head + 1}: not signed")


def test_tampering_seen_by_the_command(copy: Path) -> None:
    sql(
        copy,
        "UPDATE audit_events SET record = REPLACE(record, 'ListUsers', 'ListRoles') WHERE event_name = 'ListUsers'",
    )
    proc = iamd("trail", "verify", "--data-dir", str(copy))
    assert (
        proc.returncode == 1 and proc.stdout.startswith("FAILED at position ") and ": modified" in proc.stdout
    )


# --- retention ----------------------------------------------------------------------------------


def _old_events(data: Path, count: int, days_ago: int) -> None:
    """Events recorded ``days_ago`` days ago, through the recorder, before the server first starts."""
    data.mkdir(parents=True)
    store = Store(sqlite_url(data / "iamd.db"))
    store.migrate()
    master = load_or_create_master_key(data / "master.key")
    when = datetime.now(UTC) - timedelta(days=days_ago)
    recorder = Recorder(store, master, clock=lambda: when, background=False)
    caller = Caller(ACCOUNT, f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT, "root", "AKIAOLDOLDOLDOLDOLD1")
    for i in range(count):
        rec = ApiCallRecord(
            request_id=str(uuid.uuid4()),
            event_time=when + timedelta(seconds=i),
            service="iam",
            operation="CreateUser",
            region="us-east-1",
            source_ip="192.0.2.1",
            user_agent="old",
            caller=caller,
            access_key_id=caller.access_key_id,
            account_id=ACCOUNT,
            params={"UserName": f"old-{i}"},
            response=None,
            read_only=False,
        )
        with store.begin() as conn:
            recorder.record_in_transaction(conn, rec)
    recorder.close()
    store.close()


def _check_pruned(data: Path, capsys: pytest.CaptureFixture[str], old: int) -> list[dict[str, Any]]:
    code, out = verify(data, capsys)
    assert code == 0, out
    assert f"pruned through position {old}" in out
    events = export(data)
    assert not [e for e in events if e["userAgent"] == "old"]
    return events


def test_prune_command_keeps_verification(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    _old_events(data, 5, days_ago=40)
    with IamdServer(extra_args=["--data-dir", str(data)]) as server:
        some_calls(server, "p")
    before = export(data)
    assert sum(e["userAgent"] == "old" for e in before) == 5
    proc = iamd("trail", "prune", "--retention-days", "30", "--data-dir", str(data))
    assert proc.returncode == 0 and proc.stdout.startswith("pruned 5 events"), proc.stdout + proc.stderr
    after = _check_pruned(data, capsys, 5)
    assert [e["eventID"] for e in after] == [e["eventID"] for e in before[5:]]
    assert iamd("trail", "prune", "--retention-days", "30", "--data-dir", str(data)).stdout.startswith(
        "pruned 0"
    )
    # What remains is still protected: re-inserting a pruned event, or deleting a kept one, shows.
    shutil.copytree(data, tmp_path / "again")
    sql(tmp_path / "again", "DELETE FROM audit_events WHERE seq = 6")
    code, out = verify(tmp_path / "again", capsys)
    assert (code, out.splitlines()[0]) == (1, "FAILED at position 6: deleted: events 6..6 are missing")
    sql(
        data,
        "INSERT INTO audit_events SELECT 3, event_id, account_id, event_time, event_name, event_source,"
        " read_only, username, access_key_id, error_code, record, prev_hash, hash FROM audit_events WHERE seq = 6",
    )
    code, out = verify(data, capsys)
    assert (code, out.split(":")[0]) == (1, "FAILED at position 3")


def test_server_prunes_on_start(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    _old_events(data, 3, days_ago=10)
    with IamdServer(extra_args=["--data-dir", str(data), "--trail-retention-days", "7"]) as server:
        server.client("iam").create_user(UserName="fresh")
    events = _check_pruned(data, capsys, 3)
    assert [e["requestParameters"] for e in events if e["eventName"] == "CreateUser"] == [
        {"userName": "fresh"}
    ]
    # A longer retention keeps everything.
    other = tmp_path / "other"
    _old_events(other, 3, days_ago=10)
    with IamdServer(extra_args=["--data-dir", str(other), "--trail-retention-days", "30"]) as server:
        server.client("iam").create_user(UserName="fresh")
    assert sum(e["userAgent"] == "old" for e in export(other)) == 3
    assert verify(other, capsys)[0] == 0
