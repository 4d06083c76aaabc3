"""How AWS's simulator names what it reports: statement positions, policy sources, resource names.

**Positions.** AWS reports a matched statement by ``StartPosition``/``EndPosition`` (1-based line
and column) in the submitted text, as a streaming JSON parser sees it: the end is just after the
statement's closing brace; the start is where the parser stood when the statement began — just
after the ``[`` for the first statement of an array, just after the previous statement's ``}``
for the next ones (the comma is read with the next token), and just after the ``{`` when
``Statement`` is a single object (the parser reads the brace with the member name). Each rule is
pinned by an AWS response: the CLI reference's ``simulate-custom-policy`` example (single object:
column 38 for a brace at 37, end 167), and recorded responses for arrays (first statement: the
column after ``[``; second: the column after the first one's ``}``).

**Sources.** ``SourcePolicyType`` is what AWS sends, not the model's enum: ``IAM Policy`` for
identity-based policies, ``Resource Policy``, ``Permissions Boundary Policy``. ``SourcePolicyId``
is ``PolicyInputList.N`` / ``PermissionsBoundaryPolicyInputList.1`` / ``ResourcePolicy`` for
submitted documents, the policy's name for a managed policy, and ``user_NAME_POLICY`` (``group_``,
``role_``) for an inline policy.

**Resource names.** The top-level ``EvalResourceName`` is the ARN template of the simulated
resource type (from the action catalogue), or ``*`` when the action has none or no resource was
given; each resource's own name is in ``ResourceSpecificResults``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from iamd.authz import catalogue
from iamd.policy import Policy, Span

IAM_POLICY = "IAM Policy"
RESOURCE_POLICY = "Resource Policy"
BOUNDARY_POLICY = "Permissions Boundary Policy"
SCP_POLICY = "Service Control Policy"


@lru_cache(maxsize=256)
def _line_starts(text: str) -> list[int]:
    starts, i = [0], text.find("\n")
    while i >= 0:
        starts.append(i + 1)
        i = text.find("\n", i + 1)
    return starts


def _position(starts: list[int], offset: int) -> dict[str, int]:
    line = bisect_right(starts, offset)
    return {"Line": line, "Column": offset - starts[line - 1] + 1}


def statement_positions(policy: Policy, span: Span) -> tuple[dict[str, int], dict[str, int]]:
    """``StartPosition`` and ``EndPosition`` of the statement at ``span`` in ``policy.text``."""
    text = policy.text
    starts = _line_starts(text)
    begin = starts[span.line - 1] + span.column - 1
    end = starts[span.end_line - 1] + span.end_column - 1
    i = begin - 1
    while i >= 0 and text[i].isspace():
        i -= 1
    if i >= 0 and text[i] == ",":
        i -= 1
        while i >= 0 and text[i].isspace():
            i -= 1
        start = i + 1
    elif i >= 0 and text[i] == "[":
        start = i + 1
    else:
        start = begin + 1
    return _position(starts, start), _position(starts, end)


def inline_source_id(label: str) -> str:
    """``user/alice/ReadOnly`` (the policy set's label) → AWS's ``user_alice_ReadOnly``."""
    return label.replace("/", "_")


def managed_source_id(arn: str) -> str:
    """A managed policy is named by its name: ``arn:aws:iam::aws:policy/ReadOnlyAccess`` → ``ReadOnlyAccess``."""
    return arn.rsplit("/", 1)[-1]


@lru_cache(maxsize=4096)
def _template_pattern(template: str) -> tuple[re.Pattern[str], int]:
    parts = re.split(r"(\$\{[^}]*\})", template)
    holes = [i for i, part in enumerate(parts) if part.startswith("${")]
    out, literal = [], 0
    for i, part in enumerate(parts):
        if part == "${Partition}":
            out.append("aws")
        elif part.startswith("${"):
            out.append(".+" if i == holes[-1] else "[^:/]+")
        else:
            out.append(re.escape(part))
            literal += len(part)
    return re.compile("".join(out), re.IGNORECASE), literal


def resource_template(action: str, resources: list[str]) -> str:
    """The ARN template of the action's resource type that the first resource is of; ``*`` when
    the action has no resource type or the simulation names no resource."""
    info = catalogue.action(action)
    if info is None or not info.resource_types or not resources or resources == ["*"]:
        return "*"
    best, best_literal = None, -1
    for ref in info.resource_types:
        pattern, literal = _template_pattern(ref.arn_template)
        if pattern.fullmatch(resources[0]) and literal > best_literal:
            best, best_literal = ref.arn_template, literal
    if best is None:
        required = info.required_resource_types or info.resource_types
        return required[0].arn_template
    return best
