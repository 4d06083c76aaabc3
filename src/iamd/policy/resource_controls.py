"""Resource control policies of one resource account, compiled once, asked per request.

RCPs (AWS Organizations User Guide, "Resource control policies" and "RCP evaluation") limit what
any principal — of the organization or not — may do to the resources of a member account. They
are attached to the root, to OUs and to accounts; like SCPs, at every level from the root down
to the resource's account some RCP must allow the request, and a ``Deny`` at any level denies
it. Statements carry ``Principal`` (``"*"`` in practice) and are matched like a resource-based
policy's. ``RCPFullAWSAccess`` is attached everywhere once the type is enabled and cannot be
detached, so in practice only Deny statements decide.

Which requests RCPs take part in (the service list, the management account, service-linked
roles) is the caller's rule (``authz``); the engine only evaluates the levels it is given.
"""

from __future__ import annotations

from collections.abc import Sequence

from .compiler import CompiledStatement
from .document import Policy
from .index import PolicyIndex

_PLAN_LIMIT = 8192


class ResourceControls:
    """The RCP levels of one account: ``levels[0]`` the root's, the last the account's own."""

    __slots__ = ("levels", "_plans")

    def __init__(self, levels: Sequence[Sequence[Policy]]) -> None:
        self.levels = tuple(PolicyIndex(level) for level in levels)
        self._plans: dict[str, tuple[tuple[tuple[CompiledStatement, int], ...], tuple[tuple[CompiledStatement, ...], ...]]] = {}

    def plan(
        self, action: str
    ) -> tuple[tuple[tuple[CompiledStatement, int], ...], tuple[tuple[CompiledStatement, ...], ...]]:
        """(every Deny statement for ``action`` with its level, the Allow statements per level),
        for the lower-cased action; memoised per action."""
        found = self._plans.get(action)
        if found is None:
            denies = tuple((st, level) for level, index in enumerate(self.levels) for st in index.lookup(action)[0])
            allows = tuple(index.lookup(action)[1] for index in self.levels)
            if len(self._plans) >= _PLAN_LIMIT:
                self._plans.clear()
            found = self._plans[action] = (denies, allows)
        return found

    def policies(self) -> tuple[Policy, ...]:
        return tuple(policy for index in self.levels for policy in index.policies)
