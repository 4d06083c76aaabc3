"""The Organizations repository: reads and writes of the tables ``org_schema.py`` declares.

No business rules here (who may call, quotas, AWS's errors: ``services/organizations/``), only
the queries, so that every helper of the feature reads the tree the same way. Two invariants
the callers rely on:

- the management account has an ``org_accounts`` row like every member (it is listed by
  ListAccounts and hangs from the root or an OU, as on AWS);
- ``bump_generations`` moves ``accounts.generation`` of every account at or below a target in the
  caller's transaction: enforcement caches compiled policy sets per account generation
  (``authz/policy_sets.py``), so a change of the tree or of what is attached is enforced on the
  next request in every account it reaches.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from iamd.store import tags as tag_store
from iamd.store.org_schema import (
    org_accounts,
    org_create_account_status,
    org_delegated_admins,
    org_handshakes,
    org_iam_features,
    org_policies,
    org_policy_attachments,
    org_policy_types,
    org_service_access,
    org_units,
    organizations,
)
from iamd.store.schema import accounts

# Tag resource types of the shared ``tags`` table (store/tags.py).
TAG_ACCOUNT = "org-account"
TAG_OU = "org-ou"
TAG_ROOT = "org-root"
TAG_POLICY = "org-policy"
# An invitation's tags, until the account joins and they become the account's.
TAG_HANDSHAKE = "org-handshake"


# --- organizations ---------------------------------------------------------------------------


def get_org(conn: Connection, org_id: str) -> Row[Any] | None:
    return conn.execute(select(organizations).where(organizations.c.org_id == org_id)).first()


def org_managed_by(conn: Connection, account_id: str) -> Row[Any] | None:
    """The organization whose management account is ``account_id``."""
    q = select(organizations).where(organizations.c.management_account_id == account_id)
    return conn.execute(q).first()


def org_of_account(conn: Connection, account_id: str) -> Row[Any] | None:
    """The organization ``account_id`` belongs to (as management account or member)."""
    q = (
        select(organizations)
        .join(org_accounts, org_accounts.c.org_id == organizations.c.org_id)
        .where(org_accounts.c.account_id == account_id)
    )
    return conn.execute(q).first()


def create_org(
    conn: Connection, org_id: str, root_id: str, management_account_id: str, feature_set: str, now: datetime
) -> None:
    conn.execute(
        insert(organizations).values(
            org_id=org_id,
            management_account_id=management_account_id,
            root_id=root_id,
            feature_set=feature_set,
            created_at=now,
        )
    )
    conn.execute(
        insert(org_units).values(
            unit_id=root_id, org_id=org_id, parent_id=None, name="Root", name_lower="root", depth=0, created_at=now
        )
    )


def delete_org(conn: Connection, org_id: str) -> None:
    """Every row of the organization, children before parents, and the tags of its entities."""
    for row in conn.execute(select(org_handshakes.c.handshake_id).where(org_handshakes.c.org_id == org_id)).all():
        tag_store.drop_all(conn, TAG_HANDSHAKE, row.handshake_id)
    for table in (org_policy_attachments, org_handshakes, org_create_account_status, org_delegated_admins,
                  org_service_access, org_iam_features, org_policy_types):
        conn.execute(delete(table).where(table.c.org_id == org_id))
    for row in conn.execute(select(org_policies.c.policy_id).where(org_policies.c.org_id == org_id)).all():
        tag_store.drop_all(conn, TAG_POLICY, row.policy_id)
    conn.execute(delete(org_policies).where(org_policies.c.org_id == org_id))
    for row in conn.execute(select(org_accounts.c.account_id).where(org_accounts.c.org_id == org_id)).all():
        tag_store.drop_all(conn, TAG_ACCOUNT, row.account_id)
    conn.execute(delete(org_accounts).where(org_accounts.c.org_id == org_id))
    units = conn.execute(
        select(org_units.c.unit_id, org_units.c.depth).where(org_units.c.org_id == org_id).order_by(org_units.c.depth.desc())
    ).all()
    for unit in units:
        tag_store.drop_all(conn, TAG_ROOT if unit.depth == 0 else TAG_OU, unit.unit_id)
        conn.execute(delete(org_units).where(org_units.c.unit_id == unit.unit_id))
    conn.execute(delete(organizations).where(organizations.c.org_id == org_id))


# --- the tree --------------------------------------------------------------------------------


def get_unit(conn: Connection, org_id: str, unit_id: str) -> Row[Any] | None:
    """A root or OU of the organization (None for another organization's)."""
    q = select(org_units).where(org_units.c.org_id == org_id, org_units.c.unit_id == unit_id)
    return conn.execute(q).first()


def child_units(conn: Connection, org_id: str, parent_id: str) -> list[Row[Any]]:
    q = (
        select(org_units)
        .where(org_units.c.org_id == org_id, org_units.c.parent_id == parent_id)
        .order_by(org_units.c.unit_id)
    )
    return list(conn.execute(q).all())


def unit_by_name(conn: Connection, parent_id: str, name: str) -> Row[Any] | None:
    q = select(org_units).where(org_units.c.parent_id == parent_id, org_units.c.name_lower == name.lower())
    return conn.execute(q).first()


def count_units(conn: Connection, org_id: str) -> int:
    """OUs of the organization, the root not counted."""
    q = select(func.count()).select_from(org_units).where(org_units.c.org_id == org_id, org_units.c.depth > 0)
    return int(conn.execute(q).scalar_one())


def add_unit(conn: Connection, org_id: str, unit_id: str, parent_id: str, name: str, depth: int, now: datetime) -> None:
    conn.execute(
        insert(org_units).values(
            unit_id=unit_id, org_id=org_id, parent_id=parent_id, name=name, name_lower=name.lower(),
            depth=depth, created_at=now,
        )
    )


def rename_unit(conn: Connection, unit_id: str, name: str) -> None:
    conn.execute(update(org_units).where(org_units.c.unit_id == unit_id).values(name=name, name_lower=name.lower()))


def delete_unit(conn: Connection, unit_id: str) -> None:
    tag_store.drop_all(conn, TAG_OU, unit_id)
    conn.execute(delete(org_policy_attachments).where(org_policy_attachments.c.target_id == unit_id))
    conn.execute(delete(org_units).where(org_units.c.unit_id == unit_id))


def ancestors(conn: Connection, org_id: str, unit_id: str) -> list[str]:
    """The ids from the root down to ``unit_id`` (included): at most six lookups (depth ≤ 5)."""
    path: list[str] = []
    current: str | None = unit_id
    while current is not None:
        row = get_unit(conn, org_id, current)
        if row is None:
            break
        path.append(row.unit_id)
        current = row.parent_id
    return list(reversed(path))


def subtree(conn: Connection, org_id: str, unit_id: str) -> list[str]:
    """``unit_id`` and every OU below it, level by level."""
    found = [unit_id]
    frontier = [unit_id]
    while frontier:
        q = select(org_units.c.unit_id).where(org_units.c.org_id == org_id, org_units.c.parent_id.in_(frontier))
        frontier = list(conn.execute(q).scalars())
        found += frontier
    return found


# --- accounts --------------------------------------------------------------------------------


def get_member(conn: Connection, account_id: str) -> Row[Any] | None:
    """The account's membership row (in whichever organization)."""
    return conn.execute(select(org_accounts).where(org_accounts.c.account_id == account_id)).first()


def member_by_email(conn: Connection, email: str) -> Row[Any] | None:
    return conn.execute(select(org_accounts).where(org_accounts.c.email_lower == email.lower())).first()


def members(conn: Connection, org_id: str, parent_id: str | None = None) -> list[Row[Any]]:
    """The organization's accounts (of one parent), ordered by account id: the pagination key."""
    q = select(org_accounts).where(org_accounts.c.org_id == org_id)
    if parent_id is not None:
        q = q.where(org_accounts.c.parent_id == parent_id)
    return list(conn.execute(q.order_by(org_accounts.c.account_id)).all())


def count_members(conn: Connection, org_id: str) -> int:
    q = select(func.count()).select_from(org_accounts).where(org_accounts.c.org_id == org_id)
    return int(conn.execute(q).scalar_one())


def add_member(
    conn: Connection, org_id: str, account_id: str, parent_id: str, name: str, email: str, joined_method: str,
    now: datetime,
) -> None:
    conn.execute(
        insert(org_accounts).values(
            account_id=account_id, org_id=org_id, parent_id=parent_id, name=name, email=email,
            email_lower=email.lower(), status="ACTIVE", joined_method=joined_method, joined_at=now,
        )
    )


def move_member(conn: Connection, account_id: str, parent_id: str) -> None:
    conn.execute(update(org_accounts).where(org_accounts.c.account_id == account_id).values(parent_id=parent_id))


def set_member_status(conn: Connection, account_id: str, status: str, closed_at: datetime | None) -> None:
    conn.execute(
        update(org_accounts).where(org_accounts.c.account_id == account_id).values(status=status, closed_at=closed_at)
    )


def remove_member(conn: Connection, account_id: str) -> None:
    """The account leaves: its membership, its policy attachments, delegations and org tags."""
    conn.execute(delete(org_policy_attachments).where(org_policy_attachments.c.target_id == account_id))
    conn.execute(delete(org_delegated_admins).where(org_delegated_admins.c.account_id == account_id))
    tag_store.drop_all(conn, TAG_ACCOUNT, account_id)
    conn.execute(delete(org_accounts).where(org_accounts.c.account_id == account_id))


# --- generations -----------------------------------------------------------------------------


def accounts_under(conn: Connection, org_id: str, target_id: str) -> list[str]:
    """Every account at or below a target: the root (all), an OU (its subtree), an account."""
    unit = get_unit(conn, org_id, target_id)
    if unit is None:
        member = get_member(conn, target_id)
        return [target_id] if member is not None and member.org_id == org_id else []
    if unit.parent_id is None:
        q = select(org_accounts.c.account_id).where(org_accounts.c.org_id == org_id)
    else:
        units = subtree(conn, org_id, target_id)
        q = select(org_accounts.c.account_id).where(org_accounts.c.org_id == org_id, org_accounts.c.parent_id.in_(units))
    return list(conn.execute(q).scalars())


def bump_generations(conn: Connection, org_id: str, target_id: str) -> None:
    """Bump ``accounts.generation`` of every account at or below ``target_id`` (root, OU or
    account id): their compiled policy sets are stale once what applies to them changed."""
    bump_accounts(conn, accounts_under(conn, org_id, target_id))


def bump_accounts(conn: Connection, account_ids: Iterable[str]) -> None:
    # Sorted: two transactions bumping overlapping sets take the row locks in one order.
    ids: Sequence[str] = sorted(set(account_ids))
    if ids:
        conn.execute(
            update(accounts).where(accounts.c.account_id.in_(ids)).values(generation=accounts.c.generation + 1)
        )
