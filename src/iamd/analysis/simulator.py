"""The policy simulator: the engine that authorizes real calls, asked about requests nobody made.

There is one decision path. A simulation builds the same ``policy.PolicySet`` the authorizer
builds for a principal (for SimulatePrincipalPolicy, from ``authz.policy_sets`` itself) and asks
``PolicySet.evaluate`` — the live authorizer's call — for every action × resource pair; the
matched statements and missing context keys are the engine's own explanation of that decision
(``Decision.matched_statements``). Nothing here decides: it only names what the engine said in
AWS's shapes (``EvaluationResult``), so "the simulator said allowed" and "the call was allowed"
cannot disagree.

Results follow AWS's current contract (botocore's model): one ``EvaluationResult`` per action;
with resources, ``ResourceSpecificResults`` carry each resource's decision and the top-level
fields aggregate them (the most restrictive decision, the union of matched statements and missing
keys). ``OrganizationsDecisionDetail`` appears when SCPs take part (SimulateCustomPolicy's
``OrderedOrganizationPolicyInputList``); once iamd has Organizations, SimulatePrincipalPolicy
passes the account's SCP levels in ``Simulation.scps`` and the detail follows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from iamd.analysis import sim_shapes as shapes
from iamd.analysis.sim_context import SimulationInputError
from iamd.policy import (
    ALLOW,
    EXPLICIT_DENY,
    Context,
    Decision,
    Policy,
    PolicySet,
    PolicySyntaxError,
    PolicyType,
    Request,
    RequestPrincipal,
    parse_policy,
)

DECISIONS = {ALLOW: "allowed", EXPLICIT_DENY: "explicitDeny"}
_RANK = {"allowed": 0, "implicitDeny": 1, "explicitDeny": 2}
MAX_PAIRS = 10_000
MAX_WORK = 200_000
_ACCOUNT = re.compile(r"\d{12}")
_VARIABLE = re.compile(r"\$\{([^}]*)\}")


@dataclass(frozen=True)
class Source:
    """A policy of the simulation and how AWS names it in ``MatchedStatements``."""

    policy: Policy
    source_id: str
    source_type: str


@dataclass
class Simulation:
    """Everything a simulation decides on, gathered by the caller (the IAM action or the CLI).

    ``resource_policy``: the submitted text, parsed per action as the role trust policy for
    ``sts:AssumeRole``/``TagSession``/``SetSourceIdentity`` (as the authorizer reads a role's trust
    policy) and as a resource-based policy otherwise. ``resource_owner``: the account of resources
    whose ARN names none (S3); ``None`` is the principal's own account."""

    principal: RequestPrincipal
    identity: list[Source]
    boundary: Source | None = None
    scps: list[list[Source]] | None = None
    resource_policy: str | None = None
    resource_owner: str | None = None
    context: Context = field(default_factory=Context)
    _resource_policies: dict[PolicyType, Policy] = field(default_factory=dict, repr=False)
    _policy_set: PolicySet | None = field(default=None, repr=False)
    # Per simulation, computed once: sources by (policy id, type), the rendered statements, the
    # key spellings per resource-policy kind.
    _sources: dict[tuple[str, str], Source] | None = field(default=None, repr=False)
    _statements: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict, repr=False)
    _spelt: dict[PolicyType | None, dict[str, str]] = field(default_factory=dict, repr=False)

    def sources(self) -> dict[tuple[str, str], Source]:
        if self._sources is None:
            out = {(s.policy.policy_id, s.policy.policy_type.value): s for s in self.identity}
            if self.boundary is not None:
                out[(self.boundary.policy.policy_id, PolicyType.BOUNDARY.value)] = self.boundary
            self._sources = out
        return self._sources

    def policy_set(self) -> PolicySet:
        if self._policy_set is None:
            self._policy_set = PolicySet(
                identity=[s.policy for s in self.identity],
                boundary=None if self.boundary is None else self.boundary.policy,
                scps=None if not self.scps else [[s.policy for s in level] for level in self.scps],
            )
        return self._policy_set

    def resource_policy_for(self, action: str) -> Policy | None:
        if self.resource_policy is None:
            return None
        from iamd.authz.authorizer import TRUST_ACTIONS  # the authorizer's rule; late: no import cycle

        kind = PolicyType.TRUST if action.lower() in TRUST_ACTIONS else PolicyType.RESOURCE
        policy = self._resource_policies.get(kind)
        if policy is None:
            policy = parse_submitted(self.resource_policy, kind, "ResourcePolicy")
            self._resource_policies[kind] = policy
        return policy


