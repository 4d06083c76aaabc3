"""An account's principals as the engine sees them, for privilege-escalation analysis.

Every user and role of one account becomes a ``Node`` whose policy set is gathered by
``authz.policy_sets`` exactly as for that principal's own calls (inline and attached policies,
its groups', its permissions boundary) and limited by the SCPs of the account's place in its
organization (``authz.organizations``; none for the management account or service-linked roles).
A role is analysed as a session of itself. Nothing here decides: ``Graph.decide`` builds the
request context with ``authz.context.build_context`` and asks ``PolicySet.evaluate`` — the
authorizer's call — so an edge the analysis reports is one the server would allow.

Only the analysed account's entities are read: a principal of another account that a trust
policy names is never analysed into this account.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from iamd.auth.caller import Caller
from iamd.authz.compiled import compile_document
from iamd.authz.context import RequestInfo, build_context
from iamd.authz.organizations import Placement, is_service_linked, scps_for
from iamd.authz.policy_sets import PolicySets, Principal
from iamd.policy import (
    Context,
    Decision,
    Policy,
    PolicySet,
    PolicyType,
    PrincipalType,
    Request,
    RequestPrincipal,
)
from iamd.store import policy_docs, schema
from iamd.store import tags as tag_store

SESSION_NAME = "iamd-escalation"
# The request every decision of the analysis describes: over TLS, from a private address, to
# us-east-1 (conditions on other values decide as they would for such a call).
INFO = RequestInfo("iam", "EscalationAnalysis", "us-east-1", "10.0.0.1", True, "iamd-escalation")


@dataclass
class Node:
    """One user or role, with its own policies (``identity`` and ``boundary``, separately, so
    that methods can build the policy set it would have after a change)."""

    arn: str
    kind: str  # "user" | "role"
    name: str
    entity_id: str
    principal: Principal
    identity: list[Policy]
    boundary: Policy | None
    boundary_arn: str | None
    scps: Any
    tags: dict[str, str] = field(default_factory=dict)
    trust: Policy | None = None
    groups: list[str] = field(default_factory=list)  # group ARNs (users)
    managed: list[str] = field(default_factory=list)  # customer managed policy ARNs that apply to it
    base: Any = field(default=None, repr=False)  # its unchanged ``esc_methods.State``, made once


@dataclass
class Group:
    arn: str
    name: str
    group_id: str
    identity: list[Policy]
    members: set[str] = field(default_factory=set)


@dataclass
class ManagedPolicy:
    arn: str
    default_version: str
    versions: dict[str, Policy]


class Graph:
    """The analysed account: its nodes, groups and customer managed policies, and the one
    decision procedure every edge and every comparison of power uses."""

    def __init__(self, account_id: str, now: datetime, placement: Placement | None) -> None:
        self.account_id = account_id
        self.now = now
        self.placement = placement
        self.nodes: dict[str, Node] = {}
        self.groups: dict[str, Group] = {}
        self.policies: dict[str, ManagedPolicy] = {}
        self.evaluations = 0
        # (id of a PolicySet the graph's states keep alive, action, resource) -> allowed
        self.memo: dict[tuple[int, str, str], bool] = {}
        self._contexts: dict[tuple[Any, ...], Context] = {}
        self._services: dict[tuple[str, str], bool] = {}

    def decide(
        self,
        node: Node,
        policies: PolicySet,
        action: str,
        resource: str,
        params: Mapping[str, str] | None = None,
        resource_policy: Policy | None = None,
        resource_tags: Mapping[str, str] | None = None,
        resource_boundary: str | None = None,
    ) -> Decision:
        """The engine's decision on ``node`` (with ``policies``) calling ``action`` on ``resource``
        of this account."""
        self.evaluations += 1
        key = (node.arn, tuple(sorted((params or {}).items())), tuple(sorted((resource_tags or {}).items())),
               resource_boundary)
        context = self._contexts.get(key)
        if context is None:
            caller = _caller(node)
            context = self._contexts[key] = build_context(
                caller, node.principal, INFO, dict(params or {}), self.now, self.account_id,
                resource_tags, resource_boundary, resource_org=self.placement,
            )
        request = Request(node.principal.request_principal, action, resource, context, self.account_id)
        return policies.evaluate(request, resource_policy)

    def service_may_assume(self, role: Node, service: str) -> bool:
        """Whether the role's trust policy lets ``service`` (``ec2.amazonaws.com``) assume it,
        decided by the engine on the trust policy alone, as for a service principal's request."""
        if role.trust is None:
            return False
        known = self._services.get((role.arn, service))
        if known is not None:
            return known
        self.evaluations += 1
        principal = RequestPrincipal(service, "", PrincipalType.SERVICE)
        context = Context({"aws:PrincipalIsAWSService": True, "aws:PrincipalServiceName": service,
                           "aws:SecureTransport": True})
        request = Request(principal, "sts:AssumeRole", role.arn, context, None)
        allowed = self._services[(role.arn, service)] = PolicySet().evaluate(request, role.trust).allowed
        return allowed


