"""The resources of ``organizations:*`` calls, as the Service Authorization Reference names them,
on both store backends."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert

from iamd.auth.caller import Caller
from iamd.authz.resources import resolve
from iamd.store import orgs, schema
from iamd.store import tags as tag_store
from iamd.store.engine import Store
from iamd.store.org_schema import org_handshakes, org_policies

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def root(account_id: str) -> Caller:
    return Caller(account_id, f"arn:aws:iam::{account_id}:root", account_id, "root", "AKIAROOT")


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = Store(store_url)
    s.migrate()
    yield s
    s.close()


@pytest.fixture
def org(store: Store) -> dict[str, str]:
    m, x, outsider = (f"{random.randrange(10**11, 10**12)}" for _ in range(3))
    suffix = f"{random.randrange(16**10):010x}"
    ids = {"m": m, "x": x, "outsider": outsider, "org": f"o-{suffix}", "root": f"r-{suffix[:4]}",
           "ou": f"ou-{suffix[:4]}-{suffix[2:10]}", "policy": f"p-{suffix[:8]}", "hs": f"h-{suffix}"}
    with store.begin() as conn:
        for account_id in (m, x, outsider):
            conn.execute(insert(schema.accounts).values(account_id=account_id, created_at=NOW, is_default=False))
        orgs.create_org(conn, ids["org"], ids["root"], m, "ALL", NOW)
        orgs.add_unit(conn, ids["org"], ids["ou"], ids["root"], "Eng", 1, NOW)
        orgs.add_member(conn, ids["org"], m, ids["root"], "m", f"{m}@example.com", "INVITED", NOW)
        orgs.add_member(conn, ids["org"], x, ids["ou"], "x", f"{x}@example.com", "CREATED", NOW)
        tag_store.put_tags(conn, orgs.TAG_OU, ids["ou"], [{"Key": "team", "Value": "eng"}])
        conn.execute(insert(org_policies).values(
            org_id=ids["org"], policy_id=ids["policy"], policy_type="SERVICE_CONTROL_POLICY", name="p", name_lower="p",
            description="", content="{}", aws_managed=False, created_at=NOW))
        conn.execute(insert(org_policies).values(
            org_id=ids["org"], policy_id="p-FullAWSAccess", policy_type="SERVICE_CONTROL_POLICY", name="FullAWSAccess",
            name_lower="fullawsaccess", description="", content="{}", aws_managed=True, created_at=NOW))
        conn.execute(insert(org_handshakes).values(
            handshake_id=ids["hs"], org_id=ids["org"], action="INVITE", state="OPEN", target_account_id=outsider,
            parties=json.dumps([]), resources=json.dumps([]), requested_at=NOW, expires_at=NOW))
    return ids


def arns(store: Store, caller: Caller, action: str, params: dict[str, object], with_tags: bool = False) -> list[str]:
    with store.begin() as conn:
        return [r.arn for r in resolve(conn, caller, action, params, with_tags)]


def test_each_named_entity_is_a_resource(store: Store, org: dict[str, str]) -> None:
    base = f"arn:aws:organizations::{org['m']}"
    caller = root(org["m"])
    got = set(arns(store, caller, "organizations:MoveAccount", {
        "AccountId": org["x"], "SourceParentId": org["ou"], "DestinationParentId": org["root"]}))
    assert got == {f"{base}:account/{org['org']}/{org['x']}", f"{base}:root/{org['org']}/{org['root']}",
                   f"{base}:ou/{org['org']}/{org['ou']}"}
    assert arns(store, caller, "organizations:DescribePolicy", {"PolicyId": org["policy"]}) == [
        f"{base}:policy/{org['org']}/service_control_policy/{org['policy']}"]
    assert arns(store, caller, "organizations:DescribePolicy", {"PolicyId": "p-FullAWSAccess"}) == [
        "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess"]
    assert arns(store, caller, "organizations:InviteAccountToOrganization", {
        "Target": {"Type": "ACCOUNT", "Id": org["outsider"]}}) == [f"{base}:account/{org['org']}/{org['outsider']}"]
    assert arns(store, caller, "organizations:ListRoots", {}) == ["*"]


def test_resource_tags_and_owner(store: Store, org: dict[str, str]) -> None:
    with store.begin() as conn:
        [as_management] = resolve(conn, root(org["m"]), "organizations:DescribeOrganizationalUnit",
                                  {"OrganizationalUnitId": org["ou"]}, True)
        [as_member] = resolve(conn, root(org["x"]), "organizations:DescribeOrganizationalUnit",
                              {"OrganizationalUnitId": org["ou"]}, False)
    assert as_management.tags == {"team": "eng"} and as_management.account_id == org["m"]
    # A member acting on the organization's resources is decided by its own policies alone.
    assert as_member.tags == {} and as_member.account_id is None


def test_handshake_is_the_inviting_organizations(store: Store, org: dict[str, str]) -> None:
    """The invited account is in no organization yet: the ARN is the inviting one's."""
    expected = f"arn:aws:organizations::{org['m']}:handshake/{org['org']}/invite/{org['hs']}"
    assert arns(store, root(org["outsider"]), "organizations:AcceptHandshake", {"HandshakeId": org["hs"]}) == [expected]
    assert arns(store, root(org["outsider"]), "organizations:AcceptHandshake", {"HandshakeId": "h-unknown000"}) == ["*"]