def parse_submitted(text: str, kind: PolicyType, source_id: str) -> Policy:
    """A submitted document, parsed by the engine; a syntax error is AWS's ``InvalidInput``."""
    try:
        return parse_policy(text, kind, policy_id=source_id)
    except PolicySyntaxError as err:
        raise SimulationInputError(str(err), where=source_id) from None


def check_size(actions: Sequence[str], resources: Sequence[str], sim: Simulation | None = None) -> None:
    """Hostile input bounds: every pair is one evaluation with its explanation, which may look at
    every statement of the simulation; both the pairs and pairs × statements are capped, so one
    request holds a worker for about a second at most."""
    pairs = len(actions) * max(1, len(resources))
    if pairs > MAX_PAIRS:
        raise SimulationInputError(
            f"The simulation of {len(actions)} actions on {len(resources)} resources exceeds "
            f"{MAX_PAIRS} action and resource pairs."
        )
    if sim is not None:
        statements = statement_count(sim)
        if pairs * statements > MAX_WORK:
            raise SimulationInputError(
                f"The simulation of {pairs} action and resource pairs against {statements} policy statements "
                f"exceeds {MAX_WORK} statement evaluations; simulate fewer actions or resources at a time."
            )


def statement_count(sim: Simulation) -> int:
    policies = [s.policy for s in sim.identity] + ([sim.boundary.policy] if sim.boundary else [])
    policies += [s.policy for level in sim.scps or [] for s in level]
    count = sum(len(p.statements) for p in policies)
    if sim.resource_policy is not None:
        count += len(sim.resource_policy_for("iam:x").statements)  # type: ignore[union-attr]
    return count


def _account_of(arn: str, owner: str | None) -> str | None:
    parts = arn.split(":", 5)
    if len(parts) == 6 and _ACCOUNT.fullmatch(parts[4]):
        return parts[4]
    return owner


def _spellings(sim: Simulation, rp: Policy | None) -> dict[str, str]:
    """Folded key → the spelling the policies use, for ``MissingContextValues``."""
    kind = None if rp is None else rp.policy_type
    cached = sim._spelt.get(kind)
    if cached is not None:
        return cached
    out: dict[str, str] = {}
    sim._spelt[kind] = out
    policies = [s.policy for s in sim.identity] + ([sim.boundary.policy] if sim.boundary else [])
    for policy in policies + ([rp] if rp is not None else []):
        for st in policy.statements:
            for c in st.conditions:
                out.setdefault(c.key.lower(), c.key)
        for name in _VARIABLE.findall(policy.text):
            out.setdefault(name.lower(), name)
    return out


def _statement(sim: Simulation, m: Any, rp: Policy | None) -> dict[str, Any] | None:
    if m.policy_type is PolicyType.SCP:
        return None  # AWS: "This field doesn't include statements from service control policies"
    if m.policy_type in (PolicyType.RESOURCE, PolicyType.TRUST):
        source: Source | None = None if rp is None else Source(rp, "ResourcePolicy", shapes.RESOURCE_POLICY)
    else:
        source = sim.sources().get((m.policy_id, m.policy_type.value))
    if source is None:
        return None
    key = (id(source.policy), m.index)
    rendered = sim._statements.get(key)
    if rendered is None:
        start, end = shapes.statement_positions(source.policy, source.policy.statements[m.index].span)
        rendered = sim._statements[key] = {
            "SourcePolicyId": source.source_id,
            "SourcePolicyType": source.source_type,
            "StartPosition": start,
            "EndPosition": end,
        }
    return dict(rendered)


def _decision(d: Decision) -> str:
    return DECISIONS.get(d.effect, "implicitDeny")


def _type_details(sim: Simulation, request: Request, rp: Policy | None) -> dict[str, str]:
    """Cross-account ``EvalDecisionDetails``: how each side decides on its own, asked of the same
    engine — the caller's account (its identity policies, boundary, SCPs, as if the resource were
    its own) and the resource's account (the resource-based policy alone)."""
    own = Request(request.principal, request.action, request.resource, request.context, None)
    details = {shapes.IAM_POLICY: _decision(sim.policy_set().evaluate(own))}
    if rp is not None:
        alone = Request(request.principal, request.action, request.resource, request.context, request.principal.account)
        details[shapes.RESOURCE_POLICY] = _decision(PolicySet().evaluate(alone, resource_policy=rp))
    return details


