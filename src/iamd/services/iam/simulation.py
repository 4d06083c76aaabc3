"""SimulatePrincipalPolicy and SimulateCustomPolicy: the IAM actions in front of ``analysis.simulator``.

Authorization is the authorizer's, before this runs, as for every call: ``iam:SimulatePrincipalPolicy``
on the source entity's ARN (``authz.resources`` derives it from ``PolicySourceArn``; "to give a
user named Bob permission to simulate a policy that is assigned to a user named Alice, give Bob
access to ``arn:aws:iam::777788889999:user/alice``"), ``iam:SimulateCustomPolicy`` on ``*``.

This module reads the request: the source entity (only in the caller's account — another
account's ARN is answered like a missing entity, so the simulator is no oracle for other
accounts), its policies gathered by ``authz.policy_sets`` exactly as for its own calls, the
submitted documents, and AWS's rules on the members (a resource-based policy needs an IAM user
as the caller; one permissions boundary; ``ResourceHandlingOption`` scenarios and the resources
they require). Everything refused is ``InvalidInput`` with AWS's sentence where AWS's is known.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from iamd.analysis import sim_shapes as shapes
from iamd.analysis.sim_context import SimulationInputError, build_context
from iamd.analysis.sim_inputs import (
    caller_principal,
    check_actions,
    check_resource_handling,
    check_resources,
    resource_owner,
    unnamed_caller,
)
from iamd.analysis.simulator import Simulation, Source, check_size, evaluate_action, parse_submitted
from iamd.authz.organizations import is_service_linked, scps_for
from iamd.errors import AwsError
from iamd.policy import Policy, PolicyType
from iamd.services.context import Call
from iamd.services.iam import sim_exclusions
from iamd.services.iam.common import DEFAULT_MAX_ITEMS, decode_marker, encode_marker
from iamd.services.iam.errors import InvalidInput, PolicyEvaluation
from iamd.services.iam.policy_sources import policy_sets, source_entity
from iamd.services.registry import action
from iamd.store import policy_docs
from iamd.store.errors import Busy

log = logging.getLogger("iamd.simulator")
INVALID_CALLER = "Invalid caller - Caller must be an IAM user in this context."


def _identity_sources(policies: list[Policy]) -> list[Source]:
    out = []
    for policy in policies:
        label = policy.policy_id
        source_id = shapes.managed_source_id(label) if label.startswith("arn:") else shapes.inline_source_id(label)
        out.append(Source(policy, source_id, shapes.IAM_POLICY))
    return out


def _submitted(p: dict[str, Any]) -> tuple[list[Source], Source | None]:
    identity = [
        Source(parse_submitted(text, PolicyType.IDENTITY, f"PolicyInputList.{i}"), f"PolicyInputList.{i}", shapes.IAM_POLICY)
        for i, text in enumerate(p.get("PolicyInputList") or [], 1)
    ]
    boundaries = p.get("PermissionsBoundaryPolicyInputList") or []
    if len(boundaries) > 1:
        # "You can input only one permissions boundary when you pass a policy to this operation."
        raise SimulationInputError("The list of permissions boundary policies cannot exceed 1 items.")
    boundary = None
    if boundaries:
        source_id = "PermissionsBoundaryPolicyInputList.1"
        boundary = Source(parse_submitted(boundaries[0], PolicyType.BOUNDARY, source_id), source_id, shapes.BOUNDARY_POLICY)
    return identity, boundary


def _page(sim: Simulation, p: dict[str, Any]) -> dict[str, Any]:
    actions = list(p["ActionNames"])
    resources = list(p.get("ResourceArns") or [])
    check_actions(actions)
    check_resources(resources)
    check_resource_handling(p.get("ResourceHandlingOption"), resources)
    check_size(actions, resources, sim)
    start = 0
    if p.get("Marker") is not None:
        text = decode_marker(p["Marker"])
        if not re.fullmatch(r"\d{1,6}", text) or int(text) > len(actions):
            raise InvalidInput("Invalid Marker.")
        start = int(text)
    limit = p.get("MaxItems") or DEFAULT_MAX_ITEMS
    page = actions[start : start + limit]
    out: dict[str, Any] = {"EvaluationResults": [evaluate_action(sim, a, resources) for a in page]}
    if start + limit < len(actions):
        out.update(IsTruncated=True, Marker=encode_marker(str(start + limit)))
    else:
        out["IsTruncated"] = False
    return out


def _run(fn: Any, call: Call, p: dict[str, Any]) -> dict[str, Any]:
    try:
        return fn(call, p)  # type: ignore[no-any-return]
    except SimulationInputError as err:
        raise InvalidInput(str(err)) from None
    except (AwsError, Busy):
        raise
    except (ArithmeticError, LookupError, RecursionError, TypeError, ValueError):
        # The engine never raises for a policy it parsed; should it, the caller gets the model's
        # PolicyEvaluation, and the log the trace, rather than an InternalFailure.
        log.exception("request %s: a simulation could not be evaluated", call.request_id)
        raise PolicyEvaluation() from None


def _principal_policy(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    kind, row = source_entity(call, p["PolicySourceArn"])
    identity, boundary = policy_sets(call).entity_policies(call.conn, kind, row)
    identity, boundary = sim_exclusions.apply(p.get("PolicyExclusionList") or [], identity, boundary)
    sources = _identity_sources(identity)
    boundary_source = None if boundary is None else Source(boundary, shapes.managed_source_id(boundary.policy_id), shapes.BOUNDARY_POLICY)
    extra, submitted_boundary = _submitted(p)
    entity_arn = f"arn:aws:iam::{row.account_id}:{kind}{row.path}{row.name}"
    caller = p.get("CallerArn")
    if p.get("ResourcePolicy") is not None and not (caller or kind == "user"):
        raise SimulationInputError(INVALID_CALLER)
    principal = caller_principal(caller or entity_arn, INVALID_CALLER if p.get("ResourcePolicy") else None)
    if caller is None and kind == "user":
        principal = caller_principal(entity_arn, None, user_id=row.user_id)
    sim = Simulation(
        principal=principal,
        identity=sources + extra,
        boundary=submitted_boundary or boundary_source,
        scps=_organization_scps(call, kind, row),
        resource_policy=p.get("ResourcePolicy"),
        resource_owner=resource_owner(p.get("ResourceOwner")),
        context=build_context(p.get("ContextEntries")),
    )
    return _page(sim, p)


def _organization_scps(call: Call, kind: str, row: Any) -> list[list[Source]] | None:
    """The SCPs of every level of the entity's account, as its own calls are decided on them
    (``authz.organizations``): none for the management account, a service-linked role, or an
    account outside an organization (then no ``OrganizationsDecisionDetail``, as on AWS)."""
    if kind == "role" and (getattr(row, "service_linked", False) or is_service_linked(row.path)):
        return None
    account = row.account_id
    placement = policy_sets(call).organizations.placement(call.conn, account, policy_docs.generation(call.conn, account))
    levels = scps_for(placement)
    if levels is None:
        return None
    return [[Source(policy, policy.policy_id, shapes.SCP_POLICY) for policy in level] for level in levels]


def _custom_policy(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    identity, boundary = _submitted(p)
    levels = p.get("OrderedOrganizationPolicyInputList") or []
    scps: list[list[Source]] = []
    for n, level in enumerate(levels, 1):
        docs = level.get("ServiceControlPolicyInputList") or []
        if not docs:
            raise SimulationInputError(f"Organization policy level {n} must contain at least one service control policy.")
        scps.append([
            Source(parse_submitted(text, PolicyType.SCP, f"OrderedOrganizationPolicyInputList.{n}.{i}"),
                   f"OrderedOrganizationPolicyInputList.{n}.{i}", shapes.SCP_POLICY)
            for i, text in enumerate(docs, 1)
        ])
    caller = p.get("CallerArn")
    if p.get("ResourcePolicy") is not None and not caller:
        raise SimulationInputError(INVALID_CALLER)
    principal = (
        caller_principal(caller, INVALID_CALLER if p.get("ResourcePolicy") else None)
        if caller
        else unnamed_caller(call.account_id)
    )
    sim = Simulation(
        principal=principal,
        identity=identity,
        boundary=boundary,
        scps=scps or None,
        resource_policy=p.get("ResourcePolicy"),
        resource_owner=resource_owner(p.get("ResourceOwner")),
        context=build_context(p.get("ContextEntries")),
    )
    return _page(sim, p)


@action("iam", "SimulatePrincipalPolicy")
def simulate_principal_policy(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    return _run(_principal_policy, call, p)


@action("iam", "SimulateCustomPolicy")
def simulate_custom_policy(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    return _run(_custom_policy, call, p)
