"""What enforcement reads of AWS Organizations: an account's place in its organization's tree and
the organization policies attached along it.

Read on a cache miss only (``authz/organizations.py`` caches the result per account and policy
generation); every write to these tables bumps the generation of the accounts below the changed
target (``store/orgs.py``), so these queries run again on the next request after a change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, and_, bindparam, select

from iamd.store import org_schema as o
from iamd.store.settings_schema import org_resource_policies

# The tree is at most a root and five levels of OUs (AWS's nesting limit); a longer parent chain
# is a corrupt row, not an organization, and the walk stops there.
MAX_DEPTH = 5

_MEMBER = (
    select(
        o.org_accounts.c.parent_id,
        o.org_accounts.c.status,
        o.organizations.c.org_id,
        o.organizations.c.management_account_id,
        o.organizations.c.root_id,
        o.organizations.c.feature_set,
    )
    .select_from(o.org_accounts.join(o.organizations, o.organizations.c.org_id == o.org_accounts.c.org_id))
    .where(o.org_accounts.c.account_id == bindparam("account_id"))
)
_PARENT = select(o.org_units.c.parent_id).where(o.org_units.c.unit_id == bindparam("unit_id"))
_TYPES = select(o.org_policy_types.c.policy_type).where(
    o.org_policy_types.c.org_id == bindparam("org_id"), o.org_policy_types.c.status == "ENABLED"
)
_ATTACHED = (
    select(
        o.org_policy_attachments.c.target_id,
        o.org_policies.c.policy_id,
        o.org_policies.c.policy_type,
        o.org_policies.c.content,
        o.org_policies.c.aws_managed,
    )
    .select_from(
        o.org_policy_attachments.join(
            o.org_policies,
            and_(
                o.org_policies.c.org_id == o.org_policy_attachments.c.org_id,
                o.org_policies.c.policy_id == o.org_policy_attachments.c.policy_id,
            ),
        )
    )
    .where(
        o.org_policy_attachments.c.org_id == bindparam("org_id"),
        o.org_policy_attachments.c.target_id.in_(bindparam("targets", expanding=True)),
        o.org_policies.c.policy_type.in_(bindparam("types", expanding=True)),
    )
    .order_by(o.org_policy_attachments.c.target_id, o.org_policies.c.policy_id)
)
_DELEGATION = select(org_resource_policies.c.policy_id, org_resource_policies.c.content).where(
    org_resource_policies.c.org_id == bindparam("org_id")
)
_POLICY_TYPE = select(o.org_policies.c.policy_type).where(
    o.org_policies.c.org_id == bindparam("org_id"), o.org_policies.c.policy_id == bindparam("policy_id")
)


@dataclass(frozen=True)
class Membership:
    org_id: str
    management_account_id: str
    root_id: str
    feature_set: str
    # The OU (or root) the account hangs from.
    parent_id: str
    status: str


@dataclass(frozen=True)
class Attached:
    target_id: str
    policy_id: str
    policy_type: str
    content: str
    aws_managed: bool


def membership(conn: Connection, account_id: str) -> Membership | None:
    """The account's organization, or None when it belongs to none: one query, since the
    management account has its ``org_accounts`` row like every member (``store/orgs.py``)."""
    row = conn.execute(_MEMBER, {"account_id": account_id}).first()
    if row is None:
        return None
    return Membership(row.org_id, row.management_account_id, row.root_id, row.feature_set, row.parent_id, row.status)


def ancestors(conn: Connection, parent_id: str, root_id: str) -> list[str]:
    """The OUs from the root's child down to ``parent_id`` (empty when the account hangs from
    the root)."""
    chain: list[str] = []
    unit: str | None = parent_id
    while unit is not None and unit != root_id and len(chain) <= MAX_DEPTH:
        chain.append(unit)
        unit = conn.execute(_PARENT, {"unit_id": unit}).scalar()
    chain.reverse()
    return chain


def enabled_types(conn: Connection, org_id: str) -> frozenset[str]:
    return frozenset(r.policy_type for r in conn.execute(_TYPES, {"org_id": org_id}))


def attached(conn: Connection, org_id: str, targets: Sequence[str], types: Sequence[str]) -> list[Attached]:
    """The policies of ``types`` attached to any of ``targets``."""
    if not targets or not types:
        return []
    rows = conn.execute(_ATTACHED, {"org_id": org_id, "targets": list(targets), "types": list(types)})
    return [Attached(r.target_id, r.policy_id, r.policy_type, r.content, bool(r.aws_managed)) for r in rows]


def policy_type(conn: Connection, org_id: str, policy_id: str) -> str | None:
    """The type of one of the organization's policies (for ``organizations:PolicyType``)."""
    value = conn.execute(_POLICY_TYPE, {"org_id": org_id, "policy_id": policy_id}).scalar()
    return None if value is None else str(value)


def resource_policy(conn: Connection, org_id: str) -> tuple[str, str] | None:
    """The organization's resource-based delegation policy (PutResourcePolicy): its id and text."""
    row = conn.execute(_DELEGATION, {"org_id": org_id}).first()
    return None if row is None else (str(row.policy_id), str(row.content))
