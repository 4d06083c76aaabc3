"""Session policies (``Policy``, ``PolicyArns``) and session tags, checked as STS checks them.

AWS limits (``reference_iam-quotas.md``, ``id_session-tags.md``): an inline session policy of at
most 2,048 characters, at most 10 managed policy ARNs, at most 50 tags (keys 128, values 256
characters; the model checks those), and a limit on the *packed* size of policies and tags
together. AWS's packed binary format is not published; iamd approximates it as the
zlib-compressed policies and tags against a budget of 2,048 bytes. ``PackedPolicySize`` reports
the percentage of that budget, as AWS reports the percentage of its own.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from iamd.errors import InvalidParameterValue, ValidationError
from iamd.services.context import Call
from iamd.services.iam import aws_managed
from iamd.services.iam.common import check_policy, policy_size
from iamd.services.sts.errors import PackedPolicyTooLarge
from iamd.store.repos import managed_policies

POLICY_PLAINTEXT_LIMIT = 2048
POLICY_ARNS_LIMIT = 10
PACKED_LIMIT = 2048


@dataclass(frozen=True)
class SessionPolicies:
    policy: str | None
    policy_arns: tuple[str, ...]


def check_session_policies(call: Call, p: dict[str, Any], account_id: str) -> SessionPolicies:
    """Validate ``Policy`` and resolve ``PolicyArns`` in ``account_id`` (the role's, for AssumeRole).

    "The policies must exist in the same account as the role" (AssumeRole's API reference);
    AWS-managed policies exist in every account.
    """
    policy = p.get("Policy")
    if policy is not None:
        if policy_size(policy) > POLICY_PLAINTEXT_LIMIT:
            raise ValidationError(
                "1 validation error detected: Value at 'policy' failed to satisfy constraint: "
                f"Member must have length less than or equal to {POLICY_PLAINTEXT_LIMIT}"
            )
        check_policy(policy, "SESSION")
    arns = tuple(d.get("arn", "") for d in p.get("PolicyArns") or [])
    if len(arns) > POLICY_ARNS_LIMIT:
        raise ValidationError(
            "1 validation error detected: Value at 'policyArns' failed to satisfy constraint: "
            f"Member must have length less than or equal to {POLICY_ARNS_LIMIT}"
        )
    for arn in arns:
        if not _policy_exists(call, arn, account_id):
            raise InvalidParameterValue(f"Policy {arn} does not exist or is not attachable.")
    return SessionPolicies(policy, arns)


def _policy_exists(call: Call, arn: str, account_id: str) -> bool:
    if aws_managed.is_aws_managed(arn):
        return aws_managed.get(arn) is not None
    prefix = f"arn:aws:iam::{account_id}:policy/"
    if not arn.startswith(prefix):
        return False
    row = managed_policies.get_by_name(call.conn, account_id, arn.rsplit("/", 1)[-1])
    return row is not None and f"arn:aws:iam::{row.account_id}:policy{row.path}{row.name}" == arn


def check_session_tags(p: dict[str, Any], inherited: Sequence[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    """The request's ``Tags``: unique keys (case-insensitively) that don't clash with inherited ones.

    Messages are AWS's, as LocalStack records them from AWS in its snapshot tests.
    """
    tags = [(t["Key"], t["Value"]) for t in p.get("Tags") or []]
    keys = {k.lower() for k, _ in tags}
    if len(keys) < len(tags):
        raise InvalidParameterValue(
            "Duplicate tag keys found. Please note that Tag keys are case insensitive."
        )
    if keys & {k.lower() for k, _ in inherited}:
        raise InvalidParameterValue(
            "One of the specified transitive tag keys can't be set because it conflicts with a "
            "transitive tag key from the calling session."
        )
    return tags


def check_transitive_keys(p: dict[str, Any], tags: Sequence[tuple[str, str]]) -> list[str]:
    """``TransitiveTagKeys`` name tags of this request; returned spelt as the tags spell them."""
    spelling = {k.lower(): k for k, _ in tags}
    out: list[str] = []
    for key in p.get("TransitiveTagKeys") or []:
        if key.lower() not in spelling:
            raise InvalidParameterValue(
                "The specified transitive tag key must be included in the requested tags."
            )
        if spelling[key.lower()] not in out:
            out.append(spelling[key.lower()])
    return out


def _packed(parts: Sequence[str]) -> int:
    if not parts:
        return 0
    return len(zlib.compress("\n".join(parts).encode("utf-8"), 9))


def packed_policy_size(policies: SessionPolicies, tags: Sequence[tuple[str, str]]) -> int | None:
    """The percentage of the packed budget used, or None when nothing was passed (AWS omits it).

    Raises ``PackedPolicyTooLarge`` past 100%, naming the tags when they alone overflow.
    """
    policy_parts = ["".join(policies.policy.split())] if policies.policy else []
    policy_parts += policies.policy_arns
    tag_parts = [f"{k}={v}" for k, v in tags]
    if not policy_parts and not tag_parts:
        return None
    tag_bytes = _packed(tag_parts)
    percent = math.ceil(100 * (_packed(policy_parts) + tag_bytes) / PACKED_LIMIT)
    if percent > 100:
        if tag_bytes > PACKED_LIMIT:
            tag_percent = math.ceil(100 * tag_bytes / PACKED_LIMIT)
            raise PackedPolicyTooLarge(
                f"Packed size of session tags consumes {tag_percent}% of allotted space."
            )
        raise PackedPolicyTooLarge(
            f"Packed policy consumes {percent}% of allotted space, please use smaller policy."
        )
    return percent
