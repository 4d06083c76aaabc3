"""``iamd trail verify | export | prune`` against a data folder."""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers import record, root
from sqlalchemy import text

from iamd.audit.recorder import Recorder
from iamd.cli import main
from iamd.store.engine import Store, sqlite_url


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("IAMD_MASTER_KEY", raising=False)
    monkeypatch.delenv("IAMD_PREVIOUS_MASTER_KEYS", raising=False)
    master = os.urandom(32)
    (tmp_path / "master.key").write_bytes(base64.b64encode(master))
    (tmp_path / "master.key").chmod(0o600)
    store = Store(sqlite_url(tmp_path / "iamd.db"))
    store.migrate()
    rec = Recorder(store, master, background=False)
    now = datetime.now(UTC)
    for i, account in enumerate(["111122223333", "444455556666"] * 3):
        with store.begin() as conn:
            when = now - timedelta(days=10 - i)
            rec.record_in_transaction(
                conn, record("CreateUser", root(account), params={"UserName": f"u{i}"}, read_only=False, when=when)
            )
    rec.close()
    store.close()
    return tmp_path


def test_verify_ok_then_tampered(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trail", "verify", "--data-dir", str(data_dir)]) == 0
    assert capsys.readouterr().out.startswith("OK: 6 events")
    store = Store(sqlite_url(data_dir / "iamd.db"))
    with store.begin() as conn:
        conn.execute(text("UPDATE audit_events SET record = REPLACE(record, 'u3', 'zz') WHERE seq = 4"))
    store.close()
    assert main(["trail", "verify", "--data-dir", str(data_dir)]) == 1
    assert "position 4: modified" in capsys.readouterr().out


def test_export_jsonl(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trail", "export", "--format", "jsonl", "--data-dir", str(data_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 6 and all(json.loads(line)["eventName"] == "CreateUser" for line in lines)
    assert main(["trail", "export", "--data-dir", str(data_dir), "--account", "444455556666"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3
    since = (datetime.now(UTC) - timedelta(days=6, hours=12)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert main(["trail", "export", "--data-dir", str(data_dir), "--since", since]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2


def test_prune_with_retention_setting(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IAMD_TRAIL_RETENTION_DAYS", "7")
    assert main(["trail", "prune", "--data-dir", str(data_dir)]) == 0
    assert "pruned 4 events" in capsys.readouterr().out
    assert main(["trail", "verify", "--data-dir", str(data_dir)]) == 0
    assert "pruned through position 4" in capsys.readouterr().out


def test_verify_needs_no_master_key_but_signing_does(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (data_dir / "master.key").unlink()
    assert main(["trail", "verify", "--data-dir", str(data_dir)]) == 0
    assert main(["trail", "prune", "--retention-days", "7", "--data-dir", str(data_dir)]) == 2
    assert main(["trail", "rotate-signing-key", "--data-dir", str(data_dir)]) == 2
    assert not (data_dir / "master.key").exists()


def test_missing_store_is_an_error(tmp_path: Path) -> None:
    assert main(["trail", "verify", "--data-dir", str(tmp_path / "nothing")]) == 2
