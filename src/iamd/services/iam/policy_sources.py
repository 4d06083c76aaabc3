"""The principal a SimulatePrincipalPolicy or GetContextKeysForPrincipalPolicy call names, and
the authorizer's own policy sets to read its documents from.

Both operations take a ``PolicySourceArn`` (a user, group or role; a role session stands for its
role) and must see exactly the documents that entity's own calls are decided on, so they share
this lookup: the entity is looked up in the caller's account only, so neither operation is an
oracle for another account's entities.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from iamd.analysis.sim_context import SimulationInputError
from iamd.analysis.sim_inputs import parse_entity_arn
from iamd.services.context import Call
from iamd.services.iam.errors import InvalidInput, NoSuchEntity
from iamd.store.repos import groups, roles, users

if TYPE_CHECKING:
    from iamd.authz.policy_sets import PolicySets

_REPOS = {"user": users, "group": groups, "role": roles}


def policy_sets(call: Call) -> PolicySets:
    """The authorizer's own ``PolicySets`` (and its cache of compiled documents)."""
    from iamd.authz.policy_sets import PolicySets  # late: policy_sets imports services.iam

    found = call.runtime.caches.get("policy_sets")
    return found if isinstance(found, PolicySets) else PolicySets()


def source_entity(call: Call, arn: str) -> tuple[str, Any]:
    """(kind, row) of the user, group or role ``arn`` names, in the caller's account."""
    try:
        kind, account, path, name = parse_entity_arn(arn)
    except SimulationInputError as err:
        raise InvalidInput(str(err)) from None
    row = _REPOS[kind].get_by_name(call.conn, call.account_id, name) if account == call.account_id else None
    if row is None or (path is not None and row.path != path):
        raise NoSuchEntity(f"The {kind} with name {name} cannot be found.")
    return kind, row
