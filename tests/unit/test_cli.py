"""The `iamd` command line: `account create` racing another process, and the settings it checks."""

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


@pytest.mark.parametrize("value", ["0", "-1", "soon", "3601"])
def test_a_lock_timeout_must_be_a_positive_number_of_seconds(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--lock-timeout", value])
    assert exited.value.code == 2
    assert "expected seconds between 0 and 3600" in capsys.readouterr().err
