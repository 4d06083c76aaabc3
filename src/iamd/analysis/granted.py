"""Which services and actions an entity's policies grant, decided by the engine.

Last-accessed reports list "the services that the entity has permission to access" (IAM User
Guide, "Refining permissions using last accessed information"). The candidates are the catalogue
actions each ``Allow`` statement names (every catalogue action for ``NotAction``), each asked of
``PolicySet.evaluate`` — the authorizer's own call — on each resource the statement names (``*``
for ``NotResource``), so Deny statements and the permissions boundary take part exactly as they
do for real calls. A grant whose conditions the bare request does not carry (a missing context
key, not a Deny) still counts: AWS reports the permission, not a particular request.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from iamd.authz import catalogue
from iamd.policy import Policy, PolicySet, Request, RequestPrincipal
from iamd.policy.decision import EXPLICIT_DENY


def _candidates(policies: Iterable[Policy]) -> dict[str, set[str]]:
    """Action full name → resources to ask about."""
    out: dict[str, set[str]] = {}
    for policy in policies:
        for stmt in policy.statements:
            if stmt.effect != "Allow":
                continue
            resources = ("*",) if stmt.resources is None or stmt.not_resource else stmt.resources
            if stmt.not_action:
                named = {a.full_name.lower() for p in stmt.actions for a in catalogue.actions_matching(p)}
                found = [a for a in catalogue.actions_matching("*") if a.full_name.lower() not in named]
            else:
                found = [a for p in stmt.actions for a in catalogue.actions_matching(p)]
            for info in found:
                out.setdefault(info.full_name, set()).update(resources)
    return out


def granted(identity: Sequence[Policy], boundary: Policy | None, principal: RequestPrincipal,
            only: Iterable[Policy] | None = None) -> dict[str, set[str]]:
    """Service prefix → the actions of it the entity is granted. ``only``: candidates from these
    policies (ListPoliciesGrantingServiceAccess asks of one policy at a time)."""
    policies = PolicySet(identity=list(identity), boundary=boundary)
    out: dict[str, set[str]] = {}
    for name, resources in sorted(_candidates(identity if only is None else only).items()):
        for resource in sorted(resources):
            decision = policies.evaluate(Request(principal, name, resource, resource_account=principal.account))
            if decision.allowed or (decision.effect != EXPLICIT_DENY and decision.missing_context_keys):
                out.setdefault(name.partition(":")[0], set()).add(name)
                break
    return out
