"""Account-wide settings that are one value each, and the organization's resource policy.

``iam_account_settings`` holds IAM's per-account preferences as (name, value) rows, so that a new
preference needs no migration: today ``GlobalEndpointTokenVersion`` (SetSecurityTokenService-
Preferences: ``v1Token`` or ``v2Token``; no row is AWS's default, version 1).

``org_resource_policies`` holds the one resource-based delegation policy an organization may have
(PutResourcePolicy): "You can only have one resource policy per organization", so the
organization's id is the primary key; its tags use the shared ``tags`` table with resource type
``org-resource-policy``.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table, Text

from iamd.store.schema import metadata
from iamd.store.types import UtcDateTime

iam_account_settings = Table(
    "iam_account_settings",
    metadata,
    Column("account_id", String(12), ForeignKey("accounts.account_id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(64), primary_key=True),
    Column("value", String(1024), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

org_resource_policies = Table(
    "org_resource_policies",
    metadata,
    Column("org_id", String(34), ForeignKey("organizations.org_id", ondelete="CASCADE"), primary_key=True),
    Column("policy_id", String(131), nullable=False, unique=True),
    Column("content", Text, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)
