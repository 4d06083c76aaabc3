"""Customer managed policies, and the read-only view of AWS-managed ones: create, get, delete, list.

Versions live in ``policy_versions``; see ``policy_versions.py`` for their actions. A policy's
document is its default version's. AWS-managed policies (``arn:aws:iam::aws:policy/…``) belong to
no account: every account may read and attach them, none may change them — IAM answers a change
as it answers any action on a resource in another account, with AccessDenied.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

from sqlalchemy import Row, delete, insert, select

from iamd.auth.ids import new_unique_id
from iamd.errors import AccessDenied, ValidationError
from iamd.services.context import Call
from iamd.services.iam import aws_managed, policy_refs, tagging
from iamd.services.iam.attachments import usage_counts
from iamd.services.iam.common import (
    DEFAULT_MAX_ITEMS,
    check_new_tags,
    check_policy,
    decode_marker,
    encode_marker,
    policy_size,
)
from iamd.services.iam.errors import DeleteConflict, EntityAlreadyExists, LimitExceeded
from iamd.services.registry import action
from iamd.store import schema
from iamd.store import tags as tag_store
from iamd.store.repos import managed_policies

POLICIES_QUOTA = 1500
POLICY_SIZE_QUOTA = 6144

pv = schema.policy_versions


def not_found_message(arn: str) -> str:
    return f"Policy {arn} was not found."


def deny_aws_owned(call: Call, action_name: str, arn: str) -> AccessDenied:
    return AccessDenied(
        f"User: {call.caller.arn} is not authorized to perform: iam:{action_name} on resource: policy {arn}"
    )


def local_policy(call: Call, arn: str, action_name: str) -> Row[Any]:
    """The caller's own policy row to change; an AWS-managed ARN is another account's resource."""
    if aws_managed.is_aws_managed(arn):
        policy_refs.resolve(call, arn, message=not_found_message(arn))
        raise deny_aws_owned(call, action_name, arn)
    row: Row[Any] = policy_refs.resolve(call, arn, message=not_found_message(arn))["row"]
    return row


def check_document(document: str) -> None:
    """Customer managed policies: at most 6,144 characters, white space not counted."""
    if policy_size(document) > POLICY_SIZE_QUOTA:
        raise LimitExceeded(f"Cannot exceed quota for PolicySize: {POLICY_SIZE_QUOTA}")
    check_policy(document, "IDENTITY")


def policy_shape(
    policy: Row[Any] | aws_managed.AwsPolicy, counts: tuple[int, int], *, full: bool = True
) -> dict[str, Any]:
    """The ``Policy`` shape. ListPolicies and CreatePolicy (``full=False``) leave out the
    Description, as AWS does; Tags are the caller's to add."""
    if isinstance(policy, aws_managed.AwsPolicy):
        arn, pid, default, created, updated = (
            policy.arn,
            policy.policy_id,
            policy.default_version,
            policy.created,
            policy.updated,
        )
        description = None
    else:
        arn, pid, default, created, updated = (
            policy_refs.local_arn(policy),
            policy.policy_id,
            policy.default_version,
            policy.created_at,
            policy.updated_at,
        )
        description = policy.description
    out: dict[str, Any] = {
        "PolicyName": policy.name,
        "PolicyId": pid,
        "Arn": arn,
        "Path": policy.path,
        "DefaultVersionId": default,
        "AttachmentCount": counts[0],
        "PermissionsBoundaryUsageCount": counts[1],
        "IsAttachable": True,
        "CreateDate": created,
        "UpdateDate": updated,
    }
    if full and description is not None:
        out["Description"] = description
    return out


def counts_of(call: Call, arn: str) -> tuple[int, int]:
    attached, boundaries = usage_counts(call, arn)
    return attached.get(arn, 0), boundaries.get(arn, 0)


