"""IAM roles: create, read, update, delete, list; their trust policy, tags and permissions boundary.

A role's trust policy (``AssumeRolePolicyDocument``) says who may assume it; it is validated as a
TRUST policy (a ``Principal`` is required, resource-less) and counted against AWS's
``ACLSizePerRole`` quota of 2,048 characters, white space not counted. It is stored with the
users and roles it names bound to their unique ids, and shown with the ids mapped back to
current ARNs (``principal_binding``): every shape carrying a role takes that mapping. Service-linked roles are
created and deleted by ``service_linked_roles``; the operations AWS refuses on them go through
``service_linked_roles.ensure_modifiable_role``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from sqlalchemy import Row

from iamd.auth.ids import new_unique_id
from iamd.services.context import Call

# A module object, not names: service_linked_roles imports this module too, and attribute access
# at call time keeps the pair independent of which one is imported first.
from iamd.services.iam import boundaries, policy_refs, principal_binding, service_linked_roles, tagging
from iamd.services.iam.boundaries import boundary_shape
from iamd.services.iam.common import (
    arn,
    check_new_tags,
    check_policy,
    encode_document,
    paginate,
    policy_size,
    refuse_if_attached,
)
from iamd.services.iam.errors import EntityAlreadyExists, LimitExceeded, NoSuchEntity
from iamd.services.registry import action
from iamd.store import schema
from iamd.store import tags as tag_store
from iamd.store.repos import roles

ROLES_QUOTA = 1000
TRUST_POLICY_QUOTA = 2048
DEFAULT_MAX_SESSION_DURATION = 3600

# URL-encoding is most of the cost of a 1,000-role page, and trust policies repeat (one per
# service, mostly) and change rarely: remember the encoded form of recent ones.
_encoded_trust_policy = lru_cache(maxsize=2048)(encode_document)


def role_arn(row: Any) -> str:
    return arn(row.account_id, "role", row.path, row.name)


# The columns role_summary reads, for queries that join roles to something else.
SUMMARY_COLUMNS = [
    schema.roles.c[name]
    for name in ("role_id", "account_id", "name", "path", "created_at", "assume_role_policy")
]


def trust_shown(call: Call, rows: Iterable[Any]) -> Mapping[str, str]:
    """How the roles' stored trust policies are shown (``principal_binding.shown``)."""
    return principal_binding.shown(call.conn, (r.assume_role_policy for r in rows))


def role_summary(row: Any, shown: Mapping[str, str]) -> dict[str, Any]:
    """The members every response carrying a role has (e.g. inside an instance profile).

    ``row`` is a roles row, or anything with the ``SUMMARY_COLUMNS`` as attributes; ``shown``
    comes from ``trust_shown`` for the rows of the response.
    """
    trust = row.assume_role_policy
    return {
        "Path": row.path,
        "RoleName": row.name,
        "RoleId": row.role_id,
        "Arn": role_arn(row),
        "CreateDate": row.created_at,
        "AssumeRolePolicyDocument": _encoded_trust_policy(shown.get(trust, trust)),
    }


def role_list_item(row: Row[Any], shown: Mapping[str, str]) -> dict[str, Any]:
    """ListRoles' subset: AWS leaves out PermissionsBoundary, RoleLastUsed and Tags."""
    out = role_summary(row, shown)
    if row.description is not None:
        out["Description"] = row.description
    out["MaxSessionDuration"] = row.max_session_duration
    return out


def role_shape(
    row: Row[Any], shown: Mapping[str, str], *, tags: list[dict[str, str]] | None = None, last_used: bool = True
) -> dict[str, Any]:
    """The full role, as GetRole returns it."""
    out = role_list_item(row, shown)
    if row.permissions_boundary:
        out["PermissionsBoundary"] = boundary_shape(row.permissions_boundary)
    if tags:
        out["Tags"] = tags
    if last_used:
        used: dict[str, Any] = {}
        if row.last_used_at is not None:
            used["LastUsedDate"] = row.last_used_at
            if row.last_used_region:
                used["Region"] = row.last_used_region
        out["RoleLastUsed"] = used
    return out


def get_role_row(call: Call, name: str) -> Row[Any]:
    row = roles.get_by_name(call.conn, call.account_id, name)
    if row is None:
        raise NoSuchEntity(f"The role with name {name} cannot be found.")
    return row


def check_trust_policy(document: str) -> None:
    check_policy(document, "TRUST")
    if policy_size(document) > TRUST_POLICY_QUOTA:
        raise LimitExceeded(f"Cannot exceed quota for ACLSizePerRole: {TRUST_POLICY_QUOTA}")


