"""What IAM Access Analyzer records: analyzers, their archive rules, findings, analyzed resources
and access previews.

An analyzer belongs to one account and region (``arn:aws:access-analyzer:REGION:ID:analyzer/NAME``);
deleting it deletes its rules, findings, resources and previews (``ON DELETE CASCADE``). Its
``fingerprint`` is the state of its zone of trust it last analysed (the policy generation of
each account of the zone, and the organization): a read whose zone state differs re-analyses
the resources that changed first (``services/accessanalyzer/sync.py``).

``aa_findings`` holds every finding type AWS has (``ExternalAccess``, ``UnusedIAMRole``,
``UnusedIAMUserAccessKey``, ``UnusedIAMUserPassword``, ``UnusedPermission``): the columns every
type shares, plus ``details`` (JSON, the type's own ``findingDetails`` entry: an unused
permission's service and actions, a key's id and last use). One finding per (analyzer,
resource, ``finding_key``): for external access the key is a digest of the principal and
condition, so the same access found again is the same finding, and access removed makes it
``RESOLVED``. Tags of analyzers use the shared ``tags`` table with resource type ``aa-analyzer``.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint

from iamd.store.schema import metadata
from iamd.store.types import UtcDateTime

aa_analyzers = Table(
    "aa_analyzers",
    metadata,
    Column("analyzer_id", String(36), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id", ondelete="CASCADE"), nullable=False),
    Column("region", String(32), nullable=False),
    Column("name", String(255), nullable=False),
    Column("arn", String(512), nullable=False, unique=True),
    Column("type", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("configuration", Text, nullable=True),
    Column("managed_by", String(128), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("last_resource_analyzed", String(2048), nullable=True),
    Column("last_resource_analyzed_at", UtcDateTime(), nullable=True),
    Column("fingerprint", Text, nullable=True),
    UniqueConstraint("account_id", "region", "name"),
)

aa_archive_rules = Table(
    "aa_archive_rules",
    metadata,
    Column("analyzer_id", String(36), ForeignKey("aa_analyzers.analyzer_id", ondelete="CASCADE"), primary_key=True),
    Column("rule_name", String(255), primary_key=True),
    Column("filter", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

aa_findings = Table(
    "aa_findings",
    metadata,
    Column("finding_id", String(36), primary_key=True),
    Column("analyzer_id", String(36), ForeignKey("aa_analyzers.analyzer_id", ondelete="CASCADE"), nullable=False),
    Column("finding_type", String(32), nullable=False),
    Column("finding_key", String(64), nullable=False),
    Column("resource_arn", String(2048), nullable=False),
    Column("resource_type", String(64), nullable=False),
    Column("resource_owner_account", String(12), nullable=False),
    Column("status", String(16), nullable=False),
    Column("principal", Text, nullable=True),
    Column("actions", Text, nullable=True),
    Column("condition", Text, nullable=True),
    Column("is_public", Boolean, nullable=True),
    Column("sources", Text, nullable=True),
    Column("details", Text, nullable=True),
    Column("error", Text, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("analyzed_at", UtcDateTime(), nullable=False),
    UniqueConstraint("analyzer_id", "resource_arn", "finding_key"),
)
Index("ix_aa_findings_analyzer_id_status", aa_findings.c.analyzer_id, aa_findings.c.status)

aa_analyzed_resources = Table(
    "aa_analyzed_resources",
    metadata,
    Column("analyzer_id", String(36), ForeignKey("aa_analyzers.analyzer_id", ondelete="CASCADE"), primary_key=True),
    Column("resource_arn", String(2048), primary_key=True),
    Column("resource_type", String(64), nullable=False),
    Column("resource_owner_account", String(12), nullable=False),
    Column("policy_digest", String(64), nullable=False),
    Column("is_public", Boolean, nullable=False),
    Column("actions", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("analyzed_at", UtcDateTime(), nullable=False),
)

aa_access_previews = Table(
    "aa_access_previews",
    metadata,
    Column("preview_id", String(36), primary_key=True),
    Column("analyzer_id", String(36), ForeignKey("aa_analyzers.analyzer_id", ondelete="CASCADE"), nullable=False),
    Column("configurations", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("status_reason", String(64), nullable=True),
    Column("findings", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)
Index("ix_aa_access_previews_analyzer_id", aa_access_previews.c.analyzer_id)
