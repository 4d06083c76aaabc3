"""Copies of the digests: only digests this server vouches for, write-once, never outside the folder."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

from helpers import T0, record, user
from sqlalchemy import text

from iamd.audit.chain import DigestPolicy
from iamd.audit.copies import DigestFolder
from iamd.audit.recorder import Recorder
from iamd.store.engine import Store

MASTER = os.urandom(32)


NOW = [T0]


def recorder(store: Store, folder: Path) -> Recorder:
    NOW[0] = T0
    return Recorder(store, MASTER, lambda: NOW[0], digest=DigestPolicy(every=2, interval=3600), background=False,
                    sinks=(DigestFolder(folder),))


def append(rec: Recorder, store: Store, n: int) -> None:
    for i in range(n):
        with store.begin() as conn:
            rec.record_in_transaction(conn, record("CreateUser", user(), params={"UserName": f"c{i}"}, read_only=False))


def files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*/*.json"))


def test_digests_and_keys_are_copied_once(store: Store, tmp_path: Path) -> None:
    rec = recorder(store, tmp_path)
    append(rec, store, 4)
    assert rec.publish() == 2 and rec.publish() == 0
    assert [p.name for p in files(tmp_path)] == ["000000000001.json", "000000000002.json"]
    assert len(list(tmp_path.glob("*/public-keys/*.pem"))) == 1
    assert not rec.tick()  # the cadence: not due yet
    NOW[0] = T0 + timedelta(hours=1)
    assert rec.tick()  # due: an empty digest, copied by the same tick
    assert rec.publish() == 0 and len(files(tmp_path)) == 3
    assert json.loads(files(tmp_path)[-1].read_text())["firstSeq"] == 5


def test_a_digest_of_an_untrusted_key_or_a_fork_is_not_copied(store: Store, tmp_path: Path) -> None:
    rec = recorder(store, tmp_path)
    append(rec, store, 2)
    rec.publish()
    before = files(tmp_path)[0].read_text()
    # Someone with database access rewrites digest 1's signature and adds digest 2 after it.
    with store.begin() as conn:
        conn.execute(text("UPDATE audit_digests SET signature = :s"), {"s": "ab" * 64})
        conn.execute(text("UPDATE audit_trail_head SET last_signature = :s"), {"s": "ab" * 64})
    append(rec, store, 2)
    assert rec.publish() == 0
    assert files(tmp_path)[0].read_text() == before and len(files(tmp_path)) == 1


def test_a_trail_id_is_never_a_path(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "copies"
    rec = recorder(store, folder)
    append(rec, store, 2)
    with store.begin() as conn:
        conn.execute(text("UPDATE audit_trail_head SET trail_id = '../escaped'"))
    assert rec.publish() == 0
    assert not (tmp_path / "escaped").exists() and not folder.exists()


def test_a_server_that_never_signed_copies_another_servers_digests(store: Store, tmp_path: Path) -> None:
    writer = recorder(store, tmp_path / "writer")
    append(writer, store, 4)
    other = Recorder(store, MASTER, lambda: T0, background=False, sinks=(DigestFolder(tmp_path / "other"),))
    assert other.publish() == 2
    stranger = Recorder(store, os.urandom(32), lambda: T0, background=False, sinks=(DigestFolder(tmp_path / "x"),))
    assert stranger.publish() == 0  # another master key cannot open the key: nothing vouched for
