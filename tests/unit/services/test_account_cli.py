"""``iamd account list``: a store's accounts, read-only, as a table or JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamd.cli import main


def test_accounts_are_listed_in_creation_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = ["--data-dir", str(tmp_path / "d")]
    assert main(["account", "create", *data, "--new-account-id", "222233334444"]) == 0
    capsys.readouterr()
    assert main(["account", "list", *data, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["Accounts"]
    assert [(a["AccountId"], a["Default"], a["Status"]) for a in listed] == [
        ("123456789012", True, "ACTIVE"), ("222233334444", False, "ACTIVE")]
    assert main(["account", "list", *data]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["ACCOUNT", "ALIAS", "DEFAULT", "CREATED", "ORGANIZATION", "STATUS"]
    assert table[1].split()[:3] == ["123456789012", "-", "yes"]
    assert table[2].split()[:2] == ["222233334444", "-"] and len(table) == 3


def test_no_database_is_an_error_and_creates_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["account", "list", "--data-dir", str(tmp_path / "none")]) == 2
    assert "no iamd database at" in capsys.readouterr().err
    assert not (tmp_path / "none").exists()


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from iamd import __version__

    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"iamd {__version__}\n"
