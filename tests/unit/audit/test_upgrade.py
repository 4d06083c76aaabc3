"""A trail from before signing keys (version-1 digests, signed by the master-derived key) keeps
verifying with public keys alone after the upgrade, and that key signs nothing new."""

from __future__ import annotations

import os
from datetime import timedelta
from types import SimpleNamespace

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from helpers import T0, record, user, verify_with_db_keys
from sqlalchemy import insert, select, text, update

from iamd.audit.chain import DigestPolicy
from iamd.audit.recorder import Recorder
from iamd.audit.signing import digest_message, key_id
from iamd.auth.secretbox import derive_key
from iamd.store.audit_schema import (
    audit_digests,
    audit_signing_keys,
    audit_trail_head,
)
from iamd.store.engine import Store

MASTER = os.urandom(32)
LEGACY = Ed25519PrivateKey.from_private_bytes(derive_key(MASTER, "audit-digest"))


def append(recorder: Recorder, store: Store, n: int, prefix: str) -> None:
    for i in range(n):
        with store.begin() as conn:
            recorder.record_in_transaction(
                conn, record("CreateUser", user(), params={"UserName": f"{prefix}{i}"}, read_only=False)
            )


def v1_digest(store: Store, key: Ed25519PrivateKey = LEGACY, trail_id: str | None = None) -> None:
    """Sign the head's unsigned tail as iamd did before (or with ``trail_id``, in the new form)."""
    with store.begin() as conn:
        head = conn.execute(select(audit_trail_head)).one()
        d = SimpleNamespace(
            trail_id=trail_id, digest_seq=head.digest_count + 1, kind="range", first_seq=head.digested_seq + 1,
            last_seq=head.last_seq, last_hash=head.last_hash, created_at=T0 + timedelta(seconds=head.digest_count),
            cadence=60.0 if trail_id else None, prev_signature=head.last_signature,
        )
        sig = key.sign(digest_message(d)).hex()
        conn.execute(insert(audit_digests).values(**vars(d), key_id=key_id(key.public_key()), signature=sig))
        conn.execute(update(audit_trail_head).values(
            digest_count=d.digest_seq, last_signature=sig, digested_seq=d.last_seq, digested_at=d.created_at))


def test_version1_digests_verify_by_the_registered_legacy_public_key(store: Store) -> None:
    recorder = Recorder(store, MASTER, lambda: T0, digest=DigestPolicy(every=1000), background=False)
    append(recorder, store, 4, "old")
    v1_digest(store)
    append(recorder, store, 3, "old-more")
    v1_digest(store)
    with store.begin() as conn:  # what the migration leaves: digests without trail id, no keys
        assert conn.execute(select(audit_signing_keys)).first() is None
    append(recorder, store, 2, "new")
    assert recorder.seal()
    with store.connect() as conn:
        keys = conn.execute(select(audit_signing_keys.c.key_id, audit_signing_keys.c.legacy,
                                   audit_signing_keys.c.private_sealed)).all()
        kinds = [r.trail_id is None for r in conn.execute(select(audit_digests).order_by(audit_digests.c.digest_seq))]
        report = verify_with_db_keys(conn)
    assert report.ok, report.problem
    assert kinds == [True, True, False]
    legacy = [k for k in keys if k.legacy]
    assert len(keys) == 2 and legacy[0].key_id == key_id(LEGACY.public_key()) and legacy[0].private_sealed is None


def test_the_legacy_key_signs_nothing_new(store: Store) -> None:
    recorder = Recorder(store, MASTER, lambda: T0, digest=DigestPolicy(every=1000), background=False)
    append(recorder, store, 2, "old")
    v1_digest(store)
    append(recorder, store, 2, "new")
    assert recorder.seal()
    append(recorder, store, 1, "forged")
    v1_digest(store)  # the master key's holder signs in the old form, after new digests
    with store.connect() as conn:
        report = verify_with_db_keys(conn)
    assert report.problem is not None and "version-1 form after version-2" in report.problem.detail
    with store.begin() as conn:
        conn.execute(text("DELETE FROM audit_digests WHERE digest_seq = 3"))
        conn.execute(update(audit_trail_head).values(
            digest_count=2, last_signature=conn.execute(text("SELECT signature FROM audit_digests WHERE digest_seq = 2")).scalar()))
        trail_id = conn.execute(select(audit_trail_head.c.trail_id)).scalar()
    v1_digest(store, trail_id=trail_id)  # and in the new form
    with store.connect() as conn:
        report = verify_with_db_keys(conn)
    assert report.problem is not None and "may sign version-1 digests only" in report.problem.detail
