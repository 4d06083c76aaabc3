"""What a SAML identity provider records: its metadata and its assertion-decryption keys.

``saml_providers`` keeps the IdP's metadata document as uploaded (GetSAMLProvider returns it) and,
parsed once at upload, what verification needs: the entity ids and signing certificates
(``signing`` as JSON: ``{entityID: [base64 DER, …]}``), so an AssumeRoleWithSAML never re-reads
the document. Names are unique per account, case-insensitively, like every IAM name.

``saml_private_keys`` holds the keys that decrypt encrypted assertions (at most two per provider,
AWS's ``PrivateKeyList`` limit), sealed with the master key and bound to their provider
(``auth/sealed_context.saml_private_key``); no action returns them.

Assertions are not recorded: AWS accepts an assertion again while it is valid (tools such as
gimme-aws-creds assume every role of one sign-in with the same assertion) and bounds its use by
"Token must be redeemed within 5 minutes of issuance" instead (``services/sts/saml.py``).
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, LargeBinary, String, Table, Text, UniqueConstraint

from iamd.store.schema import metadata
from iamd.store.types import UtcDateTime

saml_providers = Table(
    "saml_providers",
    metadata,
    Column("provider_id", String(32), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id", ondelete="CASCADE"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("name_lower", String(128), nullable=False),
    Column("metadata_document", Text, nullable=False),
    Column("signing", Text, nullable=False),
    Column("valid_until", UtcDateTime(), nullable=True),
    Column("assertion_encryption_mode", String(16), nullable=True),
    Column("context_provider", Text, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("account_id", "name_lower"),
)

saml_private_keys = Table(
    "saml_private_keys",
    metadata,
    Column("key_id", String(64), primary_key=True),
    Column("provider_id", String(32), ForeignKey("saml_providers.provider_id", ondelete="CASCADE"), nullable=False),
    Column("account_id", String(12), nullable=False),
    # Sealed with the master key; never returned by any API.
    Column("private_key_sealed", LargeBinary, nullable=False),
    Column("uploaded_at", UtcDateTime(), nullable=False),
    Index(None, "provider_id"),
)
