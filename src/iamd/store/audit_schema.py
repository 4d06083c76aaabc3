"""Tables of the audit trail: events in one hash chain, their lookup index, signed digests.

``audit_events.seq`` is the position in the chain (one chain per database, every account's
events interleaved), assigned under the lock of the single ``audit_trail_head`` row, so several
server processes sharing a PostgreSQL database append in one total order. The lookup columns
(account, time, name, user, key, error) are copies of fields of the stored CloudTrail record:
``iamd trail verify`` recomputes them from the record, so editing one to hide an event from
LookupEvents is detected like editing the record itself.

Indexes lead with ``account_id`` and end with ``event_time``: every LookupEvents query is one
account, at most one attribute, newest first, so each attribute's query is an index range scan
that stops after a page, however long the trail. ``audit_event_resources`` has no foreign key:
it is an index of the records, rebuilt-checkable by verify, and deleted alongside them.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Float, Index, Integer, LargeBinary, String, Table, Text

from iamd.store.schema import metadata
from iamd.store.types import UtcDateTime

audit_trail_head = Table(
    "audit_trail_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    # Made once, at random, with the trail: every digest signs it, so a copy of the digests names
    # the trail it belongs to and a database recreated from scratch is not mistaken for it.
    Column("trail_id", String(36), nullable=True),
    Column("last_seq", BigInteger, nullable=False),
    Column("last_hash", String(64), nullable=False),
    # The last event covered by a signed digest, when that digest was written, and the digest
    # chain's own head (the next digest signs over this signature).
    Column("digested_seq", BigInteger, nullable=False),
    Column("digested_at", UtcDateTime(), nullable=True),
    Column("digest_count", BigInteger, nullable=False),
    Column("last_signature", String(128), nullable=False),
    # Retention: events up to here were pruned (and a signed "prune" digest says so).
    Column("pruned_seq", BigInteger, nullable=False),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("event_id", String(36), nullable=False),
    Column("account_id", String(12), nullable=False),
    Column("event_time", UtcDateTime(), nullable=False),
    Column("event_name", String(128), nullable=False),
    Column("event_source", String(64), nullable=False),
    Column("read_only", Boolean, nullable=False),
    Column("username", String(128), nullable=True),
    Column("access_key_id", String(128), nullable=True),
    Column("error_code", String(128), nullable=True),
    # The CloudTrail record, exactly the bytes that were hashed.
    Column("record", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index(None, "account_id", "access_key_id", "event_time"),
    Index(None, "account_id", "username", "event_time"),
    Index(None, "account_id", "event_name", "event_time"),
    Index(None, "account_id", "event_time"),
    Index(None, "account_id", "event_id"),
    Index(None, "event_time"),
)

audit_event_resources = Table(
    "audit_event_resources",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("account_id", String(12), nullable=False),
    Column("event_time", UtcDateTime(), nullable=False),
    Column("resource_type", String(64), nullable=False),
    Column("resource_name", String(1024), nullable=False),
    Index(None, "account_id", "resource_name", "event_time"),
    Index(None, "account_id", "resource_type", "event_time"),
)

audit_digests = Table(
    "audit_digests",
    metadata,
    Column("digest_seq", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", String(8), nullable=False),  # "range" (possibly empty: a heartbeat) or "prune"
    # NULL for a version-1 digest (before trail ids, signed by the master-derived key).
    Column("trail_id", String(36), nullable=True),
    # Seconds between digests the writer promised when it signed this one (0: no promise).
    Column("cadence", Float, nullable=True),
    Column("first_seq", BigInteger, nullable=False),
    Column("last_seq", BigInteger, nullable=False),
    Column("last_hash", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("prev_signature", String(128), nullable=False),
    Column("key_id", String(16), nullable=False),
    Column("signature", String(128), nullable=False),
)

# The digest-signing keys, newest last: the public half of each (published by ``iamd trail
# public-key``, CloudTrail's ListPublicKeys and the digest copies), the private half of the active
# one only, sealed with the master key. A retired key keeps its public half, so digests it signed
# still verify; its private half is erased. ``legacy`` marks a key derived from a master key by
# iamd before signing keys existed: it verifies version-1 digests only.
audit_signing_keys = Table(
    "audit_signing_keys",
    metadata,
    Column("key_id", String(16), primary_key=True, autoincrement=False),
    Column("public_key", String(64), nullable=False),  # raw Ed25519 public key, hex
    Column("private_sealed", LargeBinary, nullable=True),
    Column("valid_from", UtcDateTime(), nullable=False),
    Column("valid_until", UtcDateTime(), nullable=True),
    Column("legacy", Boolean, nullable=False),
)
