"""The trail against someone who can write the database (issue 14, items 1, 2, 4, 5).

A real server runs with a one-second digest cadence and its digest copies in a folder outside the
data folder, then is killed (SIGKILL: no shutdown seal) once its timer has signed everything. Each
case edits a copy of that database the way someone with database access would and ``iamd trail
verify --digests`` must fail: every one of them passed verification before digests had a trail
id, a timer and a copy, and the master-key re-signing passed before the signing key was random.
No wall clock is read: waits are bounded polls counting attempts.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from functional_helpers import poll

from iamd.audit.signing import GENESIS_HASH, chain_hash, digest_message, key_id, raw_public
from iamd.auth.secretbox import derive_key, load_or_create_master_key
from iamd.cli import main
from iamd.testing import IamdServer

CADENCE = ["--trail-digest-interval", "1"]


def rows(db: Path, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        out = conn.execute(query, params).fetchall()
    conn.close()
    return out


def sql(db: Path, *statements: str, params: tuple[Any, ...] = ()) -> None:
    with sqlite3.connect(db) as conn:
        for statement in statements:
            conn.execute(statement, params if "?" in statement else ())
    conn.close()


def copies(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*/*.json"))]


def signed_through(folder: Path) -> int:
    found = copies(folder)
    return int(found[-1]["lastSeq"]) if found else -1


def head(db: Path) -> int:
    return int(rows(db, "SELECT last_seq FROM audit_trail_head")[0][0])


def verify(data: Path, digests: Path, capsys: pytest.CaptureFixture[str], *more: str) -> tuple[int, str]:
    code = main(["trail", "verify", "--data-dir", str(data), "--digests", str(digests), *more])
    return code, capsys.readouterr().out.strip()


def calls(server: IamdServer, prefix: str) -> None:
    iam = server.client("iam")
    for i in range(3):
        iam.create_user(UserName=f"{prefix}-{i}")
    iam.list_users()


@pytest.fixture(scope="module")
def killed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(data folder, digest folder) of a server killed after its timer signed every event."""
    root = tmp_path_factory.mktemp("anchors")
    data, digests = root / "data", root / "copies"
    server = IamdServer(
        extra_args=["--data-dir", str(data), "--trail-digest-dir", str(digests), *CADENCE], log_path=root / "log"
    )
    with server:
        calls(server, "a")
        poll(lambda: head(data / "iamd.db") >= 4)
        poll(lambda: signed_through(digests) == head(data / "iamd.db"))
        calls(server, "b")
        poll(lambda: head(data / "iamd.db") >= 8)
        poll(lambda: signed_through(digests) == head(data / "iamd.db"))
        # Idle heartbeats after it (a batched read event may take the next cadence first).
        poll(lambda: any(d["firstSeq"] > d["lastSeq"] for d in copies(digests)))
        poll(lambda: signed_through(digests) == head(data / "iamd.db"))
        assert server.process is not None
        server.process.kill()
        server.process.wait()
    return data, digests


