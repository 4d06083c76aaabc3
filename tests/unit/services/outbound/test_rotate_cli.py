"""``iamd outbound rotate-keys``: new keys at once, the old public halves still published."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from iamd.auth.secretbox import SecretBox, load_or_create_master_key
from iamd.cli import main
from iamd.services.accounts import create_account
from iamd.services.outbound import federation, keys
from iamd.store.engine import Store

ACCOUNT = "123456789012"


def _store(data: Path) -> Store:
    store = Store(f"sqlite:///{data / 'iamd.db'}")
    store.migrate()
    return store


def test_rotate_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IAMD_MASTER_KEY", raising=False)
    box = SecretBox(load_or_create_master_key(tmp_path / "master.key"))
    now = datetime.now(UTC)
    store = _store(tmp_path)
    with store.begin() as conn:
        create_account(conn, box, ACCOUNT, now)
    store.close()
    args = ["outbound", "rotate-keys", "--account-id", ACCOUNT, "--data-dir", str(tmp_path)]
    assert main(args) == 1
    assert "never enabled" in capsys.readouterr().err
    store = _store(tmp_path)
    with store.begin() as conn:
        federation.set_enabled(conn, ACCOUNT, True, now)
        keys.ensure(conn, box, ACCOUNT, now)
        before = {k["kid"] for k in keys.published(conn, ACCOUNT, now)}
    store.close()
    assert main([*args, "--algorithm", "ES384"]) == 0
    new = {line.split()[-1] for line in capsys.readouterr().out.splitlines()}
    store = _store(tmp_path)
    with store.begin() as conn:
        after = {k["kid"] for k in keys.published(conn, ACCOUNT, datetime.now(UTC))}
        active = keys.active(conn, box, ACCOUNT, keys.ES384, datetime.now(UTC), {})
    store.close()
    assert len(new) == 1 and after == before | new
    assert active is not None and active.key_id in new
