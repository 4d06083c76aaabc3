"""Organizational units: Create/Update/Delete/DescribeOrganizationalUnit,
ListOrganizationalUnitsForParent, ListParents, ListChildren.

AWS Organizations User Guide ("Managing organizational units"; "Quotas for AWS Organizations"):
OUs nest up to five levels below the root (``ConstraintViolationException``
``OU_DEPTH_LIMIT_EXCEEDED``), an organization holds at most 2,000 OUs (``OU_NUMBER_LIMIT_EXCEEDED``);
two OUs of one parent cannot share a name (``DuplicateOrganizationalUnitException``; iamd compares
names case-insensitively, as the schema's ``name_lower`` key does); only an OU without accounts
and child OUs can be deleted (``OrganizationalUnitNotEmptyException``). Every child has exactly
one parent: ListParents returns one. An OU's ``Path`` is ``o-…/r-…/ou-…/…/`` (the model's pattern).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row

from iamd.services.context import Call
from iamd.services.organizations import common
from iamd.services.organizations.attachments import attach_defaults
from iamd.services.organizations.errors import (
    ChildNotFoundException,
    ConstraintViolationException,
    DuplicateOrganizationalUnitException,
    OrganizationalUnitNotEmptyException,
    OrganizationalUnitNotFoundException,
    ParentNotFoundException,
)
from iamd.services.organizations.pages import page, with_token
from iamd.services.organizations.tagging import add_tags, check_tags
from iamd.services.registry import action
from iamd.store import orgs

MAX_DEPTH = 5
MAX_UNITS = 2000
PARENT_NOT_FOUND = "We can't find a root or OU with the ParentId that you specified."
OU_NOT_FOUND = "We can't find an OU with the OrganizationalUnitId that you specified."
DUPLICATE = "An OU with the same name already exists."


@action("organizations", "CreateOrganizationalUnit")
def create_organizational_unit(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    tags = p.get("Tags") or []
    check_tags(tags)
    org = common.locked_org(call)
    parent = parent_unit(call.conn, org, p["ParentId"])
    if parent.depth + 1 > MAX_DEPTH:
        raise ConstraintViolationException(
            "OU_DEPTH_LIMIT_EXCEEDED", f"You attempted to create an OU tree that is too many levels deep ({MAX_DEPTH})."
        )
    if orgs.count_units(call.conn, org.org_id) >= MAX_UNITS:
        raise ConstraintViolationException(
            "OU_NUMBER_LIMIT_EXCEEDED", f"You attempted to exceed the number of OUs that you can have in an organization ({MAX_UNITS})."
        )
    if orgs.unit_by_name(call.conn, parent.unit_id, p["Name"]) is not None:
        raise DuplicateOrganizationalUnitException(DUPLICATE)
    unit_id = common.new_ou_id(org.root_id)
    orgs.add_unit(call.conn, org.org_id, unit_id, parent.unit_id, p["Name"], parent.depth + 1, call.now)
    attach_defaults(call.conn, org.org_id, unit_id, call.now)
    if tags:
        add_tags(call.conn, orgs.TAG_OU, unit_id, tags)
    return {"OrganizationalUnit": describe(call.conn, org, unit_id)}


@action("organizations", "UpdateOrganizationalUnit")
def update_organizational_unit(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    org = common.locked_org(call)
    unit = ou(call.conn, org, p["OrganizationalUnitId"])
    name = p.get("Name")
    if name is not None and name != unit.name:
        same = orgs.unit_by_name(call.conn, unit.parent_id, name)
        if same is not None and same.unit_id != unit.unit_id:
            raise DuplicateOrganizationalUnitException(DUPLICATE)
        orgs.rename_unit(call.conn, unit.unit_id, name)
    return {"OrganizationalUnit": describe(call.conn, org, unit.unit_id)}


@action("organizations", "DeleteOrganizationalUnit")
def delete_organizational_unit(call: Call, p: dict[str, Any]) -> None:
    org = common.locked_org(call)
    unit = ou(call.conn, org, p["OrganizationalUnitId"])
    if orgs.child_units(call.conn, org.org_id, unit.unit_id) or orgs.members(call.conn, org.org_id, unit.unit_id):
        raise OrganizationalUnitNotEmptyException(
            "The specified OU is not empty. Move all accounts to another root or OU and remove all child OUs, "
            "then try the operation again."
        )
    orgs.delete_unit(call.conn, unit.unit_id)


@action("organizations", "DescribeOrganizationalUnit")
def describe_organizational_unit(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    org = common.managed_org(call, delegated=True)
    unit = ou(call.conn, org, p["OrganizationalUnitId"])
    return {"OrganizationalUnit": describe(call.conn, org, unit.unit_id)}


@action("organizations", "ListOrganizationalUnitsForParent")
def list_organizational_units_for_parent(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    org = common.managed_org(call, delegated=True)
    parent = parent_unit(call.conn, org, p["ParentId"])
    units = orgs.child_units(call.conn, org.org_id, parent.unit_id)
    chunk, token = page(call, p, "ListOrganizationalUnitsForParent", units, lambda u: u.unit_id, query=parent.unit_id)
    path = unit_path(call.conn, org, parent.unit_id)
    return with_token({"OrganizationalUnits": [_shape(org, u, f"{path}{u.unit_id}/") for u in chunk]}, token)


@action("organizations", "ListParents")
def list_parents(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    org = common.managed_org(call, delegated=True)
    child = p["ChildId"]
    parent_id: str | None = None
    if child.isdigit():
        member = orgs.get_member(call.conn, child)
        parent_id = member.parent_id if member is not None and member.org_id == org.org_id else None
    else:
        unit = orgs.get_unit(call.conn, org.org_id, child)
        parent_id = unit.parent_id if unit is not None else None
    if parent_id is None:
        raise ChildNotFoundException("We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.")
    parents, token = page(call, p, "ListParents", [parent_id], lambda i: i, query=child)
    return with_token({"Parents": [{"Id": i, "Type": _parent_type(org, i)} for i in parents]}, token)


@action("organizations", "ListChildren")
def list_children(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    org = common.managed_org(call, delegated=True)
    parent = parent_unit(call.conn, org, p["ParentId"])
    kind = p["ChildType"]
    if kind == "ACCOUNT":
        ids = [m.account_id for m in orgs.members(call.conn, org.org_id, parent.unit_id)]
    else:
        ids = [u.unit_id for u in orgs.child_units(call.conn, org.org_id, parent.unit_id)]
    chunk, token = page(call, p, "ListChildren", ids, lambda i: i, query=[parent.unit_id, kind])
    return with_token({"Children": [{"Id": i, "Type": kind} for i in chunk]}, token)


# --- shared with accounts and policies ---------------------------------------------------------


def parent_unit(conn: Connection, org: Row[Any], parent_id: str, error: type = ParentNotFoundException,
                message: str = PARENT_NOT_FOUND) -> Row[Any]:
    """A root or OU of the organization, or ``error`` (ParentNotFound, Source/DestinationParentNotFound)."""
    unit = orgs.get_unit(conn, org.org_id, parent_id)
    if unit is None:
        raise error(message)
    return unit


def ou(conn: Connection, org: Row[Any], unit_id: str) -> Row[Any]:
    unit = orgs.get_unit(conn, org.org_id, unit_id)
    if unit is None or unit.parent_id is None:
        raise OrganizationalUnitNotFoundException(OU_NOT_FOUND)
    return unit


def unit_path(conn: Connection, org: Row[Any], unit_id: str) -> str:
    """``o-…/r-…/ou-…/`` down to ``unit_id`` (included)."""
    return "/".join([org.org_id, *orgs.ancestors(conn, org.org_id, unit_id)]) + "/"


def describe(conn: Connection, org: Row[Any], unit_id: str) -> dict[str, Any]:
    unit = orgs.get_unit(conn, org.org_id, unit_id)
    assert unit is not None
    return _shape(org, unit, unit_path(conn, org, unit_id))


def _shape(org: Row[Any], unit: Row[Any], path: str) -> dict[str, Any]:
    return {"Id": unit.unit_id, "Arn": common.ou_arn(org, unit.unit_id), "Name": unit.name, "Path": path}


def _parent_type(org: Row[Any], parent_id: str) -> str:
    return "ROOT" if parent_id == org.root_id else "ORGANIZATIONAL_UNIT"
