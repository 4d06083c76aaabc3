"""The resources an ``organizations:*`` call acts on, as the Service Authorization Reference
names them (``arn:aws:organizations::MANAGEMENT:account/o-…/ID``, ``…:ou/o-…/ou-…``,
``…:root/o-…/r-…``, ``…:policy/o-…/service_control_policy/p-…``, ``…:handshake/o-…/invite/h-…``,
AWS managed policies ``arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess``).

The ARNs need the organization's id and its management account, which only the store knows: the
organization is the caller's (as management account or member), except for a handshake, whose
ARN is that of the organization that sent it (an invited account is not in it yet). Each request
member naming an entity gives one resource: ``AccountId``, ``OrganizationalUnitId``, ``ParentId``,
``DestinationParentId``/``SourceParentId`` (MoveAccount needs all three), ``ChildId``,
``TargetId``, ``ResourceId``, ``PolicyId``, ``HandshakeId``, ``RootId`` and the account of an
invitation's ``Target`` — by id or by its owner's email (the account the email names, as the
action finds it; else a Deny on an account's ARN would be sidestepped by inviting its email). An id whose kind its prefix names but which the organization lacks is
still authorized by its ARN (AWS authorizes before it answers "not found"); a caller outside any
organization is authorized on ``*`` (the action answers ``AWSOrganizationsNotInUseException``).

A request that creates an entity with ``Tags`` (CreateAccount, CreateOrganizationalUnit,
CreatePolicy, InviteAccountToOrganization) also needs ``organizations:TagResource``: "If the
request includes tags, then the requester must have the organizations:TagResource permission"
(API Reference, each of the four). The entity has no id before the action makes it, so that
TagResource is authorized on its type's ARN in the organization with the id a wildcard
(``account/o-…/*``, ``ou/o-…/ou-*``, ``policy/o-…/TYPE/p-*``); an invited account's ARN is known.

The organization's resources are the organization's, not an account's in the cross-account sense:
a member acting on them (AcceptHandshake, DescribeOrganization) is decided by its own identity
policies, so only the management account's calls carry a resource account.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Row, select

from iamd.auth.caller import Caller
from iamd.authz.resources import ANY, Resource
from iamd.store import orgs
from iamd.store import tags as tag_store
from iamd.store.org_schema import org_handshakes, org_policies

_MEMBERS = ("AccountId", "OrganizationalUnitId", "ParentId", "SourceParentId", "DestinationParentId",
            "ChildId", "TargetId", "ResourceId", "PolicyId", "RootId")
_ACCOUNT = re.compile(r"\d{12}")
TAGGED_ON_CREATE = frozenset({"organizations:CreateAccount", "organizations:CreateOrganizationalUnit",
                              "organizations:CreatePolicy", "organizations:InviteAccountToOrganization"})


def resolve(
    conn: Connection, caller: Caller, action: str, params: Mapping[str, Any], with_tags: bool
) -> list[Resource]:
    handshake_id = params.get("HandshakeId")
    if isinstance(handshake_id, str):
        return [_handshake(conn, caller, handshake_id)]
    org = orgs.org_of_account(conn, caller.account_id)
    if org is None:
        return [ANY]
    owner = org.management_account_id if caller.account_id == org.management_account_id else None
    lowered = action.lower()
    if lowered == "organizations:tagresource" and "ResourceId" not in params:
        return [_to_be_made(conn, org, owner, params)]
    special = _SPECIAL.get(lowered)
    if special is not None:
        return [special(conn, caller, org, owner, params)]
    found: list[Resource] = []
    for member in _MEMBERS:
        value = params.get(member)
        if isinstance(value, str):
            found.append(_entity(conn, org, owner, value, with_tags))
    invited = _invited(conn, params)
    if invited is not None:
        found.append(_entity(conn, org, owner, invited, with_tags))
    return found or [ANY]


def _resource_policy(conn: Connection, caller: Caller, org: Row[Any], owner: str | None,
                     params: Mapping[str, Any]) -> Resource:
    """PutResourcePolicy: the organization's policy (``resourcepolicy/o-…/rp-…``), or, before there
    is one, its ARN with the id a wildcard."""
    from iamd.services.organizations.resource_policy import stored_id

    policy_id = stored_id(conn, org) or "rp-*"
    return Resource(f"arn:aws:organizations::{org.management_account_id}:resourcepolicy/{org.org_id}/{policy_id}", owner)


def _own_account(conn: Connection, caller: Caller, org: Row[Any], owner: str | None,
                 params: Mapping[str, Any]) -> Resource:
    """DescribeEffectivePolicy: the ``TargetId`` account, or the caller's own when it names none."""
    target = params.get("TargetId")
    return _entity(conn, org, owner, target if isinstance(target, str) else caller.account_id, False)


