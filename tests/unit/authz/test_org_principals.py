"""Who SCPs reach (authz/policy_sets.py with authz/organizations.py), on both backends: a member
account's role sessions and root user; not a service-linked role's sessions; not the
management account's principals; nobody outside an organization."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from org_fixtures import NOW, SCP, Tree, build, doc
from sqlalchemy import Connection, insert

from iamd.auth.caller import Caller
from iamd.auth.session_claims import ASSUMED_ROLE, SessionClaims
from iamd.authz.policy_sets import PolicySets
from iamd.policy import Context, PrincipalType, Request
from iamd.store import schema
from iamd.store.engine import Store

TRUST = doc({"Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"}, "Action": "sts:AssumeRole"})


@pytest.fixture
def conn(store_url: str) -> Iterator[Connection]:
    store = Store(store_url)
    store.migrate()
    with store.begin() as c:
        yield c
    store.close()


def _role_session(conn: Connection, account: str, name: str, path: str, linked: bool) -> Caller:
    role_id = "AROA" + name.upper().replace("-", "")[:16].ljust(16, "X") + account[-4:]
    conn.execute(insert(schema.roles).values(
        role_id=role_id, account_id=account, name=name, name_lower=name.lower(), path=path, created_at=NOW,
        assume_role_policy=TRUST, max_session_duration=3600, service_linked=linked,
    ))  # fmt: skip
    arn = f"arn:aws:sts::{account}:assumed-role/{name}/s"
    claims = SessionClaims(
        kind=ASSUMED_ROLE, account_id=account, access_key_id="ASIAEXAMPLE", secret_access_key="s",
        issued_at=datetime.now(UTC), expires_at=datetime.now(UTC) + timedelta(hours=1), arn=arn,
        principal_id=f"{role_id}:s", source_arn=f"arn:aws:iam::{account}:role{path}{name}", source_id=role_id,
        session_name="s",
    )  # fmt: skip
    return Caller(account, arn, f"{role_id}:s", "assumed-role", "ASIAEXAMPLE", session=claims)


def _root(account: str) -> Caller:
    return Caller(account, f"arn:aws:iam::{account}:root", account, "root", "AKIAROOT")


def _governed(tree: Tree) -> None:
    tree.policy("p-denyiam1", SCP, doc({"Effect": "Deny", "Action": "iam:*", "Resource": "*"}), tree.root)


def test_a_member_s_role_session_and_root_are_under_the_scps(conn: Connection) -> None:
    tree = build(conn)
    _governed(tree)
    sets = PolicySets()
    for caller in (_role_session(conn, tree.member, "app", "/", False), _root(tree.member)):
        principal = sets.principal(conn, caller)
        assert principal.organization is not None and principal.organization.org_id == tree.org
        assert len(principal.policies.scps) == 4
        request = Request(principal.request_principal, "iam:ListUsers", "*", Context({}), tree.member)
        decision = principal.policies.evaluate(request)
        assert (decision.effect, decision.reason) == ("ExplicitDeny", "explicit deny in a service control policy")
    root = sets.principal(conn, _root(tree.member))
    assert root.request_principal.type is PrincipalType.ROOT
    allowed = Request(root.request_principal, "s3:ListBucket", "*", Context({}), tree.member)
    assert root.policies.evaluate(allowed).allowed


def test_a_service_linked_role_is_not_under_scps(conn: Connection) -> None:
    tree = build(conn)
    _governed(tree)
    linked = PolicySets().principal(
        conn, _role_session(conn, tree.member, "AWSServiceRoleForConfig", "/aws-service-role/config.amazonaws.com/", True)
    )
    assert linked.policies.scps == () and linked.service_linked
    assert linked.organization is not None  # its keys still say where it is


def test_the_management_account_and_outsiders_are_not_under_scps(conn: Connection) -> None:
    tree = build(conn)
    _governed(tree)
    sets = PolicySets()
    mgmt = sets.principal(conn, _root(tree.mgmt))
    assert mgmt.policies.scps == () and mgmt.organization is not None and mgmt.organization.is_management
    outsider = sets.principal(conn, _root(tree.outsider))
    assert outsider.policies.scps == () and outsider.organization is None
    assert not outsider.reads_resource_org


def test_clear_forgets_placements_too(conn: Connection) -> None:
    tree = build(conn)
    sets = PolicySets()
    first = sets.principal(conn, _root(tree.member))
    sets.clear()
    assert sets.principal(conn, _root(tree.member)) is not first
