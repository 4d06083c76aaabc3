"""SimulatePrincipalPolicy's ``PolicyExclusionList``: "test what the simulation result would be if
a policy were removed, without changing which policies are actually attached".

Each ``PolicyIdentifier`` names policies by type (``inline``, ``aws-managed``, ``user-managed``,
``permission-boundary``; ``scp`` and ``rcp`` match nothing until iamd has Organizations), by
managed policy ARN (the name may hold at most one ``*`` and any ``?``), or by inline policy name
and the entity it is attached to (``*``/``?`` in the entity name). "Syntactically invalid
identifiers … cause the request to fail with an InvalidInput error. Syntactically valid
identifiers that don't match any attached policy are ignored."

Policies arrive labelled as ``authz.policy_sets`` labels them: inline ``KIND/ENTITY/POLICY``,
managed and boundary by ARN.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from iamd.analysis.sim_context import SimulationInputError
from iamd.policy import Policy

TYPES = frozenset({"inline", "aws-managed", "user-managed", "permission-boundary", "scp", "rcp"})
_POLICY_ARN = re.compile(r"arn:aws:iam::(\d{12}|aws):policy/([\x21-\x7e]+)")
_ENTITY_NAME = re.compile(r"[\w+=,.@*?-]{1,128}")

Match = Callable[[str, bool], bool]  # (label, is_boundary) -> excluded?


def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern))


def _is_aws_managed(label: str) -> bool:
    return label.startswith("arn:aws:iam::aws:")


def _matcher(identifier: dict[str, Any]) -> Match:
    given = [k for k in ("PolicyType", "PolicyArn", "InlinePolicyIdentifier") if identifier.get(k) is not None]
    if len(given) != 1:
        raise SimulationInputError("A policy identifier must specify exactly one of PolicyType, PolicyArn or InlinePolicyIdentifier.")
    if given[0] == "PolicyType":
        kind = identifier["PolicyType"]
        if kind not in TYPES:
            raise SimulationInputError(f"Invalid policy identifier: unknown policy type {kind}.")
        return {
            "inline": lambda label, boundary: not boundary and not label.startswith("arn:"),
            "aws-managed": lambda label, boundary: not boundary and _is_aws_managed(label),
            "user-managed": lambda label, boundary: not boundary and label.startswith("arn:") and not _is_aws_managed(label),
            "permission-boundary": lambda label, boundary: boundary,
        }.get(kind, lambda label, boundary: False)
    if given[0] == "PolicyArn":
        arn = identifier["PolicyArn"]
        m = _POLICY_ARN.fullmatch(arn)
        if m is None or m.group(2).count("*") > 1:
            raise SimulationInputError(f"Invalid policy identifier: {arn} is not a valid policy ARN pattern.")
        pattern = _glob(arn)
        return lambda label, boundary: label.startswith("arn:") and pattern.fullmatch(label) is not None
    inline = identifier["InlinePolicyIdentifier"]
    name, attachment, entity = inline.get("PolicyName"), inline.get("AttachmentType"), inline.get("AttachmentName")
    if attachment not in ("user", "group", "role") or not name or not entity or not _ENTITY_NAME.fullmatch(entity):
        raise SimulationInputError("Invalid policy identifier: InlinePolicyIdentifier needs PolicyName, AttachmentType and AttachmentName.")
    entity_pattern = _glob(entity)

    def match(label: str, boundary: bool) -> bool:
        parts = label.split("/", 2)
        return (
            not boundary and len(parts) == 3 and parts[0] == attachment and parts[2] == name
            and entity_pattern.fullmatch(parts[1]) is not None
        )

    return match


def apply(
    identifiers: list[dict[str, Any]], identity: list[Policy], boundary: Policy | None
) -> tuple[list[Policy], Policy | None]:
    """The entity's policies without the excluded ones."""
    if not identifiers:
        return identity, boundary
    matchers = [_matcher(i) for i in identifiers]

    def excluded(label: str, is_boundary: bool) -> bool:
        return any(m(label, is_boundary) for m in matchers)

    kept = [p for p in identity if not excluded(p.policy_id, False)]
    if boundary is not None and excluded(boundary.policy_id, True):
        boundary = None
    return kept, boundary
