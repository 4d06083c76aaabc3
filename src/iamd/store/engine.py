"""Opening a store: the engine, its per-dialect settings, and migrations.

SQLite is the embedded default (WAL mode, ``synchronous=FULL`` so a commit is durable, foreign
keys on); PostgreSQL (psycopg 3) is the scale-out backend that many ``iamd serve`` processes share.
Dialect differences stay in this file. Migrations run on open, so a data folder written by an older
iamd is upgraded in place; an up-to-date database skips Alembic's script loading to keep start-up fast.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.pool import StaticPool

MIGRATIONS = Path(__file__).parent / "migrations"
HEAD = "0004"


def normalize_url(url: str) -> str:
    """Accept the URLs users type (``postgresql://``, ``postgres://``) and pick psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


class Store:
    """One database. ``begin()`` is the unit of work: one API call is one transaction.

    Calls run concurrently on worker threads. ``pool_size`` connections are kept open (the
    server passes its worker count plus room for the audit writer and background tasks).
    """

    def __init__(self, url: str, *, pool_size: int = 20) -> None:
        self.url = normalize_url(url)
        self.dialect = "sqlite" if self.url.startswith("sqlite") else "postgresql"
        self.engine = _create_engine(self.url, self.dialect, pool_size)
        # Calls that may write take turns within the process, so a call's checks and writes are
        # one step for this process's other threads (a quota count read before an insert, a
        # name looked up before it is taken). SQLite admits one writer at a time anyway, and
        # pysqlite opens the transaction only at the first write, so without it a count read
        # earlier would race another thread's insert. On PostgreSQL the same holds between the
        # threads of one process; between processes the database itself must enforce each rule
        # (row locks, constraints) — once it does for every rule, PostgreSQL can drop this lock.
        self._writer = threading.Lock()

    @contextmanager
    def begin(self, *, writes: bool = False) -> Iterator[Connection]:
        """A transaction; ``writes=True`` for a call that may change state (see ``_writer``)."""
        if writes:
            with self._writer, self.engine.begin() as conn:
                yield conn
            return
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def migrate(self) -> None:
        with self.engine.connect() as conn:
            if _current_revision(conn) == HEAD:
                return
        with self.engine.begin() as conn:
            from alembic import command
            from alembic.config import Config

            cfg = Config()
            cfg.set_main_option("script_location", str(MIGRATIONS))
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def close(self) -> None:
        self.engine.dispose()


def _current_revision(conn: Connection) -> str | None:
    try:
        row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
    except Exception:
        conn.rollback()
        return None
    return row[0] if row else None


def _create_engine(url: str, dialect: str, pool_size: int) -> Engine:
    if dialect == "sqlite":
        if url in ("sqlite://", "sqlite:///:memory:"):
            engine = create_engine(url, connect_args={"check_same_thread": False}, poolclass=StaticPool)
        else:
            engine = create_engine(
                url, connect_args={"check_same_thread": False}, pool_size=pool_size, max_overflow=pool_size
            )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=10, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()
