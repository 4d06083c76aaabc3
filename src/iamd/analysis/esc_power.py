"""Whether one policy set can do something another cannot — "more powerful", asked of the engine.

A target can only do what one of its Allow statements grants, so the candidate requests are
those statements' actions (expanded over the action catalogue, the SAR) on their resources (the
resource patterns themselves, which a pattern matches as a literal; ``*`` for NotResource). The
engine decides each candidate for the target first (its boundary, SCPs and denies apply) and then
for the source; a candidate the target is allowed and the source is not is a gain. The search
stops at the first few gains and after ``MAX_PROBES`` candidates, so one comparison is bounded
whatever the policies say (for a wildcard of thousands of actions, the comparison asks about
the first ``MAX_PROBES`` of them: IAM's, STS's and Organizations' first).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from iamd.analysis.esc_graph import Graph, Node
from iamd.authz import catalogue
from iamd.policy import Policy, PolicySet

MAX_PROBES = 4_000
# Expanded first: the services whose actions change who can do what.
FIRST = ("iam", "sts", "organizations")
GAIN_SAMPLES = 3


@dataclass(frozen=True)
class Gain:
    """Requests the target is allowed and the source is not (a sample), as the engine decided."""

    samples: tuple[tuple[str, str], ...]

    def __bool__(self) -> bool:
        return bool(self.samples)


def _actions(st_actions: tuple[str, ...], negated: bool) -> Iterator[str]:
    if negated:
        excluded = {a.full_name.lower() for pattern in st_actions for a in catalogue.actions_matching(pattern)}
        for info in catalogue.actions_matching("*"):
            if info.full_name.lower() not in excluded:
                yield info.full_name
        return
    # The values as written first (``*`` as a request action is matched by ``*`` alone), then
    # their expansion, IAM, STS and Organizations before the other services.
    yield from st_actions
    for pattern in st_actions:
        if "*" in pattern or "?" in pattern:
            matched = catalogue.actions_matching(pattern)
            yield from (a.full_name for a in matched if a.service in FIRST)
            yield from (a.full_name for a in matched if a.service not in FIRST)


def candidates(policies: list[Policy]) -> Iterator[tuple[str, str]]:
    """(action, resource) requests the Allow statements of ``policies`` may grant, each once."""
    seen: set[tuple[str, str]] = set()
    for policy in policies:
        for st in policy.statements:
            if st.effect != "Allow":
                continue
            resources = ("*",) if st.resources is None or st.not_resource else st.resources
            for action in _actions(st.actions, st.not_action):
                for resource in resources:
                    key = (action.lower(), resource)
                    if key not in seen:
                        seen.add(key)
                        yield action, resource


def gain(graph: Graph, source: Node, source_set: PolicySet, target: Node, target_set: PolicySet,
         target_policies: list[Policy]) -> Gain:
    """What ``target`` (with ``target_set``) may do that ``source`` (with ``source_set``) may not."""
    if unlimited(source_set):
        return Gain(())
    found: list[tuple[str, str]] = []
    for n, (action, resource) in enumerate(candidates(target_policies)):
        if n >= MAX_PROBES:
            break
        if not _allowed(graph, target, target_set, action, resource):
            continue
        if _allowed(graph, source, source_set, action, resource):
            continue
        found.append((action, resource))
        if len(found) >= GAIN_SAMPLES:
            break
    return Gain(tuple(found))


def unlimited(policies: PolicySet) -> bool:
    """A policy set nothing can gain over: an unconditional Allow of ``*`` on ``*``, no Deny
    statement, and no boundary, session policy or SCP to limit it. (What the engine would answer
    for every candidate, known without asking it thousands of times.)"""
    if policies.boundary is not None or policies.session is not None or policies.scps:
        return False
    statements = [st for policy in policies.identity.policies for st in policy.statements]
    if any(st.effect == "Deny" for st in statements):
        return False
    return any(
        st.actions == ("*",) and not st.not_action and st.resources == ("*",) and not st.not_resource
        and not st.conditions
        for st in statements
    )


def _allowed(graph: Graph, node: Node, policies: PolicySet, action: str, resource: str) -> bool:
    """One decision, remembered per policy set: the same states are compared with many others."""
    key = (id(policies), action, resource)
    found = graph.memo.get(key)
    if found is None:
        found = graph.memo[key] = graph.decide(node, policies, action, resource).allowed
    return found
