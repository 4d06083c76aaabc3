"""AttachPolicy, DetachPolicy, ListPoliciesForTarget, ListTargetsForPolicy, and the defaults.

AWS Organizations API Reference and "Quotas for AWS Organizations":

- a policy attaches to the root, an OU or an account of the caller's organization
  (``TargetNotFoundException`` otherwise, another organization's entities included), once
  (``DuplicatePolicyAttachmentException``), and only while its type is enabled on the root
  (``PolicyTypeNotEnabledException``);
- at most 10 SCPs (5 until May 2026) and 5 RCPs per root, OU or account, the AWS managed one
  included
  (``ConstraintViolationException`` ``MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED``); "every entity
  must have at least one SCP attached at all times. You can't remove the last SCP from an entity"
  (``MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED``);
- ``RCPFullAWSAccess`` "cannot be detached" (``InvalidInputException`` ``NON_DETACHABLE_POLICY``);
- "when you enable SCPs, AWS Organizations attaches the FullAWSAccess policy to the root, all OUs
  and accounts" and every OU or account added later gets it too (``attach_defaults``); RCPs
  likewise with ``RCPFullAWSAccess``.

The counts compare under the management account's lock (``common.locked_org``), so two
AttachPolicy racing for the last slot cannot both win. Every attach and detach bumps the policy
generation of each account at or below the target in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row

from iamd.services.context import Call
from iamd.services.organizations import common
from iamd.services.organizations import policy_content as content
from iamd.services.organizations.errors import (
    ConstraintViolationException,
    DuplicatePolicyAttachmentException,
    InvalidInputException,
    PolicyNotAttachedException,
    PolicyTypeNotEnabledException,
    TargetNotFoundException,
)
from iamd.services.organizations.pages import page, with_token
from iamd.services.organizations.policies import find, summary
from iamd.services.registry import action
from iamd.store import org_policies as store
from iamd.store import orgs

TARGET_NOT_FOUND = "We can't find a root, OU, account, or policy with the TargetId that you specified."
DUPLICATE = "The selected policy is already attached to the specified target."
NOT_ATTACHED = "The policy isn't attached to the specified target in the specified root."
TYPE_NOT_ENABLED = "This operation can be performed only for enabled policy types."
NON_DETACHABLE = "You can't detach this AWS Managed Policy."
MAX_ATTACHED = "You attempted to exceed the number of policies of a certain type that can be attached to an entity at one time."
MIN_ATTACHED = (
    "You attempted to detach a policy from an entity that would cause the entity to have fewer than "
    "the minimum number of policies of a certain type required."
)


def target(conn: Connection, org: Row[Any], target_id: str) -> dict[str, str]:
    """A root, OU or account of ``org`` as a PolicyTargetSummary, or TargetNotFoundException."""
    unit = orgs.get_unit(conn, org.org_id, target_id)
    if unit is not None:
        if unit.parent_id is None:
            return {"TargetId": target_id, "Arn": common.root_arn(org, target_id), "Name": unit.name, "Type": "ROOT"}
        return {"TargetId": target_id, "Arn": common.ou_arn(org, target_id), "Name": unit.name,
                "Type": "ORGANIZATIONAL_UNIT"}
    member = orgs.get_member(conn, target_id)
    if member is not None and member.org_id == org.org_id:
        return {"TargetId": target_id, "Arn": common.account_arn(org, target_id), "Name": member.name,
                "Type": "ACCOUNT"}
    raise TargetNotFoundException(TARGET_NOT_FOUND)


def attach_defaults(conn: Connection, org_id: str, target_id: str, now: datetime) -> None:
    """Attach the AWS managed policy of every enabled type to a new OU or account (callers bump
    its generation with the rest of their change)."""
    for policy_type in store.enabled_types(conn, org_id):
        managed = content.MANAGED.get(policy_type)
        if managed is not None and not store.is_attached(conn, org_id, managed.policy_id, target_id):
            store.attach(conn, org_id, managed.policy_id, target_id, now)


@action("organizations", "AttachPolicy")
def attach_policy(call: Call, p: dict[str, Any]) -> None:
    org = common.locked_org(call)
    row = find(call.conn, org, p["PolicyId"])
    if not store.is_enabled(call.conn, org.org_id, row.policy_type):
        raise PolicyTypeNotEnabledException(TYPE_NOT_ENABLED)
    target(call.conn, org, p["TargetId"])
    if store.is_attached(call.conn, org.org_id, row.policy_id, p["TargetId"]):
        raise DuplicatePolicyAttachmentException(DUPLICATE)
    limit = content.MAX_ATTACHED.get(row.policy_type)
    if limit is not None and store.count_attached(call.conn, org.org_id, p["TargetId"], row.policy_type) >= limit:
        raise ConstraintViolationException("MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", MAX_ATTACHED)
    store.attach(call.conn, org.org_id, row.policy_id, p["TargetId"], call.now)
    orgs.bump_generations(call.conn, org.org_id, p["TargetId"])


@action("organizations", "DetachPolicy")
def detach_policy(call: Call, p: dict[str, Any]) -> None:
    org = common.locked_org(call)
    row = find(call.conn, org, p["PolicyId"])
    target(call.conn, org, p["TargetId"])
    managed = content.MANAGED_IDS.get(row.policy_id)
    if managed is not None and not managed.detachable:
        raise InvalidInputException("NON_DETACHABLE_POLICY", NON_DETACHABLE)
    if not store.is_attached(call.conn, org.org_id, row.policy_id, p["TargetId"]):
        raise PolicyNotAttachedException(NOT_ATTACHED)
    minimum = content.MIN_ATTACHED.get(row.policy_type, 0)
    if store.count_attached(call.conn, org.org_id, p["TargetId"], row.policy_type) <= minimum:
        raise ConstraintViolationException("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", MIN_ATTACHED)
    store.detach(call.conn, org.org_id, row.policy_id, p["TargetId"])
    orgs.bump_generations(call.conn, org.org_id, p["TargetId"])


@action("organizations", "ListPoliciesForTarget")
def list_policies_for_target(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    org = common.managed_org(call, delegated=True)
    target(call.conn, org, p["TargetId"])
    rows = store.attached_to(call.conn, org.org_id, p["TargetId"], p["Filter"])
    chunk, token = page(call, p, "ListPoliciesForTarget", rows, lambda r: str(r.policy_id),
                        query=[p["TargetId"], p["Filter"]])
    return with_token({"Policies": [summary(org, r) for r in chunk]}, token)


@action("organizations", "ListTargetsForPolicy")
def list_targets_for_policy(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    org = common.managed_org(call, delegated=True)
    row = find(call.conn, org, p["PolicyId"])
    ids = store.targets_of(call.conn, org.org_id, row.policy_id)
    chunk, token = page(call, p, "ListTargetsForPolicy", ids, lambda t: t, query=row.policy_id)
    return with_token({"Targets": [target(call.conn, org, t) for t in chunk]}, token)
