"""Master-key rotation re-seals every stored secret under the new key."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from iamd.auth.secretbox import SecretBox
from iamd.services.accounts import create_account
from iamd.services.rotation import SEALED, reseal_all
from iamd.store.engine import Store


def test_reseal_moves_every_secret_to_the_new_key(store_url: str) -> None:
    store = Store(store_url)
    store.migrate()
    old, new = os.urandom(32), os.urandom(32)
    account = f"{int.from_bytes(os.urandom(4), 'big') % 10**12:012d}"
    with store.begin() as conn:
        creds = create_account(conn, SecretBox(old), account, datetime.now(UTC))
    with store.begin() as conn:
        assert reseal_all(conn, SecretBox(new, previous=[old])) >= 1
    table, key, sealed, aad = SEALED[0]
    with store.connect() as conn:
        blob = conn.execute(table.select().where(table.c[key] == creds.access_key_id)).first()
    assert SecretBox(new).open(bytes(getattr(blob, sealed)), aad=creds.access_key_id) == creds.secret_access_key
    store.close()
