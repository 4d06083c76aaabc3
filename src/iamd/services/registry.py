"""The table of actions per service, filled by ``@action`` as the service modules import.

The table holds each action wrapped so that a refusal of the store (``store.errors``: a unique
key another writer took first, a row it deleted) leaves as the service's AWS error, translated by
the function the service put in ``STORE_ERRORS``; ``errors.Busy`` passes through to ``api/``,
which answers ServiceUnavailable whether the lock was refused in an action or around it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from iamd.errors import AwsError
from iamd.services.context import Call
from iamd.store.errors import AlreadyExists, MissingReference

Action = Callable[[Call, dict[str, Any]], dict[str, Any] | None]

ACTIONS: dict[str, dict[str, Action]] = {}

# service -> its AWS error for AlreadyExists / MissingReference
STORE_ERRORS: dict[str, Callable[[AlreadyExists | MissingReference], AwsError]] = {}


# "service:Name" of the changes that take their account's lock themselves (store/locks.py), late,
# after slow work that needs no lock (Argon2); the API takes it before every other change.
SELF_LOCKING: set[str] = set()


# Services whose module name differs from the SigV4 scope (and IAM action prefix) their calls
# carry: the table is keyed by the scope, which is what ``api/`` reads from the request.
SCOPE_NAMES = {"accessanalyzer": "access-analyzer"}


def action(module: str, name: str, *, locks_itself: bool = False) -> Callable[[Action], Action]:
    service = SCOPE_NAMES.get(module, module)

    def register(fn: Action) -> Action:
        table = ACTIONS.setdefault(service, {})
        if name in table:
            raise RuntimeError(f"{service}:{name} registered twice")
        table[name] = _translating(service, fn)
        if locks_itself:
            SELF_LOCKING.add(f"{service}:{name}")
        return fn

    return register


def locks_itself(service: str, name: str) -> bool:
    return f"{service}:{name}" in SELF_LOCKING


def _translating(service: str, fn: Action) -> Action:
    @functools.wraps(fn)
    def run(call: Call, params: dict[str, Any]) -> dict[str, Any] | None:
        try:
            return fn(call, params)
        except (AlreadyExists, MissingReference) as err:
            translate = STORE_ERRORS.get(service)
            if translate is None:
                raise
            raise translate(err) from err

    return run


def load_all() -> dict[str, dict[str, Action]]:
    """Import every service module so that its actions register."""
    import iamd.services.accessanalyzer  # noqa: F401
    import iamd.services.cloudtrail  # noqa: F401
    import iamd.services.iam  # noqa: F401
    import iamd.services.iamd  # noqa: F401
    import iamd.services.organizations  # noqa: F401
    import iamd.services.sts  # noqa: F401

    return ACTIONS
