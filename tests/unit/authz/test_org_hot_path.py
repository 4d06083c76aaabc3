"""The hot path: with nothing changed, a request of an account in or outside an organization
reads nothing more than before (the placement and the compiled SCPs are cached under the
account's generation); after a change the next request reads the new state. Queries are counted
on the engine, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from org_fixtures import SCP, build, doc
from sqlalchemy import event

from iamd.auth.caller import Caller
from iamd.authz.authorizer import Authorizer
from iamd.authz.context import RequestInfo
from iamd.errors import AccessDenied
from iamd.store import orgs, policy_docs
from iamd.store.engine import Store

INFO = RequestInfo("iam", "ListUsers", "us-east-1", "127.0.0.1", True, "test")
NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = Store(store_url)
    s.migrate()
    yield s
    s.close()


class Counter:
    def __init__(self, store: Store) -> None:
        self.count = 0
        event.listen(store.engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: Any) -> None:
        self.count += 1


def _root(account: str) -> Caller:
    return Caller(account, f"arn:aws:iam::{account}:root", account, "root", "AKIAROOT")


def _authorize(store: Store, authz: Authorizer, account: str) -> None:
    with store.begin() as conn:
        authz.authorize(conn, _root(account), INFO, {}, NOW, policy_docs.generation(conn, account))


@pytest.mark.parametrize("who", ["member", "outsider", "mgmt"])
def test_an_unchanged_account_costs_no_query(store: Store, who: str) -> None:
    with store.begin() as conn:
        tree = build(conn)
    account = getattr(tree, who)
    authz = Authorizer(b"k" * 32)
    _authorize(store, authz, account)
    counter = Counter(store)
    _authorize(store, authz, account)
    # The one query is the test's own generation read (the server has it from the key lookup).
    assert counter.count == 1


def test_a_change_is_read_on_the_next_request(store: Store) -> None:
    with store.begin() as conn:
        tree = build(conn)
    authz = Authorizer(b"k" * 32)
    _authorize(store, authz, tree.member)
    with store.begin() as conn:
        tree.conn = conn
        tree.policy("p-denyiam1", SCP, doc({"Effect": "Deny", "Action": "iam:*", "Resource": "*"}), tree.ou_a)
        orgs.bump_generations(conn, tree.org, tree.ou_a)
    counter = Counter(store)
    with pytest.raises(AccessDenied, match="explicit deny in a service control policy"):
        _authorize(store, authz, tree.member)
    assert counter.count > 1
