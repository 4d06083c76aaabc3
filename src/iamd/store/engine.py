"""Opening a store: the engine, its per-dialect settings, and migrations.

SQLite is the embedded default (WAL mode, ``synchronous=FULL`` so a commit is durable, foreign
keys on); PostgreSQL (psycopg 3) is the scale-out backend that many ``iamd serve`` processes share.
Dialect differences stay in this file. Migrations run on open, so a data folder written by an older
iamd is upgraded in place; an up-to-date database skips Alembic's script loading to keep start-up fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.pool import StaticPool

from iamd.store.private_files import private_sqlite_files

MIGRATIONS = Path(__file__).parent / "migrations"
HEAD = "0006"


def normalize_url(url: str) -> str:
    """Accept the URLs users type (``postgresql://``, ``postgres://``) and pick psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL; None for an in-memory database."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


class Store:
    """One database. ``begin()`` is the unit of work: one API call is one transaction."""

    def __init__(self, url: str) -> None:
        self.url = normalize_url(url)
        self.dialect = "sqlite" if self.url.startswith("sqlite") else "postgresql"
        db_file = sqlite_file(self.url) if self.dialect == "sqlite" else None
        if db_file is not None:
            private_sqlite_files(db_file)
        self.engine = _create_engine(self.url, self.dialect)

    @contextmanager
    def begin(self) -> Iterator[Connection]:
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


def _create_engine(url: str, dialect: str) -> Engine:
    if dialect == "sqlite":
        memory = url in ("sqlite://", "sqlite:///:memory:")
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False},
            poolclass=StaticPool if memory else None,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()
