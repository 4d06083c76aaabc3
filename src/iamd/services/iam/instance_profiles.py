"""Instance profiles: the container that passes one IAM role to an EC2 instance.

AWS allows exactly one role per instance profile (``InstanceSessionsPerInstanceProfile: 1``, not
adjustable); the store's ``instance_profile_roles`` keys on the profile to hold that invariant.
Listing operations leave out tags, as AWS does; GetInstanceProfile includes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Row, delete, insert, select

from iamd.auth.ids import new_unique_id
from iamd.services.context import Call
from iamd.services.iam import principal_binding, tagging
from iamd.services.iam.common import arn, check_new_tags, paginate
from iamd.services.iam.errors import DeleteConflict, EntityAlreadyExists, LimitExceeded, NoSuchEntity
from iamd.services.iam.roles import SUMMARY_COLUMNS, get_role_row, role_summary, trust_shown
from iamd.services.registry import action
from iamd.store import schema
from iamd.store import tags as tag_store
from iamd.store.repos import instance_profiles

INSTANCE_PROFILES_QUOTA = 1000
ROLES_PER_PROFILE = 1

_links = schema.instance_profile_roles


def profile_shape(
    row: Row[Any], roles: list[Any], shown: Mapping[str, str], *, tags: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    """``shown``: ``roles.trust_shown`` of the response's roles."""
    out: dict[str, Any] = {
        "Path": row.path,
        "InstanceProfileName": row.name,
        "InstanceProfileId": row.instance_profile_id,
        "Arn": arn(row.account_id, "instance-profile", row.path, row.name),
        "CreateDate": row.created_at,
        "Roles": [role_summary(r, shown) for r in roles],
    }
    if tags:
        out["Tags"] = tags
    return out


def roles_of(call: Call, profile_id: str) -> list[Row[Any]]:
    q = (
        select(*SUMMARY_COLUMNS)
        .join(_links, schema.roles.c.role_id == _links.c.role_id)
        .where(_links.c.instance_profile_id == profile_id)
    )
    return list(call.conn.execute(q))


# A listing page is one query: each profile outer-joined to its role (at most one, so the page
# stays one row per profile), the role's columns prefixed to keep them apart from the profile's.
_ROLE_LABELS = [(c.name, f"role_{c.name}") for c in SUMMARY_COLUMNS]
_LISTING = (
    select(
        schema.instance_profiles,
        *(c.label(label) for c, (_, label) in zip(SUMMARY_COLUMNS, _ROLE_LABELS, strict=True)),
    )
    .outerjoin(_links, _links.c.instance_profile_id == schema.instance_profiles.c.instance_profile_id)
    .outerjoin(schema.roles, schema.roles.c.role_id == _links.c.role_id)
)


def _listed(row: Row[Any], shown: Mapping[str, str]) -> dict[str, Any]:
    if row.role_role_id is None:
        return profile_shape(row, [], shown)
    role = SimpleNamespace(**{name: getattr(row, label) for name, label in _ROLE_LABELS})
    return profile_shape(row, [role], shown)


def get_profile_row(call: Call, name: str) -> Row[Any]:
    row = instance_profiles.get_by_name(call.conn, call.account_id, name)
    if row is None:
        raise NoSuchEntity(f"Instance Profile {name} cannot be found.")
    return row


