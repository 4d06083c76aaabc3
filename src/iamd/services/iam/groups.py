"""IAM groups and their members."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, delete, func, insert, select

from iamd.auth.ids import new_unique_id
from iamd.services.context import Call
from iamd.services.iam.common import arn, exists, paginate, refuse_if_attached
from iamd.services.iam.errors import EntityAlreadyExists, LimitExceeded, NoSuchEntity
from iamd.services.iam.users import get_user_row, user_shape
from iamd.services.registry import action
from iamd.store import schema
from iamd.store.repos import groups

GROUPS_QUOTA = 300
GROUPS_PER_USER = 10

members = schema.group_members


def group_shape(row: Row[Any]) -> dict[str, Any]:
    return {
        "Path": row.path,
        "GroupName": row.name,
        "GroupId": row.group_id,
        "Arn": arn(row.account_id, "group", row.path, row.name),
        "CreateDate": row.created_at,
    }


def get_group_row(call: Call, name: str) -> Row[Any]:
    row = groups.get_by_name(call.conn, call.account_id, name)
    if row is None:
        raise NoSuchEntity(f"The group with name {name} cannot be found.")
    return row


@action("iam", "CreateGroup")
def create_group(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    name = p["GroupName"]
    if groups.get_by_name(call.conn, call.account_id, name) is not None:
        raise EntityAlreadyExists(f"Group with name {name} already exists.")
    if groups.count(call.conn, call.account_id) >= GROUPS_QUOTA:
        raise LimitExceeded(f"Cannot exceed quota for GroupsPerAccount: {GROUPS_QUOTA}")
    group_id = new_unique_id("AGPA")
    groups.insert(
        call.conn,
        group_id=group_id,
        account_id=call.account_id,
        name=name,
        path=p.get("Path") or "/",
        created_at=call.now,
    )
    row = groups.get_by_id(call.conn, group_id)
    assert row is not None
    return {"Group": group_shape(row)}


@action("iam", "GetGroup")
def get_group(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    """The group and a page of its users, ordered by user name."""
    row = get_group_row(call, p["GroupName"])
    u = schema.users
    q = select(u).join(members, members.c.user_id == u.c.user_id).where(members.c.group_id == row.group_id)
    rows, page = paginate(call.conn, q, u.c.name_lower, p)
    return {"Group": group_shape(row), "Users": [user_shape(r, listed=True) for r in rows], **page}


@action("iam", "UpdateGroup")
def update_group(call: Call, p: dict[str, Any]) -> None:
    row = get_group_row(call, p["GroupName"])
    changes: dict[str, Any] = {}
    new_name = p.get("NewGroupName")
    if new_name is not None and new_name != row.name:
        clash = groups.get_by_name(call.conn, call.account_id, new_name)
        if clash is not None and clash.group_id != row.group_id:
            raise EntityAlreadyExists(f"Group with name {new_name} already exists.")
        changes["name"] = new_name
    if p.get("NewPath") is not None:
        changes["path"] = p["NewPath"]
    if changes:
        groups.update(call.conn, row.group_id, **changes)
    return None


@action("iam", "DeleteGroup")
def delete_group(call: Call, p: dict[str, Any]) -> None:
    row = get_group_row(call, p["GroupName"])
    gid = row.group_id
    s = schema
    checks = [
        (members.c.group_id == gid, "must remove users from group first."),
        (
            (s.inline_policies.c.principal_type == "group") & (s.inline_policies.c.principal_id == gid),
            "must delete policies first.",
        ),
        (
            (s.policy_attachments.c.principal_type == "group") & (s.policy_attachments.c.principal_id == gid),
            "must detach all policies first.",
        ),
    ]
    refuse_if_attached(call.conn, checks)
    groups.delete(call.conn, gid)
    return None


@action("iam", "ListGroups")
def list_groups(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    q = groups.list_query(call.account_id, p.get("PathPrefix"))
    rows, page = paginate(call.conn, q, schema.groups.c.name_lower, p)
    return {"Groups": [group_shape(r) for r in rows], **page}


@action("iam", "AddUserToGroup")
def add_user_to_group(call: Call, p: dict[str, Any]) -> None:
    # The user is looked up first: with both missing, AWS names the user.
    user = get_user_row(call, p["UserName"])
    group = get_group_row(call, p["GroupName"])
    where = (members.c.group_id == group.group_id) & (members.c.user_id == user.user_id)
    if exists(call.conn, where):
        return None
    count = call.conn.execute(
        select(func.count()).select_from(members).where(members.c.user_id == user.user_id)
    ).scalar_one()
    if count >= GROUPS_PER_USER:
        raise LimitExceeded(f"Cannot exceed quota for GroupsPerUser: {GROUPS_PER_USER}")
    call.conn.execute(insert(members).values(group_id=group.group_id, user_id=user.user_id, added_at=call.now))
    return None


@action("iam", "RemoveUserFromGroup")
def remove_user_from_group(call: Call, p: dict[str, Any]) -> None:
    # As AddUserToGroup: with both missing, AWS names the user.
    user = get_user_row(call, p["UserName"])
    group = get_group_row(call, p["GroupName"])
    where = (members.c.group_id == group.group_id) & (members.c.user_id == user.user_id)
    if not call.conn.execute(delete(members).where(where)).rowcount:
        raise NoSuchEntity(f"The user with name {user.name} cannot be found in group {group.name}.")
    return None


@action("iam", "ListGroupsForUser")
def list_groups_for_user(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    user = get_user_row(call, p["UserName"])
    g = schema.groups
    q = select(g).join(members, members.c.group_id == g.c.group_id).where(members.c.user_id == user.user_id)
    rows, page = paginate(call.conn, q, g.c.name_lower, p)
    return {"Groups": [group_shape(r) for r in rows], **page}
