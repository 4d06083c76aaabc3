"""Who outside the zone of trust can use a role's trust policy: external-access findings, decided
by the engine.

IAM User Guide, "Findings for external and unused access": Access Analyzer "generates a finding
for each instance of a resource-based policy that grants access to a resource within your zone
of trust to a principal that is not within your zone of trust" — the account for an ACCOUNT
analyzer, the organization for an ORGANIZATION analyzer. For a role the resource-based policy is
its trust policy and the actions are STS's (``sts:AssumeRole``, ``…WithWebIdentity``,
``…WithSAML``, ``sts:TagSession``, ``sts:SetSourceIdentity``, ``sts:SetContext``).

Nothing here pattern-matches a policy to decide access. The candidates are the principals the
policy names (an account, a user or role ARN, a federated provider, ``*``); each is turned into
the caller it stands for — ``*`` into a principal of an account outside any organization and,
when the zone is an account inside an organization, one of another account of that
organization — and each STS action is *asked of the engine* (``PolicySet.evaluate``, the trust
policy as the resource policy and an identity policy allowing everything, as the other
account's administrator would), once with the request carrying the values the policy's own
conditions name (someone who knows the external id) and once without them. The zone keys
(``aws:PrincipalOrgID``, ``aws:PrincipalAccount``…) always carry the candidate's true values, so
a condition that confines access to the zone of trust denies every outsider: no finding. The
conditions of the statements that allowed the winning request are the finding's ``condition``;
``isPublic`` is an allowed ``*`` for a principal of no organization.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from iamd.authz.compiled import ALLOW_ALL, compile_document
from iamd.policy import Context, Policy, PolicySet, PolicyType, PrincipalType, Request, RequestPrincipal

TRUST_ACTIONS = (
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
    "sts:SetContext",
    "sts:SetSourceIdentity",
    "sts:TagSession",
)
# Keys that describe who the caller is: they take the candidate's values, never the policy's.
ZONE_KEYS = frozenset({
    "aws:principalaccount", "aws:principalorgid", "aws:principalorgpaths", "aws:principalarn",
    "aws:principaltype", "aws:userid", "aws:username", "aws:principalisawsservice",
})
# Principals of no real account: an outsider of no organization, and (for an account zone
# inside an organization) another account of that organization.
OUTSIDER_ACCOUNT = "000000000000"
SIBLING_ACCOUNT = "000000000001"

_ANYONE = compile_document(ALLOW_ALL, PolicyType.IDENTITY, "external principal")
_ADMIN = PolicySet(identity=[_ANYONE] if _ANYONE is not None else [])


@dataclass(frozen=True)
class Zone:
    """The zone of trust: one account, or every account of an organization."""

    account_id: str
    org_id: str | None = None
    org_accounts: frozenset[str] = frozenset()
    organization: bool = False

    def contains(self, account: str) -> bool:
        return account in self.org_accounts if self.organization else account == self.account_id


@dataclass(frozen=True)
class Access:
    """One external-access finding: who, which actions, under which conditions."""

    principal: dict[str, str]
    actions: tuple[str, ...]
    condition: dict[str, str]
    is_public: bool


@dataclass(frozen=True)
class _Candidate:
    shown: dict[str, str]
    caller: RequestPrincipal
    org_id: str | None
    public: bool = False


def role_access(
    trust_policy: str, role_arn: str, owner: str, zone: Zone, org_of: Callable[[str], str | None]
) -> list[Access]:
    """The external access a role's trust policy (as shown: ARNs, not unique ids) grants.
    ``org_of(account)`` is the organization an account belongs to, if any."""
    policy = compile_document(trust_policy, PolicyType.TRUST, role_arn)
    if policy is None:
        return []
    found: dict[tuple[str, str], tuple[dict[str, str], list[str], dict[str, str], bool]] = {}
    for candidate in _candidates(policy, zone, org_of):
        for action in TRUST_ACTIONS:
            granted = _granted(policy, candidate, action, role_arn, owner)
            if granted is None:
                continue
            key = (json.dumps(candidate.shown, sort_keys=True), json.dumps(granted, sort_keys=True))
            entry = found.setdefault(key, (candidate.shown, [], granted, candidate.public))
            if action not in entry[1]:
                entry[1].append(action)
    # One principal spelt once: a public outsider and an organization sibling both allowed by
    # ``*`` are one finding, reported as the less confined of the two.
    out: list[Access] = []
    seen: set[str] = set()
    for shown, actions, condition, public in sorted(found.values(), key=lambda e: (not e[3], len(e[2]))):
        ident = json.dumps(shown, sort_keys=True)
        if ident in seen:
            continue
        seen.add(ident)
        out.append(Access(shown, tuple(sorted(actions)), condition, public))
    return out


def _granted(
    policy: Policy, candidate: _Candidate, action: str, role_arn: str, owner: str
) -> dict[str, str] | None:
    """The condition under which the engine allows ``candidate`` the action, or None."""
    free = _free_keys(policy)
    for with_values in (False, True):
        context = _context(candidate, free if with_values else {})
        request = Request(candidate.caller, action, role_arn, context, owner)
        decision = _ADMIN.evaluate(request, resource_policy=policy)
        if decision.allowed:
            return _conditions_of(policy, decision)
    return None


def _conditions_of(policy: Policy, decision: object) -> dict[str, str]:
    indices = {m.index for m in getattr(decision, "matched_statements", ()) if m.effect == "Allow"}
    out: dict[str, str] = {}
    for statement in policy.statements:
        if statement.index in indices:
            for cond in statement.conditions:
                out[cond.key] = ",".join(cond.values)
    return out


def _free_keys(policy: Policy) -> dict[str, tuple[str, ...]]:
    """The condition keys of the Allow statements that say nothing about who the caller is, with
    the values the policy names for them."""
    free: dict[str, tuple[str, ...]] = {}
    for statement in policy.statements:
        if statement.effect != "Allow":
            continue
        for cond in statement.conditions:
            if cond.key.lower() not in ZONE_KEYS:
                free.setdefault(cond.key, cond.values)
    return free


def _context(candidate: _Candidate, free: Mapping[str, tuple[str, ...]]) -> Context:
    ctx = Context()
    for key, values in free.items():
        ctx.set(key, values)
    caller = candidate.caller
    if caller.type in (PrincipalType.ROOT, PrincipalType.USER, PrincipalType.ROLE_SESSION):
        ctx.set("aws:PrincipalAccount", caller.account)
        ctx.set("aws:PrincipalArn", caller.source_arn or caller.arn)
        ctx.set("aws:PrincipalType", caller.type.value)
        if candidate.org_id is not None:
            ctx.set("aws:PrincipalOrgID", candidate.org_id)
    return ctx


def _candidates(policy: Policy, zone: Zone, org_of: Callable[[str], str | None]) -> Iterator[_Candidate]:
    seen: set[tuple[str, str]] = set()
    for statement in policy.statements:
        if statement.effect != "Allow":
            continue
        entries: Mapping[str, tuple[str, ...]] = (
            {"AWS": ("*",)} if statement.not_principal or statement.principal is None else statement.principal.entries
        )
        for kind, values in entries.items():
            for value in values:
                if (kind, value) in seen:
                    continue
                seen.add((kind, value))
                yield from _callers(kind, value, zone, org_of)


def _callers(kind: str, value: str, zone: Zone, org_of: Callable[[str], str | None]) -> Iterator[_Candidate]:
    if kind == "*" or (kind == "AWS" and value == "*"):
        shown = {"AWS": "*"}
        yield _Candidate(shown, _root(OUTSIDER_ACCOUNT), None, public=True)
        if not zone.organization and zone.org_id is not None:
            yield _Candidate(shown, _root(SIBLING_ACCOUNT), zone.org_id)
        return
    if kind == "Federated":
        ptype = PrincipalType.SAML if ":saml-provider/" in value else PrincipalType.WEB_IDENTITY
        yield _Candidate({"Federated": value}, RequestPrincipal(value, "", ptype), None)
        return
    if kind != "AWS":
        return  # Service principals are AWS's own services, inside every zone of trust.
    account = _account_of(value)
    if account is None or zone.contains(account):
        return
    org = org_of(account)
    if value.isdigit() or value.endswith(":root"):
        yield _Candidate({"AWS": value}, _root(account), org)
    elif ":user/" in value:
        yield _Candidate({"AWS": value}, RequestPrincipal(value, account, PrincipalType.USER), org)
    elif ":role/" in value:
        name = value.rsplit("/", 1)[-1]
        session = f"arn:aws:sts::{account}:assumed-role/{name}/access-analyzer"
        yield _Candidate({"AWS": value}, RequestPrincipal(session, account, PrincipalType.ROLE_SESSION,
                                                          source_arn=value), org)
    elif ":assumed-role/" in value or ":federated-user/" in value:
        ptype = PrincipalType.ROLE_SESSION if ":assumed-role/" in value else PrincipalType.FEDERATED_USER
        yield _Candidate({"AWS": value}, RequestPrincipal(value, account, ptype), org)


def _account_of(value: str) -> str | None:
    if value.isdigit() and len(value) == 12:
        return value
    parts = value.split(":")
    if len(parts) >= 6 and parts[0] == "arn" and parts[4].isdigit():
        return parts[4]
    return None


def _root(account: str) -> RequestPrincipal:
    return RequestPrincipal(f"arn:aws:iam::{account}:root", account, PrincipalType.ROOT)
