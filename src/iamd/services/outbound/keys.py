"""The keys that sign an account's outbound web identity tokens, and the JWKS that publishes them.

AWS signs with "RS256 (RSA with SHA-256) and ES384 (ECDSA using P-384 curve with SHA-384)"
(GetWebIdentityToken's ``SigningAlgorithm``): each account has one active key per algorithm,
made when the feature is enabled, so the issuer's JWKS lists them before the first token is
asked for (external services often fetch it when they are configured).

Rotation: a key signs for ``ROTATE_AFTER`` at most; the next token after that retires it and
makes a new one (``iamd outbound rotate-keys`` does it at once). A retired key's private half is
erased and its public half stays in the JWKS for ``PUBLISHED_AFTER_RETIREMENT`` — longer than a
token lives (one hour at most), so every token signed before a rotation still verifies until it
expires — and is then dropped. The key id (``kid``) is the key's RFC 7638 thumbprint.

Private halves are PKCS#8 PEM sealed with the master key (``auth/secretbox``), bound to their
account and key id; the opened keys are cached per process by key id.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from sqlalchemy import Connection, delete, insert, select, update

from iamd.auth import sealed_context
from iamd.auth.secretbox import SecretBox
from iamd.store.outbound_schema import outbound_signing_keys as _K

RS256 = "RS256"
ES384 = "ES384"
ALGORITHMS = (RS256, ES384)
ROTATE_AFTER = timedelta(days=30)
PUBLISHED_AFTER_RETIREMENT = timedelta(days=1)
RSA_BITS = 2048


@dataclass(frozen=True)
class SigningKey:
    key_id: str
    algorithm: str
    private: PrivateKeyTypes


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def thumbprint(jwk: dict[str, str]) -> str:
    """RFC 7638: SHA-256 of the required members, sorted, without whitespace."""
    required = ("e", "kty", "n") if jwk["kty"] == "RSA" else ("crv", "kty", "x", "y")
    canonical = json.dumps({k: jwk[k] for k in required}, separators=(",", ":"), sort_keys=True)
    return _b64(hashlib.sha256(canonical.encode("ascii")).digest())


def _generate(algorithm: str) -> tuple[PrivateKeyTypes, dict[str, str]]:
    if algorithm == RS256:
        rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
        return rsa_key, dict(RSAAlgorithm.to_jwk(rsa_key.public_key(), as_dict=True))
    ec_key = ec.generate_private_key(ec.SECP384R1())
    return ec_key, dict(ECAlgorithm.to_jwk(ec_key.public_key(), as_dict=True))


def create(conn: Connection, box: SecretBox, account_id: str, algorithm: str, now: datetime) -> SigningKey:
    """A new active key of ``algorithm`` for the account (the caller retired the previous one)."""
    private, jwk = _generate(algorithm)
    kid = thumbprint(jwk)
    jwk.update({"kid": kid, "alg": algorithm, "use": "sig"})
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    conn.execute(
        insert(_K).values(
            key_id=kid,
            account_id=account_id,
            algorithm=algorithm,
            public_jwk=json.dumps(jwk, sort_keys=True),
            private_sealed=box.seal(pem, aad=sealed_context.outbound_signing_key(account_id, kid)),
            created_at=now,
            retired_at=None,
        )
    )
    return SigningKey(kid, algorithm, private)


def ensure(conn: Connection, box: SecretBox, account_id: str, now: datetime) -> None:
    """An active key of every algorithm (the account's lock is held by the caller)."""
    have = set(
        conn.execute(
            select(_K.c.algorithm).where(_K.c.account_id == account_id, _K.c.retired_at.is_(None))
        ).scalars()
    )
    for algorithm in ALGORITHMS:
        if algorithm not in have:
            create(conn, box, account_id, algorithm, now)


def rotate(conn: Connection, box: SecretBox, account_id: str, now: datetime, algorithm: str | None = None) -> list[str]:
    """Retire the active keys (of ``algorithm``, else all) and make new ones; the new key ids."""
    chosen = (algorithm,) if algorithm else ALGORITHMS
    conn.execute(
        update(_K)
        .where(_K.c.account_id == account_id, _K.c.retired_at.is_(None), _K.c.algorithm.in_(chosen))
        .values(retired_at=now, private_sealed=None)
    )
    return [create(conn, box, account_id, a, now).key_id for a in chosen]


def active(
    conn: Connection, box: SecretBox, account_id: str, algorithm: str, now: datetime, cache: dict[str, Any]
) -> SigningKey | None:
    """The account's active key of ``algorithm``, opened (from ``cache`` when it was before);
    None when there is none or it is due for rotation — the caller then rotates under the lock."""
    row = conn.execute(
        select(_K.c.key_id, _K.c.private_sealed, _K.c.created_at).where(
            _K.c.account_id == account_id, _K.c.algorithm == algorithm, _K.c.retired_at.is_(None)
        )
    ).first()
    if row is None or row.private_sealed is None or now - row.created_at >= ROTATE_AFTER:
        return None
    cached = cache.get(row.key_id)
    if isinstance(cached, SigningKey):
        return cached
    pem = box.open(bytes(row.private_sealed), aad=sealed_context.outbound_signing_key(account_id, row.key_id))
    key = SigningKey(row.key_id, algorithm, serialization.load_pem_private_key(pem.encode("ascii"), password=None))
    cache[row.key_id] = key
    return key


def published(conn: Connection, account_id: str, now: datetime) -> list[dict[str, Any]]:
    """The JWKS's keys: the active ones and those retired less than a day ago, oldest first.
    Older retired keys are dropped here (the JWKS is their only use)."""
    cutoff = now - PUBLISHED_AFTER_RETIREMENT
    rows = conn.execute(
        select(_K.c.public_jwk, _K.c.retired_at)
        .where(_K.c.account_id == account_id)
        .order_by(_K.c.created_at, _K.c.key_id)
    ).all()
    return [json.loads(r.public_jwk) for r in rows if r.retired_at is None or r.retired_at > cutoff]


def prune(conn: Connection, account_id: str, now: datetime) -> int:
    """Delete the keys retired longer ago than the JWKS publishes them."""
    cutoff = now - PUBLISHED_AFTER_RETIREMENT
    return conn.execute(
        delete(_K).where(_K.c.account_id == account_id, _K.c.retired_at.is_not(None), _K.c.retired_at <= cutoff)
    ).rowcount
