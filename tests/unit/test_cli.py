"""``iamd account create`` when another process creates the same account id at the same moment."""

from __future__ import annotations

from pathlib import Path

import pytest

import iamd.services.accounts as accounts
from iamd.cli import main


def test_an_account_created_meanwhile_is_refused_with_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = ["--data-dir", str(tmp_path)]
    assert main(["account", "create", *data, "--new-account-id", "222233334444"]) == 0
    # As if the existence check ran just before the other process committed.
    monkeypatch.setattr(accounts, "account_exists", lambda conn, account_id: False)
    assert main(["account", "create", *data, "--new-account-id", "222233334444"]) == 2
    assert "account 222233334444 already exists" in capsys.readouterr().err
