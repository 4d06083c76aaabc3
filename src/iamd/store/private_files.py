"""The data folder and the database files are the server's alone: folder 0700, files 0600.

``iamd.db`` holds password hashes, sealed secrets, policies and the audit trail; a world-readable
copy gives any local user all of it to attack offline. New files are created private; existing
ones left looser by an earlier iamd (or a careless copy) are tightened on start, with a warning
naming each, so the operator knows what had been exposed.

SQLite creates ``-wal`` and ``-shm`` with the database file's own permissions (unix VFS
``findCreateFileMode``), so creating ``iamd.db`` 0600 before SQLite opens it covers them too.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

__all__ = ["DIR_MODE", "FILE_MODE", "SQLITE_SUFFIXES", "private_dir", "private_file", "private_sqlite_files"]

log = logging.getLogger("iamd.store")

DIR_MODE = 0o700
FILE_MODE = 0o600
SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def _tighten(path: Path, mode: int) -> None:
    current = path.stat().st_mode & 0o777
    if current & ~mode:
        path.chmod(current & mode)
        log.warning("tightened the permissions of %s from %04o to %04o", path, current, current & mode)


def private_dir(path: Path) -> None:
    """Create ``path`` (and missing parents) 0700, or tighten it to at most 0700."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    _tighten(path, DIR_MODE)


def private_file(path: Path) -> None:
    """Tighten an existing file to at most 0600; a missing one is left to be created."""
    if path.exists():
        _tighten(path, FILE_MODE)


def private_sqlite_files(db: Path) -> None:
    """Create the database file 0600 if missing, and tighten it and its companions."""
    if not db.exists() and db.parent.is_dir():
        os.close(os.open(db, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    for suffix in SQLITE_SUFFIXES:
        private_file(db.with_name(db.name + suffix))
