"""The digest-signing key: random, made once, its private half sealed in the database.

Why in the database (sealed with the master key) rather than a file in the data folder: servers
sharing a PostgreSQL database must sign one chain with one key, and the database is what they
share; sealed, it is useless to someone who can read or edit the database but has no master key.
Master-key rotation re-seals it like every other secret (``services/rotation.py``).

Rotation of the signing key (``iamd trail rotate-signing-key``) retires the active key (its
validity ends, its private half is erased) and makes a new one; the public halves stay, so
digests signed before still verify. A running server notices the new key at its next digest.

Every function here runs under the trail head's lock (``chain.lock_head``), so two processes
never both create a first key.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, insert, select, update

from iamd.audit.signing import PublicKey, key_id, legacy_public_key, raw_public
from iamd.auth import sealed_context
from iamd.auth.secretbox import SecretBox, SecretBoxError
from iamd.store.audit_schema import audit_digests, audit_signing_keys

_T = audit_signing_keys
log = logging.getLogger(__name__)


def public_keys(conn: Connection) -> list[Any]:
    """Every key's row, oldest first (no private halves)."""
    return list(
        conn.execute(
            select(_T.c.key_id, _T.c.public_key, _T.c.valid_from, _T.c.valid_until, _T.c.legacy).order_by(
                _T.c.valid_from, _T.c.key_id
            )
        )
    )


def trusted(rows: Sequence[Any]) -> list[PublicKey]:
    return [PublicKey.from_hex(r.public_key, bool(r.legacy)) for r in rows]


class KeyRing:
    """The active signing key, read from the database and cached until another one is active."""

    def __init__(self, master_key: bytes, previous: Sequence[bytes] = ()) -> None:
        self._box = SecretBox(master_key, previous=previous)
        self._masters = (master_key, *previous)
        self._cached: tuple[str, Ed25519PrivateKey] | None = None
        # Keys this process can vouch for: those it opened or made, and version 1's.
        self._vouched = {k.key_id: k for k in (PublicKey(key_id(p), p, True) for p in map(legacy_public_key, self._masters))}

    def __repr__(self) -> str:
        return "KeyRing(<keys hidden>)"

    def vouched(self, conn: Connection | None = None) -> dict[str, PublicKey]:
        """The keys this process vouches for; with ``conn``, also the database's active key if
        its sealed private half opens under the master key and matches (another server sharing
        the database made it: someone without the master key cannot seal one)."""
        if conn is not None:
            row = conn.execute(
                select(_T.c.key_id, _T.c.public_key, _T.c.private_sealed).where(_T.c.valid_until.is_(None))
            ).first()
            if row is not None and row.key_id not in self._vouched:
                try:
                    self._open(row)
                except (SecretBoxError, RuntimeError, ValueError):
                    pass
        return dict(self._vouched)

    def sign(self, conn: Connection, message: bytes, now: datetime) -> tuple[str, str]:
        """(key id, hex signature) of ``message`` under the active key, made if there is none."""
        kid, private = self.active(conn, now)
        return kid, private.sign(message).hex()

    def active(self, conn: Connection, now: datetime) -> tuple[str, Ed25519PrivateKey]:
        row = conn.execute(
            select(_T.c.key_id, _T.c.public_key, _T.c.private_sealed).where(_T.c.valid_until.is_(None))
        ).first()
        if row is None:
            self._register_legacy(conn, now)
            return self._create(conn, now)
        if self._cached is not None and self._cached[0] == row.key_id:
            return self._cached
        try:
            return self._open(row)
        except (SecretBoxError, RuntimeError, ValueError):
            # A key this server cannot open (its sealed half edited in the database, or sealed
            # under a master key this server lacks) must not fail the call whose transaction
            # writes the digest: retire it and sign on with a new key. The change stays visible
            # in the published key history, and a verifier pinned to the old key reports it.
            log.error("audit trail: signing key %s does not open here; retired, a new key signs", row.key_id)
            self._retire(conn, now)
            return self._create(conn, now)

    def _open(self, row: Any) -> tuple[str, Ed25519PrivateKey]:
        if row.private_sealed is None:
            raise RuntimeError(f"audit trail: signing key {row.key_id} has no private half")
        private = Ed25519PrivateKey.from_private_bytes(
            bytes.fromhex(self._box.open(bytes(row.private_sealed), aad=sealed_context.trail_signing_key(row.key_id)))
        )
        if raw_public(private.public_key()).hex() != row.public_key:
            raise RuntimeError(f"audit trail: signing key {row.key_id} does not match its public half")
        return self._remember(row.key_id, private)

    def rotate(self, conn: Connection, now: datetime) -> str:
        """Retire the active key and make a new one; returns the new key's id."""
        self._retire(conn, now)
        return self._create(conn, now)[0]

    def _retire(self, conn: Connection, now: datetime) -> None:
        """The active key signs no more: its public half stays (history), its private half goes."""
        conn.execute(update(_T).where(_T.c.valid_until.is_(None)).values(valid_until=now, private_sealed=None))

    def _create(self, conn: Connection, now: datetime) -> tuple[str, Ed25519PrivateKey]:
        private = Ed25519PrivateKey.generate()
        public = private.public_key()
        kid = key_id(public)
        seed = private.private_bytes_raw().hex()
        conn.execute(
            insert(_T).values(
                key_id=kid,
                public_key=raw_public(public).hex(),
                private_sealed=self._box.seal(seed, aad=sealed_context.trail_signing_key(kid)),
                valid_from=now,
                valid_until=None,
                legacy=False,
            )
        )
        return self._remember(kid, private)

    def _remember(self, kid: str, private: Ed25519PrivateKey) -> tuple[str, Ed25519PrivateKey]:
        self._cached = (kid, private)
        self._vouched[kid] = PublicKey(kid, private.public_key())
        return self._cached

    def _register_legacy(self, conn: Connection, now: datetime) -> None:
        """Publish the public halves of the master-derived keys that signed version-1 digests,
        valid until now: those digests then verify without the master key."""
        used = set(
            conn.execute(select(audit_digests.c.key_id).where(audit_digests.c.trail_id.is_(None)).distinct()).scalars()
        )
        if not used:
            return
        first = conn.execute(
            select(audit_digests.c.created_at).order_by(audit_digests.c.digest_seq).limit(1)
        ).scalar_one()
        known = set(conn.execute(select(_T.c.key_id)).scalars())
        for master in self._masters:
            public = legacy_public_key(master)
            kid = key_id(public)
            if kid in used and kid not in known:
                conn.execute(
                    insert(_T).values(
                        key_id=kid,
                        public_key=raw_public(public).hex(),
                        private_sealed=None,
                        valid_from=first,
                        valid_until=now,
                        legacy=True,
                    )
                )
                known.add(kid)
