"""Master-key rotation: re-seal every stored secret under the current master key.

Secrets at rest (secret access keys, TOTP seeds, server-certificate private keys) are sealed with
the master key. Start a server once with the new ``IAMD_MASTER_KEY`` and the old one in
``IAMD_PREVIOUS_MASTER_KEYS``: this re-seals everything under the new key in one transaction, so
the old key can be dropped afterwards (session tokens sealed under it expire on their own within
36 hours; keep the old key listed that long if live sessions matter).
"""

from __future__ import annotations

from sqlalchemy import Column, Connection, Table, select, update

from iamd.auth.secretbox import SecretBox, SecretBoxError
from iamd.store import schema
from iamd.store.audit_schema import audit_signing_keys

# (table, primary key, sealed column, column whose value is the seal's associated data)
SEALED: tuple[tuple[Table, str, str, str], ...] = (
    (schema.access_keys, "access_key_id", "secret_sealed", "access_key_id"),
    (schema.mfa_devices, "device_id", "seed_sealed", "serial_number"),
    (schema.server_certificates, "server_certificate_id", "private_key_sealed", "server_certificate_id"),
    # The trail's digest-signing key (only the active one has a private half; retired ones NULL).
    (audit_signing_keys, "key_id", "private_sealed", "key_id"),
)


def reseal_all(conn: Connection, box: SecretBox) -> int:
    """Re-seal every secret under ``box``'s current key; returns how many were re-sealed.
    A secret no known key opens is left as it is (it was already unusable)."""
    count = 0
    for table, key, sealed, aad in SEALED:
        key_col: Column[str] = table.c[key]
        for row in conn.execute(select(key_col, table.c[sealed], table.c[aad]).where(table.c[sealed].is_not(None))):
            try:
                plaintext = box.open(bytes(row[1]), aad=row[2])
            except SecretBoxError:
                continue
            conn.execute(update(table).where(key_col == row[0]).values({sealed: box.seal(plaintext, aad=row[2])}))
            count += 1
    return count
