"""Forged and broken web identity tokens: each refused with AWS's error, and recorded in the trail
(as ``WebIdentityUser``, with nothing the unverified token claims)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from oidc_issuer import SigningKey
from web_identity_env import WebIdentityEnv, fresh, make_env


@pytest.fixture(scope="module")
def module_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebIdentityEnv]:
    yield from make_env(tmp_path_factory)


@pytest.fixture
def env(module_env: WebIdentityEnv) -> WebIdentityEnv:
    return fresh(module_env)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims(env: WebIdentityEnv, **over: Any) -> dict[str, Any]:
    now = int(time.time())
    body = {"iss": env.issuer.url, "sub": "repo:acme/app:ref:refs/heads/main", "aud": "sts.amazonaws.com",
            "iat": now, "exp": now + 600, **over}
    return {k: v for k, v in body.items() if v is not None}


def unsigned_none(env: WebIdentityEnv) -> str:
    head = b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return f"{head}.{b64(json.dumps(claims(env)).encode())}."


def hs256_with_public_key(env: WebIdentityEnv) -> str:
    """Algorithm confusion: HMAC "signed" with the issuer's public key (PEM) as the secret."""
    key = env.issuer.keys[0]
    head = b64(json.dumps({"alg": "HS256", "kid": key.kid, "typ": "JWT"}).encode())
    body = b64(json.dumps(claims(env)).encode())
    mac = hmac.new(key.public_pem(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(mac)}"


def wrong_key(env: WebIdentityEnv) -> str:
    """Signed by a key of the attacker's that claims the issuer's kid."""
    return env.issuer.token(key=SigningKey(kid=env.issuer.keys[0].kid))


def ec_key_for_rsa_kid(env: WebIdentityEnv) -> str:
    return env.issuer.token(key=SigningKey("EC", kid=env.issuer.keys[0].kid))


def tampered(env: WebIdentityEnv) -> str:
    head, _, sig = env.issuer.token().split(".")
    return f"{head}.{b64(json.dumps(claims(env, sub='repo:evil/app:ref:refs/heads/main')).encode())}.{sig}"


def now() -> int:
    return int(time.time())


CASES: list[tuple[str, Callable[[WebIdentityEnv], str], str]] = [
    ("wrong key", wrong_key, "InvalidIdentityToken"),
    ("alg none", unsigned_none, "InvalidIdentityToken"),
    ("HS256 with the public key as secret", hs256_with_public_key, "InvalidIdentityToken"),
    ("ES256 key under the RSA key's kid", ec_key_for_rsa_kid, "InvalidIdentityToken"),
    ("tampered claims", tampered, "InvalidIdentityToken"),
    ("expired", lambda e: e.issuer.token(lifetime=-3600), "ExpiredTokenException"),
    ("not yet valid", lambda e: e.issuer.token(nbf=now() + 3600), "InvalidIdentityToken"),
    ("issued in the future", lambda e: e.issuer.token(iat=now() + 3600, lifetime=7200), "InvalidIdentityToken"),
    ("no exp", lambda e: e.issuer.token(exp=None), "InvalidIdentityToken"),
    ("no sub", lambda e: e.issuer.token(sub=None), "InvalidIdentityToken"),
    ("wrong audience", lambda e: e.issuer.token(aud="someone-else"), "InvalidIdentityToken"),
    ("wrong issuer", lambda e: e.issuer.token(iss="https://evil.example.com"), "InvalidIdentityToken"),
    ("issuer with another path", lambda e: e.issuer.token(iss=e.issuer.url + "/other"), "InvalidIdentityToken"),
    ("http issuer", lambda e: e.issuer.token(iss=e.issuer.url.replace("https", "http")), "InvalidIdentityToken"),
    ("kid unknown", lambda e: e.issuer.token(headers={"kid": "nobody"}), "InvalidIdentityToken"),
    ("not a JWT", lambda e: "not-a-token", "InvalidIdentityToken"),
    ("oversized", lambda e: "a" * 20001, "ValidationError"),
]


@pytest.mark.parametrize(("what", "make", "code"), CASES, ids=[c[0] for c in CASES])
def test_forged_tokens_are_refused_and_recorded(
    env: WebIdentityEnv, what: str, make: Callable[[WebIdentityEnv], str], code: str
) -> None:
    env.provider()
    role = env.role()
    err = env.refused(role, make(env))
    assert err["Code"] == code, (what, err)
    assert "Traceback" not in err["Message"]
    events = env.trail(code)
    assert events[0]["userIdentity"] == {"type": "WebIdentityUser"}
    assert events[0]["requestParameters"] is None or \
        events[0]["requestParameters"].get("webIdentityToken") in (None, "HIDDEN_DUE_TO_SECURITY_REASONS")


@pytest.mark.parametrize(("mode", "code"), [("down", "IDPCommunicationError"), ("redirect", "IDPCommunicationError"),
                                            ("huge", "IDPCommunicationError")])
def test_an_issuer_that_cannot_be_read(env: WebIdentityEnv, mode: str, code: str) -> None:
    """Unreachable, redirecting elsewhere, or answering more than a JWKS should be."""
    env.provider()
    role = env.role()
    env.issuer.mode = mode
    err = env.refused(role, env.issuer.token())
    assert (err["Code"], err["HTTPStatus"]) == (code, 400), err
    assert env.trail(code)[0]["errorCode"] == code


def test_a_failing_issuer_is_not_asked_again_at_once(env: WebIdentityEnv) -> None:
    env.provider()
    role = env.role()
    env.issuer.mode = "down"
    for _ in range(4):
        assert env.refused(role, env.issuer.token())["Code"] == "IDPCommunicationError"
    discovery = [p for p in env.issuer.requests if p.endswith("openid-configuration")]
    env.issuer.mode = "up"
    assert env.refused(role, env.issuer.token())["Code"] == "IDPCommunicationError"  # still backing off
    assert len([p for p in env.issuer.requests if p.endswith("openid-configuration")]) == len(discovery)


def test_a_certificate_no_trusted_ca_signed(env: WebIdentityEnv) -> None:
    """A self-signed issuer: refused without a thumbprint, accepted with the certificate's."""
    from oidc_issuer import Issuer

    cert, key, thumbprint = env.ca.self_signed(env.folder)
    rogue = Issuer(env.ca, cert=(cert, key))
    try:
        iam = env.iam()
        arn = iam.create_open_id_connect_provider(Url=rogue.url, ClientIDList=["sts.amazonaws.com"])[
            "OpenIDConnectProviderArn"]
        role = env.role(federated=arn)
        assert env.refused(role, rogue.token())["Code"] == "IDPCommunicationError"
        iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn, ThumbprintList=["0" * 40])
        env.server.set_clock_offset(11)  # past the failure back-off
        try:
            assert env.refused(role, rogue.token(lifetime=3600))["Code"] == "IDPCommunicationError"
            iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn, ThumbprintList=[thumbprint])
            assert env.assume(role, rogue.token(lifetime=3600))["Provider"] == arn
        finally:
            env.server.set_clock_offset(0)
        ok = [e for e in env.trail() if "errorCode" not in e]
        assert ok[0]["additionalEventData"] == {"identityProviderConnectionVerificationMethod": "Thumbprint"}
    finally:
        rogue.close()
