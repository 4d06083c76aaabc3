"""The delegation policy's seam (authz/org_delegation.py) and its place in the authorizer, on both
backends: which actions it can grant, the member placement that carries it, the management
account's resources it is decided on, and what ``authorize`` reports."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import botocore.session
import pytest
from org_fixtures import NOW, build, doc
from sqlalchemy import Connection, insert

from iamd.auth.caller import Caller
from iamd.authz import catalogue, org_delegation
from iamd.authz import organizations as o
from iamd.authz.authorizer import Authorizer
from iamd.authz.context import RequestInfo
from iamd.authz.resources import ANY, Resource
from iamd.errors import AccessDenied
from iamd.store import orgs, policy_docs
from iamd.store.engine import Store
from iamd.store.settings_schema import org_resource_policies

LATER = datetime(2026, 1, 2, tzinfo=UTC)


@pytest.fixture
def conn(store_url: str) -> Iterator[Connection]:
    store = Store(store_url)
    store.migrate()
    with store.begin() as c:
        yield c
    store.close()


def _put(conn: Connection, org_id: str, *statements: dict[str, object]) -> None:
    conn.execute(insert(org_resource_policies).values(
        org_id=org_id, policy_id=_policy_id(org_id), content=doc(*statements), updated_at=NOW))


def _policy_id(org_id: str) -> str:
    """Unique per tree: the store is shared by the tests of a session."""
    return "rp-" + org_id[2:10]


def _grant(account: str, *actions: str, effect: str = "Allow") -> dict[str, object]:
    return {"Effect": effect, "Principal": {"AWS": account}, "Action": list(actions), "Resource": "*"}


def _placement(conn: Connection, account: str) -> o.Placement:
    found = o.Organizations().placement(conn, account, policy_docs.generation(conn, account))
    assert found is not None
    return found


def test_the_delegable_actions_are_organizations_operations() -> None:
    model = botocore.session.get_session().get_service_model("organizations")
    operations = {name.lower() for name in model.operation_names}
    assert len(org_delegation.DELEGABLE) == 33  # AWS's list, DeletePolicy once
    for action in org_delegation.DELEGABLE:
        assert action.removeprefix("organizations:") in operations, action
        assert catalogue.action(action) is not None, action
    for kept in ("PutResourcePolicy", "DeleteResourcePolicy", "CreateOrganizationalUnit", "MoveAccount",
                 "RegisterDelegatedAdministrator", "CreateAccount", "LeaveOrganization"):
        assert f"organizations:{kept}".lower() not in org_delegation.DELEGABLE


def test_a_member_s_placement_carries_the_policy_and_a_bump_refreshes_it(conn: Connection) -> None:
    tree = build(conn)
    assert _placement(conn, tree.member).delegation is None
    _put(conn, tree.org, _grant(tree.member, "organizations:List*"))
    orgs.bump_generations(conn, tree.org, tree.root)
    member = _placement(conn, tree.member)
    assert member.delegation is not None
    assert member.delegation.policy_id == (
        f"arn:aws:organizations::{tree.mgmt}:resourcepolicy/{tree.org}/{_policy_id(tree.org)}")
    assert _placement(conn, tree.mgmt).delegation is None
    assert o.Organizations().placement(conn, tree.outsider, 0) is None


def test_policy_for_names_only_a_member_s_delegable_actions(conn: Connection) -> None:
    tree = build(conn)
    _put(conn, tree.org, _grant(tree.member, "organizations:*"))
    member, mgmt = _placement(conn, tree.member), _placement(conn, tree.mgmt)
    assert org_delegation.policy_for(member, "organizations:ListRoots") is member.delegation
    assert org_delegation.policy_for(member, "ORGANIZATIONS:createpolicy") is member.delegation
    assert org_delegation.policy_for(member, "organizations:CreateOrganizationalUnit") is None
    assert org_delegation.policy_for(mgmt, "organizations:ListRoots") is None
    assert org_delegation.policy_for(None, "organizations:ListRoots") is None


def test_resources_are_the_management_account_s(conn: Connection) -> None:
    tree = build(conn)
    member = _placement(conn, tree.member)
    made = org_delegation.on_management(member, "organizations:CreatePolicy", {"Type": "SERVICE_CONTROL_POLICY"}, ANY)
    assert made == Resource(f"arn:aws:organizations::{tree.mgmt}:policy/{tree.org}/service_control_policy/p-*",
                            tree.mgmt)
    listed = org_delegation.on_management(member, "organizations:ListRoots", {}, ANY)
    assert listed == Resource("*", tree.mgmt)
    ou = Resource(f"arn:aws:organizations::{tree.mgmt}:ou/{tree.org}/{tree.ou_a}", None, {"k": "v"})
    assert org_delegation.on_management(member, "organizations:DescribeOrganizationalUnit", {}, ou) == Resource(
        ou.arn, tree.mgmt, {"k": "v"})


def _authorize(conn: Connection, account: str, operation: str, params: dict[str, object] | None = None) -> bool:
    caller = Caller(account, f"arn:aws:iam::{account}:root", account, "root", "AKIAROOT")
    info = RequestInfo("organizations", operation, "us-east-1", "127.0.0.1", True, "test")
    return Authorizer(b"k" * 32).authorize(conn, caller, info, params or {}, LATER)


def test_authorize_reports_what_the_policy_granted(conn: Connection) -> None:
    tree = build(conn)
    assert _authorize(conn, tree.member, "ListRoots") is False  # the root's own allow; no policy
    _put(conn, tree.org, _grant(tree.member, "organizations:ListRoots", "organizations:CreatePolicy"),
         _grant(tree.member, "organizations:TagResource", effect="Deny"))
    orgs.bump_generations(conn, tree.org, tree.root)
    assert _authorize(conn, tree.member, "ListRoots") is True
    assert _authorize(conn, tree.mgmt, "ListRoots") is False
    assert _authorize(conn, tree.member, "ListAccounts") is False  # not granted: the action decides
    assert _authorize(conn, tree.member, "CreateOrganizationalUnit", {"ParentId": tree.root}) is False
    policy = {"Type": "SERVICE_CONTROL_POLICY", "Name": "n", "Content": "{}", "Description": ""}
    assert _authorize(conn, tree.member, "CreatePolicy", policy) is True
    with pytest.raises(AccessDenied):  # the TagResource it implies is denied
        _authorize(conn, tree.member, "CreatePolicy", {**policy, "Tags": [{"Key": "k", "Value": "v"}]})


def test_a_non_delegable_action_is_never_delegated_by_what_it_implies(conn: Connection) -> None:
    tree = build(conn)
    _put(conn, tree.org, _grant(tree.member, "organizations:*"))
    orgs.bump_generations(conn, tree.org, tree.root)
    tags = {"Tags": [{"Key": "k", "Value": "v"}]}
    assert _authorize(conn, tree.member, "CreateOrganizationalUnit", {"ParentId": tree.root, "Name": "x", **tags}) is False
    assert _authorize(conn, tree.member, "CreateAccount", {"Email": "a@example.com", "AccountName": "a", **tags}) is False
    assert _authorize(conn, tree.member, "TagResource", {"ResourceId": tree.ou_a, **tags}) is True
