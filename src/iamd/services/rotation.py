"""Re-sealing stored secrets: under the current master key, and with their full encryption context.

Secrets at rest (secret access keys, TOTP seeds, server-certificate and SAML-provider private
keys, outbound web identity token signing keys) are sealed with
the current master key and bound to their row's owner (``auth/sealed_context``). Two things
re-seal them:

- ``reseal_all`` — step 3 of a master-key rotation (``iamd keys reseal``): every secret any known
  key opens is sealed anew under the current key, so the old key can later be dropped. It is an
  explicit step, never a side effect of starting a server: on a shared database, a server that
  re-sealed at start would lock out every server not yet given the new key.
- ``upgrade_legacy`` — once, at the first start after migration 0008: version-1 blobs (bound to
  the row's id only) are re-sealed as version 2 with their context. Only the upgrade opens
  version 1; afterwards a version-1 blob opens nowhere.

A secret no known key opens is left as it is (it was already unusable).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, LargeBinary, Row, Table, func, literal, select, update

from iamd.auth import sealed_context
from iamd.auth.secretbox import SecretBox, SecretBoxError
from iamd.store import schema
from iamd.store.audit_schema import audit_signing_keys
from iamd.store.outbound_schema import outbound_signing_keys
from iamd.store.saml_schema import saml_private_keys


@dataclass(frozen=True)
class Sealed:
    """A sealed column: its table and key, the context a row's secret is bound to, and the
    version-1 binding (``legacy``) that the one-time upgrade accepts."""

    table: Table
    key: str
    column: str
    context: Callable[[Row[Any]], str]
    legacy: Callable[[Row[Any]], str]


SEALED: tuple[Sealed, ...] = (
    Sealed(
        schema.access_keys,
        "access_key_id",
        "secret_sealed",
        lambda r: sealed_context.access_key(r.account_id, r.user_id, r.access_key_id),
        lambda r: str(r.access_key_id),
    ),
    Sealed(
        schema.mfa_devices,
        "device_id",
        "seed_sealed",
        lambda r: sealed_context.mfa_seed(
            r.account_id, r.device_id, r.serial_number, sealed_context.mfa_owner(r.user_id, r.assigned_to_root)
        ),
        lambda r: str(r.serial_number),
    ),
    Sealed(
        schema.server_certificates,
        "server_certificate_id",
        "private_key_sealed",
        lambda r: sealed_context.server_certificate_key(r.account_id, r.server_certificate_id),
        lambda r: str(r.server_certificate_id),
    ),
    # SAML providers' assertion-decryption keys (sealed with their context from the start: no v1).
    Sealed(
        saml_private_keys,
        "key_id",
        "private_key_sealed",
        lambda r: sealed_context.saml_private_key(r.account_id, r.provider_id, r.key_id),
        lambda r: str(r.key_id),
    ),
    # The trail's digest-signing key (only the active one has a private half; retired ones NULL).
    Sealed(
        audit_signing_keys,
        "key_id",
        "private_sealed",
        lambda r: sealed_context.trail_signing_key(r.key_id),
        lambda r: str(r.key_id),
    ),
    # Outbound web identity federation's token-signing keys (retired ones NULL).
    Sealed(
        outbound_signing_keys,
        "key_id",
        "private_sealed",
        lambda r: sealed_context.outbound_signing_key(r.account_id, r.key_id),
        lambda r: str(r.key_id),
    ),
)


def _reseal(conn: Connection, box: SecretBox, legacy_only: bool) -> int:
    count = 0
    for entry in SEALED:
        column = entry.table.c[entry.column]
        # In key order, as the key-usage writer locks access keys: the two never deadlock.
        query = select(entry.table).where(column.is_not(None)).order_by(entry.table.c[entry.key])
        if legacy_only:
            query = query.where(func.substr(column, 1, 1) == literal(b"\x01", LargeBinary()))
        for row in conn.execute(query).all():
            try:
                plaintext = box.open(bytes(row._mapping[entry.column]), entry.context(row), legacy_aad=entry.legacy(row))
            except SecretBoxError:
                continue
            # Only if the blob is still the one read: a call that re-sealed the row meanwhile
            # (an MFA device enabled for a new owner, say) sealed it under the current key already.
            count += conn.execute(
                update(entry.table)
                .where(entry.table.c[entry.key] == row._mapping[entry.key], column == row._mapping[entry.column])
                .values({entry.column: box.seal(plaintext, aad=entry.context(row))})
            ).rowcount
    return count


def reseal_all(conn: Connection, box: SecretBox) -> int:
    """Re-seal every secret under ``box``'s current key; returns how many were re-sealed."""
    return _reseal(conn, box, legacy_only=False)


def upgrade_legacy(conn: Connection, box: SecretBox) -> int:
    """Re-seal the version-1 blobs with their encryption context; returns how many."""
    return _reseal(conn, box, legacy_only=True)
