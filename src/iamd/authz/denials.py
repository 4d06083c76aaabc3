"""AccessDenied messages in AWS's words, and the encoded authorization message behind them.

AWS's enhanced messages ("Troubleshoot access denied error messages" in the IAM User Guide):
``User: ARN is not authorized to perform: ACTION on resource: RESOURCE because no identity-based
policy allows the ACTION action``, or ``… with an explicit deny in a permissions boundary: POLICY``.
Cross-account callers get no reason clause. The encoded message (``aws sts
decode-authorization-message``) carries the full decision; it is sealed with a key derived from the
master key and bound to the account, so only that account can read it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from typing import Any

from iamd.auth.secretbox import SecretBox, SecretBoxError
from iamd.authz.context import RequestContext
from iamd.policy import Context, Decision, MatchedStatement, PolicyType

IMPLICIT = {
    PolicyType.IDENTITY: "no identity-based policy allows",
    PolicyType.RESOURCE: "no resource-based policy allows",
    PolicyType.TRUST: "no role trust policy allows",
    PolicyType.BOUNDARY: "no permissions boundary allows",
    PolicyType.SESSION: "no session policy allows",
    PolicyType.SCP: "no service control policy allows",
    PolicyType.RCP: "no resource control policy allows",
}
EXPLICIT = {
    PolicyType.IDENTITY: "an identity-based policy",
    PolicyType.RESOURCE: "a resource-based policy",
    PolicyType.TRUST: "the role trust policy",
    PolicyType.BOUNDARY: "a permissions boundary",
    PolicyType.SESSION: "a session policy",
    PolicyType.SCP: "a service control policy",
    PolicyType.RCP: "a resource control policy",
}


def sentence(caller_arn: str, action: str, resource: str, decision: Decision | None, cross_account: bool) -> str:
    """The AWS sentence; ``decision`` None means a rule outside policies denied (reason given by caller)."""
    head = f"User: {caller_arn} is not authorized to perform: {action} on resource: {resource}"
    if decision is None or cross_account:
        return head
    kind = decision.decided_by or PolicyType.IDENTITY
    if decision.effect == "ExplicitDeny":
        policy = _denying_policy(decision, kind)
        return f"{head} with an explicit deny in {EXPLICIT[kind]}" + (f": {policy}" if policy else "")
    return f"{head} because {IMPLICIT[kind]} the {action} action"


def _denying_policy(decision: Decision, kind: PolicyType) -> str | None:
    """AWS names the denying policy when it is a managed policy (an ARN)."""
    for st in decision.matched_statements:
        if st.effect == "Deny" and st.policy_type is kind and st.policy_id.startswith("arn:"):
            return st.policy_id
    return None


# What the resource's account owns: its resource-based and trust policies, and the keys read from
# the resource (its tags, its permissions boundary). A cross-account message is sealed for the
# caller's account, so none of it goes in.
OTHER_SIDE_POLICIES = frozenset({PolicyType.RESOURCE, PolicyType.TRUST, PolicyType.RCP})
ORGANIZATION_POLICIES = {PolicyType.SCP: "SERVICE_CONTROL_POLICY", PolicyType.RCP: "RESOURCE_CONTROL_POLICY"}
_RESOURCE_KEY_PREFIXES = ("aws:resourcetag/", "iam:resourcetag/")
OTHER_ACCOUNT_DENIES = "the resource's account does not allow the request"


def details(
    caller: Any,
    action: str,
    resource: str,
    decision: Decision | None,
    context: Context,
    reason: str,
    *,
    cross_account: bool = False,
    resource_keys: frozenset[str] = frozenset(),
    levels: Mapping[PolicyType, Any] | None = None,
) -> dict[str, Any]:
    """The decoded form, shaped like AWS's (allowed, explicitDeny, matchedStatements, context).

    ``cross_account``: leave out what the other account owns: its policies' statements, the
    condition keys they read that the request lacked (a trust policy's ``sts:ExternalId`` or
    ``aws:PrincipalTag/…`` would tell the caller what to forge), which of its policies decided and
    whether that was an explicit deny (a Deny statement that matched is its structure too), and
    the keys in ``resource_keys`` and ``aws:ResourceTag/…``, which describe its resource. A denial
    by the other account then reads the same whatever its policy says, and whether or not the
    resource exists: the message is no oracle for the other account. The caller's own policies
    (identity, boundary, session) are still explained, explicit deny included.

    ``levels``: the organization placements (``authz.organizations.Placement``) the SCPs (the
    caller's account) and RCPs (the resource's account) came from; a matched SCP or RCP
    statement then names the root, OU or account it is attached at, and a denial by one says
    which policy and level denied (``organizationsDecision``)."""
    matched: tuple[MatchedStatement, ...] = ()
    missing: tuple[str, ...] = ()
    reason_shown: str | None = reason
    decided_by = decision.decided_by if decision is not None else None
    explicit = decision is not None and decision.effect == "ExplicitDeny"
    items = sorted(context.items())
    if decision is not None:
        matched, missing = decision.caller_side() if cross_account else (
            decision.matched_statements, decision.missing_context_keys
        )
    if cross_account:
        if decided_by in OTHER_SIDE_POLICIES:
            decided_by, reason_shown, explicit = None, OTHER_ACCOUNT_DENIES, False
        items = [
            (k, v) for k, v in items if k not in resource_keys and not k.startswith(_RESOURCE_KEY_PREFIXES)
        ]
    spellings: dict[str, str] = context.spellings() if isinstance(context, RequestContext) else {}
    levels = levels or {}
    out: dict[str, Any] = {
        "allowed": False,
        "explicitDeny": explicit,
        "reason": reason_shown,
        "decidedBy": decided_by.value if decided_by else None,
        "matchedStatements": {
            "items": [
                {
                    "statementId": st.sid or "",
                    "effect": st.effect.upper(),
                    "policyId": st.policy_id,
                    "policyType": st.policy_type.value,
                    "index": st.index,
                    "position": str(st.span),
                    **_target(levels, st),
                }
                for st in matched
            ]
        },
        "failures": {"items": []},
        "context": {
            "principal": {"id": caller.user_id, "arn": caller.arn, **({"name": caller.user_name} if caller.user_name else {})},
            "action": action,
            "resource": resource,
            "conditions": {
                "items": [
                    {"key": spellings.get(key, key), "values": {"items": [{"value": v} for v in values]}}
                    for key, values in items
                ]
            },
        },
        "missingContextKeys": list(missing),
    }
    if decision is not None and decided_by in ORGANIZATION_POLICIES:
        out["organizationsDecision"] = _organizations_decision(decision, decided_by, matched, levels)
    return out


def _target(levels: Mapping[PolicyType, Any], st: MatchedStatement) -> dict[str, str]:
    placement = levels.get(st.policy_type)
    level = placement.level_of(st.scp_level) if placement is not None else None
    return {} if level is None else {"targetId": level.target_id, "targetType": level.kind}


def _organizations_decision(
    decision: Decision, kind: PolicyType, matched: Sequence[MatchedStatement], levels: Mapping[PolicyType, Any]
) -> dict[str, Any]:
    """Which organization policy and level denied: the denying statement's policy and the level
    it is attached at, or for an implicit deny the first level (root first) where no policy of
    the type allows, with the policies attached there."""
    placement = levels.get(kind)
    mine = [st for st in matched if st.policy_type is kind]
    out: dict[str, Any] = {"policyType": ORGANIZATION_POLICIES[kind], "explicitDeny": decision.effect == "ExplicitDeny"}
    if decision.effect == "ExplicitDeny":
        denying = next((st for st in mine if st.effect == "Deny"), None)
        index = denying.scp_level if denying is not None else None
        if denying is not None:
            out["policyArn"] = denying.policy_id
    else:
        allowed = {st.scp_level for st in mine if st.effect == "Allow"}
        count = len(placement.levels) if placement is not None else 0
        index = next((i for i in range(count) if i not in allowed), None)
    level = placement.level_of(index) if placement is not None else None
    if level is not None:
        out["targetId"], out["targetType"] = level.target_id, level.kind
        if decision.effect != "ExplicitDeny":
            out["policiesAtTarget"] = _policies_at(placement, kind, index)
    return out


def _policies_at(placement: Any, kind: PolicyType, index: int | None) -> list[str]:
    if index is None:
        return []
    if kind is PolicyType.SCP and placement.scps is not None and index < len(placement.scps):
        return [p.policy_id for p in placement.scps[index]]
    if kind is PolicyType.RCP and placement.rcps is not None and index < len(placement.rcps.levels):
        return [p.policy_id for p in placement.rcps.levels[index].policies]
    return []


class MessageSealer:
    """Encodes and decodes authorization messages for one account at a time."""

    def __init__(self, master_key: bytes, previous: Sequence[bytes] = ()) -> None:
        # Messages issued before a master-key rotation still decode while the old key is kept.
        self._box = SecretBox(master_key, purpose="authorization-message", previous=previous)

    def encode(self, account_id: str, payload: dict[str, Any]) -> str:
        blob = self._box.seal(json.dumps(payload, separators=(",", ":")), aad=account_id)
        return base64.urlsafe_b64encode(blob).decode().rstrip("=")

    def decode(self, account_id: str, message: str) -> str | None:
        """The JSON text, or None if the message is not this account's or was altered."""
        try:
            blob = base64.urlsafe_b64decode(message + "=" * (-len(message) % 4))
            return self._box.open(blob, aad=account_id, legacy_aad=account_id)  # messages from before v2
        except (SecretBoxError, ValueError, UnicodeDecodeError):
            return None
