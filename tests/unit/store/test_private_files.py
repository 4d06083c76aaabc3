"""Private data files: created 0600/0700, loose ones tightened with a warning, in-memory URLs left alone."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from iamd.store.engine import sqlite_file
from iamd.store.private_files import private_dir, private_file, private_sqlite_files


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_folder_and_database_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "a" / "b"
    private_dir(folder)
    private_sqlite_files(folder / "iamd.db")
    assert (_mode(folder), _mode(folder / "iamd.db")) == (0o700, 0o600)


def test_loose_files_are_tightened_and_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    db = tmp_path / "iamd.db"
    for suffix, mode in [("", 0o644), ("-wal", 0o666), ("-shm", 0o640)]:
        db.with_name(db.name + suffix).write_bytes(b"")
        db.with_name(db.name + suffix).chmod(mode)
    tmp_path.chmod(0o755)
    with caplog.at_level(logging.WARNING, logger="iamd.store"):
        private_dir(tmp_path)
        private_sqlite_files(db)
    assert [_mode(db.with_name(db.name + s)) for s in ("", "-wal", "-shm")] == [0o600] * 3
    assert _mode(tmp_path) == 0o700
    assert len(caplog.records) == 4 and "from 0644 to 0600" in caplog.text


def test_private_files_left_alone(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    strict = tmp_path / "strict"
    strict.write_bytes(b"")
    strict.chmod(0o400)
    with caplog.at_level(logging.WARNING, logger="iamd.store"):
        private_file(strict)
        private_file(tmp_path / "missing")
        private_sqlite_files(tmp_path / "no-such-folder" / "iamd.db")
    assert _mode(strict) == 0o400 and caplog.records == []
    assert not (tmp_path / "no-such-folder").exists()


@pytest.mark.parametrize(
    ("url", "expected"),
    [("sqlite://", None), ("sqlite:///:memory:", None), ("sqlite:///file:x?mode=memory&uri=true", None),
     ("sqlite:////var/lib/iamd/iamd.db", Path("/var/lib/iamd/iamd.db")), ("sqlite:///rel.db", Path("rel.db"))],
)
def test_sqlite_file_of_a_url(url: str, expected: Path | None) -> None:
    assert sqlite_file(url) == expected
