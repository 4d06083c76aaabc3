"""The organizations read side (authz/organizations.py) on both backends: placement, path,
SCP/RCP levels for the enabled types only, and the cache keyed by the account's generation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from org_fixtures import NOW, RCP, SCP, build, doc
from sqlalchemy import Connection

from iamd.authz import organizations as o
from iamd.store import org_policies, orgs, policy_docs
from iamd.store.engine import Store

DENY_IAM = doc({"Effect": "Deny", "Action": "iam:*", "Resource": "*"})
FULL_ARN = "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess"


@pytest.fixture
def conn(store_url: str) -> Iterator[Connection]:
    store = Store(store_url)
    store.migrate()
    with store.begin() as c:
        yield c
    store.close()


def _placement(conn: Connection, cache: o.Organizations, account: str) -> o.Placement:
    found = cache.placement(conn, account, policy_docs.generation(conn, account))
    assert found is not None
    return found


def test_a_member_s_path_levels_and_policies(conn: Connection) -> None:
    t = build(conn)
    found = _placement(conn, o.Organizations(), t.member)
    assert (found.org_id, found.management_account_id, found.status) == (t.org, t.mgmt, "ACTIVE")
    assert found.path == f"{t.org}/{t.root}/{t.ou_a}/{t.ou_b}/"
    assert [(lv.target_id, lv.kind) for lv in found.levels] == [
        (t.root, "ROOT"), (t.ou_a, "ORGANIZATIONAL_UNIT"), (t.ou_b, "ORGANIZATIONAL_UNIT"), (t.member, "ACCOUNT"),
    ]  # fmt: skip
    assert found.scps is not None and len(found.scps) == 4
    assert [p.policy_id for p in found.scps[0]] == [FULL_ARN]
    assert found.rcps is not None and len(found.rcps.levels) == 4
    assert not found.is_management and not found.closed
    assert o.scps_for(found) is found.scps


def test_customer_policies_are_labelled_by_their_arn_at_their_level(conn: Connection) -> None:
    t = build(conn)
    t.policy("p-denyiam1", SCP, DENY_IAM, t.ou_a)
    found = _placement(conn, o.Organizations(), t.member)
    assert found.scps is not None
    assert [p.policy_id for p in found.scps[1]] == [
        FULL_ARN, f"arn:aws:organizations::{t.mgmt}:policy/{t.org}/service_control_policy/p-denyiam1"
    ]
    assert found.level_of(1) == o.Level(t.ou_a, "ORGANIZATIONAL_UNIT")
    assert found.level_of(9) is None and found.level_of(None) is None


def test_the_management_account_is_governed_by_neither(conn: Connection) -> None:
    t = build(conn)
    found = _placement(conn, o.Organizations(), t.mgmt)
    assert found.is_management and found.path == f"{t.org}/{t.root}/"
    assert found.scps is None and found.rcps is None and o.scps_for(found) is None
    assert o.rcps_for(found, "sts:AssumeRole", f"arn:aws:iam::{t.mgmt}:role/r", False) is None


def test_outside_any_organization_is_none_and_cached(conn: Connection) -> None:
    t = build(conn)
    cache = o.Organizations()
    assert cache.placement(conn, t.outsider, 0) is None
    assert cache.placement(conn, t.outsider, 0) is None
    assert o.principal_keys(None) == {} and o.resource_keys(None) == {}


def test_only_the_policy_types_enabled_on_the_root_apply(conn: Connection) -> None:
    t = build(conn, types=(SCP,))
    found = _placement(conn, o.Organizations(), t.member)
    assert found.scps is not None and found.rcps is None
    org_policies.disable_type(conn, t.org, SCP)
    orgs.bump_generations(conn, t.org, t.root)
    assert _placement(conn, o.Organizations(), t.member).scps is None


def test_a_level_with_nothing_attached_allows_nothing(conn: Connection) -> None:
    t = build(conn)
    org_policies.detach(conn, t.org, "p-FullAWSAccess", t.ou_b)
    found = _placement(conn, o.Organizations(), t.member)
    assert found.scps is not None and found.scps[2] == ()


def test_the_cache_holds_per_generation_and_a_bump_below_the_target_refreshes(conn: Connection) -> None:
    t = build(conn)
    cache = o.Organizations()
    first = _placement(conn, cache, t.member)
    t.policy("p-denyiam1", SCP, DENY_IAM)
    org_policies.attach(conn, t.org, "p-denyiam1", t.ou_a, NOW)
    # Not bumped: the cached placement stands (what a write that forgot to bump would leave).
    assert _placement(conn, cache, t.member) is first
    orgs.bump_generations(conn, t.org, t.ou_a)
    second = _placement(conn, cache, t.member)
    assert second is not first and second.scps is not None and len(second.scps[1]) == 2
    # The management account hangs from the root, not below OU A: not bumped.
    assert policy_docs.generation(conn, t.mgmt) == 0


def test_moving_the_account_changes_its_path(conn: Connection) -> None:
    t = build(conn)
    cache = o.Organizations()
    assert _placement(conn, cache, t.member).path.endswith(f"{t.ou_b}/")
    orgs.move_member(conn, t.member, t.root)
    orgs.bump_accounts(conn, [t.member])
    moved = _placement(conn, cache, t.member)
    assert moved.path == f"{t.org}/{t.root}/" and len(moved.levels) == 2


def test_a_closed_account_is_closed(conn: Connection) -> None:
    t = build(conn)
    orgs.set_member_status(conn, t.member, "SUSPENDED", NOW)
    assert _placement(conn, o.Organizations(), t.member).closed


def test_rcps_apply_to_the_rcp_services_and_roles_only(conn: Connection) -> None:
    t = build(conn)
    found = _placement(conn, o.Organizations(), t.member)
    role = f"arn:aws:iam::{t.member}:role/r"
    assert o.rcps_for(found, "sts:AssumeRole", role, False) is found.rcps
    assert o.rcps_for(found, "sts:AssumeRole", role, True) is None  # a service-linked role asks
    assert o.rcps_for(found, "iam:GetRole", role, False) is None  # IAM does not support RCPs
    assert o.rcps_for(found, "sts:GetFederationToken", f"arn:aws:sts::{t.member}:federated-user/x", False) is None
    assert o.rcps_for(found, "s3:GetObject", "arn:aws:s3:::b/k", False) is found.rcps


def test_org_condition_keys(conn: Connection) -> None:
    t = build(conn)
    found = _placement(conn, o.Organizations(), t.member)
    assert o.principal_keys(found) == {
        "aws:PrincipalOrgID": t.org, "aws:PrincipalOrgPaths": [f"{t.org}/{t.root}/{t.ou_a}/{t.ou_b}/"]
    }  # fmt: skip
    assert o.resource_keys(found)["aws:ResourceOrgID"] == t.org
    t.policy("p-rcpdeny1", RCP, doc({"Effect": "Deny", "Principal": "*", "Action": "sts:*", "Resource": "*"}))
    assert o.organizations_keys(conn, found, {"PolicyId": "p-rcpdeny1"}) == {"organizations:PolicyType": RCP}
    assert o.organizations_keys(conn, found, {"Filter": SCP}) == {"organizations:PolicyType": SCP}
    assert o.organizations_keys(conn, found, {"PolicyId": "p-unknown1"}) == {}
    assert o.organizations_keys(conn, None, {"PolicyId": "p-rcpdeny1"}) == {}
