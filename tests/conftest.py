"""Fixtures every test layer shares: the two store backends.

Store-backed tests run on SQLite and on PostgreSQL. PostgreSQL is the local server at
127.0.0.1:5432 (database ``test``); each test session works in a schema of its own, so
concurrent runs never see each other's rows. Where no PostgreSQL answers, those cases skip.

Helper modules that sit beside the tests are made importable by name here: the suite runs with
``--import-mode=importlib``, which does not put test folders on ``sys.path``.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


def _load_helper(folder: str, name: str) -> None:
    if name in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(name, Path(__file__).parent / folder / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)


_load_helper("unit/policy", "policy_helpers")
_load_helper("unit/policy", "policy_reference")
_load_helper("unit/policy", "validation_table")
_load_helper("unit/services", "services_helpers")
_load_helper("unit/analysis", "validate_cases")
_load_helper("unit/authz", "org_fixtures")
_load_helper("functional", "functional_helpers")
_load_helper("functional", "saml_idp")
_load_helper("functional", "oidc_issuer")
_load_helper("functional", "web_identity_env")
_load_helper("functional", "org_helpers")
_load_helper("functional", "org_policy_helpers")
_load_helper("functional", "resource_table")
_load_helper("functional", "resource_table_orgs")
_load_helper("functional", "resource_table_aa")
# ``tools/`` runs as ``python -m tools.…`` from the repository root; tests import it the same way.
ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


PG_BASE = os.environ.get("IAMD_TEST_PG", "postgresql://127.0.0.1:5432/test")


def _pg_available() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_BASE.replace("postgresql://", "postgresql://postgres@", 1), connect_timeout=2):
            return None
    except Exception as err:  # noqa: BLE001 - any failure means "not reachable here"
        return f"PostgreSQL not reachable at {PG_BASE}: {type(err).__name__}"


def _fresh_schema() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a new, empty schema, dropped afterwards."""
    reason = _pg_available()
    if reason:
        pytest.skip(reason)
    import psycopg

    schema = "iamd_test_" + secrets.token_hex(4)
    admin = PG_BASE.replace("postgresql://", "postgresql://postgres@", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{admin}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A PostgreSQL database (schema) the whole session shares; tests keep apart by account."""
    yield from _fresh_schema()


@pytest.fixture
def empty_pg_url() -> Iterator[str]:
    """A PostgreSQL database (schema) of this test alone: e.g. servers that create the first account."""
    yield from _fresh_schema()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('store') / 'iamd.db'}"
    return request.getfixturevalue("pg_url")
