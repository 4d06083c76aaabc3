"""Migrations produce exactly the schema that ``store/schema.py`` declares, on both backends."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import delete, insert, select

from iamd.store import schema
from iamd.store.engine import HEAD, MIGRATIONS, Store, normalize_url
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


def _migrate_to(store: Store, revision: str, *, down: bool = False) -> None:
    from alembic import command
    from alembic.config import Config

    with store.engine.begin() as conn:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)


def test_0005_binds_the_users_and_roles_old_trust_policies_name(store_url: str) -> None:
    """A trust policy saved before binding: ARNs of existing entities become their ids, an ARN of
    no entity becomes an id nothing has; accounts and services stay. Downgrade maps ids back.

    The round trip head → 0004 → 0005 → 0004 → head leaves the other tests' rows of the shared database as they
    were: what they saved is bound already, and ids of entities that exist map back and forth."""
    store = Store(store_url)
    account = f"{secrets.randbelow(9 * 10**11) + 10**11:012d}"
    bob = f"arn:aws:iam::{account}:user/bob"
    app = f"arn:aws:iam::{account}:role/svc/app"
    ghost = f"arn:aws:iam::{account}:user/ghost"
    statement = {"Effect": "Allow", "Principal": {"AWS": [bob, app, ghost, account], "Service": "ec2.amazonaws.com"},
                 "Action": "sts:AssumeRole"}
    document = json.dumps({"Version": "2012-10-17", "Statement": [statement]}, indent=1)
    now = datetime.now(UTC)
    role = {"account_id": account, "path": "/", "created_at": now, "max_session_duration": 3600, "service_linked": False}
    store.migrate()
    _migrate_to(store, "0004", down=True)
    with store.begin() as conn:
        conn.execute(insert(schema.accounts).values(account_id=account, created_at=now))
        conn.execute(insert(schema.users).values(user_id="AIDABOB00000000000000", account_id=account, name="bob",
                                                 name_lower="bob", path="/", created_at=now))
        conn.execute(insert(schema.roles).values(role_id="AROAAPP00000000000000", name="app", name_lower="app",
                                                 assume_role_policy="{}", **{**role, "path": "/svc/"}))
        conn.execute(insert(schema.roles).values(role_id="AROAOLD00000000000000", name="old", name_lower="old",
                                                 assume_role_policy=document, **role))
        conn.execute(insert(schema.roles).values(role_id="AROABAD00000000000000", name="bad", name_lower="bad",
                                                 assume_role_policy="not json", **role))

    def stored(role_id: str) -> str:
        with store.connect() as conn:
            query = select(schema.roles.c.assume_role_policy).where(schema.roles.c.role_id == role_id)
            return str(conn.execute(query).scalar_one())

    _migrate_to(store, "0005")
    bound = stored("AROAOLD00000000000000")
    aws = json.loads(bound)["Statement"][0]["Principal"]["AWS"]
    assert aws[:2] == ["AIDABOB00000000000000", "AROAAPP00000000000000"]
    assert aws[2].startswith("AIDA") and len(aws[2]) == 21 and aws[3] == account
    assert bound == document.replace(bob, aws[0]).replace(app, aws[1]).replace(ghost, aws[2])
    assert stored("AROABAD00000000000000") == "not json"
    _migrate_to(store, "0004", down=True)
    assert stored("AROAOLD00000000000000") == document.replace(ghost, aws[2])
    _migrate_to(store, "head")
    with store.begin() as conn:
        conn.execute(delete(schema.accounts).where(schema.accounts.c.account_id == account))
    store.close()