@pytest.fixture
def copy(killed: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    data, digests = tmp_path / "data", tmp_path / "copies"
    shutil.copytree(killed[0], data)
    shutil.copytree(killed[1], digests)
    return data, digests


def test_a_killed_idle_server_left_nothing_unsigned(copy: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    data, digests = copy
    code, out = verify(data, digests, capsys, "--strict")
    assert code == 0, out
    assert out.startswith("OK: ") and ", latest digest " in out
    assert "read from the database" not in out  # the copy's public keys were used
    heartbeats = [d for d in copies(digests) if d["firstSeq"] > d["lastSeq"]]
    assert heartbeats and all(d["cadence"] == 1 for d in heartbeats)
    assert len({d["trailId"] for d in copies(digests)}) == 1


def _drop_newest_digest_and_its_events(db: Path) -> None:
    """Rollback: the newest non-empty digest, the digests after it and its events, head set back."""
    (number, first, kept_hash_seq) = rows(
        db, "SELECT digest_seq, first_seq, first_seq - 1 FROM audit_digests WHERE first_seq <= last_seq "
        "ORDER BY digest_seq DESC LIMIT 1"
    )[0]
    (prev_sig,) = rows(db, "SELECT signature FROM audit_digests WHERE digest_seq = ?", (number - 1,))[0]
    (prev_hash,) = rows(db, "SELECT hash FROM audit_events WHERE seq = ?", (kept_hash_seq,))[0]
    (prev_digest_at,) = rows(db, "SELECT created_at FROM audit_digests WHERE digest_seq = ?", (number - 1,))[0]
    sql(
        db,
        f"DELETE FROM audit_digests WHERE digest_seq >= {number}",
        f"DELETE FROM audit_events WHERE seq >= {first}",
        f"DELETE FROM audit_event_resources WHERE seq >= {first}",
        "UPDATE audit_trail_head SET last_seq = ?, last_hash = ?, digested_seq = ?, digest_count = ?, "
        "last_signature = ?, digested_at = ?",
        params=(first - 1, prev_hash, first - 1, number - 1, prev_sig, prev_digest_at),
    )


def _wipe(db: Path) -> None:
    sql(db, *(f"DELETE FROM {t}" for t in ("audit_event_resources", "audit_events", "audit_digests", "audit_trail_head")))


def _truncate(db: Path) -> None:
    """Cut the last two events (the timer had signed them) and the digests that say so."""
    last = head(db)
    (number,) = rows(db, f"SELECT MIN(digest_seq) FROM audit_digests WHERE last_seq >= {last - 1}")[0]
    (prev_sig, prev_last) = rows(db, "SELECT signature, last_seq FROM audit_digests WHERE digest_seq = ?", (number - 1,))[0]
    (new_last_hash,) = rows(db, f"SELECT hash FROM audit_events WHERE seq = {last - 2}")[0]
    sql(
        db,
        f"DELETE FROM audit_digests WHERE digest_seq >= {number}",
        f"DELETE FROM audit_events WHERE seq >= {last - 1}",
        f"DELETE FROM audit_event_resources WHERE seq >= {last - 1}",
        "UPDATE audit_trail_head SET last_seq = ?, last_hash = ?, digested_seq = ?, digest_count = ?, last_signature = ?",
        params=(last - 2, new_last_hash, min(prev_last, last - 2), number - 1, prev_sig),
    )


def _rewrite_tail(db: Path) -> None:
    """Rewrite the newest event with a recomputed hash and head, and drop the digests over it."""
    last = head(db)
    (record, prev) = rows(db, f"SELECT record, prev_hash FROM audit_events WHERE seq = {last}")[0]
    forged = record.replace("ListUsers", "ListRoles")
    new_hash = chain_hash(prev, forged, last)
    (number,) = rows(db, f"SELECT MIN(digest_seq) FROM audit_digests WHERE last_seq >= {last}")[0]
    (prev_sig, prev_last) = rows(db, "SELECT signature, last_seq FROM audit_digests WHERE digest_seq = ?", (number - 1,))[0]
    sql(db, f"DELETE FROM audit_digests WHERE digest_seq >= {number}")
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE audit_events SET record = ?, event_name = 'ListRoles', hash = ? WHERE seq = ?", (forged, new_hash, last)
        )
        conn.execute(
            "UPDATE audit_trail_head SET last_hash = ?, digested_seq = ?, digest_count = ?, last_signature = ?",
            (new_hash, prev_last, number - 1, prev_sig),
        )
    conn.close()


def _resign_with_master_key(db: Path, data: Path) -> None:
    """Edit an event, recompute the chain, and re-sign every digest with the key iamd used to
    derive from the master key, registered as the active signing key."""
    master = load_or_create_master_key(data / "master.key")
    private = Ed25519PrivateKey.from_private_bytes(derive_key(master, "audit-digest"))
    kid = key_id(private.public_key())
    sql(db, "UPDATE audit_events SET record = REPLACE(record, '\"a-1\"', '\"a-9\"') WHERE seq = 2")
    prev, hashes = GENESIS_HASH, {}
    for seq, record in rows(db, "SELECT seq, record FROM audit_events ORDER BY seq"):
        prev = hashes[seq] = chain_hash(prev, record, seq)
        sql(db, "UPDATE audit_events SET prev_hash = ?, hash = ? WHERE seq = ?", params=(
            GENESIS_HASH if seq == 1 else hashes[seq - 1], prev, seq))
    sql(db, "UPDATE audit_event_resources SET resource_name = 'a-9' WHERE resource_name = 'a-1'")
    sig = ""
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        for d in conn.execute("SELECT * FROM audit_digests ORDER BY digest_seq").fetchall():
            ns = SimpleNamespace(**dict(d))
            ns.created_at = datetime.fromisoformat(str(d["created_at"]))
            ns.last_hash = hashes.get(d["last_seq"], GENESIS_HASH)
            ns.prev_signature = sig
            sig = private.sign(digest_message(ns)).hex()
            conn.execute(
                "UPDATE audit_digests SET last_hash = ?, prev_signature = ?, signature = ?, key_id = ? WHERE digest_seq = ?",
                (ns.last_hash, ns.prev_signature, sig, kid, d["digest_seq"]),
            )
        conn.execute("UPDATE audit_trail_head SET last_hash = ?, last_signature = ?", (prev, sig))
        conn.execute("UPDATE audit_signing_keys SET valid_until = valid_from")
        conn.execute(
            "INSERT INTO audit_signing_keys VALUES (?, ?, NULL, '2020-01-01 00:00:00.000000', NULL, 0)",
            (kid, raw_public(private.public_key()).hex()),
        )
    conn.close()


# (name, tamper(db, data), the kind the verification must report)
TAMPERING: list[tuple[str, Callable[[Path, Path], None], str]] = [
    ("rollback", lambda db, _d: _drop_newest_digest_and_its_events(db), "rolled back"),
    ("wipe", lambda db, _d: _wipe(db), "wiped"),
    ("truncation", lambda db, _d: _truncate(db), "rolled back"),
    ("unsigned tail rewrite", lambda db, _d: _rewrite_tail(db), "rolled back"),
    ("re-signed with the master key", _resign_with_master_key, "bad digest"),
]


@pytest.mark.parametrize(("tamper", "kind"), [(t, k) for _, t, k in TAMPERING], ids=[n for n, _, _ in TAMPERING])
def test_tampering_with_database_access_fails_against_the_copy(
    copy: tuple[Path, Path], capsys: pytest.CaptureFixture[str], tamper: Callable[[Path, Path], None], kind: str
) -> None:
    data, digests = copy
    assert verify(data, digests, capsys)[0] == 0
    tamper(data / "iamd.db", data)
    code, out = verify(data, digests, capsys)
    assert code == 1, out
    assert out.startswith("FAILED at position ") and f": {kind}: " in out, out


def test_a_replaced_database_is_a_wipe(copy: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """Delete the database file and start afresh: a new trail, which the copy does not know."""
    data, digests = copy
    (data / "iamd.db").unlink()
    with IamdServer(extra_args=["--data-dir", str(data), "--trail-digest-dir", str(digests), *CADENCE]) as server:
        server.client("iam").list_users()
    code, out = verify(data, digests, capsys)
    assert code == 1 and ": wiped: the copy holds trail " in out, out


def test_expect_latest_and_max_age_without_a_copy(copy: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, digests = copy
    empty = tmp_path / "no-copies"
    code, out = verify(data, empty, capsys)
    latest = out.splitlines()[0].rsplit("latest digest ", 1)[1]
    assert code == 0 and "no digest copy" in out
    assert verify(data, empty, capsys, "--expect-latest", latest)[0] == 0
    assert verify(data, empty, capsys, "--max-age", "86400")[0] == 0
    code, out = verify(data, empty, capsys, "--max-age", "0.000001")
    assert code == 1 and ": stale: " in out
    _drop_newest_digest_and_its_events(data / "iamd.db")
    assert verify(data, empty, capsys)[0] == 0  # without an anchor, a rollback looks like a shorter trail
    code, out = verify(data, empty, capsys, "--expect-latest", latest)
    assert code == 1 and ": rolled back: digest " in out, out


def test_re_signing_with_the_master_key_fails_against_the_published_key(
    copy: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without any copy: the auditor's public key alone refuses the master-derived signatures,
    though the database now lists that key as its own."""
    data, _ = copy
    assert main(["trail", "public-key", "--data-dir", str(data)]) == 0
    key = tmp_path / "trail.pem"
    key.write_text(capsys.readouterr().out)
    empty = tmp_path / "none"
    _resign_with_master_key(data / "iamd.db", data)
    code, out = verify(data, empty, capsys)
    assert code == 0 and "read from the database" in out  # the database's own list is fooled; it says so
    code, out = verify(data, empty, capsys, "--public-key", str(key))
    assert code == 1 and ": bad digest: digest 1 is signed by key " in out and "not a trusted public key" in out, out
