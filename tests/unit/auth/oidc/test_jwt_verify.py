"""What ``jwt_verify`` accepts: only asymmetric algorithms of the key's own type, the kid's key,
and times against iamd's clock with a small leeway."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from iamd.auth.federation_errors import ExpiredTokenException, InvalidIdentityToken
from iamd.auth.oidc import jwt_verify
from iamd.auth.oidc.fetch import TRUST_STORE
from iamd.auth.oidc.jwks import parse_jwks

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
T = int(NOW.timestamp())


def jwk_of(private: Any, algo: Any, kid: str, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(algo.to_jwk(private.public_key()))
    return out | {"kid": kid, **extra}


RSA = rsa.generate_private_key(65537, 2048)
EC = ec.generate_private_key(ec.SECP256R1())
ED = ed25519.Ed25519PrivateKey.generate()
KEYS = parse_jwks({"keys": [
    jwk_of(RSA, jwt.algorithms.RSAAlgorithm, "rsa"),
    jwk_of(EC, jwt.algorithms.ECAlgorithm, "ec"),
    jwk_of(ED, jwt.algorithms.OKPAlgorithm, "ed"),
    jwk_of(RSA, jwt.algorithms.RSAAlgorithm, "rsa-ps", alg="PS256"),
]}, 0.0, TRUST_STORE)


def token(key: Any, alg: str, kid: str | None, **claims: Any) -> str:
    body = {"iss": "https://idp", "sub": "u", "aud": "a", "iat": T, "exp": T + 600} | claims
    return jwt.encode({k: v for k, v in body.items() if v is not None}, key, algorithm=alg,
                      headers={"kid": kid} if kid else None)


def check(tok: str) -> dict[str, Any]:
    header, _ = jwt_verify.unverified(tok)
    claims = jwt_verify.verify(tok, header, KEYS)
    jwt_verify.check_times(claims, NOW)
    return claims


@pytest.mark.parametrize(("key", "alg", "kid"), [
    (RSA, "RS256", "rsa"), (RSA, "RS512", "rsa"), (RSA, "PS256", "rsa"), (EC, "ES256", "ec"), (ED, "EdDSA", "ed"),
    (RSA, "PS256", "rsa-ps"),
])
def test_each_key_type_with_its_algorithms(key: Any, alg: str, kid: str) -> None:
    assert check(token(key, alg, kid))["sub"] == "u"


@pytest.mark.parametrize(("key", "alg", "kid"), [
    (RSA, "RS256", "rsa-ps"),  # the key names PS256
    (RSA, "RS256", "ec"),  # an RSA signature under the EC key's kid
    (EC, "ES256", "rsa"),
    (RSA, "RS256", "nobody"),
    (RSA, "PS256", None),  # no kid, and two of the issuer's keys take PS256
])
def test_the_key_must_be_the_kids_and_of_the_algorithms_type(key: Any, alg: str, kid: str | None) -> None:
    with pytest.raises(InvalidIdentityToken, match="Couldn't retrieve verification key"):
        check(token(key, alg, kid))


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_none_and_hmac_are_never_accepted() -> None:
    body = b64(json.dumps({"iss": "https://idp", "sub": "u", "aud": "a", "exp": T + 600}).encode())
    for alg in ("none", "None", "HS256", "HS512"):
        head = b64(json.dumps({"alg": alg, "kid": "rsa"}).encode())
        secret = RSA.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        mac = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
        with pytest.raises(InvalidIdentityToken, match="not accepted"):
            check(f"{head}.{body}.{b64(mac)}")


def test_another_keys_signature_fails() -> None:
    other = rsa.generate_private_key(65537, 2048)
    with pytest.raises(InvalidIdentityToken, match="signature"):
        check(token(other, "RS256", "rsa"))


@pytest.mark.parametrize(("claims", "error"), [
    ({"exp": T - 61}, ExpiredTokenException),
    ({"exp": None}, InvalidIdentityToken),
    ({"exp": "soon"}, InvalidIdentityToken),
    ({"exp": True}, InvalidIdentityToken),
    ({"nbf": T + 61}, InvalidIdentityToken),
    ({"iat": T + 61, "exp": T + 3600}, InvalidIdentityToken),
])
def test_times(claims: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        check(token(RSA, "RS256", "rsa", **claims))


def test_small_skew_is_tolerated() -> None:
    check(token(RSA, "RS256", "rsa", exp=T - 30, nbf=T + 30, iat=T + 30))


@pytest.mark.parametrize("raw", ["", "a.b", "a.b.c.d", "!!!.!!!.!!!", "e30.e30.", "W10.W10.sig"])
def test_malformed_tokens(raw: str) -> None:
    with pytest.raises(InvalidIdentityToken):
        check(raw)
