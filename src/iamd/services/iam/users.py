"""IAM users: create, read, rename and move, delete, list; their tags and permissions boundary."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, select

from iamd.auth.ids import new_unique_id
from iamd.services.context import Call
from iamd.services.iam import boundaries, policy_refs, tagging
from iamd.services.iam.boundaries import boundary_shape
from iamd.services.iam.common import arn, check_new_tags, paginate, refuse_if_attached
from iamd.services.iam.errors import (
    EntityAlreadyExists,
    InvalidInput,
    LimitExceeded,
    NoSuchEntity,
)
from iamd.services.registry import action
from iamd.store import schema
from iamd.store import tags as tag_store
from iamd.store.repos import users

USERS_QUOTA = 5000


def user_arn(row: Row[Any]) -> str:
    return arn(row.account_id, "user", row.path, row.name)


def user_shape(row: Row[Any], *, tags: list[dict[str, str]] | None = None, listed: bool = False) -> dict[str, Any]:
    """The ``User`` shape; ``listed`` is ListUsers' and GetGroup's subset, which AWS answers
    without PermissionsBoundary and Tags (ListUsers: "returns a subset of the available
    attributes"; GetUser has them all)."""
    out: dict[str, Any] = {
        "Path": row.path,
        "UserName": row.name,
        "UserId": row.user_id,
        "Arn": user_arn(row),
        "CreateDate": row.created_at,
    }
    if row.password_last_used is not None:
        out["PasswordLastUsed"] = row.password_last_used
    if row.permissions_boundary and not listed:
        out["PermissionsBoundary"] = boundary_shape(row.permissions_boundary)
    if tags:
        out["Tags"] = tags
    return out


def get_user_row(call: Call, name: str) -> Row[Any]:
    row = users.get_by_name(call.conn, call.account_id, name)
    if row is None:
        raise NoSuchEntity(f"The user with name {name} cannot be found.")
    return row


def caller_user_name(call: Call) -> str:
    """The calling IAM user's name, for the ``UserName`` members AWS lets default to the caller."""
    if call.caller.kind != "user" or call.caller.user_name is None:
        raise InvalidInput("Must specify userName when calling with non-User credentials")
    return call.caller.user_name


def user_or_root(call: Call, p: dict[str, Any]) -> Row[Any] | None:
    """The user whose credentials a request is about: ``UserName``, else the calling IAM user.

    None is the root user calling without ``UserName``: root has access keys, signing
    certificates and MFA devices of its own (stored with no user id).
    """
    name = p.get("UserName")
    if name is None:
        if call.caller.kind == "root":
            return None
        name = caller_user_name(call)
    return get_user_row(call, name)


@action("iam", "CreateUser")
def create_user(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    name, path = p["UserName"], p.get("Path") or "/"
    new_tags = check_new_tags(p.get("Tags"))
    if users.get_by_name(call.conn, call.account_id, name) is not None:
        raise EntityAlreadyExists(f"User with name {name} already exists.")
    if users.count(call.conn, call.account_id) >= USERS_QUOTA:
        raise LimitExceeded(f"Cannot exceed quota for UsersPerAccount: {USERS_QUOTA}")
    boundary = p.get("PermissionsBoundary")
    if boundary:
        policy_refs.resolve_boundary(call, boundary)
    user_id = new_unique_id("AIDA")
    users.insert(
        call.conn,
        user_id=user_id,
        account_id=call.account_id,
        name=name,
        path=path,
        created_at=call.now,
        permissions_boundary=boundary,
    )
    tag_store.put_tags(call.conn, "user", user_id, new_tags)
    row = users.get_by_id(call.conn, user_id)
    assert row is not None
    return {"User": user_shape(row, tags=new_tags)}


@action("iam", "GetUser")
def get_user(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    row = user_or_root(call, p)
    if row is None:
        created = call.conn.execute(
            select(schema.accounts.c.created_at).where(schema.accounts.c.account_id == call.account_id)
        ).scalar_one()
        return {"User": {"Path": "/", "UserId": call.account_id, "Arn": call.caller.arn, "CreateDate": created}}
    return {"User": user_shape(row, tags=tag_store.list_tags(call.conn, "user", row.user_id))}


@action("iam", "UpdateUser")
def update_user(call: Call, p: dict[str, Any]) -> None:
    row = get_user_row(call, p["UserName"])
    changes: dict[str, Any] = {}
    new_name = p.get("NewUserName")
    if new_name is not None and new_name != row.name:
        clash = users.get_by_name(call.conn, call.account_id, new_name)
        if clash is not None and clash.user_id != row.user_id:
            raise EntityAlreadyExists(f"User with name {new_name} already exists.")
        changes["name"] = new_name
    if p.get("NewPath") is not None:
        changes["path"] = p["NewPath"]
    if changes:
        users.update(call.conn, row.user_id, **changes)
    return None



@action("iam", "DeleteUser")
def delete_user(call: Call, p: dict[str, Any]) -> None:
    row = get_user_row(call, p["UserName"])
    uid = row.user_id
    s = schema
    checks = [
        (s.access_keys.c.user_id == uid, "must delete access keys first."),
        (s.group_members.c.user_id == uid, "must remove users from group first."),
        (
            (s.inline_policies.c.principal_type == "user") & (s.inline_policies.c.principal_id == uid),
            "must delete policies first.",
        ),
        (
            (s.policy_attachments.c.principal_type == "user") & (s.policy_attachments.c.principal_id == uid),
            "must detach all policies first.",
        ),
        (s.login_profiles.c.user_id == uid, "must delete login profile first."),
        (s.mfa_devices.c.user_id == uid, "must delete MFA device first."),
        (s.signing_certificates.c.user_id == uid, "must delete signing certificate first."),
        (s.ssh_public_keys.c.user_id == uid, "must delete SSH public key first."),
        # AWS's wording for this one is generic (as AWS answers it).
        (s.service_specific_credentials.c.user_id == uid, "must remove referenced objects first."),
    ]
    refuse_if_attached(call.conn, checks)
    tag_store.drop_all(call.conn, "user", uid)
    users.delete(call.conn, uid)
    return None


@action("iam", "ListUsers")
def list_users(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    q = users.list_query(call.account_id, p.get("PathPrefix"))
    rows, page = paginate(call.conn, q, schema.users.c.name_lower, p)
    return {"Users": [user_shape(r, listed=True) for r in rows], **page}


tagging.register("User", "user", lambda call, p: get_user_row(call, p["UserName"]).user_id)

boundaries.register("User", lambda call, p: get_user_row(call, p["UserName"]).user_id, users)
