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

from collections.abc import Sequence
from typing import Any

from iamd.policy import Policy, PolicySyntaxError, PolicyType, keys_named, parse_policy
from iamd.services.context import Call
from iamd.services.iam.errors import InvalidInput
from iamd.services.iam.policy_sources import policy_sets, source_entity
from iamd.services.registry import action


@action("iam", "GetContextKeysForCustomPolicy")
def get_context_keys_for_custom_policy(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    return {"ContextKeyNames": keys_named(_submitted(p.get("PolicyInputList") or []))}


@action("iam", "GetContextKeysForPrincipalPolicy")
def get_context_keys_for_principal_policy(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    kind, row = source_entity(call, str(p["PolicySourceArn"]))
    submitted = _submitted(p.get("PolicyInputList") or [])
    identity, boundary = policy_sets(call).entity_policies(call.conn, kind, row)
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
