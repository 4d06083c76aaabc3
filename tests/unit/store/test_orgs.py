"""The Organizations repository on SQLite and PostgreSQL: the tree, membership, the generation
bump enforcement relies on, deleting an organization with everything in it, and the constraints
that make "one organization per account" and "one email per account" hold across processes."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from iamd.store import orgs, schema
from iamd.store import tags as tag_store
from iamd.store.engine import Store
from iamd.store.errors import AlreadyExists
from iamd.store.org_schema import org_handshakes, org_units

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = Store(store_url)
    s.migrate()
    yield s
    s.close()


def _accounts(store: Store, n: int) -> list[str]:
    ids = [f"{random.randrange(10**11, 10**12)}" for _ in range(n)]
    with store.begin() as conn:
        for account_id in ids:
            conn.execute(schema.accounts.insert().values(account_id=account_id, created_at=NOW, is_default=False))
    return ids


def _generations(store: Store, ids: list[str]) -> dict[str, int]:
    with store.begin() as conn:
        rows = conn.execute(select(schema.accounts.c.account_id, schema.accounts.c.generation)
                            .where(schema.accounts.c.account_id.in_(ids)))
        return {r.account_id: r.generation for r in rows}


@pytest.fixture
def org(store: Store) -> dict[str, object]:
    """An organization: management M in the root, OU a (depth 1) > OU b (depth 2), member X in a,
    member Y in b, member Z in the root."""
    m, x, y, z = _accounts(store, 4)
    suffix = f"{random.randrange(16**10):010x}"
    org_id, root = f"o-{suffix}", f"r-{suffix[:4]}"
    a, b = f"ou-{suffix[:4]}-aaaa{suffix[4:8]}", f"ou-{suffix[:4]}-bbbb{suffix[4:8]}"
    with store.begin() as conn:
        orgs.create_org(conn, org_id, root, m, "ALL", NOW)
        orgs.add_unit(conn, org_id, a, root, "A", 1, NOW)
        orgs.add_unit(conn, org_id, b, a, "B", 2, NOW)
        for account_id, parent in ((m, root), (x, a), (y, b), (z, root)):
            orgs.add_member(conn, org_id, account_id, parent, account_id, f"{account_id}@example.com", "CREATED", NOW)
    return {"org": org_id, "root": root, "a": a, "b": b, "m": m, "x": x, "y": y, "z": z}


def test_tree_reads(store: Store, org: dict[str, str]) -> None:
    with store.begin() as conn:
        assert orgs.ancestors(conn, org["org"], org["b"]) == [org["root"], org["a"], org["b"]]
        assert sorted(orgs.subtree(conn, org["org"], org["a"])) == sorted([org["a"], org["b"]])
        assert [u.unit_id for u in orgs.child_units(conn, org["org"], org["root"])] == [org["a"]]
        assert orgs.count_units(conn, org["org"]) == 2
        assert orgs.org_of_account(conn, org["y"]).org_id == org["org"]
        assert orgs.org_managed_by(conn, org["m"]).org_id == org["org"]
        assert orgs.org_managed_by(conn, org["x"]) is None
        assert orgs.member_by_email(conn, f"{org['x']}@EXAMPLE.com").account_id == org["x"]
        assert [m.account_id for m in orgs.members(conn, org["org"], org["b"])] == [org["y"]]


@pytest.mark.parametrize(("target", "bumped"), [
    ("root", {"m", "x", "y", "z"}),
    ("a", {"x", "y"}),
    ("b", {"y"}),
    ("z", {"z"}),
])
def test_bump_generations_reaches_every_account_below(store: Store, org: dict[str, str], target: str,
                                                      bumped: set[str]) -> None:
    names = ["m", "x", "y", "z"]
    before = _generations(store, [org[n] for n in names])
    with store.begin() as conn:
        orgs.bump_generations(conn, org["org"], org[target])
    after = _generations(store, [org[n] for n in names])
    assert {n for n in names if after[org[n]] == before[org[n]] + 1} == bumped
    assert all(after[org[n]] == before[org[n]] for n in names if n not in bumped)


def test_bump_of_another_organizations_target_does_nothing(store: Store, org: dict[str, str]) -> None:
    other = _accounts(store, 1)[0]
    before = _generations(store, [other])
    with store.begin() as conn:
        orgs.bump_generations(conn, org["org"], other)
        orgs.bump_generations(conn, org["org"], "ou-none-00000000")
    assert _generations(store, [other]) == before


def test_one_organization_per_account(store: Store, org: dict[str, str]) -> None:
    with pytest.raises(AlreadyExists), store.begin() as conn:
        orgs.create_org(conn, "o-" + "9" * 10, "r-9999", org["m"], "ALL", NOW)
    with pytest.raises(AlreadyExists), store.begin() as conn:
        orgs.add_member(conn, org["org"], org["x"], org["root"], "x", "new@example.com", "INVITED", NOW)


def test_email_unique_across_organizations(store: Store, org: dict[str, str]) -> None:
    n = _accounts(store, 1)[0]
    with pytest.raises(AlreadyExists), store.begin() as conn:
        orgs.add_member(conn, org["org"], n, org["root"], "n", f"{org['x']}@Example.COM", "CREATED", NOW)


def test_ou_names_unique_per_parent(store: Store, org: dict[str, str]) -> None:
    with pytest.raises(AlreadyExists), store.begin() as conn:
        orgs.add_unit(conn, org["org"], org["a"][:-4] + "zzzz", org["root"], "a", 1, NOW)


def test_delete_org_removes_everything(store: Store, org: dict[str, str]) -> None:
    with store.begin() as conn:
        tag_store.put_tags(conn, orgs.TAG_OU, org["b"], [{"Key": "k", "Value": "v"}])
        tag_store.put_tags(conn, orgs.TAG_ACCOUNT, org["x"], [{"Key": "k", "Value": "v"}])
        conn.execute(org_handshakes.insert().values(
            handshake_id="h-" + org["org"][2:], org_id=org["org"], action="INVITE", state="OPEN",
            target_account_id=None, parties="[]", resources="[]", requested_at=NOW, expires_at=NOW))
        tag_store.put_tags(conn, orgs.TAG_HANDSHAKE, "h-" + org["org"][2:], [{"Key": "k", "Value": "v"}])
        orgs.delete_org(conn, org["org"])
    with store.begin() as conn:
        assert orgs.get_org(conn, org["org"]) is None
        assert conn.execute(select(org_units).where(org_units.c.org_id == org["org"])).first() is None
        assert orgs.get_member(conn, org["x"]) is None
        assert tag_store.list_tags(conn, orgs.TAG_OU, org["b"]) == []
        assert tag_store.list_tags(conn, orgs.TAG_ACCOUNT, org["x"]) == []
        assert tag_store.list_tags(conn, orgs.TAG_HANDSHAKE, "h-" + org["org"][2:]) == []


def test_remove_member_keeps_the_account(store: Store, org: dict[str, str]) -> None:
    with store.begin() as conn:
        orgs.remove_member(conn, org["y"])
        orgs.move_member(conn, org["x"], org["root"])
    with store.begin() as conn:
        assert orgs.get_member(conn, org["y"]) is None
        assert orgs.get_member(conn, org["x"]).parent_id == org["root"]
        assert orgs.accounts_under(conn, org["org"], org["a"]) == []
    assert org["y"] in _generations(store, [org["y"]])
