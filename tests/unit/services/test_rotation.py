"""Re-sealing stored secrets: under the new master key, and from version 1 to encryption contexts."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from iamd.auth import sealed_context
from iamd.auth.secretbox import SecretBox, SecretBoxError
from iamd.services.accounts import create_account
from iamd.services.rotation import reseal_all, upgrade_legacy
from iamd.store import schema
from iamd.store.engine import Store

_keys = schema.access_keys


def _account() -> str:
    return f"{int.from_bytes(os.urandom(5), 'big') % 10**12:012d}"


def _blob(store: Store, key_id: str) -> bytes:
    with store.connect() as conn:
        return bytes(conn.execute(select(_keys.c.secret_sealed).where(_keys.c.access_key_id == key_id)).scalar_one())


def test_reseal_moves_every_secret_to_the_new_key(store_url: str) -> None:
    store = Store(store_url)
    store.migrate()
    old, new = os.urandom(32), os.urandom(32)
    account = _account()
    with store.begin() as conn:
        creds = create_account(conn, SecretBox(old), account, datetime.now(UTC))
    with store.begin() as conn:
        assert reseal_all(conn, SecretBox(new, previous=[old])) >= 1
    context = sealed_context.access_key(account, None, creds.access_key_id)
    assert SecretBox(new).open(_blob(store, creds.access_key_id), aad=context) == creds.secret_access_key
    with pytest.raises(SecretBoxError):
        SecretBox(old).open(_blob(store, creds.access_key_id), aad=context)
    store.close()


def test_upgrade_reseals_version_1_blobs_with_their_context_once(store_url: str) -> None:
    store = Store(store_url)
    store.migrate()
    master = os.urandom(32)
    box = SecretBox(master)
    account = _account()
    with store.begin() as conn:
        creds = create_account(conn, box, account, datetime.now(UTC))
    # A blob as servers before encryption contexts sealed it: version 1, bound to the key id.
    legacy = bytearray(box.seal(creds.secret_access_key, aad=creds.access_key_id))
    legacy[0] = 1
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from iamd.auth.secretbox import derive_key

    nonce = bytes(legacy[1:13])
    legacy[13:] = AESGCM(derive_key(master, "secretbox")).encrypt(
        nonce, creds.secret_access_key.encode(), b"\x01" + creds.access_key_id.encode()
    )
    with store.begin() as conn:
        conn.execute(update(_keys).where(_keys.c.access_key_id == creds.access_key_id).values(secret_sealed=bytes(legacy)))
    context = sealed_context.access_key(account, None, creds.access_key_id)
    with pytest.raises(SecretBoxError):  # a version-1 blob opens only for the upgrade
        box.open(bytes(legacy), aad=context)
    with store.begin() as conn:
        assert upgrade_legacy(conn, box) >= 1
    upgraded = _blob(store, creds.access_key_id)
    assert upgraded[0] == 2 and box.open(upgraded, aad=context) == creds.secret_access_key
    with store.begin() as conn:
        assert upgrade_legacy(conn, box) == 0  # nothing left to upgrade
    store.close()
