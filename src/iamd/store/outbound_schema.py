"""What outbound web identity federation records: each account's switch and issuer, and the keys
that sign its tokens.

``outbound_federation`` holds one row per account that ever enabled the feature: its issuer's
identifier (a random UUID, made once — the issuer URL stays the same when the feature is disabled
and enabled again, so external services keep their trust configuration) and whether
``GetWebIdentityToken`` may be called now.

``outbound_signing_keys`` holds the account's signing keys, one active key per algorithm (RS256,
ES384) and the retired ones whose public halves are still published in the issuer's JWKS, so that
tokens signed before a rotation keep verifying until they expire. The private half is sealed with
the master key, bound to its account and key id (``auth/sealed_context.outbound_signing_key``),
re-sealed by ``iamd keys reseal`` and erased when the key retires; no action returns it.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, LargeBinary, String, Table, Text

from iamd.store.schema import metadata
from iamd.store.types import UtcDateTime

outbound_federation = Table(
    "outbound_federation",
    metadata,
    Column("account_id", String(12), ForeignKey("accounts.account_id", ondelete="CASCADE"), primary_key=True),
    Column("issuer_id", String(36), nullable=False, unique=True),
    Column("enabled", Boolean, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

outbound_signing_keys = Table(
    "outbound_signing_keys",
    metadata,
    Column("key_id", String(64), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id", ondelete="CASCADE"), nullable=False),
    Column("algorithm", String(8), nullable=False),
    # The public key as a JWK (RFC 7517), JSON: what the issuer's JWKS publishes.
    Column("public_jwk", Text, nullable=False),
    # PKCS#8 PEM sealed with the master key; NULL once the key is retired.
    Column("private_sealed", LargeBinary, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("retired_at", UtcDateTime(), nullable=True),
    Index(None, "account_id"),
)
