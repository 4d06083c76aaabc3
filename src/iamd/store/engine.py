"""Opening a store: the engine, its per-dialect settings, and migrations.

SQLite is the embedded default (WAL mode, ``synchronous=FULL`` so a commit is durable, foreign
keys on); PostgreSQL (psycopg 3) is the scale-out backend that many ``iamd serve`` processes share.
Dialect differences stay in this file. Migrations run on open, so a data folder written by an older
iamd is upgraded in place; an up-to-date database skips Alembic's script loading to keep start-up fast.

Concurrency (see also ``locks.py``). On SQLite a unit of work keeps the driver's default: reads
run outside any transaction and never wait for writers (WAL); the first write opens it. A unit
whose writes depend on what it read takes the database's one write lock first, with ``BEGIN
IMMEDIATE`` (``hold_write_lock``): from then on nothing it counts or looks up can change before
it commits, in this process or another sharing the file. (A deferred transaction would read a
snapshot and then fail with SQLITE_BUSY_SNAPSHOT — "database is locked" — when it writes after
another writer committed; no busy timeout helps there.) Lock waits are bounded on both backends
(``lock_timeout_ms``, ``iamd serve --lock-timeout``), beyond which the store raises
``errors.Busy``. Every refusal of the database that a concurrent writer can cause (unique and
foreign keys, deadlocks, lock timeouts) is raised as an ``errors.StoreError``, never as a driver
exception.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect, make_url, text
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import StaticPool

from iamd.store.errors import Busy, classify
from iamd.store.private_files import private_sqlite_files

MIGRATIONS = Path(__file__).parent / "migrations"
HEAD = "0017"
# The advisory lock ``Store.exclusive`` takes on PostgreSQL ("iamd" in ASCII).
_STARTUP_LOCK = 0x69616D64
# How long a writer waits for a lock by default (SQLite's busy timeout, PostgreSQL's lock_timeout).
LOCK_TIMEOUT_MS = 10_000


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
    """One database. ``begin()`` is the unit of work: one API call is one transaction.

    Calls run concurrently on worker threads, each on its own pooled connection: ``pool_size``
    connections are kept open (the server passes its worker count plus room for the audit writer
    and background tasks). The rules that need one writer at a time (quotas, unique names) are
    held by the database, not the process: ``locks.lock_account``.
    """

    def __init__(self, url: str, *, lock_timeout_ms: int = LOCK_TIMEOUT_MS, pool_size: int = 20) -> None:
        self.url = normalize_url(url)
        self.dialect = "sqlite" if self.url.startswith("sqlite") else "postgresql"
        db_file = sqlite_file(self.url) if self.dialect == "sqlite" else None
        if db_file is not None:
            private_sqlite_files(db_file)
        self.engine = _create_engine(self.url, self.dialect, lock_timeout_ms, pool_size)

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with _pool_busy(), self.engine.begin() as conn:
            yield conn

    @contextmanager
    def snapshot(self) -> Iterator[Connection]:
        """A read-only transaction that sees one state of the database however many statements it
        runs, while others write: reading the audit trail's head and then its events must not see
        events appended in between. SQLite: a deferred ``BEGIN`` (WAL keeps the snapshot of its
        first read); PostgreSQL: REPEATABLE READ, READ ONLY."""
        with _pool_busy(), self.engine.connect() as conn:
            if self.dialect == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
                with conn.begin():
                    yield conn
            else:
                conn.exec_driver_sql("BEGIN")
                try:
                    yield conn
                finally:
                    conn.rollback()

    @contextmanager
    def exclusive(self) -> Iterator[Connection]:
        """A transaction no other process runs at the same time on this database: start-up's
        migrations and first account, which several processes may attempt at once.

        SQLite's ``BEGIN IMMEDIATE`` excludes every other writer; PostgreSQL takes a
        transaction-scoped advisory lock, waited for without the lock timeout (a migration may
        take longer than a call should wait).
        """
        with self.begin() as conn:
            if self.dialect == "postgresql":
                conn.exec_driver_sql("SET LOCAL lock_timeout = 0")
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _STARTUP_LOCK})
            else:
                hold_write_lock(conn)
            yield conn

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with _pool_busy(), self.engine.connect() as conn:
            yield conn

    def migrate(self) -> None:
        with self.engine.connect() as conn:
            if _current_revision(conn) == HEAD:
                return
        with self.exclusive() as conn:
            if inspect(conn).has_table("alembic_version") and _current_revision(conn) == HEAD:
                return  # another process migrated while this one waited
            from alembic import command
            from alembic.config import Config

            cfg = Config()
            cfg.set_main_option("script_location", str(MIGRATIONS))
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def close(self) -> None:
        self.engine.dispose()


@contextmanager
def _pool_busy() -> Iterator[None]:
    """Every pooled connection in use for as long as a lock may be waited for: that is Busy too."""
    try:
        yield
    except PoolTimeout as err:
        raise Busy(str(err).splitlines()[0]) from err


def hold_write_lock(conn: Connection) -> None:
    """SQLite: take the database's write lock now (``BEGIN IMMEDIATE``), unless this transaction
    holds it already. With the driver's default, a transaction is open only once it has written,
    and a writing transaction holds the write lock. Nothing on PostgreSQL, whose locks are rows."""
    if conn.dialect.name != "sqlite":
        return
    if not conn.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _current_revision(conn: Connection) -> str | None:
    try:
        row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
    except Exception:
        conn.rollback()
        return None
    return row[0] if row else None


def _create_engine(url: str, dialect: str, lock_timeout_ms: int, pool_size: int) -> Engine:
    if dialect == "sqlite":
        memory = url in ("sqlite://", "sqlite:///:memory:")
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False},
            poolclass=StaticPool if memory else None,
            **({} if memory else {"pool_timeout": lock_timeout_ms / 1000, "pool_size": pool_size,
                                  "max_overflow": pool_size}),
        )
        event.listen(engine, "connect", functools.partial(_sqlite_pragmas, lock_timeout_ms))
    else:
        engine = create_engine(
            url, pool_size=pool_size, max_overflow=10, pool_pre_ping=True, pool_timeout=lock_timeout_ms / 1000
        )
        event.listen(engine, "connect", functools.partial(_pg_settings, lock_timeout_ms))
    event.listen(engine, "handle_error", _store_error)
    return engine


def _sqlite_pragmas(lock_timeout_ms: int, dbapi_conn: object, _record: object) -> None:
    cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={int(lock_timeout_ms)}")
    cur.close()


def _pg_settings(lock_timeout_ms: int, dbapi_conn: object, _record: object) -> None:
    """A lock wait gives up after ``lock_timeout_ms`` (SQLSTATE 55P03, ``errors.Busy``)."""
    cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cur.execute(f"SET lock_timeout = {int(lock_timeout_ms)}")
    cur.close()
    dbapi_conn.commit()  # type: ignore[attr-defined]


def _store_error(context: ExceptionContext) -> None:
    """Raise the driver's refusals that concurrency causes as the store's own errors."""
    error = classify(context.original_exception)
    if error is not None:
        raise error from context.original_exception
