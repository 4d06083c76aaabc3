"""Index a group of policies by action, so a request only sees statements that can match it.

Statements are bucketed by the literal service prefix of their ``Action`` patterns (``s3`` for
``s3:Get*``); ``NotAction`` statements and patterns with a wildcard in the service part go in a
bucket every lookup scans. The first lookup of an action filters those two buckets with the
compiled action globs; the answer — the matching Deny and Allow statements, in document order —
is memoised per action (the action vocabulary is finite), so later requests for that action cost
one dictionary lookup regardless of how many statements the group holds.
"""

from __future__ import annotations

from collections.abc import Iterable

from .compiler import CompiledStatement, compile_policy
from .document import Policy

_CACHE_LIMIT = 8192

Candidates = tuple[tuple[CompiledStatement, ...], tuple[CompiledStatement, ...]]


class PolicyIndex:
    """The statements of one group of policies (for example a principal's identity policies)."""

    __slots__ = ("policies", "statements", "_by_service", "_anywhere", "_position", "_cache")

    def __init__(self, policies: Iterable[Policy]) -> None:
        self.policies = tuple(policies)
        self.statements: tuple[CompiledStatement, ...] = tuple(
            st for policy in self.policies for st in compile_policy(policy)
        )
        self._position = {id(st): i for i, st in enumerate(self.statements)}
        self._by_service: dict[str, list[CompiledStatement]] = {}
        self._anywhere: list[CompiledStatement] = []
        for st in self.statements:
            if st.not_action:
                self._anywhere.append(st)
                continue
            services = set()
            for action in st.statement.actions:
                service = action.split(":", 1)[0].lower() if ":" in action else "*"
                if "*" in service or "?" in service:
                    services = {"*"}
                    break
                services.add(service)
            if "*" in services:
                self._anywhere.append(st)
            else:
                for service in services:
                    self._by_service.setdefault(service, []).append(st)
        self._cache: dict[str, Candidates] = {}

    def __len__(self) -> int:
        return len(self.policies)

    def lookup(self, action: str) -> Candidates:
        """(denies, allows) whose Action/NotAction matches the lower-cased ``action``."""
        found = self._cache.get(action)
        if found is not None:
            return found
        service = action.split(":", 1)[0]
        pool = self._by_service.get(service, []) + self._anywhere
        matching = sorted(
            (st for st in pool if st.matches_action(action)), key=lambda st: self._position[id(st)]
        )
        found = (tuple(st for st in matching if st.deny), tuple(st for st in matching if not st.deny))
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[action] = found
        return found
