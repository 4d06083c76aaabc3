"""Migrations produce exactly the schema that ``store/schema.py`` declares, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from iamd.store.engine import HEAD, Store, normalize_url
from iamd.store.schema import metadata


def test_migrated_schema_matches_declared_schema(store_url: str) -> None:
    store = Store(store_url)
    store.migrate()
    store.migrate()  # idempotent
    with store.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
        version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    store.close()
    assert diffs == []
    assert version == HEAD


def test_postgres_urls_use_psycopg3() -> None:
    assert normalize_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("sqlite:///x.db") == "sqlite:///x.db"


def test_sqlite_is_durable_wal(tmp_path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'x.db'}")
    with store.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    store.close()
