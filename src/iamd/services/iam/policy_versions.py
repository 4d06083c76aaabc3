"""Versions of a managed policy: create, get, list, set as default, delete.

From "Versioning IAM policies": a customer managed policy keeps up to five versions; the default
version is the one in effect; it cannot be deleted on its own (DeletePolicy deletes it with the
policy). Version ids are ``v1``, ``v2``, … and a deleted id is never given out again, which the
``next_version`` counter on the policy guarantees. An AWS-managed policy shows one version, its
default, and cannot be changed.

UpdateDate follows the API reference: the creation date of the most recent version.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, func, insert, select

from iamd.services.context import Call
from iamd.services.iam import managed_policies, policy_refs
from iamd.services.iam.common import encode_document, paginate_list
from iamd.services.iam.errors import DeleteConflict, LimitExceeded, NoSuchEntity
from iamd.services.registry import action
from iamd.store import schema
from iamd.store.repos import managed_policies as policies

VERSIONS_QUOTA = 5

pv = schema.policy_versions


def version_shape(version_id: str, default: str, created: datetime, document: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "VersionId": version_id,
        "IsDefaultVersion": version_id == default,
        "CreateDate": created,
    }
    if document is not None:
        out["Document"] = encode_document(document)
    return out


def versions_of(call: Call, policy_ids: list[str]) -> dict[str, list[Row[Any]]]:
    """Each policy's versions, newest first (as ListPolicyVersions returns them)."""
    out: dict[str, list[Row[Any]]] = {pid: [] for pid in policy_ids}
    if policy_ids:
        q = select(pv).where(pv.c.policy_id.in_(policy_ids)).order_by(pv.c.policy_id, pv.c.number.desc())
        for r in call.conn.execute(q):
            out[r.policy_id].append(r)
    return out


def _version_row(call: Call, policy: Row[Any], arn: str, version_id: str) -> Row[Any]:
    q = select(pv).where(pv.c.policy_id == policy.policy_id, pv.c.version_id == version_id)
    row = call.conn.execute(q).first()
    if row is None:
        raise NoSuchEntity(f"Policy {arn} version {version_id} does not exist or is not attachable.")
    return row


def _refresh_update_date(call: Call, policy_id: str) -> None:
    latest = call.conn.execute(
        select(func.max(pv.c.created_at)).where(pv.c.policy_id == policy_id)
    ).scalar_one()
    policies.update(call.conn, policy_id, updated_at=latest)


@action("iam", "CreatePolicyVersion")
def create_policy_version(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    arn, document = p["PolicyArn"], p["PolicyDocument"]
    policy = managed_policies.local_policy(call, arn, "CreatePolicyVersion")
    managed_policies.check_document(document)
    count = call.conn.execute(select(func.count()).where(pv.c.policy_id == policy.policy_id)).scalar_one()
    if count >= VERSIONS_QUOTA:
        raise LimitExceeded(
            f"A managed policy can have up to {VERSIONS_QUOTA} versions. "
            "Before you create a new version, you must delete an existing version."
        )
    number = policy.next_version
    version_id = f"v{number}"
    call.conn.execute(
        insert(pv).values(
            policy_id=policy.policy_id,
            version_id=version_id,
            number=number,
            document=document,
            created_at=call.now,
        )
    )
    default = version_id if p.get("SetAsDefault") else policy.default_version
    policies.update(
        call.conn, policy.policy_id, next_version=number + 1, default_version=default, updated_at=call.now
    )
    return {"PolicyVersion": version_shape(version_id, default, call.now, None)}


@action("iam", "GetPolicyVersion")
def get_policy_version(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    arn, version_id = p["PolicyArn"], p["VersionId"]
    ref = policy_refs.resolve(call, arn, message=managed_policies.not_found_message(arn))
    if ref["aws"]:
        aws = ref["policy"]
        if version_id != aws.default_version:
            raise NoSuchEntity(f"Policy {arn} version {version_id} does not exist or is not attachable.")
        return {"PolicyVersion": version_shape(version_id, version_id, aws.updated, aws.document)}
    row = _version_row(call, ref["row"], arn, version_id)
    return {
        "PolicyVersion": version_shape(
            row.version_id, ref["row"].default_version, row.created_at, row.document
        )
    }


@action("iam", "ListPolicyVersions")
def list_policy_versions(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    arn = p["PolicyArn"]
    ref = policy_refs.resolve(call, arn, message=managed_policies.not_found_message(arn))
    if ref["aws"]:
        aws = ref["policy"]
        items = [{"k": "0", "v": version_shape(aws.default_version, aws.default_version, aws.updated, None)}]
    else:
        policy = ref["row"]
        rows = versions_of(call, [policy.policy_id])[policy.policy_id]
        # Newest first; the key grows along that order so the marker can page on it.
        items = [
            {
                "k": f"{10**9 - r.number:010d}",
                "v": version_shape(r.version_id, policy.default_version, r.created_at, None),
            }
            for r in rows
        ]
    page, meta = paginate_list(items, "k", p)
    return {"Versions": [item["v"] for item in page], **meta}


@action("iam", "SetDefaultPolicyVersion")
def set_default_policy_version(call: Call, p: dict[str, Any]) -> None:
    arn = p["PolicyArn"]
    policy = managed_policies.local_policy(call, arn, "SetDefaultPolicyVersion")
    row = _version_row(call, policy, arn, p["VersionId"])
    policies.update(call.conn, policy.policy_id, default_version=row.version_id)
    return None


@action("iam", "DeletePolicyVersion")
def delete_policy_version(call: Call, p: dict[str, Any]) -> None:
    arn = p["PolicyArn"]
    policy = managed_policies.local_policy(call, arn, "DeletePolicyVersion")
    row = _version_row(call, policy, arn, p["VersionId"])
    if row.version_id == policy.default_version:
        raise DeleteConflict("Cannot delete the default version of a policy.")
    call.conn.execute(delete(pv).where(pv.c.policy_id == policy.policy_id, pv.c.version_id == row.version_id))
    _refresh_update_date(call, policy.policy_id)
    return None
