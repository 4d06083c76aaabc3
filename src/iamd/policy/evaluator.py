"""AWS's policy evaluation logic over a principal's compiled policy set.

From "Policy evaluation logic" (within one account) and "Cross-account policy evaluation logic":

1. **Deny evaluation**: an applicable ``Deny`` in any policy (SCP, RCP, resource-based,
   identity-based, permissions boundary, session) → ``ExplicitDeny``.
2. **RCPs** (the resource account's, when the caller passes them): at every level of the
   resource account's organization some RCP must allow, else ``ImplicitDeny``.
   **SCPs** (the principal's account's): at every level some SCP must allow, else ``ImplicitDeny``.
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
from .compiler import CompiledStatement
from .context import Context
from .decision import Decision, MatchedStatement
from .document import Policy, PolicyType
from .index import PolicyIndex
from .principal import Grant, PrincipalType, RequestPrincipal
from .resource_controls import ResourceControls


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


def _allows(allows: tuple[CompiledStatement, ...], resource: str, context: Context, p: RequestPrincipal) -> bool:
    for st in allows:
        if st.applies(resource, context, p):
            return True
    return False


_ROOT = PrincipalType.ROOT
_USER = PrincipalType.USER
_FEDERATED_USER = PrincipalType.FEDERATED_USER
_ROLE_SESSION = PrincipalType.ROLE_SESSION
_IDENTITY = PolicyType.IDENTITY
_TRUST = PolicyType.TRUST
_RESOURCE = PolicyType.RESOURCE
_SCP = PolicyType.SCP
_RCP = PolicyType.RCP
_RCP_DENY = d.EXPLICIT_DENY_REASON[PolicyType.RCP]
_BOUNDARY = PolicyType.BOUNDARY
_SESSION = PolicyType.SESSION
_NONE = int(Grant.NONE)
_SOURCE = int(Grant.SOURCE)
_DIRECT = int(Grant.DIRECT)
_PLAN_LIMIT = 8192


class _Plan:
    """Everything a decision for one action needs, precomputed from the indexes."""

    __slots__ = ("denies", "scp_allows", "identity_allows", "boundary_allows", "session_allows", "scoped_allows")

    def __init__(self, policy_set: PolicySet, action: str) -> None:
        self.denies = tuple(
            (st, ptype, d.EXPLICIT_DENY_REASON[ptype])
            for ptype, _, index in policy_set._deny_slots
            for st in index.lookup(action)[0]
        )
        self.scp_allows = tuple(index.lookup(action)[1] for index in policy_set.scps)
        self.identity_allows = policy_set.identity.lookup(action)[1]
        boundary, session = policy_set.boundary, policy_set.session
        self.boundary_allows = None if boundary is None else boundary.lookup(action)[1]
        self.session_allows = None if session is None else session.lookup(action)[1]
        self.scoped_allows = tuple(index.lookup(action)[1] for index in policy_set.scoped)


class _WithControls:
    """The resource-side policies of a decision that RCPs took part in, for its explanation."""

    __slots__ = ("resource_policy", "rcps")

    def __init__(self, resource_policy: Policy | PolicyIndex | None, rcps: ResourceControls) -> None:
        self.resource_policy = resource_policy
        self.rcps = rcps


class PolicySet:
    """A principal's policies, compiled and indexed once, evaluated many times.

    ``identity``: the identity-based policies (user, its groups, or the role; inline and managed).
    ``boundary``: the permissions boundary, or ``None`` when the entity has none.
    ``scps``: SCPs per level from the organization root down to the account (each level a
    sequence of policies); ``None``/empty when the account is not governed by SCPs.
    ``session``: session policies passed when the session was created, or ``None`` if none.
    ``scoped``: the scope-down layers GetScopedCredentials added (at most three), each a sequence
    of policies that must allow too: "The resulting session's permissions are the intersection
    of the calling session's existing permissions and this scope down policy".
    """

    __slots__ = ("identity", "boundary", "scps", "session", "scoped", "_deny_slots", "_plans")

    def __init__(
        self,
        identity: Iterable[Policy] = (),
        boundary: Policy | Iterable[Policy] | None = None,
        scps: Sequence[Sequence[Policy]] | None = None,
        session: Iterable[Policy] | None = None,
        scoped: Sequence[Sequence[Policy]] = (),
    ) -> None:
        self.identity = PolicyIndex(identity)
        if isinstance(boundary, Policy):
            boundary = [boundary]
        self.boundary = None if boundary is None else PolicyIndex(boundary)
        self.scps = tuple(PolicyIndex(level) for level in (scps or ()))
        self.session = None if session is None else PolicyIndex(session)
        self.scoped = tuple(PolicyIndex(layer) for layer in scoped)
        slots: list[tuple[PolicyType, int | None, PolicyIndex]] = [
            (PolicyType.SCP, level, index) for level, index in enumerate(self.scps)
        ]
        if self.boundary is not None:
            slots.append((PolicyType.BOUNDARY, None, self.boundary))
        if self.session is not None:
            slots.append((PolicyType.SESSION, None, self.session))
        slots.extend((PolicyType.SESSION, level, index) for level, index in enumerate(self.scoped))
        slots.append((PolicyType.IDENTITY, None, self.identity))
        self._deny_slots = tuple(slots)
        self._plans: dict[str, _Plan] = {}

    def evaluate(
        self,
        request: Request,
        resource_policy: Policy | PolicyIndex | None = None,
        rcps: ResourceControls | None = None,
    ) -> Decision:
        """Decide ``request``; ``resource_policy`` is the policy attached to the resource (a
        bucket policy, a role's trust policy for ``sts:AssumeRole``…), if any; ``rcps`` the
        resource controls of the resource's account, when they apply to this request."""
        action = request.action.lower()
        plan = self._plans.get(action)
        if plan is None:
            if len(self._plans) >= _PLAN_LIMIT:
                self._plans.clear()
            plan = self._plans[action] = _Plan(self, action)
        resource = request.resource
        context = request.context
        p = request.principal
        # What the decision's explanation will ask about: the resource policy, and the RCPs
        # when they take part (so the common path builds its Decision as it always did).
        explained: object = resource_policy
        for st, ptype, reason in plan.denies:
            if st.applies(resource, context, p):
                return Decision(d.EXPLICIT_DENY, ptype, reason, self, request, explained)
        if rcps is not None:
            explained = _WithControls(resource_policy, rcps)
            rcp_denies, rcp_allows = rcps.plan(action)
            for st, _level in rcp_denies:
                if st.applies(resource, context, p):
                    return Decision(d.EXPLICIT_DENY, _RCP, _RCP_DENY, self, request, explained)
        grant = _NONE
        rp_type = _RESOURCE
        if resource_policy is not None:
            rp = _index_of(resource_policy)
            if rp.policies and rp.policies[0].policy_type is _TRUST:
                rp_type = _TRUST
            denies, allows = rp.lookup(action)
            for st in denies:
                if st.applies(resource, context, p):
                    return Decision(
                        d.EXPLICIT_DENY, rp_type, d.EXPLICIT_DENY_REASON[rp_type], self, request, explained
                    )
            for st in allows:
                g = st.applies(resource, context, p)
                if g > grant:
                    grant = g
                    if g == _DIRECT:
                        break
        if rcps is not None:
            for allows in rcp_allows:
                if not _allows(allows, resource, context, p):
                    return Decision(d.IMPLICIT_DENY, _RCP, d.NO_RCP_ALLOW, self, request, explained)
        for allows in plan.scp_allows:
            if not _allows(allows, resource, context, p):
                return Decision(d.IMPLICIT_DENY, _SCP, d.NO_SCP_ALLOW, self, request, explained)

        kind = p.type
        same_account = request.resource_account is None or request.resource_account == p.account
        if not grant and rp_type is _TRUST:
            return Decision(d.IMPLICIT_DENY, rp_type, d.NO_TRUST_ALLOW, self, request, explained)
        if kind is _ROOT:
            if same_account:
                return Decision(d.ALLOW, None, d.ROOT_ALLOW, self, request, explained)
            if grant:
                return Decision(d.ALLOW, rp_type, d.ALLOWED_BY[rp_type], self, request, explained)
            return Decision(d.IMPLICIT_DENY, rp_type, d.NO_CROSS_ACCOUNT_ALLOW, self, request, explained)
        if kind is not _USER and kind is not _ROLE_SESSION and kind is not _FEDERATED_USER:
            if grant:
                return Decision(d.ALLOW, rp_type, d.ALLOWED_BY[rp_type], self, request, explained)
            return Decision(d.IMPLICIT_DENY, rp_type, d.NO_RESOURCE_ALLOW, self, request, explained)
        if same_account:
            if grant == _DIRECT:
                return Decision(d.ALLOW, rp_type, d.ALLOWED_BY[rp_type], self, request, explained)
        elif not grant:
            return Decision(d.IMPLICIT_DENY, rp_type, d.NO_CROSS_ACCOUNT_ALLOW, self, request, explained)
        decided_by = _IDENTITY
        if same_account and grant == _SOURCE:
            decided_by = rp_type
        elif not _allows(plan.identity_allows, resource, context, p):
            reason = (
                d.NO_IDENTITY_OR_RESOURCE_ALLOW if resource_policy is not None and same_account else d.NO_IDENTITY_ALLOW
            )
            return Decision(d.IMPLICIT_DENY, _IDENTITY, reason, self, request, explained)
        boundary_allows = plan.boundary_allows
        if boundary_allows is not None and not _allows(boundary_allows, resource, context, p):
            return Decision(d.IMPLICIT_DENY, _BOUNDARY, d.NO_BOUNDARY_ALLOW, self, request, explained)
        session_allows = plan.session_allows
        if session_allows is not None:
            if kind is not _USER and not _allows(session_allows, resource, context, p):
                return Decision(d.IMPLICIT_DENY, _SESSION, d.NO_SESSION_ALLOW, self, request, explained)
        elif kind is _FEDERATED_USER:
            return Decision(d.IMPLICIT_DENY, _SESSION, d.NO_SESSION_ALLOW, self, request, explained)
        for allows in plan.scoped_allows:
            if not _allows(allows, resource, context, p):
                return Decision(d.IMPLICIT_DENY, _SESSION, d.NO_SESSION_ALLOW, self, request, explained)
        return Decision(d.ALLOW, decided_by, d.ALLOWED_BY[decided_by], self, request, explained)

    def explain(
        self,
        request: Request,
        resource_policy: Policy | PolicyIndex | _WithControls | None = None,
        rcps: ResourceControls | None = None,
    ) -> tuple[tuple[MatchedStatement, ...], tuple[str, ...]]:
        given: Policy | PolicyIndex | None
        if isinstance(resource_policy, _WithControls):
            given, rcps = resource_policy.resource_policy, resource_policy.rcps
        else:
            given = resource_policy
        rp = None if given is None else _index_of(given)
        rp_type = _TRUST if rp is not None and rp.policies and rp.policies[0].policy_type is _TRUST else _RESOURCE
        return self._explain(request, rp, rp_type, rcps)

    def _explain(
        self, request: Request, rp: PolicyIndex | None, rp_type: PolicyType, rcps: ResourceControls | None = None
    ) -> tuple[tuple[MatchedStatement, ...], tuple[str, ...]]:
        """Every statement that applies, and the context keys that made others fail."""
        action = request.action.lower()
        context = request.context
        slots = list(self._deny_slots)
        if rcps is not None:
            slots[:0] = [(_RCP, level, index) for level, index in enumerate(rcps.levels)]
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
    policy_set: PolicySet,
    request: Request,
    resource_policy: Policy | PolicyIndex | None = None,
    rcps: ResourceControls | None = None,
) -> Decision:
    """Functional spelling of ``PolicySet.evaluate``."""
    return policy_set.evaluate(request, resource_policy, rcps)
