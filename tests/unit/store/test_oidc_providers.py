"""The OIDC provider repository on both backends: one row per (account, URL), lists round-trip,
and a second row for the same URL is the store's AlreadyExists (the backstop under the lock)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from iamd.auth.secretbox import SecretBox
from iamd.services.accounts import account_exists, create_account
from iamd.store import oidc_providers as repo
from iamd.store.engine import Store
from iamd.store.errors import AlreadyExists

NOW = datetime(2026, 12, 4, tzinfo=UTC)


def test_round_trip_and_uniqueness(store_url: str) -> None:
    store = Store(store_url)
    store.migrate()
    account = "555544443333"
    with store.begin() as conn:
        if not account_exists(conn, account):
            create_account(conn, SecretBox(b"k" * 32), account, NOW)
        for row in repo.list_all(conn, account):
            repo.remove(conn, row.provider_id)
        repo.insert_provider(conn, provider_id="AOIPONE", account_id=account, url="idp.example.com/x",
                             client_ids=["a", "b"], thumbprints=[], created_at=NOW)
    with store.begin() as conn:
        row = repo.get(conn, account, "idp.example.com/x")
        assert row is not None and repo.client_ids(row) == ["a", "b"] and repo.thumbprints(row) == []
        repo.set_lists(conn, row.provider_id, client_ids=["c"], thumbprints=["f" * 40])
    with store.begin() as conn:
        row = repo.get(conn, account, "idp.example.com/x")
        assert row is not None and repo.client_ids(row) == ["c"] and repo.thumbprints(row) == ["f" * 40]
        assert repo.count(conn, account) == 1 and repo.get(conn, account, "IDP.example.com/x") is None
    with pytest.raises(AlreadyExists), store.begin() as conn:
        repo.insert_provider(conn, provider_id="AOIPTWO", account_id=account, url="idp.example.com/x",
                             client_ids=[], thumbprints=[], created_at=NOW)
    with store.begin() as conn:
        repo.remove(conn, "AOIPONE")
        assert repo.list_all(conn, account) == []
    store.close()
