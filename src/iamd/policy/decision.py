"""The outcome of an authorization request and why.

``Decision.effect`` is ``Allow``, ``ExplicitDeny`` or ``ImplicitDeny`` (STYLE: "Keep 'matches?'
apart from 'effect'"). ``reason`` says which policy type decided, in the words of AWS's
AccessDenied messages ("no identity-based policy allows", "explicit deny in a permissions
boundary", …). The fast path stops at the first statement that settles the outcome, so the full
explanation — every matching statement with its policy, Sid, index and source span, and the
context keys the statements needed but the request lacked — is computed only when asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .document import PolicyType, Span

ALLOW = "Allow"
EXPLICIT_DENY = "ExplicitDeny"
IMPLICIT_DENY = "ImplicitDeny"

_TYPE_WORDS = {
    PolicyType.IDENTITY: "an identity-based policy",
    PolicyType.RESOURCE: "a resource-based policy",
    PolicyType.TRUST: "the role trust policy",
    PolicyType.BOUNDARY: "a permissions boundary",
    PolicyType.SCP: "a service control policy",
    PolicyType.RCP: "a resource control policy",
    PolicyType.SESSION: "a session policy",
}
EXPLICIT_DENY_REASON = {t: f"explicit deny in {words}" for t, words in _TYPE_WORDS.items()}
ALLOWED_BY = {t: f"allowed by {words}" for t, words in _TYPE_WORDS.items()}
NO_IDENTITY_ALLOW = "no identity-based policy allows"
NO_IDENTITY_OR_RESOURCE_ALLOW = "no identity-based or resource-based policy allows"
NO_RESOURCE_ALLOW = "no resource-based policy allows"
NO_CROSS_ACCOUNT_ALLOW = "no resource-based policy allows cross-account access"
NO_TRUST_ALLOW = "the role trust policy does not allow"
NO_BOUNDARY_ALLOW = "no permissions boundary allows"
NO_SESSION_ALLOW = "no session policy allows"
NO_SCP_ALLOW = "not allowed by a service control policy"
NO_RCP_ALLOW = "not allowed by a resource control policy"
ROOT_ALLOW = "the root user has full access to its own account"


@dataclass(frozen=True)
class MatchedStatement:
    """A statement that applied to the request (its action, resource, principal and conditions
    all matched). ``scp_level`` numbers the organization levels of an SCP or RCP statement from
    the root (0) down to the account."""

    policy_id: str
    policy_type: PolicyType
    sid: str | None
    index: int
    effect: str
    span: Span
    scp_level: int | None = None

    def __str__(self) -> str:
        sid = f" Sid {self.sid!r}" if self.sid else ""
        return (
            f"{self.effect} {self.policy_type.value} policy {self.policy_id or '(unnamed)'} "
            f"statement {self.index}{sid} at {self.span}"
        )


class Decision:
    """An authorization decision; ``explanation`` renders it for people."""

    __slots__ = ("effect", "decided_by", "reason", "_source", "_request", "_resource_policy", "_rcps", "_details")

    def __init__(
        self,
        effect: str,
        decided_by: PolicyType | None,
        reason: str,
        source: Any = None,
        request: Any = None,
        resource_policy: Any = None,
        rcps: Any = None,
    ) -> None:
        self.effect = effect
        self.decided_by = decided_by
        self.reason = reason
        self._source = source
        self._request = request
        self._resource_policy = resource_policy
        self._rcps = rcps
        self._details: tuple[tuple[MatchedStatement, ...], tuple[str, ...]] | None = None

    @property
    def allowed(self) -> bool:
        return self.effect == ALLOW

    def _detail(self) -> tuple[tuple[MatchedStatement, ...], tuple[str, ...]]:
        if self._details is None:
            if self._source is None:
                self._details = ((), ())
            else:
                self._details = self._source.explain(self._request, self._resource_policy, self._rcps)
        return self._details

    @property
    def matched_statements(self) -> tuple[MatchedStatement, ...]:
        """Every statement that applied, Deny and Allow, in evaluation order."""
        return self._detail()[0]

    @property
    def missing_context_keys(self) -> tuple[str, ...]:
        """Condition keys (lower case) that a statement for this action needed but the request lacked."""
        return self._detail()[1]

    def caller_side(self) -> tuple[tuple[MatchedStatement, ...], tuple[str, ...]]:
        """The matched statements and missing keys of the caller's own policies only (identity,
        boundary, session, SCPs), as if no resource-based policy or RCP took part: what a caller
        of another account may learn, since the resource-based or trust policy and the resource
        account's RCPs are not theirs."""
        if self._source is None or (self._resource_policy is None and self._rcps is None):
            return self._detail()
        own: tuple[tuple[MatchedStatement, ...], tuple[str, ...]] = self._source.explain(self._request, None)
        return own

    @property
    def explanation(self) -> str:
        lines = [f"{self.effect}: {self.reason}"]
        lines += [f"  matched: {m}" for m in self.matched_statements]
        if self.missing_context_keys:
            lines.append("  missing context keys: " + ", ".join(self.missing_context_keys))
        return "\n".join(lines)

    def __repr__(self) -> str:
        decided = self.decided_by.value if self.decided_by else None
        return f"Decision({self.effect!r}, decided_by={decided!r}, reason={self.reason!r})"
