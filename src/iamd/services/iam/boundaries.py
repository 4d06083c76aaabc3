"""Put/Delete{User,Role}PermissionsBoundary, registered from one definition, and the boundary's shape.

AWS gives users and roles each their own pair of actions with the same rules: the policy must be
one usable as a boundary (``policy_refs.resolve_boundary``), and Delete clears it. The entity's
own rules (a service-linked role is only modifiable by AWS) live in the ``find`` it registers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from iamd.services.context import Call
from iamd.services.iam import policy_refs
from iamd.services.registry import action
from iamd.store.named import NamedRepo

# (call, params) -> the id of the entity whose boundary may change; raises NoSuchEntity, or
# UnmodifiableEntity where the entity may not be changed.
Finder = Callable[[Call, dict[str, Any]], str]


def boundary_shape(arn: str) -> dict[str, str]:
    """The ``PermissionsBoundary`` member of a User or Role. AWS answers the type ``Policy``
    (the aws CLI's create-user example 3), not the ``PermissionsBoundaryPolicy`` of botocore's
    enum, which SDKs do not check."""
    return {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn}


def register(entity: str, find: Finder, repo: NamedRepo) -> None:
    """Register ``Put{entity}PermissionsBoundary`` and ``Delete{entity}PermissionsBoundary``."""

    def put(call: Call, p: dict[str, Any]) -> None:
        entity_id = find(call, p)
        policy_refs.resolve_boundary(call, p["PermissionsBoundary"])
        repo.update(call.conn, entity_id, permissions_boundary=p["PermissionsBoundary"])

    def delete(call: Call, p: dict[str, Any]) -> None:
        repo.update(call.conn, find(call, p), permissions_boundary=None)

    action("iam", f"Put{entity}PermissionsBoundary")(put)
    action("iam", f"Delete{entity}PermissionsBoundary")(delete)