def _transfer(conn: Connection, caller: Caller, org: Row[Any], owner: str | None,
              params: Mapping[str, Any]) -> Resource:
    """A responsibility transfer, ``transfer/o-…/TYPE/DIRECTION/rt-…``: its type and direction are
    an existing transfer's, and iamd has none (docs/aws-fidelity.md), so they are ``BILLING`` (the only
    type) and ``*``."""
    transfer_id = str(params.get("Id", "rt-*"))
    return Resource(
        f"arn:aws:organizations::{org.management_account_id}:transfer/{org.org_id}/BILLING/*/{transfer_id}", owner
    )


_SPECIAL = {
    "organizations:putresourcepolicy": _resource_policy,
    "organizations:describeeffectivepolicy": _own_account,
    "organizations:describeresponsibilitytransfer": _transfer,
    "organizations:updateresponsibilitytransfer": _transfer,
    "organizations:terminateresponsibilitytransfer": _transfer,
}


def _invited(conn: Connection, params: Mapping[str, Any]) -> str | None:
    """The account an invitation's ``Target`` names: its id, or the account whose owner's email
    it is (a member's, or an iamd account's placeholder address); None for no such account."""
    from iamd.services.organizations.common import PLACEHOLDER_DOMAIN

    target = params.get("Target")
    if not isinstance(target, Mapping) or not isinstance(target.get("Id"), str):
        return None
    value = str(target["Id"])
    if target.get("Type") == "ACCOUNT":
        return value
    if target.get("Type") != "EMAIL":
        return None
    member = orgs.member_by_email(conn, value)
    if member is not None:
        return str(member.account_id)
    local, _, domain = value.partition("@")
    return local if domain.lower() == PLACEHOLDER_DOMAIN and _ACCOUNT.fullmatch(local) else None


def _to_be_made(conn: Connection, org: Row[Any], owner: str | None, params: Mapping[str, Any]) -> Resource:
    """The TagResource of a create with tags (``TAGGED_ON_CREATE``), told apart by the create's
    request: an invitation's account, else the entity's type with its id a wildcard."""
    base = f"arn:aws:organizations::{org.management_account_id}"
    invited = _invited(conn, params)
    if invited is not None:
        return Resource(f"{base}:account/{org.org_id}/{invited}", owner)
    if "Content" in params:
        return Resource(f"{base}:policy/{org.org_id}/{str(params.get('Type', '')).lower()}/p-*", owner)
    if "ParentId" in params:
        return Resource(f"{base}:ou/{org.org_id}/ou-*", owner)
    return Resource(f"{base}:account/{org.org_id}/*", owner)


def _entity(conn: Connection, org: Row[Any], owner: str | None, entity_id: str, with_tags: bool) -> Resource:
    base = f"arn:aws:organizations::{org.management_account_id}"
    tag_type: str | None
    if _ACCOUNT.fullmatch(entity_id):
        arn, tag_type = f"{base}:account/{org.org_id}/{entity_id}", orgs.TAG_ACCOUNT
    elif entity_id.startswith("ou-"):
        arn, tag_type = f"{base}:ou/{org.org_id}/{entity_id}", orgs.TAG_OU
    elif entity_id.startswith("r-"):
        arn, tag_type = f"{base}:root/{org.org_id}/{entity_id}", orgs.TAG_ROOT
    elif entity_id.startswith("p-"):
        return _policy(conn, org, owner, entity_id, with_tags)
    else:
        return Resource(entity_id or "*", owner)
    tags = _tags(conn, tag_type, entity_id) if with_tags else {}
    return Resource(arn, owner, tags)


def _policy(conn: Connection, org: Row[Any], owner: str | None, policy_id: str, with_tags: bool) -> Resource:
    t = org_policies
    row = conn.execute(
        select(t.c.policy_type, t.c.aws_managed).where(t.c.org_id == org.org_id, t.c.policy_id == policy_id)
    ).first()
    kind = (row.policy_type if row is not None else "service_control_policy").lower()
    if row is not None and row.aws_managed:
        return Resource(f"arn:aws:organizations::aws:policy/{kind}/{policy_id}", None)
    arn = f"arn:aws:organizations::{org.management_account_id}:policy/{org.org_id}/{kind}/{policy_id}"
    return Resource(arn, owner, _tags(conn, orgs.TAG_POLICY, policy_id) if with_tags and row is not None else {})


def _handshake(conn: Connection, caller: Caller, handshake_id: str) -> Resource:
    t = org_handshakes
    row = conn.execute(select(t.c.org_id, t.c.action).where(t.c.handshake_id == handshake_id)).first()
    org = orgs.get_org(conn, row.org_id) if row is not None else orgs.org_of_account(conn, caller.account_id)
    if org is None:
        return ANY
    kind = (row.action if row is not None else "INVITE").lower()
    owner = org.management_account_id if caller.account_id == org.management_account_id else None
    return Resource(f"arn:aws:organizations::{org.management_account_id}:handshake/{org.org_id}/{kind}/{handshake_id}", owner)


def _tags(conn: Connection, tag_type: str, entity_id: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in tag_store.list_tags(conn, tag_type, entity_id)}