def test_caller_outside_any_organization(store: Store, org: dict[str, str]) -> None:
    assert arns(store, root(org["outsider"]), "organizations:DescribeAccount", {"AccountId": org["x"]}) == ["*"]


def test_tags_on_create_are_authorized_on_the_entity_to_be_made(store: Store, org: dict[str, str]) -> None:
    """CreateX with Tags also needs TagResource: on the new entity's type, its id a wildcard."""
    base, o, tag = f"arn:aws:organizations::{org['m']}", org["org"], "organizations:TagResource"
    caller = root(org["m"])
    tags = [{"Key": "k", "Value": "v"}]
    assert arns(store, caller, tag, {"Email": "a@example.com", "AccountName": "a", "Tags": tags}) == [
        f"{base}:account/{o}/*"]
    assert arns(store, caller, tag, {"ParentId": org["root"], "Name": "ops", "Tags": tags}) == [f"{base}:ou/{o}/ou-*"]
    assert arns(store, caller, tag, {"Content": "{}", "Name": "p", "Type": "TAG_POLICY", "Tags": tags}) == [
        f"{base}:policy/{o}/tag_policy/p-*"]
    assert arns(store, caller, tag, {"Target": {"Type": "ACCOUNT", "Id": org["outsider"]}, "Tags": tags}) == [
        f"{base}:account/{o}/{org['outsider']}"]
    # TagResource itself names its resource.
    assert arns(store, caller, tag, {"ResourceId": org["ou"], "Tags": tags}) == [f"{base}:ou/{o}/{org['ou']}"]


def test_an_invitation_by_email_is_authorized_on_the_account_it_names(store: Store, org: dict[str, str]) -> None:
    base, o = f"arn:aws:organizations::{org['m']}", org["org"]
    invite = "organizations:InviteAccountToOrganization"
    caller = root(org["m"])
    by_member_email = {"Target": {"Type": "EMAIL", "Id": f"{org['x']}@EXAMPLE.com"}}
    assert arns(store, caller, invite, by_member_email) == [f"{base}:account/{o}/{org['x']}"]
    by_placeholder = {"Target": {"Type": "EMAIL", "Id": f"{org['outsider']}@accounts.iamd.invalid"}}
    assert arns(store, caller, invite, by_placeholder) == [f"{base}:account/{o}/{org['outsider']}"]
    # An address no account has: the action answers INVALID_EMAIL_ADDRESS_TARGET once authorized.
    assert arns(store, caller, invite, {"Target": {"Type": "EMAIL", "Id": "nobody@example.com"}}) == ["*"]