def _one(sim: Simulation, action: str, resource: str, spelt: dict[str, str]) -> dict[str, Any]:
    rp = sim.resource_policy_for(action)
    account = _account_of(resource, sim.resource_owner)
    request = Request(sim.principal, action, resource, sim.context, account)
    decision = sim.policy_set().evaluate(request, resource_policy=rp)
    matched = decision.matched_statements
    result: dict[str, Any] = {
        "EvalResourceName": resource,
        "EvalResourceDecision": _decision(decision),
        "MatchedStatements": [],
        "MissingContextValues": [spelt.get(k, k) for k in decision.missing_context_keys],
    }
    denies = result["_denies"] = []
    for m in matched:
        rendered = _statement(sim, m, rp)
        if rendered is not None:
            result["MatchedStatements"].append(rendered)
            if m.effect == "Deny":
                denies.append(rendered)
    cross = account is not None and account != sim.principal.account
    result["EvalDecisionDetails"] = _type_details(sim, request, rp) if cross else {}
    if sim.boundary is not None:
        mine = [m for m in matched if m.policy_type is PolicyType.BOUNDARY]
        allowed = any(m.effect == "Allow" for m in mine) and not any(m.effect == "Deny" for m in mine)
        result["PermissionsBoundaryDecisionDetail"] = {"AllowedByPermissionsBoundary": allowed}
    if sim.scps:
        levels = {m.scp_level for m in matched if m.policy_type is PolicyType.SCP and m.effect == "Allow"}
        denied = any(m.policy_type is PolicyType.SCP and m.effect == "Deny" for m in matched)
        result["OrganizationsDecisionDetail"] = {
            "AllowedByOrganizations": not denied and len(levels) == len(sim.scps)
        }
    return result


def _unique(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def _contributing(per: list[dict[str, Any]], worst: str) -> list[Any]:
    """The top level's statements: "the union of matched statements across all requested
    resources. Only statements that contributed to the reported decision are included" — for an
    explicit deny the Deny statements ("the deny statement is the only entry included"), otherwise
    the statements of the resources that got the reported decision."""
    deciding = [p for p in per if p["EvalResourceDecision"] == worst]
    if worst == "explicitDeny":
        return _unique([s for p in deciding for s in p["_denies"]])
    return _unique([s for p in deciding for s in p["MatchedStatements"]])


def evaluate_action(sim: Simulation, action: str, resources: Sequence[str] | None) -> dict[str, Any]:
    """One ``EvaluationResult``: the action on every resource (``*`` when none is given)."""
    named = list(resources or [])
    spelt = _spellings(sim, sim.resource_policy_for(action))
    per = [_one(sim, action, r, spelt) for r in (named or ["*"])]
    worst = max((p["EvalResourceDecision"] for p in per), key=_RANK.__getitem__)
    result: dict[str, Any] = {
        "EvalActionName": action,
        "EvalResourceName": shapes.resource_template(action, named),
        "EvalDecision": worst,
        "MatchedStatements": _contributing(per, worst),
        "MissingContextValues": _unique([k for p in per for k in p["MissingContextValues"]]),
    }
    if any(r != "*" for r in named):
        # AWS: "present but empty" for a same-account simulation that names resources, and per
        # policy type the most restrictive decision across resources when cross-account.
        details: dict[str, str] = {}
        for p in per:
            for kind, value in p["EvalDecisionDetails"].items():
                if kind not in details or _RANK[value] > _RANK[details[kind]]:
                    details[kind] = value
        result["EvalDecisionDetails"] = details
    if named:
        result["ResourceSpecificResults"] = per
    if sim.boundary is not None:
        result["PermissionsBoundaryDecisionDetail"] = {
            "AllowedByPermissionsBoundary": all(
                p["PermissionsBoundaryDecisionDetail"]["AllowedByPermissionsBoundary"] for p in per
            )
        }
    if sim.scps:
        result["OrganizationsDecisionDetail"] = {
            "AllowedByOrganizations": all(p["OrganizationsDecisionDetail"]["AllowedByOrganizations"] for p in per)
        }
    for p in per:
        del p["_denies"]
        # ResourceSpecificResult has no Organizations member; its EvalDecisionDetails "is
        # returned only for cross-account simulations".
        p.pop("OrganizationsDecisionDetail", None)
        if not p["EvalDecisionDetails"]:
            del p["EvalDecisionDetails"]
    return result


def simulate(sim: Simulation, actions: Sequence[str], resources: Sequence[str] | None) -> list[dict[str, Any]]:
    """Every action's ``EvaluationResult``, in the order asked."""
    check_size(actions, list(resources or []), sim)
    return [evaluate_action(sim, action, resources) for action in actions]