@action("iam", "CreatePolicy")
def create_policy(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    name, path, document = p["PolicyName"], p.get("Path") or "/", p["PolicyDocument"]
    new_tags = check_new_tags(p.get("Tags"))
    check_document(document)
    if managed_policies.get_by_name(call.conn, call.account_id, name) is not None:
        raise EntityAlreadyExists(f"A policy called {name} already exists. Duplicate names are not allowed.")
    if managed_policies.count(call.conn, call.account_id) >= POLICIES_QUOTA:
        raise LimitExceeded(f"Cannot exceed quota for PoliciesPerAccount: {POLICIES_QUOTA}")
    policy_id = new_unique_id("ANPA")
    managed_policies.insert(
        call.conn,
        policy_id=policy_id,
        account_id=call.account_id,
        name=name,
        path=path,
        description=p.get("Description"),
        default_version="v1",
        next_version=2,
        created_at=call.now,
        updated_at=call.now,
    )
    call.conn.execute(
        insert(pv).values(
            policy_id=policy_id, version_id="v1", number=1, document=document, created_at=call.now
        )
    )
    tag_store.put_tags(call.conn, "policy", policy_id, new_tags)
    row = managed_policies.get_by_id(call.conn, policy_id)
    assert row is not None
    # AWS does not echo the Description (the aws CLI's create-policy example 2 passes one and
    # shows none): it appears in GetPolicy.
    out = policy_shape(row, (0, 0), full=False)
    if new_tags:
        out["Tags"] = new_tags
    return {"Policy": out}


@action("iam", "GetPolicy")
def get_policy(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    arn = p["PolicyArn"]
    ref = policy_refs.resolve(call, arn, message=not_found_message(arn))
    # GetPolicy always answers Tags, ``[]`` for an untagged policy (AWS-managed ones included).
    if ref["aws"]:
        return {"Policy": {**policy_shape(ref["policy"], counts_of(call, arn)), "Tags": []}}
    row = ref["row"]
    out = policy_shape(row, counts_of(call, arn))
    out["Tags"] = tag_store.list_tags(call.conn, "policy", row.policy_id)
    return {"Policy": out}


@action("iam", "DeletePolicy")
def delete_policy(call: Call, p: dict[str, Any]) -> None:
    """AWS refuses while the policy is in use or has versions besides the default one."""
    arn = p["PolicyArn"]
    row = local_policy(call, arn, "DeletePolicy")
    if any(counts_of(call, arn)):
        raise DeleteConflict("Cannot delete a policy attached to entities.")
    versions = (
        call.conn.execute(select(pv.c.version_id).where(pv.c.policy_id == row.policy_id)).scalars().all()
    )
    if len(versions) > 1:
        raise DeleteConflict(
            "This policy has more than one version. Before you delete a policy, you must delete the "
            "policy's versions. The default version is deleted with the policy."
        )
    call.conn.execute(delete(pv).where(pv.c.policy_id == row.policy_id))
    tag_store.drop_all(call.conn, "policy", row.policy_id)
    managed_policies.delete(call.conn, row.policy_id)
    return None


# --- ListPolicies ---------------------------------------------------------------------------
#
# One order over both sources: the policy name in lower case, then AWS before Local for a local
# policy that shares an AWS-managed policy's name. The key "name\0rank" is unique and sorts as
# that pair, so the marker is one string. Local policies (at most POLICIES_QUOTA) are sorted here
# rather than by the database, whose collation may order names differently from Python.


def _key(name_lower: str, rank: str) -> str:
    return f"{name_lower}\0{rank}"


def _in_use(counts: tuple[int, int], usage: str | None) -> bool:
    if usage == "PermissionsBoundary":
        return counts[1] > 0
    return counts[0] > 0


@action("iam", "ListPolicies")
def list_policies(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    """Scope All|AWS|Local; ``OnlyAttached`` or ``PolicyUsageFilter`` keep only policies in that use.

    ``PolicyUsageFilter`` says which use counts: PermissionsPolicy (attached to a user, group or
    role; the default) or PermissionsBoundary (set as an entity's permissions boundary).
    """
    scope, prefix = p.get("Scope") or "All", p.get("PathPrefix") or "/"
    usage = p.get("PolicyUsageFilter")
    only_used = bool(p.get("OnlyAttached")) or usage is not None
    attached, boundaries = usage_counts(call)

    def counts(arn: str) -> tuple[int, int]:
        return attached.get(arn, 0), boundaries.get(arn, 0)

    entries: list[tuple[str, str, Any]] = []
    if scope in ("All", "AWS"):
        for pol in aws_managed.sorted_by_name():
            if pol.path.startswith(prefix) and (not only_used or _in_use(counts(pol.arn), usage)):
                entries.append((_key(pol.name_lower, "0"), pol.arn, pol))
    if scope in ("All", "Local"):
        for row in call.conn.execute(managed_policies.list_query(call.account_id, prefix)):
            arn = policy_refs.local_arn(row)
            if not only_used or _in_use(counts(arn), usage):
                entries.append((_key(row.name_lower, "1"), arn, row))
    entries.sort(key=lambda e: e[0])
    start = 0
    if p.get("Marker") is not None:
        marker = decode_marker(p["Marker"])
        if "\0" not in marker:
            raise ValidationError("Invalid Marker.")
        start = bisect_right([e[0] for e in entries], marker)
    limit = p.get("MaxItems") or DEFAULT_MAX_ITEMS
    page = entries[start : start + limit]
    out: dict[str, Any] = {"Policies": [policy_shape(obj, counts(arn), full=False) for _, arn, obj in page]}
    if start + limit < len(entries):
        return {**out, "IsTruncated": True, "Marker": encode_marker(page[-1][0])}
    return {**out, "IsTruncated": False}


def _policy_tag_target(call: Call, p: dict[str, Any]) -> str:
    """The id tags hang on. The action is told by the members: TagPolicy has Tags, Untag TagKeys."""
    name = "TagPolicy" if "Tags" in p else "UntagPolicy" if "TagKeys" in p else "ListPolicyTags"
    return str(local_policy(call, p["PolicyArn"], name).policy_id)


tagging.register("Policy", "policy", _policy_tag_target)
