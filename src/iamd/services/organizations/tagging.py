"""TagResource, UntagResource, ListTagsForResource on accounts, OUs, the root and policies, and
the checks every operation taking ``Tags`` shares (CreateAccount, CreateOrganizationalUnit,
InviteAccountToOrganization, CreatePolicy).

AWS Organizations API Reference (TagResource): "Adds one or more tags to the specified resource.
Currently, you can attach tags to the following resources: AWS account, Organization root,
Organizational unit (OU), Policy (any type)". Quotas ("Quotas for AWS Organizations"): 50 tags
per resource (``ConstraintViolationException`` ``MAX_TAG_LIMIT_EXCEEDED``). A key repeated in one
request is ``InvalidInputException`` ``DUPLICATE_TAG_KEY``; keys starting with ``aws:`` are AWS's
(``INVALID_SYSTEM_TAGS_PARAMETER``). Tags of an AWS managed policy cannot change
(``IMMUTABLE_POLICY``). The rows live in the shared ``tags`` table (``store/orgs.py`` types).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, select

from iamd.services.context import Call
from iamd.services.organizations import common
from iamd.services.organizations.errors import (
    ConstraintViolationException,
    InvalidInputException,
    TargetNotFoundException,
)
from iamd.services.organizations.pages import page, with_token
from iamd.services.registry import action
from iamd.store import orgs
from iamd.store import tags as tag_store
from iamd.store.org_schema import org_policies

MAX_TAGS = 50
TARGET_NOT_FOUND = "We can't find a root, OU, account, or policy with the TargetId that you specified."


def check_tags(tags: list[dict[str, str]]) -> None:
    """The request's own rules, before anything is read."""
    keys = [t["Key"].lower() for t in tags]
    if len(set(keys)) != len(keys):
        raise InvalidInputException("DUPLICATE_TAG_KEY", "You can't have duplicate keys in a tag list.")
    if any(k.startswith("aws:") for k in keys):
        raise InvalidInputException(
            "INVALID_SYSTEM_TAGS_PARAMETER", "You can't add or remove tags with the aws: prefix."
        )
    if len(tags) > MAX_TAGS:
        raise ConstraintViolationException("MAX_TAG_LIMIT_EXCEEDED", f"You can attach at most {MAX_TAGS} tags.")


def add_tags(conn: Connection, tag_type: str, resource_id: str, tags: list[dict[str, str]]) -> None:
    check_tags(tags)
    if tag_store.merged_count(conn, tag_type, resource_id, tags) > MAX_TAGS:
        raise ConstraintViolationException(
            "MAX_TAG_LIMIT_EXCEEDED", f"You have exceeded the number of tags allowed on a resource ({MAX_TAGS})."
        )
    tag_store.put_tags(conn, tag_type, resource_id, tags)


def target(conn: Connection, org: Row[Any], resource_id: str, *, changing: bool) -> str:
    """The tag type of a taggable entity of the organization, or TargetNotFoundException."""
    if resource_id.isdigit():
        member = orgs.get_member(conn, resource_id)
        if member is not None and member.org_id == org.org_id:
            return orgs.TAG_ACCOUNT
    elif resource_id.startswith(("r-", "ou-")):
        unit = orgs.get_unit(conn, org.org_id, resource_id)
        if unit is not None:
            return orgs.TAG_ROOT if unit.parent_id is None else orgs.TAG_OU
    elif resource_id.startswith("p-"):
        t = org_policies
        row = conn.execute(
            select(t.c.aws_managed).where(t.c.org_id == org.org_id, t.c.policy_id == resource_id)
        ).first()
        if row is not None:
            if row.aws_managed and changing:
                raise InvalidInputException(
                    "IMMUTABLE_POLICY", "You specified a policy that is managed by AWS and can't be modified."
                )
            return orgs.TAG_POLICY
    elif resource_id.startswith("rp-"):
        from iamd.services.organizations import resource_policy

        if resource_policy.stored_id(conn, org) == resource_id:
            return resource_policy.TAG_TYPE
    raise TargetNotFoundException(TARGET_NOT_FOUND)


@action("organizations", "TagResource")
def tag_resource(call: Call, p: dict[str, Any]) -> None:
    check_tags(p["Tags"])
    org = common.locked_org(call)
    tag_type = target(call.conn, org, p["ResourceId"], changing=True)
    add_tags(call.conn, tag_type, p["ResourceId"], p["Tags"])


@action("organizations", "UntagResource")
def untag_resource(call: Call, p: dict[str, Any]) -> None:
    if any(k.lower().startswith("aws:") for k in p["TagKeys"]):
        raise InvalidInputException("INVALID_SYSTEM_TAGS_PARAMETER", "You can't add or remove tags with the aws: prefix.")
    org = common.locked_org(call)
    tag_type = target(call.conn, org, p["ResourceId"], changing=True)
    tag_store.remove_tags(call.conn, tag_type, p["ResourceId"], p["TagKeys"])


@action("organizations", "ListTagsForResource")
def list_tags_for_resource(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    org = common.managed_org(call, delegated=True)
    tag_type = target(call.conn, org, p["ResourceId"], changing=False)
    tags = tag_store.list_tags(call.conn, tag_type, p["ResourceId"])
    numbered = [(f"{i:04d}", t) for i, t in enumerate(tags)]
    chunk, token = page(call, p, "ListTagsForResource", numbered, lambda n: n[0], query=p["ResourceId"],
                        limit=MAX_TAGS)
    return with_token({"Tags": [t for _, t in chunk]}, token)

