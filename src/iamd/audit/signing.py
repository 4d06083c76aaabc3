"""What a digest signs, and checking a signature against published public keys.

A digest is an Ed25519 signature over, in a fixed text form: the trail's id, its position in the
digest chain, its kind, the event range it covers, the chain hash after the range's last event,
its time, the cadence its writer promised, and the previous digest's signature. So digests can
be neither altered, dropped from the middle, reordered, nor moved to another trail, and a copy
of them kept outside the database pins the trail's history (``copies.py``).

Why a key of its own (``keys.py``) rather than one derived from the master key, as version 1 of
this format did: whoever verified then needed the master key, and whoever had it could re-sign a
rewritten history. Now the private half is random, sealed in the database, and only the public
half is needed to verify. Version-1 digests (no trail id, no cadence) still verify, with the
public half of the master-derived key registered once as a ``legacy`` key; that key verifies
nothing else.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from iamd.auth.secretbox import derive_key

LEGACY_PURPOSE = "audit-digest"
GENESIS_HASH = "0" * 64
NO_SIGNATURE = ""


def chain_hash(prev_hash: str, record: str, seq: int) -> str:
    """SHA-256(prev_hash || record bytes || seq as 8 bytes big-endian), hex."""
    h = hashlib.sha256(bytes.fromhex(prev_hash))
    h.update(record.encode("utf-8"))
    h.update(seq.to_bytes(8, "big"))
    return h.hexdigest()


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def digest_message(d: Any) -> bytes:
    """The signed text of a digest row (or any object with the same attributes)."""
    if d.trail_id is None:  # version 1
        return (
            f"iamd-audit-digest/1\n{d.digest_seq}\n{d.kind}\n{d.first_seq}\n{d.last_seq}\n{d.last_hash}\n"
            f"{_stamp(d.created_at)}\n{d.prev_signature}"
        ).encode()
    return (
        f"iamd-audit-digest/2\n{d.trail_id}\n{d.digest_seq}\n{d.kind}\n{d.first_seq}\n{d.last_seq}\n"
        f"{d.last_hash}\n{_stamp(d.created_at)}\n{float(d.cadence or 0):g}\n{d.prev_signature}"
    ).encode()


def raw_public(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(public: Ed25519PublicKey) -> str:
    return hashlib.sha256(raw_public(public)).hexdigest()[:16]


def legacy_public_key(master: bytes) -> Ed25519PublicKey:
    """The key version 1 signed with: derived from the master key (and so forgeable by its holder)."""
    return Ed25519PrivateKey.from_private_bytes(derive_key(master, LEGACY_PURPOSE)).public_key()


@dataclass(frozen=True)
class PublicKey:
    key_id: str
    public: Ed25519PublicKey
    legacy: bool = False

    @classmethod
    def from_hex(cls, value: str, legacy: bool = False) -> PublicKey:
        public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(value))
        return cls(key_id(public), public, legacy)


class DigestVerifier:
    """The public keys a verifier trusts: given on the command line, from the digest copy, or (the
    weakest, noted as such) the database's own list."""

    def __init__(self, keys: Iterable[PublicKey]) -> None:
        self.keys = {k.key_id: k for k in keys}

    def problem(self, d: Any) -> str | None:
        """Why digest row ``d``'s signature is not acceptable; None when it is."""
        key = self.keys.get(d.key_id)
        if key is None:
            return f"is signed by key {d.key_id}, which is not a trusted public key"
        if key.legacy != (d.trail_id is None):
            return f"is signed by key {d.key_id}, which may sign version-{1 if key.legacy else 2} digests only"
        try:
            key.public.verify(bytes.fromhex(d.signature), digest_message(d))
        except (InvalidSignature, ValueError):
            return "has a bad signature"
        return None
