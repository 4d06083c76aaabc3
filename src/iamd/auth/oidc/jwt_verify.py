"""Verifying an OpenID Connect ID token (a JWS-signed JWT) with PyJWT, against the issuer's keys.

PyJWT (``pyjwt[crypto]``) does the cryptography: it is the most used maintained JWT library for
Python, small, and backed by ``cryptography``, which iamd already depends on (README,
"Dependencies"). What is accepted is decided here, before PyJWT sees the token:

- the algorithm must be an asymmetric signature algorithm **of the key's type**: RS256/384/512
  and PS256/384/512 for RSA keys, ES256/384/512 for EC keys of the matching curve, EdDSA for
  Ed25519 — never ``none`` and never HS*, so neither an unsigned token nor one "signed" with
  the public key as an HMAC secret (algorithm confusion) can pass; if the key names an ``alg``,
  the token must use exactly it;
- the key is the one the token's ``kid`` names (a token without a ``kid`` is accepted only when
  the issuer publishes a single key of that type);
- times are checked here, against iamd's clock (``now``), with ``LEEWAY`` seconds of skew:
  ``exp`` is required and in the future (else ``ExpiredTokenException``), ``nbf`` and ``iat``,
  when present, not in the future.

The claims returned are the verified token's; the caller checks ``iss`` and ``aud`` against the
provider.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import jwt
from jwt import PyJWK
from jwt.exceptions import PyJWTError

from iamd.auth.federation_errors import ExpiredTokenException, InvalidIdentityToken
from iamd.auth.oidc.jwks import KeySet

__all__ = ["LEEWAY", "NO_KEY", "algorithms_for", "unverified", "verify", "check_times"]

LEEWAY = 60
_RSA = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")
_EC = {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}
ACCEPTED = frozenset((*_RSA, *_EC.values(), "EdDSA"))
NO_KEY = (
    "Couldn't retrieve verification key from your identity provider, please reference "
    "AssumeRoleWithWebIdentity documentation for requirements"
)
MALFORMED = "The web identity token is not a well-formed, signed JWT."


def algorithms_for(key: PyJWK) -> frozenset[str]:
    """The algorithms a key may verify: its type's, narrowed to its own ``alg`` if it names one."""
    data = key._jwk_data  # noqa: SLF001 - PyJWK keeps the JWK it was built from
    kty = data.get("kty")
    if kty == "RSA":
        allowed = frozenset(_RSA)
    elif kty == "EC":
        allowed = frozenset({_EC[data["crv"]]}) if data.get("crv") in _EC else frozenset()
    elif kty == "OKP" and data.get("crv") == "Ed25519":
        allowed = frozenset({"EdDSA"})
    else:
        allowed = frozenset()
    named = data.get("alg")
    return allowed & {named} if isinstance(named, str) else allowed


def unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims *before* verification: only to find the provider and the key."""
    if token.count(".") != 2:
        raise InvalidIdentityToken(MALFORMED)
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except PyJWTError:
        raise InvalidIdentityToken(MALFORMED) from None
    if not isinstance(claims, dict):
        raise InvalidIdentityToken(MALFORMED)
    alg = header.get("alg")
    if alg not in ACCEPTED:
        raise InvalidIdentityToken(
            f"The token's signing algorithm {str(alg)[:20]!r} is not accepted: only RS*, PS*, ES* and EdDSA."
        )
    return header, claims


def _key_for(header: dict[str, Any], keys: KeySet) -> PyJWK:
    alg, kid = header["alg"], header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise InvalidIdentityToken(MALFORMED)
    candidates = [k for k in keys.find(kid) if alg in algorithms_for(k)]
    if kid is None:
        candidates = [k for _, k in keys.keys if alg in algorithms_for(k)]
    if len(candidates) != 1:
        raise InvalidIdentityToken(NO_KEY)
    return candidates[0]


def verify(token: str, header: dict[str, Any], keys: KeySet) -> dict[str, Any]:
    """The claims, once the signature verifies with the key ``kid`` names, by ``alg`` only."""
    key = _key_for(header, keys)
    try:
        claims = jwt.decode(
            token,
            key=key.key,
            algorithms=[header["alg"]],
            options={
                "verify_signature": True,
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
                "verify_aud": False,
                "verify_iss": False,
            },
        )
    except PyJWTError:
        raise InvalidIdentityToken("The token's signature does not verify with the issuer's key.") from None
    return dict(claims)


def _number(claims: dict[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidIdentityToken(f"The token's {name} claim is not a number.")
    return float(value)


def check_times(claims: dict[str, Any], now: datetime) -> None:
    at = now.timestamp()
    exp = _number(claims, "exp")
    if exp is None:
        raise InvalidIdentityToken("The token has no exp claim.")
    if at - LEEWAY >= exp:
        raise ExpiredTokenException(
            f"Token expired: current date/time {int(at)} must be before the expiration date/time {int(exp)}"
        )
    nbf = _number(claims, "nbf")
    if nbf is not None and at + LEEWAY < nbf:
        raise InvalidIdentityToken(f"Token is not valid before {int(nbf)}; current date/time {int(at)}")
    iat = _number(claims, "iat")
    if iat is not None and at + LEEWAY < iat:
        raise InvalidIdentityToken("Token used before issued")
