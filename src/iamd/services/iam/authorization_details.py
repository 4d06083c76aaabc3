"""GetAccountAuthorizationDetails: one snapshot of every user, group, role and policy and how they relate.

Auditing tools read the whole account through this call, so a page is assembled with one query
per kind of detail (inline policies, attachments, tags, …) for all the page's entities, never one
per entity. Documents are URL-encoded (RFC 3986) as in every IAM response that carries one.

Lists are filled in the response's order (users, groups, roles, then policies: customer managed,
AWS-managed) from one MaxItems; ``paginate_sections`` keeps the marker. AWS lists an AWS-managed
policy only when the account uses it — attached, or (iamd also counts this, since a boundary's
document is needed to read the snapshot) set as a permissions boundary — not the whole catalogue.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Row, select

from iamd.services.context import Call
from iamd.services.iam import aws_managed, managed_policies, policy_refs, policy_versions
from iamd.services.iam.attachments import (
    GROUP,
    ROLE,
    USER,
    Fetch,
    Principal,
    named_section,
    paginate_sections,
    policy_name,
    usage_counts,
)
from iamd.services.iam.boundaries import boundary_shape
from iamd.services.iam.common import arn
from iamd.services.iam.inline_policies import inline_policies_of
from iamd.services.iam.instance_profiles import profile_shape
from iamd.services.iam.roles import role_shape, trust_shown
from iamd.services.registry import action
from iamd.store import schema
from iamd.store.repos import managed_policies as policy_repo

FILTERS = ("User", "Group", "Role", "LocalManagedPolicy", "AWSManagedPolicy")


def _tags_of(call: Call, resource_type: str, ids: list[str]) -> dict[str, list[dict[str, str]]]:
    t = schema.tags
    out: dict[str, list[dict[str, str]]] = defaultdict(list)
    if ids:
        q = (
            select(t)
            .where(t.c.resource_type == resource_type, t.c.resource_id.in_(ids))
            .order_by(t.c.position)
        )
        for r in call.conn.execute(q):
            out[r.resource_id].append({"Key": r.key, "Value": r.value})
    return out


def _attached(call: Call, kind: Principal, ids: list[str]) -> dict[str, list[dict[str, str]]]:
    pa = schema.policy_attachments
    out: dict[str, list[dict[str, str]]] = defaultdict(list)
    if ids:
        q = select(pa.c.principal_id, pa.c.policy_arn).where(
            pa.c.principal_type == kind.type, pa.c.principal_id.in_(ids)
        )
        for r in call.conn.execute(q.order_by(pa.c.policy_arn)):
            out[r.principal_id].append({"PolicyName": policy_name(r.policy_arn), "PolicyArn": r.policy_arn})
    return out


def _boundary(row: Row[Any]) -> dict[str, Any]:
    if not row.permissions_boundary:
        return {}
    return {"PermissionsBoundary": boundary_shape(row.permissions_boundary)}


def _group_names(call: Call, user_ids: list[str]) -> dict[str, list[str]]:
    m, g = schema.group_members, schema.groups
    out: dict[str, list[str]] = defaultdict(list)
    if user_ids:
        q = (
            select(m.c.user_id, g.c.name)
            .join(g, g.c.group_id == m.c.group_id)
            .where(m.c.user_id.in_(user_ids))
        )
        for r in call.conn.execute(q.order_by(g.c.name_lower)):
            out[r.user_id].append(r.name)
    return out


def _instance_profiles(
    call: Call, roles: list[Row[Any]], shown: Mapping[str, str]
) -> dict[str, list[dict[str, Any]]]:
    ip, ipr = schema.instance_profiles, schema.instance_profile_roles
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_id = {r.role_id: r for r in roles}
    if by_id:
        q = select(ip, ipr.c.role_id).join(ipr, ipr.c.instance_profile_id == ip.c.instance_profile_id)
        for r in call.conn.execute(q.where(ipr.c.role_id.in_(list(by_id))).order_by(ip.c.name_lower)):
            out[r.role_id].append(profile_shape(r, [by_id[r.role_id]], shown))
    return out


# A section yields rows; the detail builders turn a whole page of rows into shapes at once.


def _user_details(call: Call, rows: list[Row[Any]]) -> list[dict[str, Any]]:
    ids = [r.user_id for r in rows]
    inline, groups = inline_policies_of(call, USER, ids), _group_names(call, ids)
    attached, tags = _attached(call, USER, ids), _tags_of(call, "user", ids)
    out = []
    for r in rows:
        d: dict[str, Any] = {
            "Path": r.path,
            "UserName": r.name,
            "UserId": r.user_id,
            "Arn": arn(r.account_id, "user", r.path, r.name),
            "CreateDate": r.created_at,
            "UserPolicyList": inline[r.user_id],
            "GroupList": groups[r.user_id],
            "AttachedManagedPolicies": attached[r.user_id],
            **_boundary(r),
        }
        if tags[r.user_id]:
            d["Tags"] = tags[r.user_id]
        out.append(d)
    return out


def _group_details(call: Call, rows: list[Row[Any]]) -> list[dict[str, Any]]:
    ids = [r.group_id for r in rows]
    inline, attached = inline_policies_of(call, GROUP, ids), _attached(call, GROUP, ids)
    return [
        {
            "Path": r.path,
            "GroupName": r.name,
            "GroupId": r.group_id,
            "Arn": arn(r.account_id, "group", r.path, r.name),
            "CreateDate": r.created_at,
            "GroupPolicyList": inline[r.group_id],
            "AttachedManagedPolicies": attached[r.group_id],
        }
        for r in rows
    ]


def _role_details(call: Call, rows: list[Row[Any]]) -> list[dict[str, Any]]:
    ids = [r.role_id for r in rows]
    inline, attached = inline_policies_of(call, ROLE, ids), _attached(call, ROLE, ids)
    shown = trust_shown(call, rows)
    tags, profiles = _tags_of(call, "role", ids), _instance_profiles(call, rows, shown)
    out = []
    for r in rows:
        d = {
            k: v
            for k, v in role_shape(r, shown, tags=tags[r.role_id]).items()
            if k not in ("Description", "MaxSessionDuration")
        }
        d.update(
            InstanceProfileList=profiles[r.role_id],
            RolePolicyList=inline[r.role_id],
            AttachedManagedPolicies=attached[r.role_id],
        )
        out.append(d)
    return out


def _policy_details(call: Call, rows: list[Any], counts: Any) -> list[dict[str, Any]]:
    local = [r for r in rows if not isinstance(r, aws_managed.AwsPolicy)]
    versions = policy_versions.versions_of(call, [r.policy_id for r in local])
    out = []
    for r in rows:
        if isinstance(r, aws_managed.AwsPolicy):
            a = r.arn
            version_list = [
                policy_versions.version_shape(r.default_version, r.default_version, r.updated, r.document)
            ]
        else:
            a = policy_refs.local_arn(r)
            version_list = [
                policy_versions.version_shape(v.version_id, r.default_version, v.created_at, v.document)
                for v in versions[r.policy_id]
            ]
        d = managed_policies.policy_shape(r, counts(a))
        d["PolicyVersionList"] = version_list
        out.append(d)
    return out


@action("iam", "GetAccountAuthorizationDetails")
def get_account_authorization_details(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    wanted = set(p.get("Filter") or FILTERS)
    attached, boundaries = usage_counts(call)

    def counts(policy_arn: str) -> tuple[int, int]:
        return attached.get(policy_arn, 0), boundaries.get(policy_arn, 0)

    def rows(kind_repo: Any) -> Fetch:
        return named_section(kind_repo, kind_repo.list_query(call.account_id), lambda r: r, call)

    def aws_used(after: str | None, n: int) -> list[tuple[str, Any]]:
        used = [
            (pol.name_lower, pol)
            for pol in aws_managed.sorted_by_name()
            if (after is None or pol.name_lower > after) and any(counts(pol.arn))
        ]
        return used[:n]

    def none(after: str | None, n: int) -> list[tuple[str, Any]]:
        return []

    sections: list[tuple[str, Fetch]] = [
        ("User", rows(USER.repo) if "User" in wanted else none),
        ("Group", rows(GROUP.repo) if "Group" in wanted else none),
        ("Role", rows(ROLE.repo) if "Role" in wanted else none),
        ("LocalManagedPolicy", rows(policy_repo) if "LocalManagedPolicy" in wanted else none),
        ("AWSManagedPolicy", aws_used if "AWSManagedPolicy" in wanted else none),
    ]
    found, meta = paginate_sections(sections, p)
    return {
        "UserDetailList": _user_details(call, found["User"]),
        "GroupDetailList": _group_details(call, found["Group"]),
        "RoleDetailList": _role_details(call, found["Role"]),
        "Policies": _policy_details(call, found["LocalManagedPolicy"] + found["AWSManagedPolicy"], counts),
        **meta,
    }
