"""GetContextKeysForCustomPolicy and GetContextKeysForPrincipalPolicy: the condition keys a set of
documents reads, so a caller knows which ``ContextEntries`` a simulation needs.

"Gets a list of all of the context keys referenced in all the IAM policies that are attached to
the specified IAM entity ... If you specify a user, then the request also includes all of the
policies attached to groups that the user is a member of" (IAM API Reference). The keys are the
engine's (``policy.keys_named``, from the parsed documents): condition keys and the policy
variables of ``Resource``/``NotResource`` and condition values, in document order, spelt as
written, once each. The principal's documents are the ones its own calls are decided on
(``authz.policy_sets``): inline, then attached managed policies of the user, then of each of its
groups; its permissions boundary, which SimulatePrincipalPolicy evaluates too; then the extra
``PolicyInputList``.

Authorization is the authorizer's, before this runs: ``iam:GetContextKeysForPrincipalPolicy`` on
the source entity's ARN (``authz.resources`` derives it from ``PolicySourceArn``), so a
low-privilege user cannot read another user's policy structure, and another account's entity is
AccessDenied (IAM entities have no resource-based policy to grant it);
``iam:GetContextKeysForCustomPolicy`` on ``*``. An entity is looked up in the caller's account
only, so the action is no oracle for other accounts even if authorization were bypassed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from iamd.policy import Policy, PolicySyntaxError, PolicyType, keys_named, parse_policy
from iamd.services.context import Call
from iamd.services.iam.errors import InvalidInput, NoSuchEntity
from iamd.services.registry import action
from iamd.store.repos import groups, roles, users

if TYPE_CHECKING:
    from iamd.authz.policy_sets import PolicySets

_REPOS = {"user": users, "group": groups, "role": roles}
_ENTITY = re.compile(r"arn:aws:iam::(\d{12}):(user|group|role)(/(?:[\x21-\x7e]*/)?)([\w+=,.@-]{1,128})")
# A role session is its role: "a role session is simulated as the role" (its policies are the role's).
_SESSION = re.compile(r"arn:aws:sts::(\d{12}):assumed-role/([\w+=,.@-]{1,64})/[\w+=,.@-]{2,64}")


@action("iam", "GetContextKeysForCustomPolicy")
def get_context_keys_for_custom_policy(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    return {"ContextKeyNames": keys_named(_submitted(p.get("PolicyInputList") or []))}


@action("iam", "GetContextKeysForPrincipalPolicy")
def get_context_keys_for_principal_policy(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    kind, row = _source_entity(call, str(p["PolicySourceArn"]))
    submitted = _submitted(p.get("PolicyInputList") or [])
    identity, boundary = _policy_sets(call).entity_policies(call.conn, kind, row)
    policies = [*identity, *([boundary] if boundary is not None else []), *submitted]
    return {"ContextKeyNames": keys_named(policies)}


def _submitted(documents: Sequence[str]) -> list[Policy]:
    """The request's documents, parsed by the engine's parser; an invalid one is ``InvalidInput``
    (the operations' only error for a document) with AWS's MalformedPolicyDocument sentence
    alone, as the simulator answers it."""
    out: list[Policy] = []
    for i, text in enumerate(documents, 1):
        try:
            out.append(parse_policy(text, PolicyType.IDENTITY, policy_id=f"PolicyInputList.{i}"))
        except PolicySyntaxError as err:
            raise InvalidInput(str(err)) from None
    return out


def _source_entity(call: Call, arn: str) -> tuple[str, Any]:
    """(kind, row) of the user, group or role ``arn`` names, in the caller's account."""
    entity = _ENTITY.fullmatch(arn)
    session = None if entity else _SESSION.fullmatch(arn)
    if entity:
        account, kind, path, name = entity.group(1), entity.group(2), entity.group(3), entity.group(4)
    elif session:
        account, kind, path, name = session.group(1), "role", None, session.group(2)
    else:
        raise InvalidInput(f"Invalid Entity Arn: {arn} does not clearly define entity type and name.")
    row = _REPOS[kind].get_by_name(call.conn, call.account_id, name) if account == call.account_id else None
    if row is None or (path is not None and row.path != path):
        raise NoSuchEntity(f"The {kind} with name {name} cannot be found.")
    return kind, row


def _policy_sets(call: Call) -> PolicySets:
    """The authorizer's own ``PolicySets`` (and its cache of compiled documents)."""
    from iamd.authz.policy_sets import PolicySets  # late: policy_sets imports services.iam

    found = call.runtime.caches.get("policy_sets")
    return found if isinstance(found, PolicySets) else PolicySets()
