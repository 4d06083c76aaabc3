"""EnablePolicyType, DisablePolicyType, and the AWS managed policies of a new organization.

AWS Organizations User Guide, "Enabling and disabling policy types": a type is enabled on the root
by the management account; "when you disable a policy type, all policies of the specified type
are automatically detached from all entities in the organization root. The policies are not
deleted", and "if you re-enable the SCP policy type later, all entities in the organization root
are initially attached to only the default FullAWSAccess SCP". Enabling SCPs (RCPs) attaches
``FullAWSAccess`` (``RCPFullAWSAccess``) to the root, every OU and every account.

Errors: a root id other than the organization's is ``RootNotFoundException``; a type enabled
twice ``PolicyTypeAlreadyEnabledException``; a type disabled while not enabled
``PolicyTypeNotEnabledException``; a type iamd does not serve, or any type in an organization
with only consolidated billing features, ``PolicyTypeNotAvailableForOrganizationException``
(the model's example: "you can enable SCPs only after you enable all features"). AWS does this
"asynchronously"; iamd is strongly consistent, so the answer already shows ``ENABLED`` and the
next request in every account is decided with (or without) the type.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row

from iamd.services.context import Call
from iamd.services.organizations import common, organization
from iamd.services.organizations import policy_content as content
from iamd.services.organizations.errors import (
    PolicyTypeAlreadyEnabledException,
    PolicyTypeNotAvailableForOrganizationException,
    PolicyTypeNotEnabledException,
    RootNotFoundException,
)
from iamd.services.registry import action
from iamd.store import org_policies as store
from iamd.store import orgs
from iamd.store.org_schema import org_accounts, org_units

ROOT_NOT_FOUND = "We can't find a root with the RootId that you specified."
ALREADY_ENABLED = "The specified policy type is already enabled."
NOT_ENABLED = "This operation can be performed only for enabled policy types."
NOT_ALL_FEATURES = (
    "You can't use the specified policy type with the feature set currently enabled for this organization."
)


def add_managed_policies(conn: Connection, org: Row[Any], now: datetime) -> None:
    """Every organization holds the AWS managed policies from its creation (ListPolicies shows them
    before their type is enabled)."""
    for m in content.MANAGED.values():
        store.ensure_managed(conn, org.org_id, m.policy_id, m.policy_type, m.name, m.description, m.content, now)


organization.ON_CREATE.append(add_managed_policies)


def _root(call: Call, root_id: str) -> Row[Any]:
    org = common.locked_org(call)
    if root_id != org.root_id:
        raise RootNotFoundException(ROOT_NOT_FOUND)
    return org


def all_targets(conn: Connection, org_id: str) -> list[str]:
    """The root, every OU and every account of the organization."""
    units = conn.execute(org_units.select().with_only_columns(org_units.c.unit_id).where(org_units.c.org_id == org_id))
    members = conn.execute(
        org_accounts.select().with_only_columns(org_accounts.c.account_id).where(org_accounts.c.org_id == org_id)
    )
    return [*units.scalars(), *members.scalars()]


@action("organizations", "EnablePolicyType")
def enable_policy_type(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    org = _root(call, p["RootId"])
    policy_type = content.served_type(p["PolicyType"])
    if org.feature_set != "ALL":
        raise PolicyTypeNotAvailableForOrganizationException(NOT_ALL_FEATURES)
    if store.is_enabled(call.conn, org.org_id, policy_type):
        raise PolicyTypeAlreadyEnabledException(ALREADY_ENABLED)
    store.enable_type(call.conn, org.org_id, policy_type)
    managed = content.MANAGED[policy_type]
    store.ensure_managed(call.conn, org.org_id, managed.policy_id, managed.policy_type, managed.name,
                         managed.description, managed.content, call.now)
    store.attach_many(call.conn, org.org_id, managed.policy_id, all_targets(call.conn, org.org_id), call.now)
    orgs.bump_generations(call.conn, org.org_id, org.root_id)
    return {"Root": organization.root(call.conn, org)}


@action("organizations", "DisablePolicyType")
def disable_policy_type(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    org = _root(call, p["RootId"])
    if not store.is_enabled(call.conn, org.org_id, p["PolicyType"]):
        raise PolicyTypeNotEnabledException(NOT_ENABLED)
    store.detach_type(call.conn, org.org_id, p["PolicyType"])
    store.disable_type(call.conn, org.org_id, p["PolicyType"])
    orgs.bump_generations(call.conn, org.org_id, org.root_id)
    return {"Root": organization.root(call.conn, org)}
