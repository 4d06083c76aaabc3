"""The organization's resource-based delegation policy: PutResourcePolicy, DescribeResourcePolicy,
DeleteResourcePolicy.

Organizations User Guide, "Delegated administrator for AWS Organizations": "From the management
account, create or update a resource-based delegation policy for your organization and add a
statement that specifies which member accounts can perform actions on policies"; "You can only
call this operation from the management account" (Put, Delete), "or a member account that is a
delegated administrator" (Describe). One policy per organization; Put replaces its content and
keeps its id (``rp-`` and 8 characters, the model's ``ResourcePolicyId``). "Calls with tags apply
to the initial creation of the resource policy, otherwise an exception is thrown": a Put with
``Tags`` that would replace is InvalidInputException ``INVALID_LIST_MEMBER``, and changes nothing
(TagResource/UntagResource take the policy's id).

The content is checked as the model's ``InvalidInputException`` reasons name:
``INVALID_RESOURCE_POLICY_JSON`` (not a resource-based policy in IAM's grammar, ``Principal``
required), ``INVALID_PRINCIPAL`` (only AWS account principals: no ``*``, services or federated
principals, and an account must be a 12-digit id or an IAM ARN), ``UNSUPPORTED_ACTION_IN_RESOURCE_POLICY``
(only ``organizations:`` actions, no ``NotAction``), ``UNSUPPORTED_RESOURCE_IN_RESOURCE_POLICY``
(``*`` or this organization's ARNs); the model's 40,000 characters bound it before it is parsed.

The policy is enforced: a member account's principal may call the delegable actions it allows
(``authz/org_delegation.py`` asks the engine, with the caller's identity policies, as for any
cross-account resource-based policy; the action then accepts the caller, ``common.managed_org``).
Put and Delete bump the generation of every account of the organization, so the next request —
on any server of the database — is decided on the new policy.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update

from iamd.policy import PolicySyntaxError, PolicyType, parse_policy
from iamd.services.context import Call
from iamd.services.organizations import common, tagging
from iamd.services.organizations.errors import InvalidInputException, ResourcePolicyNotFoundException
from iamd.services.registry import action
from iamd.store import orgs
from iamd.store import tags as tag_store
from iamd.store.settings_schema import org_resource_policies as t

TAG_TYPE = "org-resource-policy"
TAGS_ON_CREATE = (
    "Tags apply only to the initial creation of the resource policy; tag the existing one with TagResource."
)
NOT_FOUND = "We can't find a resource policy request with the parameter that you specified."
_ACCOUNT_PRINCIPAL = re.compile(r"\d{12}|arn:aws:iam::\d{12}:(root|user/.+|role/.+)")


def stored_id(conn: Connection, org: Row[Any]) -> str | None:
    value = conn.execute(select(t.c.policy_id).where(t.c.org_id == org.org_id)).scalar()
    return None if value is None else str(value)


def _arn(org: Row[Any], policy_id: str) -> str:
    return f"arn:aws:organizations::{org.management_account_id}:resourcepolicy/{org.org_id}/{policy_id}"


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def check_content(org: Row[Any], content: str) -> None:
    try:
        parse_policy(content, PolicyType.RESOURCE)
        document = json.loads(content)
    except (PolicySyntaxError, ValueError):
        raise InvalidInputException(
            "INVALID_RESOURCE_POLICY_JSON", "The provided resource policy is not a valid resource-based policy."
        ) from None
    own = f"arn:aws:organizations::{org.management_account_id}:"
    for statement in _listed(document["Statement"]):
        principal = statement.get("Principal")
        accounts = principal.get("AWS") if isinstance(principal, dict) and set(principal) == {"AWS"} else None
        if accounts is None or not all(isinstance(a, str) and _ACCOUNT_PRINCIPAL.fullmatch(a) for a in _listed(accounts)):
            raise InvalidInputException(
                "INVALID_PRINCIPAL", "A resource policy can name only AWS accounts and their IAM principals."
            )
        actions = _listed(statement.get("Action", []))
        if "NotAction" in statement or not all(str(a).lower().startswith("organizations:") for a in actions):
            raise InvalidInputException(
                "UNSUPPORTED_ACTION_IN_RESOURCE_POLICY", "A resource policy can contain only Organizations actions."
            )
        resources = _listed(statement.get("Resource", []))
        if "NotResource" in statement or not all(r == "*" or str(r).startswith(own) for r in resources):
            raise InvalidInputException(
                "UNSUPPORTED_RESOURCE_IN_RESOURCE_POLICY",
                "A resource policy can name only this organization's resources.",
            )


def _shown(org: Row[Any], policy_id: str, content: str) -> dict[str, Any]:
    return {"ResourcePolicy": {"ResourcePolicySummary": {"Id": policy_id, "Arn": _arn(org, policy_id)},
                               "Content": content}}


@action("organizations", "PutResourcePolicy")
def put_resource_policy(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    tags = p.get("Tags") or []
    tagging.check_tags(tags)
    org = common.locked_org(call)
    content = p["Content"]
    check_content(org, content)
    policy_id = stored_id(call.conn, org)
    if policy_id is None:
        policy_id = "rp-" + common.random_suffix(8)
        call.conn.execute(insert(t).values(org_id=org.org_id, policy_id=policy_id, content=content,
                                           updated_at=call.now))
    elif tags:
        raise InvalidInputException("INVALID_LIST_MEMBER", TAGS_ON_CREATE)
    else:
        call.conn.execute(update(t).where(t.c.org_id == org.org_id).values(content=content, updated_at=call.now))
    if tags:
        tagging.add_tags(call.conn, TAG_TYPE, policy_id, tags)
    orgs.bump_generations(call.conn, org.org_id, org.root_id)
    return _shown(org, policy_id, content)


@action("organizations", "DescribeResourcePolicy")
def describe_resource_policy(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    org = common.managed_org(call, delegated=True)
    row = call.conn.execute(select(t.c.policy_id, t.c.content).where(t.c.org_id == org.org_id)).first()
    if row is None:
        raise ResourcePolicyNotFoundException(NOT_FOUND)
    return _shown(org, row.policy_id, row.content)


@action("organizations", "DeleteResourcePolicy")
def delete_resource_policy(call: Call, p: dict[str, Any]) -> None:
    org = common.locked_org(call)
    policy_id = stored_id(call.conn, org)
    if policy_id is None:
        raise ResourcePolicyNotFoundException(NOT_FOUND)
    call.conn.execute(delete(t).where(t.c.org_id == org.org_id))
    tag_store.drop_all(call.conn, TAG_TYPE, policy_id)
    orgs.bump_generations(call.conn, org.org_id, org.root_id)
    return None