def _caller(node: Node) -> Caller:
    account = node.arn.split(":")[4]
    if node.kind == "user":
        return Caller(account, node.arn, node.entity_id, "user", "", user_name=node.name)
    session = f"arn:aws:sts::{account}:assumed-role/{node.name}/{SESSION_NAME}"
    return Caller(account, session, f"{node.entity_id}:{SESSION_NAME}", "assumed-role", "")


def policy_set(node: Node, identity: list[Policy] | None = None, boundary: Policy | None | bool = True) -> PolicySet:
    """``node``'s policy set, or the one it would have with ``identity`` and ``boundary``
    (``True``: its own boundary; ``None``: none)."""
    return PolicySet(
        identity=node.identity if identity is None else identity,
        boundary=node.boundary if boundary is True else boundary or None,
        scps=node.scps,
    )


def load(conn: Connection, account_id: str, now: datetime, sets: PolicySets | None = None) -> Graph:
    """Read one account's users, roles, groups and customer managed policies."""
    sets = sets or PolicySets()
    generation = policy_docs.generation(conn, account_id)
    placement = sets.organizations.placement(conn, account_id, generation)
    graph = Graph(account_id, now, placement)
    s = schema
    for row in conn.execute(select(s.groups).where(s.groups.c.account_id == account_id).order_by(s.groups.c.name_lower)):
        arn = f"arn:aws:iam::{account_id}:group{row.path}{row.name}"
        identity, _ = sets.entity_policies(conn, "group", row)
        graph.groups[arn] = Group(arn, row.name, row.group_id, identity)
    group_by_id = {g.group_id: g for g in graph.groups.values()}
    for row in conn.execute(select(s.users).where(s.users.c.account_id == account_id).order_by(s.users.c.name_lower)):
        arn = f"arn:aws:iam::{account_id}:user{row.path}{row.name}"
        identity, boundary = sets.entity_policies(conn, "user", row)
        tags = _tags(conn, "user", row.user_id)
        rp = RequestPrincipal(arn, account_id, PrincipalType.USER, id=row.user_id)
        principal = Principal(rp, PolicySet(), tags=tags, user_name=row.name, source_id=row.user_id, organization=placement)
        groups = [group_by_id[g].arn for g, _ in policy_docs.groups_of(conn, row.user_id) if g in group_by_id]
        for g in groups:
            graph.groups[g].members.add(arn)
        managed = policy_docs.attached_arns(conn, "user", [row.user_id])
        managed += policy_docs.attached_arns(conn, "group", [graph.groups[g].group_id for g in groups])
        graph.nodes[arn] = Node(arn, "user", row.name, row.user_id, principal, identity, boundary,
                                row.permissions_boundary, scps_for(placement), tags, None, groups, managed)
    for row in conn.execute(select(s.roles).where(s.roles.c.account_id == account_id).order_by(s.roles.c.name_lower)):
        arn = f"arn:aws:iam::{account_id}:role{row.path}{row.name}"
        identity, boundary = sets.entity_policies(conn, "role", row)
        tags = _tags(conn, "role", row.role_id)
        linked = bool(row.service_linked) or is_service_linked(row.path)
        session = f"arn:aws:sts::{account_id}:assumed-role/{row.name}/{SESSION_NAME}"
        rp = RequestPrincipal(session, account_id, PrincipalType.ROLE_SESSION, source_arn=arn, source_id=row.role_id)
        principal = Principal(rp, PolicySet(), tags=tags, source_id=row.role_id, organization=placement,
                              service_linked=linked)
        trust = compile_document(row.assume_role_policy, PolicyType.TRUST, arn)
        graph.nodes[arn] = Node(arn, "role", row.name, row.role_id, principal, identity, boundary,
                                row.permissions_boundary, None if linked else scps_for(placement), tags, trust, [],
                                policy_docs.attached_arns(conn, "role", [row.role_id]))
    _load_policies(conn, graph)
    return graph


def _load_policies(conn: Connection, graph: Graph) -> None:
    s = schema
    rows = conn.execute(
        select(s.managed_policies.c.policy_id, s.managed_policies.c.path, s.managed_policies.c.name,
               s.managed_policies.c.default_version, s.policy_versions.c.version_id, s.policy_versions.c.document)
        .join(s.policy_versions, s.policy_versions.c.policy_id == s.managed_policies.c.policy_id)
        .where(s.managed_policies.c.account_id == graph.account_id)
        .order_by(s.managed_policies.c.name_lower, s.policy_versions.c.number)
    )
    for r in rows:
        arn = f"arn:aws:iam::{graph.account_id}:policy{r.path}{r.name}"
        found = graph.policies.setdefault(arn, ManagedPolicy(arn, r.default_version, {}))
        policy = compile_document(r.document, PolicyType.IDENTITY, arn)
        if policy is not None:
            found.versions[r.version_id] = policy


def _tags(conn: Connection, kind: str, entity_id: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in tag_store.list_tags(conn, kind, entity_id)}
