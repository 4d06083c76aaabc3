"""AWS's policy evaluation logic over a principal's compiled policy set.

From "Policy evaluation logic" (within one account) and "Cross-account policy evaluation logic":

1. **Deny evaluation**: an applicable ``Deny`` in any policy (SCP, resource-based, identity-based,
   permissions boundary, session) → ``ExplicitDeny``.
2. **SCPs**: at every level of the organization some SCP must allow, else ``ImplicitDeny``.
3. **Root user**: "all requests are implicitly denied with the exception of the AWS account root
   user, which has full access" — within its own account.
4. **Resource-based policies**: same account, an ``Allow`` naming the caller's own ARN (an IAM
   user, a role session, a federated-user session) or ``*`` allows on its own; naming the role
   behind a session (or the user behind a federated session) skips the identity-based check but
   stays limited by a permissions boundary and session policy; naming the account defers to the
   identity-based policies. Role trust policies must allow explicitly, like KMS key policies.
   Cross account, the resource-based policy must allow *and* the caller's account must allow.
5. **Identity-based policies** must allow (unless step 4 says otherwise).
6. **Permissions boundary**, if set, must allow.
7. **Session policies**: for a session principal, if passed they must allow; a federated-user
   session with no session policy is denied; a role session without one continues.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from . import decision as d
from .context import Context
from .decision import Decision, MatchedStatement
from .document import Policy, PolicyType
from .index import PolicyIndex
from .principal import IAM_IDENTITIES, Grant, PrincipalType, RequestPrincipal


@dataclass(frozen=True, slots=True)
class Request:
    """One authorization question. Build ``context`` (a ``Context``) before asking: it carries the
    time, source IP, tags and every other condition key."""

    principal: RequestPrincipal
    action: str
    resource: str = "*"
    context: Context = field(default_factory=Context)
    resource_account: str | None = None


def _index_of(policy: Policy | PolicyIndex) -> PolicyIndex:
    if isinstance(policy, PolicyIndex):
        return policy
    if policy._index is None:
        policy._index = PolicyIndex([policy])
    return policy._index  # type: ignore[no-any-return]


def _allows(index: PolicyIndex, action: str, resource: str, context: Context, p: RequestPrincipal) -> bool:
    for st in index.lookup(action)[1]:
        if st.applies(resource, context, p):
            return True
    return False


class PolicySet:
    """A principal's policies, compiled and indexed once, evaluated many times.

    ``identity``: the identity-based policies (user, its groups, or the role; inline and managed).
    ``boundary``: the permissions boundary, or ``None`` when the entity has none.
    ``scps``: SCPs per level from the organization root down to the account (each level a
    sequence of policies); ``None``/empty when the account is not governed by SCPs.
    ``session``: session policies passed when the session was created, or ``None`` if none.
    """

    __slots__ = ("identity", "boundary", "scps", "session", "_deny_slots")

    def __init__(
        self,
        identity: Iterable[Policy] = (),
        boundary: Policy | Iterable[Policy] | None = None,
        scps: Sequence[Sequence[Policy]] | None = None,
        session: Iterable[Policy] | None = None,
    ) -> None:
        self.identity = PolicyIndex(identity)
        if isinstance(boundary, Policy):
            boundary = [boundary]
        self.boundary = None if boundary is None else PolicyIndex(boundary)
        self.scps = tuple(PolicyIndex(level) for level in (scps or ()))
        self.session = None if session is None else PolicyIndex(session)
        slots: list[tuple[PolicyType, int | None, PolicyIndex]] = [
            (PolicyType.SCP, level, index) for level, index in enumerate(self.scps)
        ]
        if self.boundary is not None:
            slots.append((PolicyType.BOUNDARY, None, self.boundary))
        if self.session is not None:
            slots.append((PolicyType.SESSION, None, self.session))
        slots.append((PolicyType.IDENTITY, None, self.identity))
        self._deny_slots = tuple(slots)

    def evaluate(self, request: Request, resource_policy: Policy | PolicyIndex | None = None) -> Decision:
        """Decide ``request``; ``resource_policy`` is the policy attached to the resource (a
        bucket policy, a role's trust policy for ``sts:AssumeRole``…), if any."""
        action = request.action.lower()
        resource = request.resource
        context = request.context
        p = request.principal
        rp = None if resource_policy is None else _index_of(resource_policy)
        rp_type = PolicyType.RESOURCE
        if rp is not None and rp.policies and rp.policies[0].policy_type is PolicyType.TRUST:
            rp_type = PolicyType.TRUST

        def decide(effect: str, by: PolicyType | None, reason: str) -> Decision:
            return Decision(effect, by, reason, lambda: self._explain(request, rp, rp_type))

        for ptype, _, index in self._deny_slots:
            for st in index.lookup(action)[0]:
                if st.applies(resource, context, p):
                    return decide(d.EXPLICIT_DENY, ptype, d.EXPLICIT_DENY_REASON[ptype])
        grant = Grant.NONE
        if rp is not None:
            denies, allows = rp.lookup(action)
            for st in denies:
                if st.applies(resource, context, p):
                    return decide(d.EXPLICIT_DENY, rp_type, d.EXPLICIT_DENY_REASON[rp_type])
            for st in allows:
                g = st.applies(resource, context, p)
                if g > grant:
                    grant = g
                    if g is Grant.DIRECT:
                        break
        for index in self.scps:
            if not _allows(index, action, resource, context, p):
                return decide(d.IMPLICIT_DENY, PolicyType.SCP, d.NO_SCP_ALLOW)

        kind = p.type
        same_account = request.resource_account is None or request.resource_account == p.account
        trust = rp_type is PolicyType.TRUST
        if trust and not grant:
            return decide(d.IMPLICIT_DENY, rp_type, d.NO_TRUST_ALLOW)
        if kind not in IAM_IDENTITIES:
            if grant:
                return decide(d.ALLOW, rp_type, d.ALLOWED_BY[rp_type])
            return decide(d.IMPLICIT_DENY, rp_type, d.NO_RESOURCE_ALLOW)
        if kind is PrincipalType.ROOT:
            if same_account:
                return decide(d.ALLOW, None, d.ROOT_ALLOW)
            if grant:
                return decide(d.ALLOW, rp_type, d.ALLOWED_BY[rp_type])
            return decide(d.IMPLICIT_DENY, rp_type, d.NO_CROSS_ACCOUNT_ALLOW)
        if same_account:
            if grant is Grant.DIRECT:
                return decide(d.ALLOW, rp_type, d.ALLOWED_BY[rp_type])
        elif not grant:
            return decide(d.IMPLICIT_DENY, rp_type, d.NO_CROSS_ACCOUNT_ALLOW)
        decided_by = PolicyType.IDENTITY
        if same_account and grant is Grant.SOURCE:
            decided_by = rp_type
        elif not _allows(self.identity, action, resource, context, p):
            reason = d.NO_IDENTITY_OR_RESOURCE_ALLOW if rp is not None and same_account else d.NO_IDENTITY_ALLOW
            return decide(d.IMPLICIT_DENY, PolicyType.IDENTITY, reason)
        if self.boundary is not None and not _allows(self.boundary, action, resource, context, p):
            return decide(d.IMPLICIT_DENY, PolicyType.BOUNDARY, d.NO_BOUNDARY_ALLOW)
        if self.session is not None:
            if kind is not PrincipalType.USER and not _allows(self.session, action, resource, context, p):
                return decide(d.IMPLICIT_DENY, PolicyType.SESSION, d.NO_SESSION_ALLOW)
        elif kind is PrincipalType.FEDERATED_USER:
            return decide(d.IMPLICIT_DENY, PolicyType.SESSION, d.NO_SESSION_ALLOW)
        return decide(d.ALLOW, decided_by, d.ALLOWED_BY[decided_by])

    def _explain(
        self, request: Request, rp: PolicyIndex | None, rp_type: PolicyType
    ) -> tuple[tuple[MatchedStatement, ...], tuple[str, ...]]:
        """Every statement that applies, and the context keys that made others fail."""
        action = request.action.lower()
        context = request.context
        slots = list(self._deny_slots)
        if rp is not None:
            slots.append((rp_type, None, rp))
        matched: list[MatchedStatement] = []
        missing: dict[str, None] = {}
        for ptype, level, index in slots:
            denies, allows = index.lookup(action)
            for st in denies + allows:
                if st.applies(request.resource, context, request.principal):
                    s = st.statement
                    matched.append(
                        MatchedStatement(st.policy.policy_id, ptype, s.sid, s.index, s.effect, s.span, level)
                    )
                    continue
                for key in st.needed_keys():
                    if key not in context:
                        missing[key] = None
        return tuple(matched), tuple(missing)


def evaluate(
    policy_set: PolicySet, request: Request, resource_policy: Policy | PolicyIndex | None = None
) -> Decision:
    """Functional spelling of ``PolicySet.evaluate``."""
    return policy_set.evaluate(request, resource_policy)
