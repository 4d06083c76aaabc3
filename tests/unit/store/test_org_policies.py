"""The Organizations policy repository on both backends: rows, attachments, counts, types, and the
constraints a concurrent writer trips (``AlreadyExists`` / ``MissingReference``, never a driver
error)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, insert

from iamd.store import org_policies as store
from iamd.store import orgs, schema
from iamd.store.engine import Store
from iamd.store.errors import AlreadyExists, MissingReference

NOW = datetime(2026, 1, 1, tzinfo=UTC)
SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"
DOC = '{"Statement": {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}}'


@pytest.fixture
def db(store_url: str) -> Iterator[Store]:
    s = Store(store_url)
    s.migrate()
    yield s
    s.close()


def _suffix() -> str:
    return "".join(random.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(10))


@pytest.fixture
def org(db: Store) -> dict[str, str]:
    """An organization of a fresh account: its id, root and management account."""
    account_id = f"{random.randrange(10**11, 10**12):012d}"
    org_id, root_id = "o-" + _suffix(), "r-" + _suffix()[:4]
    with db.begin() as conn:
        conn.execute(insert(schema.accounts).values(account_id=account_id, created_at=NOW, generation=1))
        orgs.create_org(conn, org_id, root_id, account_id, "ALL", NOW)
        orgs.add_member(conn, org_id, account_id, root_id, "mgmt", f"{account_id}@example.com", "INVITED", NOW)
    return {"org_id": org_id, "root_id": root_id, "account_id": account_id}


def _policy(conn: Connection, org_id: str, pid: str, name: str, policy_type: str = SCP) -> None:
    store.insert_policy(conn, org_id, pid, policy_type, name, "", DOC, NOW)


def test_policies_attachments_and_counts(db: Store, org: dict[str, str]) -> None:
    o, root, me = org["org_id"], org["root_id"], org["account_id"]
    with db.begin() as conn:
        store.ensure_managed(conn, o, "p-FullAWSAccess", SCP, "FullAWSAccess", "d", DOC, NOW)
        store.ensure_managed(conn, o, "p-FullAWSAccess", SCP, "FullAWSAccess", "d", DOC, NOW)  # once
        _policy(conn, o, "p-aaaaaaaa", "A")
        _policy(conn, o, "p-bbbbbbbb", "B")
        _policy(conn, o, "p-rrrrrrrr", "A", RCP)  # the same name, another type
        assert store.count_customer(conn, o, SCP) == 2 and store.count_customer(conn, o, RCP) == 1
        assert [r.policy_id for r in store.of_type(conn, o, SCP)] == ["p-FullAWSAccess", "p-aaaaaaaa", "p-bbbbbbbb"]
        assert store.by_name(conn, o, SCP, "a").policy_id == "p-aaaaaaaa"  # type: ignore[union-attr]
        store.attach_many(conn, o, "p-FullAWSAccess", [root, me, root], NOW)
        store.attach_many(conn, o, "p-FullAWSAccess", [root, me], NOW)  # nothing new
        store.attach(conn, o, "p-aaaaaaaa", root, NOW)
        store.attach(conn, o, "p-rrrrrrrr", root, NOW)
        assert store.count_attached(conn, o, root, SCP) == 2 and store.count_attached(conn, o, root, RCP) == 1
        assert [r.policy_id for r in store.attached_to(conn, o, root, SCP)] == ["p-FullAWSAccess", "p-aaaaaaaa"]
        assert store.targets_of(conn, o, "p-FullAWSAccess") == sorted([root, me])
        assert store.is_in_use(conn, o, "p-aaaaaaaa") and not store.is_in_use(conn, o, "p-bbbbbbbb")
        assert store.detach(conn, o, "p-aaaaaaaa", root) == 1
        assert store.detach(conn, o, "p-aaaaaaaa", root) == 0
        store.update_policy(conn, o, "p-bbbbbbbb", {"name": "Bee", "content": "{}"})
        row = store.get(conn, o, "p-bbbbbbbb")
        assert row is not None and (row.name, row.name_lower, row.content) == ("Bee", "bee", "{}")
        store.delete_policy(conn, o, "p-bbbbbbbb")
        assert store.get(conn, o, "p-bbbbbbbb") is None


def test_policy_types_and_detaching_a_type(db: Store, org: dict[str, str]) -> None:
    o, root = org["org_id"], org["root_id"]
    with db.begin() as conn:
        store.enable_type(conn, o, SCP)
        store.enable_type(conn, o, RCP)
        assert store.enabled_types(conn, o) == [RCP, SCP] and store.is_enabled(conn, o, SCP)
        _policy(conn, o, "p-aaaaaaaa", "A")
        _policy(conn, o, "p-rrrrrrrr", "R", RCP)
        store.attach(conn, o, "p-aaaaaaaa", root, NOW)
        store.attach(conn, o, "p-rrrrrrrr", root, NOW)
        store.detach_type(conn, o, SCP)
        store.disable_type(conn, o, SCP)
        assert store.enabled_types(conn, o) == [RCP] and not store.is_enabled(conn, o, SCP)
        assert store.targets_of(conn, o, "p-aaaaaaaa") == [] and store.targets_of(conn, o, "p-rrrrrrrr") == [root]


def test_constraints_are_store_errors(db: Store, org: dict[str, str]) -> None:
    o, root = org["org_id"], org["root_id"]
    with db.begin() as conn:
        _policy(conn, o, "p-aaaaaaaa", "A")
        store.attach(conn, o, "p-aaaaaaaa", root, NOW)
    with pytest.raises(AlreadyExists), db.begin() as conn:
        _policy(conn, o, "p-cccccccc", "a")  # unique per organization, type and case-folded name
    with pytest.raises(AlreadyExists), db.begin() as conn:
        store.attach(conn, o, "p-aaaaaaaa", root, NOW)
    with pytest.raises(MissingReference), db.begin() as conn:
        store.attach(conn, o, "p-missing0", root, NOW)
    with pytest.raises(AlreadyExists), db.begin() as conn:
        store.enable_type(conn, o, SCP)
        store.enable_type(conn, o, SCP)


def test_organizations_do_not_see_each_others_rows(db: Store, org: dict[str, str]) -> None:
    """``p-FullAWSAccess`` exists once per organization; ids never reach across."""
    other_account = f"{random.randrange(10**11, 10**12):012d}"
    other_org, other_root = "o-" + _suffix(), "r-" + _suffix()[:4]
    with db.begin() as conn:
        conn.execute(insert(schema.accounts).values(account_id=other_account, created_at=NOW, generation=1))
        orgs.create_org(conn, other_org, other_root, other_account, "ALL", NOW)
        for o in (org["org_id"], other_org):
            store.ensure_managed(conn, o, "p-FullAWSAccess", SCP, "FullAWSAccess", "d", DOC, NOW)
        _policy(conn, org["org_id"], "p-aaaaaaaa", "A")
        store.attach(conn, org["org_id"], "p-FullAWSAccess", org["root_id"], NOW)
        assert store.get(conn, other_org, "p-aaaaaaaa") is None
        assert store.targets_of(conn, other_org, "p-FullAWSAccess") == []
