"""Signing the audit trail's digests: Ed25519 under a key derived from the master key.

Why Ed25519 rather than an HMAC: the private key is derived deterministically
(``derive_key(master, "audit-digest")`` is the 32-byte seed), so nothing new needs storing or
backing up, yet the *public* key can be handed to an auditor or a SIEM that verifies exported
digests without ever holding the master key — the property CloudTrail's digest files have.
Signing costs tens of microseconds and happens once per digest, not per event.

A digest signs, in a fixed text form, its position in the digest chain, its kind, the event
range it covers, the chain hash after the range's last event, its time, and the previous
digest's signature; so digests can be neither altered, dropped from the middle, nor reordered.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from iamd.auth.secretbox import derive_key

PURPOSE = "audit-digest"
GENESIS_HASH = "0" * 64
NO_SIGNATURE = ""


def chain_hash(prev_hash: str, record: str, seq: int) -> str:
    """SHA-256(prev_hash || record bytes || seq as 8 bytes big-endian), hex."""
    h = hashlib.sha256(bytes.fromhex(prev_hash))
    h.update(record.encode("utf-8"))
    h.update(seq.to_bytes(8, "big"))
    return h.hexdigest()


def digest_message(
    digest_seq: int,
    kind: str,
    first_seq: int,
    last_seq: int,
    last_hash: str,
    created_at: datetime,
    prev_signature: str,
) -> bytes:
    stamp = created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return (
        f"iamd-audit-digest/1\n{digest_seq}\n{kind}\n{first_seq}\n{last_seq}\n{last_hash}\n{stamp}\n{prev_signature}"
    ).encode()


class DigestSigner:
    def __init__(self, master_key: bytes) -> None:
        self._private = Ed25519PrivateKey.from_private_bytes(derive_key(master_key, PURPOSE))
        self.public_key = self._private.public_key()
        self.key_id = key_id(self.public_key)

    def __repr__(self) -> str:
        return f"DigestSigner(key_id={self.key_id})"

    def sign(self, message: bytes) -> str:
        return self._private.sign(message).hex()


def key_id(public: Ed25519PublicKey) -> str:
    return hashlib.sha256(public.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()[:16]


class DigestVerifier:
    """Public keys of the current and earlier master keys (digests outlive a key rotation)."""

    def __init__(self, master_keys: Sequence[bytes]) -> None:
        self.keys = {}
        for master in master_keys:
            public = Ed25519PrivateKey.from_private_bytes(derive_key(master, PURPOSE)).public_key()
            self.keys[key_id(public)] = public

    def valid(self, kid: str, message: bytes, signature: str) -> bool:
        public = self.keys.get(kid)
        if public is None:
            return False
        try:
            public.verify(bytes.fromhex(signature), message)
        except (InvalidSignature, ValueError):
            return False
        return True
