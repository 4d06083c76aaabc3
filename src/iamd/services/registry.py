"""The table of actions per service, filled by ``@action`` as the service modules import."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from iamd.services.context import Call

Action = Callable[[Call, dict[str, Any]], dict[str, Any] | None]

ACTIONS: dict[str, dict[str, Action]] = {}


def action(service: str, name: str) -> Callable[[Action], Action]:
    def register(fn: Action) -> Action:
        table = ACTIONS.setdefault(service, {})
        if name in table:
            raise RuntimeError(f"{service}:{name} registered twice")
        table[name] = fn
        return fn

    return register


def load_all() -> dict[str, dict[str, Action]]:
    """Import every service module so that its actions register."""
    import iamd.services.cloudtrail  # noqa: F401
    import iamd.services.iam  # noqa: F401
    import iamd.services.sts  # noqa: F401

    return ACTIONS
