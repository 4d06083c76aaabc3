"""The escalation methods: how a principal becomes another, or changes what it is allowed.

The list is the public catalogues' (Rhino Security Labs' IAM privilege-escalation methods,
pmapper's edge checkers, Cloudsplaining's privilege-escalation actions), restricted to what an
account of iamd holds: IAM users, groups, roles and managed policies. Each method names the
requests it needs; every one of them is asked of the engine (``Graph.decide``) for the acting
principal, with the target's trust policy where the call is an ``sts:AssumeRole`` and the request
keys the call carries (``iam:PassedToService``, ``iam:PolicyARN``, ``iam:PermissionsBoundary``).
A method that needs several calls is an edge only if the engine allows each of them.

The result of an edge is a ``State``: a principal of the account with the policy set it has after
the edge (the same, for becoming another principal; a chosen policy added, a policy version
replaced or the boundary removed, for the writes).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from iamd.analysis.esc_graph import Graph, Node
from iamd.authz.compiled import ALLOW_ALL, compile_document
from iamd.authz.context import REQUEST_KEYS
from iamd.policy import Policy, PolicySet, PolicyType
from iamd.services.iam import aws_managed

ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
CHOSEN = "a policy of its choosing"
MAX_ATTACH_CANDIDATES = 20

# Services a passed role can be handed to, and what the principal must call there to run code as
# the role (Rhino Security Labs' methods 3-9 and pmapper's service edges).
PASS_ROLE_SERVICES: dict[str, tuple[str, ...]] = {
    "ec2.amazonaws.com": ("ec2:RunInstances",),
    "lambda.amazonaws.com": ("lambda:CreateFunction", "lambda:InvokeFunction"),
    "cloudformation.amazonaws.com": ("cloudformation:CreateStack",),
    "glue.amazonaws.com": ("glue:CreateDevEndpoint",),
    "datapipeline.amazonaws.com": ("datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition"),
    "sagemaker.amazonaws.com": ("sagemaker:CreateNotebookInstance", "sagemaker:CreatePresignedNotebookInstanceUrl"),
    "codebuild.amazonaws.com": ("codebuild:CreateProject", "codebuild:StartBuild"),
    "ecs-tasks.amazonaws.com": ("ecs:RegisterTaskDefinition", "ecs:RunTask"),
}


@dataclass(frozen=True)
class Check:
    """One request the engine allowed the acting principal, with the request keys it carried."""

    action: str
    resource: str
    context: tuple[tuple[str, str], ...] = ()


@dataclass
class State:
    """A principal with the policies it has at this point of a path."""

    node: Node
    identity: list[Policy]
    boundary: Policy | None
    change: str = ""  # "" for the principal as it is
    # A principal that wrote itself a policy has what it wanted: nothing after it is searched.
    terminal: bool = False
    _set: PolicySet | None = field(default=None, repr=False)

    @classmethod
    def of(cls, node: Node) -> State:
        """The principal as it is: one object per node, so its decisions are remembered once."""
        if node.base is None:
            node.base = cls(node, node.identity, node.boundary)
        state: State = node.base
        return state

    @property
    def key(self) -> tuple[str, str]:
        return self.node.arn, self.change

    def policies(self) -> PolicySet:
        if self._set is None:
            self._set = PolicySet(identity=self.identity, boundary=self.boundary, scps=self.node.scps)
        return self._set

    def describe(self) -> str:
        return self.node.arn + (f" ({self.change})" if self.change else "")


@dataclass(frozen=True)
class Edge:
    source: State
    method: str
    checks: tuple[Check, ...]
    target: State


def _chosen() -> Policy:
    policy = compile_document(ALLOW_ALL, PolicyType.IDENTITY, CHOSEN)
    assert policy is not None
    return policy


_KEY_OF = {member: key for key, member in REQUEST_KEYS.items()}


def _ask(graph: Graph, state: State, action: str, resource: str, **kw: Any) -> Check | None:
    decision = graph.decide(state.node, state.policies(), action, resource, **kw)
    if not decision.allowed:
        return None
    params: dict[str, str] = kw.get("params") or {}
    return Check(action, resource, tuple((_KEY_OF[m], v) for m, v in params.items()))


def _all(*checks: Check | None) -> tuple[Check, ...] | None:
    return None if any(c is None for c in checks) else tuple(c for c in checks if c is not None)


def assume(graph: Graph, state: State, role: Node) -> Check | None:
    """``sts:AssumeRole`` on ``role``: the caller's policies and the role's trust policy."""
    if role.trust is None:
        return None
    return _ask(graph, state, "sts:AssumeRole", role.arn, resource_policy=role.trust, resource_tags=role.tags)


def methods(graph: Graph, state: State) -> Iterator[Edge]:
    """Every edge out of ``state`` that the engine allows."""
    me = state.node
    roles = [n for n in graph.nodes.values() if n.kind == "role" and n.arn != me.arn]
    assumable = {r.arn: c for r in roles if (c := assume(graph, state, r)) is not None}
    for role in roles:
        if role.arn in assumable:
            yield Edge(state, "sts:AssumeRole", (assumable[role.arn],), State.of(role))
    yield from _pass_role(graph, state, roles)
    yield from _trust_rewrite(graph, state, roles, assumable)
    yield from _user_credentials(graph, state)
    yield from _policy_writes(graph, state, me, None)
    for role in roles:
        if role.arn in assumable:
            yield from _policy_writes(graph, state, role, assumable[role.arn])
    yield from _groups(graph, state)
    yield from _versions(graph, state)
    yield from _boundary(graph, state)


def _pass_role(graph: Graph, state: State, roles: list[Node]) -> Iterator[Edge]:
    for role in roles:
        for service, actions in PASS_ROLE_SERVICES.items():
            if not graph.service_may_assume(role, service):
                continue
            passed = _ask(graph, state, "iam:PassRole", role.arn, params={"PassedToService": service},
                          resource_tags=role.tags)
            if passed is None:
                continue
            checks = _all(passed, *(_ask(graph, state, a, "*") for a in actions))
            if checks is not None:
                yield Edge(state, f"iam:PassRole to {service}", checks, State.of(role))
                break


def _trust_rewrite(graph: Graph, state: State, roles: list[Node], assumable: dict[str, Check]) -> Iterator[Edge]:
    """UpdateAssumeRolePolicy on a role, then AssumeRole under a trust policy naming the caller."""
    rp = state.node.principal.request_principal
    me = rp.source_arn or rp.arn
    trust_text = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": me}, "Action": "sts:AssumeRole"}]})
    for role in roles:
        if role.arn in assumable:
            continue
        update = _ask(graph, state, "iam:UpdateAssumeRolePolicy", role.arn, resource_tags=role.tags)
        if update is None:
            continue
        trust = compile_document(trust_text, PolicyType.TRUST, role.arn)
        then = _ask(graph, state, "sts:AssumeRole", role.arn, resource_policy=trust, resource_tags=role.tags)
        checks = _all(update, then)
        if checks is not None:
            yield Edge(state, "iam:UpdateAssumeRolePolicy", checks, State.of(role))


def _user_credentials(graph: Graph, state: State) -> Iterator[Edge]:
    for user in graph.nodes.values():
        if user.kind != "user" or user.arn == state.node.arn:
            continue
        for action in ("iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile"):
            check = _ask(graph, state, action, user.arn, resource_tags=user.tags, resource_boundary=user.boundary_arn)
            if check is not None:
                yield Edge(state, action, (check,), State.of(user))
                break


def _attach_candidates(graph: Graph) -> list[tuple[str, Policy]]:
    out: list[tuple[str, Policy]] = []
    admin = aws_managed.get(ADMIN_ARN)
    if admin is not None:
        policy = compile_document(admin.document, PolicyType.IDENTITY, ADMIN_ARN)
        if policy is not None:
            out.append((ADMIN_ARN, policy))
    for arn, managed in graph.policies.items():
        default = managed.versions.get(managed.default_version)
        if default is not None:
            out.append((arn, default))
    return out[:MAX_ATTACH_CANDIDATES]


def _policy_writes(graph: Graph, state: State, target: Node, assumed: Check | None) -> Iterator[Edge]:
    """Put/Attach{User,Role}Policy on the principal itself, or on a role it can assume."""
    if target.kind == "user" and target.arn != state.node.arn:
        return
    kind = "User" if target.kind == "user" else "Role"
    own = target.arn == state.node.arn
    base = state if own else State.of(target)
    tail = () if assumed is None else (assumed,)
    extra = {"resource_tags": target.tags, "resource_boundary": target.boundary_arn}
    put = _ask(graph, state, f"iam:Put{kind}Policy", target.arn, **extra)
    if put is not None:
        result = State(target, [*base.identity, _chosen()], base.boundary, _join(base.change, CHOSEN + " put inline"), True)
        yield Edge(state, f"iam:Put{kind}Policy", (put, *tail), result)
    for arn, policy in _attach_candidates(graph):
        attach = _ask(graph, state, f"iam:Attach{kind}Policy", target.arn, params={"PolicyArn": arn}, **extra)
        if attach is not None:
            result = State(target, [*base.identity, policy], base.boundary, _join(base.change, f"{arn} attached"), True)
            yield Edge(state, f"iam:Attach{kind}Policy", (attach, *tail), result)
            break


def _groups(graph: Graph, state: State) -> Iterator[Edge]:
    me = state.node
    if me.kind != "user":
        return
    for group in graph.groups.values():
        if group.arn in me.groups:
            for action in ("iam:PutGroupPolicy", "iam:AttachGroupPolicy"):
                params = {"PolicyArn": ADMIN_ARN} if action == "iam:AttachGroupPolicy" else {}
                check = _ask(graph, state, action, group.arn, params=params)
                if check is not None:
                    change = _join(state.change, f"{CHOSEN} on group {group.name}")
                    yield Edge(state, action, (check,), State(me, [*state.identity, _chosen()], state.boundary, change, True))
                    break
        else:
            check = _ask(graph, state, "iam:AddUserToGroup", group.arn)
            if check is not None:
                change = _join(state.change, f"member of group {group.name}")
                yield Edge(state, "iam:AddUserToGroup", (check,), State(me, [*state.identity, *group.identity],
                                                                         state.boundary, change, True))


def _versions(graph: Graph, state: State) -> Iterator[Edge]:
    """CreatePolicyVersion (a new default version) or SetDefaultPolicyVersion (an existing one)
    on a customer managed policy that applies to the principal."""
    for arn in dict.fromkeys(state.node.managed):
        managed = graph.policies.get(arn)
        current = managed.versions.get(managed.default_version) if managed else None
        if managed is None or current is None or current not in state.identity:
            continue
        others = [p for p in state.identity if p is not current]
        create = _ask(graph, state, "iam:CreatePolicyVersion", arn)
        if create is not None:
            change = _join(state.change, f"{arn} rewritten")
            yield Edge(state, "iam:CreatePolicyVersion", (create,), State(state.node, [*others, _chosen()],
                                                                            state.boundary, change, True))
            continue
        for version, policy in managed.versions.items():
            if version == managed.default_version:
                continue
            check = _ask(graph, state, "iam:SetDefaultPolicyVersion", arn)
            if check is None:
                break
            change = _join(state.change, f"{arn} at {version}")
            yield Edge(state, "iam:SetDefaultPolicyVersion", (check,), State(state.node, [*others, policy],
                                                                               state.boundary, change, True))


def _boundary(graph: Graph, state: State) -> Iterator[Edge]:
    me = state.node
    if state.boundary is None:
        return
    kind = "User" if me.kind == "user" else "Role"
    delete = _ask(graph, state, f"iam:Delete{kind}PermissionsBoundary", me.arn, resource_boundary=me.boundary_arn)
    if delete is not None:
        yield Edge(state, f"iam:Delete{kind}PermissionsBoundary", (delete,),
                   State(me, state.identity, None, _join(state.change, "boundary removed")))
        return
    put = _ask(graph, state, f"iam:Put{kind}PermissionsBoundary", me.arn, params={"PermissionsBoundary": ADMIN_ARN})
    admin = [c for c in _attach_candidates(graph)[:1] if c[0] == ADMIN_ARN]
    if put is not None and admin:
        boundary = compile_document(admin[0][1].text, PolicyType.BOUNDARY, ADMIN_ARN)
        yield Edge(state, f"iam:Put{kind}PermissionsBoundary", (put,),
                   State(me, state.identity, boundary, _join(state.change, f"boundary {ADMIN_ARN}")))


def _join(before: str, change: str) -> str:
    return f"{before}; {change}" if before else change
