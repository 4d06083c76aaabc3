"""What AWS Organizations records: one organization per management account, its tree, its policies.

An organization is owned by its management account; every iamd account belongs to at most one
organization (``org_accounts.account_id`` is the primary key). The tree is the root (an
``org_units`` row with no parent, depth 0) and organizational units below it (depth 1–5, AWS's
nesting limit); every member account hangs from exactly one of them. Policies of every type
(``SERVICE_CONTROL_POLICY``, ``RESOURCE_CONTROL_POLICY``, …) live in ``org_policies``; the AWS
managed ones (``p-FullAWSAccess``, ``p-RCPFullAWSAccess``) get a row per organization so that
attachments always reference a row. Ids follow AWS's formats (``o-…``, ``r-…``, ``ou-…``,
``p-…``, ``h-…``, ``car-…``).

Enforcement reads these tables on a principal's cache miss (``authz/``): a change of a policy,
attachment, policy type or the tree bumps ``accounts.generation`` of every account below the
changed target in the same transaction, so it is enforced on the next request everywhere.
Tags of accounts, OUs, roots and policies use the shared ``tags`` table with resource types
``org-account``, ``org-ou``, ``org-root`` and ``org-policy``.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from iamd.store.schema import metadata
from iamd.store.types import UtcDateTime

organizations = Table(
    "organizations",
    metadata,
    Column("org_id", String(34), primary_key=True),
    Column(
        "management_account_id",
        String(12),
        ForeignKey("accounts.account_id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    Column("root_id", String(34), nullable=False, unique=True),
    Column("feature_set", String(32), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

# The root (parent_id NULL, depth 0) and the organizational units below it.
org_units = Table(
    "org_units",
    metadata,
    Column("unit_id", String(68), primary_key=True),
    Column("org_id", String(34), ForeignKey("organizations.org_id", ondelete="CASCADE"), nullable=False),
    Column("parent_id", String(68), ForeignKey("org_units.unit_id"), nullable=True),
    Column("name", String(128), nullable=False),
    Column("name_lower", String(128), nullable=False),
    Column("depth", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("parent_id", "name_lower"),
    Index(None, "org_id", "parent_id"),
)

org_accounts = Table(
    "org_accounts",
    metadata,
    Column("account_id", String(12), ForeignKey("accounts.account_id", ondelete="CASCADE"), primary_key=True),
    Column("org_id", String(34), ForeignKey("organizations.org_id", ondelete="CASCADE"), nullable=False),
    Column("parent_id", String(68), ForeignKey("org_units.unit_id"), nullable=False),
    Column("name", String(50), nullable=False),
    Column("email", String(64), nullable=False),
    Column("email_lower", String(64), nullable=False, unique=True),
    # ACTIVE, SUSPENDED (closed), PENDING_CLOSURE
    Column("status", String(16), nullable=False),
    # INVITED or CREATED
    Column("joined_method", String(16), nullable=False),
    Column("joined_at", UtcDateTime(), nullable=False),
    Column("closed_at", UtcDateTime(), nullable=True),
    Index(None, "org_id", "parent_id"),
)

org_policies = Table(
    "org_policies",
    metadata,
    Column("org_id", String(34), ForeignKey("organizations.org_id", ondelete="CASCADE"), primary_key=True),
    Column("policy_id", String(130), primary_key=True),
    Column("policy_type", String(40), nullable=False),
    Column("name", String(128), nullable=False),
    Column("name_lower", String(128), nullable=False),
    Column("description", String(512), nullable=False),
    Column("content", Text, nullable=False),
    Column("aws_managed", Boolean, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("org_id", "policy_type", "name_lower"),
)

org_policy_attachments = Table(
    "org_policy_attachments",
    metadata,
    Column("org_id", String(34), primary_key=True),
    Column("policy_id", String(130), primary_key=True),
    # A root, OU or account id.
    Column("target_id", String(68), primary_key=True),
    Column("attached_at", UtcDateTime(), nullable=False),
    ForeignKeyConstraint(["org_id", "policy_id"], ["org_policies.org_id", "org_policies.policy_id"]),
    Index(None, "org_id", "target_id"),
)

# Policy types enabled on the root (AWS: EnablePolicyType / DisablePolicyType).
org_policy_types = Table(
    "org_policy_types",
    metadata,
    Column("org_id", String(34), ForeignKey("organizations.org_id", ondelete="CASCADE"), primary_key=True),
    Column("policy_type", String(40), primary_key=True),
    Column("status", String(16), nullable=False),
)

org_handshakes = Table(
    "org_handshakes",
    metadata,
    Column("handshake_id", String(66), primary_key=True),
    Column("org_id", String(34), ForeignKey("organizations.org_id", ondelete="CASCADE"), nullable=False),
    # INVITE, ENABLE_ALL_FEATURES, APPROVE_ALL_FEATURES
    Column("action", String(32), nullable=False),
    # REQUESTED, OPEN, CANCELED, ACCEPTED, DECLINED, EXPIRED
    Column("state", String(16), nullable=False),
    Column("target_account_id", String(12), nullable=True),
    # The Parties and Resources of AWS's Handshake shape, as JSON.
    Column("parties", Text, nullable=False),
    Column("resources", Text, nullable=False),
    Column("requested_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Index(None, "target_account_id"),
)

org_create_account_status = Table(
    "org_create_account_status",
    metadata,
    Column("request_id", String(36), primary_key=True),
    Column("org_id", String(34), ForeignKey("organizations.org_id", ondelete="CASCADE"), nullable=False),
    Column("account_name", String(50), nullable=False),
    # IN_PROGRESS, SUCCEEDED, FAILED
    Column("state", String(16), nullable=False),
    Column("account_id", String(12), nullable=True),
    Column("failure_reason", String(64), nullable=True),
    Column("requested_at", UtcDateTime(), nullable=False),
    Column("completed_at", UtcDateTime(), nullable=True),
    Index(None, "org_id", "requested_at"),
)

org_delegated_admins = Table(
    "org_delegated_admins",
    metadata,
    Column("org_id", String(34), ForeignKey("organizations.org_id", ondelete="CASCADE"), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id", ondelete="CASCADE"), primary_key=True),
    Column("service_principal", String(128), primary_key=True),
    Column("enabled_at", UtcDateTime(), nullable=False),
)

# Trusted access (EnableAWSServiceAccess).
org_service_access = Table(
    "org_service_access",
    metadata,
    Column("org_id", String(34), ForeignKey("organizations.org_id", ondelete="CASCADE"), primary_key=True),
    Column("service_principal", String(128), primary_key=True),
    Column("enabled_at", UtcDateTime(), nullable=False),
)

# IAM's centralized root access (EnableOrganizationsRootCredentialsManagement,
# EnableOrganizationsRootSessions): feature names as ListOrganizationsFeatures returns them.
org_iam_features = Table(
    "org_iam_features",
    metadata,
    Column("org_id", String(34), ForeignKey("organizations.org_id", ondelete="CASCADE"), primary_key=True),
    Column("feature", String(64), primary_key=True),
    Column("enabled_at", UtcDateTime(), nullable=False),
)
