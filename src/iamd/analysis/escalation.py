"""Privilege-escalation paths: for each principal of an account, the chains of allowed calls by
which it ends up with more permissions than it has.

A breadth-first search from each user and role over ``esc_methods`` edges (every request of an
edge allowed by the engine for the principal acting at that step), up to ``MAX_DEPTH`` edges. A
path is reported when the state it reaches can do something the starting principal cannot
(``esc_power.gain``, also the engine's decisions), so a PassRole to a weaker role, or a write a
boundary or SCP makes useless, is not a path. Shortest paths first; a state already reached is not
searched again. Past a state that already gained something, an edge is reported only if it
gains over the last such state of its path as well, so a path to an administrator is not followed by every write the
administrator could make.

Work is bounded for large accounts: at most ``MAX_STATES`` states per principal and
``MAX_EVALUATIONS`` engine decisions per analysis; when a bound stops the search, the report says
``Truncated`` rather than pretending to be complete.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from iamd.analysis import esc_graph
from iamd.analysis.esc_methods import Check, Edge, State, methods
from iamd.analysis.esc_power import Gain, gain
from iamd.authz.policy_sets import PolicySets

MAX_DEPTH = 4
MAX_STATES = 200
MAX_EVALUATIONS = 2_000_000


@dataclass(frozen=True)
class Path:
    principal: str
    edges: tuple[Edge, ...]
    gain: Gain

    def as_dict(self) -> dict[str, Any]:
        return {
            "PrincipalArn": self.principal,
            "Edges": [
                {
                    "Source": e.source.describe(),
                    "Method": e.method,
                    "AllowedRequests": [_request(c) for c in e.checks],
                    "Result": e.target.node.arn,
                    "ResultChange": e.target.change,
                }
                for e in self.edges
            ],
            "Gains": [{"Action": a, "Resource": r} for a, r in self.gain.samples],
        }


def _request(check: Check) -> dict[str, Any]:
    out: dict[str, Any] = {"Action": check.action, "Resource": check.resource}
    if check.context:
        out["Context"] = dict(check.context)
    return out


@dataclass
class Report:
    account_id: str
    principals: int
    paths: list[Path]
    truncated: bool
    evaluations: int


def analyse(conn: Connection, account_id: str, now: datetime, principal_arn: str | None = None,
            sets: PolicySets | None = None, max_evaluations: int | None = None) -> Report:
    """Every escalation path of the account's principals (or of one principal, by ARN), within
    ``max_evaluations`` engine decisions (default ``MAX_EVALUATIONS``)."""
    budget = MAX_EVALUATIONS if max_evaluations is None else max_evaluations
    graph = esc_graph.load(conn, account_id, now, sets)
    sources = [n for n in graph.nodes.values() if principal_arn is None or n.arn == principal_arn]
    paths: list[Path] = []
    truncated = False
    for node in sources:
        found, stopped = _search(graph, State.of(node), budget)
        paths += found
        truncated = truncated or stopped
        if graph.evaluations >= budget:
            truncated = True
            break
    return Report(account_id, len(sources), paths, truncated, graph.evaluations)


def _search(graph: esc_graph.Graph, start: State, budget: int) -> tuple[list[Path], bool]:
    seen = {start.key}
    # (state, the path to it, the last state on that path that gained something)
    queue: deque[tuple[State, tuple[Edge, ...], State | None]] = deque([(start, (), None)])
    found: list[Path] = []
    while queue:
        state, edges, peak = queue.popleft()
        if len(edges) >= MAX_DEPTH:
            continue
        for edge in methods(graph, state):
            if edge.target.key in seen:
                continue
            if len(seen) >= MAX_STATES or graph.evaluations >= budget:
                return found, True
            seen.add(edge.target.key)
            path = (*edges, edge)
            target = edge.target
            more = gain(graph, start.node, start.policies(), target.node, target.policies(), target.identity)
            # Past a state that already gained, an edge is a further path only if it gains over
            # that state too (an administrator writing itself a policy is no news).
            if more and peak is not None:
                more = gain(graph, peak.node, peak.policies(), target.node, target.policies(), target.identity)
            if more:
                found.append(Path(start.node.arn, path, more))
            if not target.terminal:
                queue.append((target, path, target if more else peak))
    return found, False
