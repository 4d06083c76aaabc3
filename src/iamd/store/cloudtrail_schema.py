"""What CloudTrail stores beyond the audit trail: trails, the log files they delivered, event
data stores, channels and resource policies.

A trail belongs to one account and one home region (``ct_trails``: AWS's names are unique per
account and region, 5 trails per region); its ARN is ``arn:aws:cloudtrail:REGION:ACCOUNT:trail/NAME``.
Delivery keeps its cursor on the trail's row: ``delivered_seq`` is the last ``audit_events.seq``
the trail has dealt with (delivered or not selected). A batch is first *claimed*
(``pending_first``..``pending_last``, committed), then written under the row's lock with a name
derived from the claimed range, then the cursor moves: a process that dies between writing and
committing leaves the claim, and whoever delivers next rewrites the same object, so a restart
gives neither a duplicate nor a gap, and servers sharing a database never deliver one event twice.

``ct_log_files`` lists the log files of the current digest period (hash, event times) for the
next digest file; ``digest_*`` columns of the trail carry the digest chain (the previous digest's
object, hash and signature, as each digest file names its predecessor).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint

from iamd.store.schema import metadata
from iamd.store.types import UtcDateTime

ct_trails = Table(
    "ct_trails",
    metadata,
    Column("trail_id", String(32), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id", ondelete="CASCADE"), nullable=False),
    Column("home_region", String(32), nullable=False),
    Column("name", String(128), nullable=False),
    Column("s3_bucket", String(63), nullable=False),
    Column("s3_prefix", String(200), nullable=True),
    Column("sns_topic", String(256), nullable=True),
    Column("include_global", Boolean, nullable=False),
    Column("multi_region", Boolean, nullable=False),
    Column("organization", Boolean, nullable=False),
    Column("validation", Boolean, nullable=False),
    Column("cw_log_group_arn", String(256), nullable=True),
    Column("cw_role_arn", String(256), nullable=True),
    Column("kms_key_id", String(256), nullable=True),
    # JSON: the basic event selectors, or the advanced ones (one or the other), insight selectors.
    Column("event_selectors", Text, nullable=True),
    Column("advanced_selectors", Text, nullable=True),
    Column("insight_selectors", Text, nullable=True),
    Column("is_logging", Boolean, nullable=False),
    Column("start_logging_time", UtcDateTime(), nullable=True),
    Column("stop_logging_time", UtcDateTime(), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("delivered_seq", BigInteger, nullable=False),
    Column("pending_first", BigInteger, nullable=True),
    Column("pending_last", BigInteger, nullable=True),
    Column("pending_at", UtcDateTime(), nullable=True),
    # Set by StopLogging: events from this seq on are not delivered.
    Column("stop_seq", BigInteger, nullable=True),
    # Set by a StartLogging while the last logging period is still being delivered: the events
    # recorded while the trail was stopped, skipped.
    Column("skip_from", BigInteger, nullable=True),
    Column("skip_to", BigInteger, nullable=True),
    Column("latest_delivery_time", UtcDateTime(), nullable=True),
    Column("latest_delivery_attempt", UtcDateTime(), nullable=True),
    Column("latest_delivery_error", Text, nullable=True),
    Column("digest_start", UtcDateTime(), nullable=True),
    Column("digest_pending_end", UtcDateTime(), nullable=True),
    Column("latest_digest_delivery_time", UtcDateTime(), nullable=True),
    Column("latest_digest_attempt", UtcDateTime(), nullable=True),
    Column("latest_digest_error", Text, nullable=True),
    Column("digest_prev_bucket", String(63), nullable=True),
    Column("digest_prev_object", String(1024), nullable=True),
    Column("digest_prev_hash", String(64), nullable=True),
    Column("digest_prev_signature", String(256), nullable=True),
    UniqueConstraint("account_id", "home_region", "name"),
)

ct_log_files = Table(
    "ct_log_files",
    metadata,
    Column("trail_id", String(32), ForeignKey("ct_trails.trail_id", ondelete="CASCADE"), primary_key=True),
    Column("object_key", String(1024), primary_key=True),
    Column("bucket", String(63), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("oldest_event", UtcDateTime(), nullable=False),
    Column("newest_event", UtcDateTime(), nullable=False),
    Column("delivered_at", UtcDateTime(), nullable=False),
)

ct_event_data_stores = Table(
    "ct_event_data_stores",
    metadata,
    Column("eds_id", String(36), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id", ondelete="CASCADE"), nullable=False),
    Column("region", String(32), nullable=False),
    Column("name", String(128), nullable=False),
    Column("status", String(32), nullable=False),
    Column("advanced_selectors", Text, nullable=False),
    Column("multi_region", Boolean, nullable=False),
    Column("organization", Boolean, nullable=False),
    Column("retention_period", Integer, nullable=False),
    Column("termination_protection", Boolean, nullable=False),
    Column("kms_key_id", String(350), nullable=True),
    Column("billing_mode", String(32), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    UniqueConstraint("account_id", "region", "name"),
)

# Resource-based policies of trails, event data stores, channels and dashboards (by ARN).
ct_resource_policies = Table(
    "ct_resource_policies",
    metadata,
    Column("resource_arn", String(512), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id", ondelete="CASCADE"), nullable=False),
    Column("policy", Text, nullable=False),
)