@action("iam", "CreateInstanceProfile")
def create_instance_profile(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    name = p["InstanceProfileName"]
    new_tags = check_new_tags(p.get("Tags"))
    if instance_profiles.get_by_name(call.conn, call.account_id, name) is not None:
        raise EntityAlreadyExists(f"Instance Profile {name} already exists.")
    if instance_profiles.count(call.conn, call.account_id) >= INSTANCE_PROFILES_QUOTA:
        raise LimitExceeded(f"Cannot exceed quota for InstanceProfilesPerAccount: {INSTANCE_PROFILES_QUOTA}")
    profile_id = new_unique_id("AIPA")
    instance_profiles.insert(
        call.conn,
        instance_profile_id=profile_id,
        account_id=call.account_id,
        name=name,
        path=p.get("Path") or "/",
        created_at=call.now,
    )
    tag_store.put_tags(call.conn, "instance-profile", profile_id, new_tags)
    row = instance_profiles.get_by_id(call.conn, profile_id)
    assert row is not None
    return {"InstanceProfile": profile_shape(row, [], {}, tags=new_tags)}


@action("iam", "GetInstanceProfile")
def get_instance_profile(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    row = get_profile_row(call, p["InstanceProfileName"])
    linked = roles_of(call, row.instance_profile_id)
    out = profile_shape(row, linked, trust_shown(call, linked))
    # GetInstanceProfile always answers Tags, [] when there are none (never tagged, or every tag
    # removed), as AWS does; the listings leave them out.
    out["Tags"] = tag_store.list_tags(call.conn, "instance-profile", row.instance_profile_id)
    return {"InstanceProfile": out}


@action("iam", "DeleteInstanceProfile")
def delete_instance_profile(call: Call, p: dict[str, Any]) -> None:
    row = get_profile_row(call, p["InstanceProfileName"])
    if roles_of(call, row.instance_profile_id):
        raise DeleteConflict("Cannot delete entity, must remove roles from instance profile first.")
    tag_store.drop_all(call.conn, "instance-profile", row.instance_profile_id)
    instance_profiles.delete(call.conn, row.instance_profile_id)
    return None


@action("iam", "ListInstanceProfiles")
def list_instance_profiles(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    t = schema.instance_profiles
    q = _LISTING.where(t.c.account_id == call.account_id)
    prefix = p.get("PathPrefix")
    if prefix and prefix != "/":
        q = q.where(t.c.path.startswith(prefix, autoescape=True))
    rows, page = paginate(call.conn, q, t.c.name_lower, p)
    shown = principal_binding.shown(call.conn, (r.role_assume_role_policy for r in rows if r.role_role_id))
    return {"InstanceProfiles": [_listed(r, shown) for r in rows], **page}


@action("iam", "ListInstanceProfilesForRole")
def list_instance_profiles_for_role(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    role = get_role_row(call, p["RoleName"])
    t = schema.instance_profiles
    q = (
        select(t)
        .join(_links, _links.c.instance_profile_id == t.c.instance_profile_id)
        .where(_links.c.role_id == role.role_id)
    )
    rows, page = paginate(call.conn, q, t.c.name_lower, p)
    shown = trust_shown(call, [role])
    return {"InstanceProfiles": [profile_shape(r, [role], shown) for r in rows], **page}


@action("iam", "AddRoleToInstanceProfile")
def add_role_to_instance_profile(call: Call, p: dict[str, Any]) -> None:
    """A profile holding any role, the same one included, is full: AWS answers LimitExceeded."""
    profile = get_profile_row(call, p["InstanceProfileName"])
    role = get_role_row(call, p["RoleName"])
    if roles_of(call, profile.instance_profile_id):
        raise LimitExceeded(
            f"Cannot exceed quota for InstanceSessionsPerInstanceProfile: {ROLES_PER_PROFILE}"
        )
    call.conn.execute(
        insert(_links).values(instance_profile_id=profile.instance_profile_id, role_id=role.role_id)
    )
    return None


@action("iam", "RemoveRoleFromInstanceProfile")
def remove_role_from_instance_profile(call: Call, p: dict[str, Any]) -> None:
    profile = get_profile_row(call, p["InstanceProfileName"])
    role = get_role_row(call, p["RoleName"])
    removed = call.conn.execute(
        delete(_links).where(
            _links.c.instance_profile_id == profile.instance_profile_id, _links.c.role_id == role.role_id
        )
    ).rowcount
    if not removed:
        # AWS's wording for a role the profile does not hold (as AWS answers it).
        raise NoSuchEntity(f"Role {role.name} in Instance Profile {profile.name} cannot be found.")
    return None


tagging.register(
    "InstanceProfile",
    "instance-profile",
    lambda call, p: get_profile_row(call, p["InstanceProfileName"]).instance_profile_id,
)
