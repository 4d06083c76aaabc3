"""What centralized root access reads and writes: an account's organization, IAM's trusted access
and delegated administrators, and the ``org_iam_features`` rows.

The Organizations service (``services/organizations``) owns the organization and its tree; these
are the few reads IAM and STS need about them, plus the feature switches that only IAM writes
(``EnableOrganizationsRootCredentialsManagement``, ``EnableOrganizationsRootSessions``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, select
from sqlalchemy.exc import IntegrityError

from iamd.store import org_schema as o
from iamd.store.errors import AlreadyExists

IAM_SERVICE_PRINCIPAL = "iam.amazonaws.com"
ROOT_CREDENTIALS_MANAGEMENT = "RootCredentialsManagement"
ROOT_SESSIONS = "RootSessions"
# ListOrganizationsFeatures returns them in this order (FeatureType's enum order).
FEATURES = (ROOT_CREDENTIALS_MANAGEMENT, ROOT_SESSIONS)


@dataclass(frozen=True)
class OrgMembership:
    """The organization an account belongs to, as the management account or as a member."""

    org_id: str
    management_account_id: str
    feature_set: str
    # The member's status (ACTIVE, SUSPENDED, PENDING_CLOSURE); "ACTIVE" for the management account.
    status: str

    @property
    def all_features(self) -> bool:
        return self.feature_set == "ALL"


def membership(conn: Connection, account_id: str) -> OrgMembership | None:
    """The account's organization, or None when it is in none."""
    org = o.organizations
    row = conn.execute(
        select(org.c.org_id, org.c.management_account_id, org.c.feature_set).where(
            org.c.management_account_id == account_id
        )
    ).first()
    if row is not None:
        return OrgMembership(row.org_id, row.management_account_id, row.feature_set, "ACTIVE")
    acc = o.org_accounts
    member = conn.execute(
        select(org.c.org_id, org.c.management_account_id, org.c.feature_set, acc.c.status)
        .select_from(acc.join(org, org.c.org_id == acc.c.org_id))
        .where(acc.c.account_id == account_id)
    ).first()
    if member is None:
        return None
    return OrgMembership(member.org_id, member.management_account_id, member.feature_set, member.status)


def trusted_access_enabled(conn: Connection, org_id: str, service_principal: str = IAM_SERVICE_PRINCIPAL) -> bool:
    t = o.org_service_access
    q = select(t.c.org_id).where(t.c.org_id == org_id, t.c.service_principal == service_principal)
    return conn.execute(q).first() is not None


def is_delegated_admin(
    conn: Connection, org_id: str, account_id: str, service_principal: str = IAM_SERVICE_PRINCIPAL
) -> bool:
    t = o.org_delegated_admins
    q = select(t.c.account_id).where(
        t.c.org_id == org_id, t.c.account_id == account_id, t.c.service_principal == service_principal
    )
    return conn.execute(q).first() is not None


def features(conn: Connection, org_id: str) -> list[str]:
    """The enabled features, in ``FEATURES`` order."""
    t = o.org_iam_features
    enabled = set(conn.execute(select(t.c.feature).where(t.c.org_id == org_id)).scalars())
    return [f for f in FEATURES if f in enabled]


def enable(conn: Connection, org_id: str, feature: str, now: datetime) -> None:
    """Idempotent: enabling an enabled feature changes nothing (a concurrent enable is no error)."""
    t = o.org_iam_features
    if feature in features(conn, org_id):
        return
    try:
        with conn.begin_nested():
            conn.execute(t.insert().values(org_id=org_id, feature=feature, enabled_at=now))
    except (IntegrityError, AlreadyExists):
        pass  # enabled by a concurrent call meanwhile


def disable(conn: Connection, org_id: str, feature: str) -> None:
    t = o.org_iam_features
    conn.execute(delete(t).where(t.c.org_id == org_id, t.c.feature == feature))


def is_enabled(conn: Connection, org_id: str, feature: str) -> bool:
    t = o.org_iam_features
    q = select(t.c.org_id).where(t.c.org_id == org_id, t.c.feature == feature)
    return conn.execute(q).first() is not None
