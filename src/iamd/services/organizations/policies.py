"""CreatePolicy, UpdatePolicy, DescribePolicy, DeletePolicy, ListPolicies.

AWS Organizations API Reference: each "can be called only from the organization's management
account" (the reads also "by a member account that is a delegated administrator"). A policy's name
is unique per type in the organization (``DuplicatePolicyException``); an organization holds at
most ``MAX_POLICIES`` of its own policies of a type (10,000 SCPs, 1,000 RCPs) (``ConstraintViolationException``
``POLICY_NUMBER_LIMIT_EXCEEDED``); the AWS managed policies "can't be modified"
(``InvalidInputException`` ``IMMUTABLE_POLICY``); "before you perform this operation
[DeletePolicy], you must first detach the policy from all organizational units (OUs), roots, and
accounts" (``PolicyInUseException``).

Content is validated before the management account's lock is taken (parsing is the slow part and
needs no lock); the count, the name and the write happen under it (``common.locked_org``), so the
quota and the name hold across processes. An UpdatePolicy that changes the content of an attached
policy bumps the generation of every account below each of its targets in the same transaction:
enforcement sees the new document on the next request.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from sqlalchemy import Connection, Row

from iamd.services.context import Call
from iamd.services.organizations import common, tagging
from iamd.services.organizations import policy_content as content
from iamd.services.organizations.errors import (
    ConstraintViolationException,
    DuplicatePolicyException,
    InvalidInputException,
    PolicyInUseException,
    PolicyNotFoundException,
)
from iamd.services.organizations.pages import page, with_token
from iamd.services.registry import action
from iamd.store import org_policies as store
from iamd.store import orgs
from iamd.store import tags as tag_store

_ID_CHARS = string.ascii_lowercase + string.digits
NOT_FOUND = "We can't find a policy with the PolicyId that you specified."
DUPLICATE = "A policy with the specified name and type already exists."
IMMUTABLE = "You specified a policy that is managed by AWS and can't be modified."
IN_USE = (
    "The policy is attached to one or more entities. You must detach it from all roots, OUs, and "
    "accounts before performing this operation."
)
TOO_MANY = "You attempted to exceed the number of policies that you can have in an organization."


def new_policy_id() -> str:
    """AWS's policy ids: ``p-`` and 8 lowercase letters or digits."""
    return "p-" + "".join(secrets.choice(_ID_CHARS) for _ in range(8))


def summary(org: Row[Any], row: Row[Any]) -> dict[str, Any]:
    return {
        "Id": row.policy_id,
        "Arn": common.policy_arn(org, row.policy_type, row.policy_id, row.aws_managed),
        "Name": row.name,
        "Description": row.description,
        "Type": row.policy_type,
        "AwsManaged": bool(row.aws_managed),
    }


def described(org: Row[Any], row: Row[Any]) -> dict[str, Any]:
    return {"Policy": {"PolicySummary": summary(org, row), "Content": row.content}}


def find(conn: Connection, org: Row[Any], policy_id: str) -> Row[Any]:
    """The organization's policy; another organization's id is as unknown as a made-up one."""
    row = store.get(conn, org.org_id, policy_id)
    if row is None:
        raise PolicyNotFoundException(NOT_FOUND)
    return row


@action("organizations", "CreatePolicy")
def create_policy(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    common.managed_org(call)
    policy_type = content.served_type(p["Type"])
    content.check_content(policy_type, p["Content"])
    tags = p.get("Tags") or []
    tagging.check_tags(tags)
    org = common.locked_org(call)
    if store.count_customer(call.conn, org.org_id, policy_type) >= content.MAX_POLICIES[policy_type]:
        raise ConstraintViolationException("POLICY_NUMBER_LIMIT_EXCEEDED", TOO_MANY)
    if store.by_name(call.conn, org.org_id, policy_type, p["Name"]) is not None:
        raise DuplicatePolicyException(DUPLICATE)
    policy_id = new_policy_id()
    store.insert_policy(
        call.conn, org.org_id, policy_id, policy_type, p["Name"], p.get("Description") or "", p["Content"], call.now
    )
    if tags:
        tagging.add_tags(call.conn, orgs.TAG_POLICY, policy_id, tags)
    row = store.get(call.conn, org.org_id, policy_id)
    assert row is not None
    return described(org, row)


@action("organizations", "UpdatePolicy")
def update_policy(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    org = common.managed_org(call)
    row = find(call.conn, org, p["PolicyId"])
    if row.aws_managed:
        raise InvalidInputException("IMMUTABLE_POLICY", IMMUTABLE)
    if p.get("Content") is not None:
        content.check_content(row.policy_type, p["Content"])
    org = common.locked_org(call)
    row = find(call.conn, org, p["PolicyId"])
    changes: dict[str, str] = {}
    name = p.get("Name")
    if name is not None and name != row.name:
        other = store.by_name(call.conn, org.org_id, row.policy_type, name)
        if other is not None and other.policy_id != row.policy_id:
            raise DuplicatePolicyException(DUPLICATE)
        changes["name"] = name
    if p.get("Description") is not None:
        changes["description"] = p["Description"]
    if p.get("Content") is not None and p["Content"] != row.content:
        changes["content"] = p["Content"]
    if changes:
        store.update_policy(call.conn, org.org_id, row.policy_id, changes)
    if "content" in changes:
        for target_id in store.targets_of(call.conn, org.org_id, row.policy_id):
            orgs.bump_generations(call.conn, org.org_id, target_id)
    updated = store.get(call.conn, org.org_id, row.policy_id)
    assert updated is not None
    return described(org, updated)


@action("organizations", "DescribePolicy")
def describe_policy(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    org = common.managed_org(call, delegated=True)
    return described(org, find(call.conn, org, p["PolicyId"]))


@action("organizations", "DeletePolicy")
def delete_policy(call: Call, p: dict[str, Any]) -> None:
    org = common.locked_org(call)
    row = find(call.conn, org, p["PolicyId"])
    if row.aws_managed:
        raise InvalidInputException("IMMUTABLE_POLICY", IMMUTABLE)
    if store.is_in_use(call.conn, org.org_id, row.policy_id):
        raise PolicyInUseException(IN_USE)
    tag_store.drop_all(call.conn, orgs.TAG_POLICY, row.policy_id)
    store.delete_policy(call.conn, org.org_id, row.policy_id)


@action("organizations", "ListPolicies")
def list_policies(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    org = common.managed_org(call, delegated=True)
    rows = store.of_type(call.conn, org.org_id, p["Filter"])
    chunk, token = page(call, p, "ListPolicies", rows, lambda r: str(r.policy_id), query=p["Filter"])
    return with_token({"Policies": [summary(org, r) for r in chunk]}, token)
