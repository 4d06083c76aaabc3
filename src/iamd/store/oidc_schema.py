"""IAM OpenID Connect providers (``CreateOpenIDConnectProvider``), in the shared metadata.

A provider is named by its URL without the scheme (``HOST/PATH``, as ``GetOpenIDConnectProvider``
returns it and as its ARN ``arn:aws:iam::ID:oidc-provider/HOST/PATH`` ends), unique per account.
Client ids and thumbprints are short lists (at most 100 and 5), stored as JSON arrays in the
order given. Tags live in the shared ``tags`` table under resource type ``oidc-provider``.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint

from iamd.store.schema import metadata
from iamd.store.types import UtcDateTime

oidc_providers = Table(
    "oidc_providers",
    metadata,
    Column("provider_id", String(32), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id", ondelete="CASCADE"), nullable=False),
    Column("url", String(255), nullable=False),
    Column("client_ids", Text, nullable=False),
    Column("thumbprints", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("account_id", "url"),
)