def insert_role(
    call: Call,
    *,
    name: str,
    path: str,
    trust_policy: str,
    description: str | None,
    max_session_duration: int,
    boundary: str | None = None,
    tags: list[dict[str, str]] | None = None,
    service_linked: bool = False,
) -> Row[Any]:
    """Check name and quota, then store a role; shared by CreateRole and CreateServiceLinkedRole."""
    if roles.get_by_name(call.conn, call.account_id, name) is not None:
        raise EntityAlreadyExists(f"Role with name {name} already exists.")
    if roles.count(call.conn, call.account_id) >= ROLES_QUOTA:
        raise LimitExceeded(f"Cannot exceed quota for RolesPerAccount: {ROLES_QUOTA}")
    role_id = new_unique_id("AROA")
    roles.insert(
        call.conn,
        role_id=role_id,
        account_id=call.account_id,
        name=name,
        path=path,
        created_at=call.now,
        assume_role_policy=trust_policy,
        description=description,
        max_session_duration=max_session_duration,
        permissions_boundary=boundary,
        service_linked=service_linked,
    )
    tag_store.put_tags(call.conn, "role", role_id, tags or [])
    row = roles.get_by_id(call.conn, role_id)
    assert row is not None
    return row


def remove_role(call: Call, row: Row[Any]) -> None:
    """Delete a role and what hangs off it by id (tags); callers check conflicts first."""
    tag_store.drop_all(call.conn, "role", row.role_id)
    roles.delete(call.conn, row.role_id)


@action("iam", "CreateRole")
def create_role(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    new_tags = check_new_tags(p.get("Tags"))
    document = p["AssumeRolePolicyDocument"]
    check_trust_policy(document)
    stored = principal_binding.bind(call.conn, document)
    boundary = p.get("PermissionsBoundary")
    if boundary:
        policy_refs.resolve_boundary(call, boundary)
    row = insert_role(
        call,
        name=p["RoleName"],
        path=p.get("Path") or "/",
        trust_policy=stored,
        description=p.get("Description"),
        max_session_duration=p.get("MaxSessionDuration") or DEFAULT_MAX_SESSION_DURATION,
        boundary=boundary or None,
        tags=new_tags,
    )
    # AWS's CreateRole answers no MaxSessionDuration, even when one is given (the aws CLI's
    # create-role examples); GetRole shows it.
    out = role_shape(row, trust_shown(call, [row]), tags=new_tags, last_used=False)
    del out["MaxSessionDuration"]
    return {"Role": out}


@action("iam", "GetRole")
def get_role(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    row = get_role_row(call, p["RoleName"])
    tags = tag_store.list_tags(call.conn, "role", row.role_id)
    return {"Role": role_shape(row, trust_shown(call, [row]), tags=tags)}


@action("iam", "UpdateRole")
def update_role(call: Call, p: dict[str, Any]) -> None:
    """Description may change on any role; the session duration of a service-linked role is AWS's."""
    row = get_role_row(call, p["RoleName"])
    changes: dict[str, Any] = {}
    if p.get("Description") is not None:
        changes["description"] = p["Description"]
    if p.get("MaxSessionDuration") is not None:
        service_linked_roles.ensure_modifiable_role(row)
        changes["max_session_duration"] = p["MaxSessionDuration"]
    if changes:
        roles.update(call.conn, row.role_id, **changes)
    return None


@action("iam", "UpdateRoleDescription")
def update_role_description(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    row = get_role_row(call, p["RoleName"])
    roles.update(call.conn, row.role_id, description=p["Description"])
    updated = roles.get_by_id(call.conn, row.role_id)
    assert updated is not None
    tags = tag_store.list_tags(call.conn, "role", row.role_id)
    return {"Role": role_shape(updated, trust_shown(call, [updated]), tags=tags)}


@action("iam", "UpdateAssumeRolePolicy")
def update_assume_role_policy(call: Call, p: dict[str, Any]) -> None:
    row = get_role_row(call, p["RoleName"])
    service_linked_roles.ensure_modifiable_role(row)
    check_trust_policy(p["PolicyDocument"])
    roles.update(call.conn, row.role_id, assume_role_policy=principal_binding.bind(call.conn, p["PolicyDocument"]))
    return None


@action("iam", "DeleteRole")
def delete_role(call: Call, p: dict[str, Any]) -> None:
    """AWS makes the caller take a role apart first, in this order, and names what is left."""
    row = get_role_row(call, p["RoleName"])
    service_linked_roles.ensure_modifiable_role(row)
    rid = row.role_id
    s = schema
    checks = [
        (s.instance_profile_roles.c.role_id == rid, "must remove roles from instance profile first."),
        (
            (s.inline_policies.c.principal_type == "role") & (s.inline_policies.c.principal_id == rid),
            "must delete policies first.",
        ),
        (
            (s.policy_attachments.c.principal_type == "role") & (s.policy_attachments.c.principal_id == rid),
            "must detach all policies first.",
        ),
    ]
    refuse_if_attached(call.conn, checks)
    remove_role(call, row)
    return None


@action("iam", "ListRoles")
def list_roles(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    q = roles.list_query(call.account_id, p.get("PathPrefix"))
    rows, page = paginate(call.conn, q, schema.roles.c.name_lower, p)
    shown = trust_shown(call, rows)
    return {"Roles": [role_list_item(r, shown) for r in rows], **page}


tagging.register("Role", "role", lambda call, p: get_role_row(call, p["RoleName"]).role_id)


def _modifiable_role_id(call: Call, p: dict[str, Any]) -> str:
    row = get_role_row(call, p["RoleName"])
    service_linked_roles.ensure_modifiable_role(row)
    return str(row.role_id)


boundaries.register("Role", _modifiable_role_id, roles)
