"""The parsed form of a policy document: ``Policy`` → ``Statement`` → elements.

Names follow the IAM JSON policy grammar ("IAM JSON policy element reference"): ``Effect``,
``Principal``/``NotPrincipal``, ``Action``/``NotAction``, ``Resource``/``NotResource``,
``Condition``. Every element is normalised (a single string becomes a one-tuple, a single
statement a one-statement list) so the compiler never looks at JSON again.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import Any


class PolicyType(enum.Enum):
    """Where a document is attached, which decides the rules it must follow and how it counts."""

    IDENTITY = "identity"
    RESOURCE = "resource"
    TRUST = "trust"
    BOUNDARY = "boundary"
    SCP = "scp"
    # Organizations resource control policy: resource-based in form (``Principal`` required),
    # attached to the root, OUs and accounts; limits what may be done to a member account's resources.
    RCP = "rcp"
    SESSION = "session"


# Default maximum sizes (characters, whitespace excluded) from "IAM and AWS STS quotas": managed
# policy 6,144; role trust policy 2,048 (raisable to 4,096); SCP 5,120; session policies 2,048;
# SCP 10,240 since May 2026, RCP 5,120 ("Quotas for AWS Organizations", which counts whitespace
# too: ``services/organizations/policy_content.py``);
# resource policies vary by service (S3 bucket policy 20 KB). Inline policies differ per entity
# (user 2,048, group 5,120, role 10,240), so the caller picks the limit: see ``policy_size``.
SIZE_LIMITS: dict[PolicyType, int] = {
    PolicyType.IDENTITY: 6144,
    PolicyType.RESOURCE: 20480,
    PolicyType.TRUST: 2048,
    PolicyType.BOUNDARY: 6144,
    PolicyType.SCP: 10240,
    PolicyType.RCP: 5120,
    PolicyType.SESSION: 2048,
}

_WHITESPACE = re.compile(r"\s+")


def policy_size(text: str) -> int:
    """The policy's size as AWS counts it against quotas: characters, whitespace excluded."""
    return len(_WHITESPACE.sub("", text))


@dataclass(frozen=True)
class Span:
    """1-based, inclusive start and exclusive end position of a JSON value in the source."""

    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.line}:{self.column}-{self.end_line}:{self.end_column}"


@dataclass(frozen=True)
class Condition:
    """One ``"Operator": {"key": [values]}`` entry."""

    operator: str
    key: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Principal:
    """A ``Principal`` or ``NotPrincipal`` element: principal type (``AWS``, ``Service``,
    ``Federated``, ``CanonicalUser``, or ``*`` for the bare wildcard) → identifiers."""

    entries: dict[str, tuple[str, ...]]

    @property
    def everyone(self) -> bool:
        return "*" in self.entries or "*" in self.entries.get("AWS", ())


@dataclass(frozen=True)
class Statement:
    index: int
    sid: str | None
    effect: str
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[str, ...] | None
    not_resource: bool
    principal: Principal | None
    not_principal: bool
    conditions: tuple[Condition, ...]
    span: Span


@dataclass(eq=False)
class Policy:
    """A validated document. ``policy_id`` is the caller's name for it (ARN, name…), used in
    explanations; ``id`` is the document's own optional ``Id`` element."""

    policy_id: str
    policy_type: PolicyType
    version: str
    id: str | None
    statements: tuple[Statement, ...]
    text: str = field(repr=False)
    _compiled: Any = field(default=None, repr=False, compare=False)
    _index: Any = field(default=None, repr=False, compare=False)
    _keys: Any = field(default=None, repr=False, compare=False)

    @property
    def variables(self) -> bool:
        """Policy variables are substituted only in ``2012-10-17`` documents."""
        return self.version == "2012-10-17"
