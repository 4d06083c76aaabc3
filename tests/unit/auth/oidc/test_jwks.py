"""The key cache: discovery checks, TTL, rotation refetch at most once per interval, failure
back-off, stale keys past a failed refresh, registered key sets, and what a JWKS may hold."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from iamd.auth.federation_errors import IDPCommunicationError
from iamd.auth.oidc.fetch import THUMBPRINT, TRUST_STORE, Fetched, FetchError
from iamd.auth.oidc.jwks import JwksCache, load_registered, parse_jwks

ISSUER = "idp.example.com/realm"


def rsa_jwk(kid: str) -> dict[str, Any]:
    key = rsa.generate_private_key(65537, 2048)
    out: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return out | {"kid": kid}


class FakeIssuer:
    def __init__(self) -> None:
        self.keys = [rsa_jwk("k1")]
        self.calls: list[str] = []
        self.down = False
        self.discovery: dict[str, Any] = {"issuer": f"https://{ISSUER}", "jwks_uri": f"https://{ISSUER}/jwks"}
        self.method = TRUST_STORE

    def __call__(self, url: str, **limits: Any) -> Fetched:
        self.calls.append(url)
        assert limits["max_bytes"] == 65536 and limits["timeout"] > 0
        if self.down:
            raise FetchError("down")
        if url.endswith("/.well-known/openid-configuration"):
            return Fetched(self.discovery, self.method)
        return Fetched({"keys": self.keys}, self.method)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def cache(issuer: FakeIssuer, clock: Clock, **kw: Any) -> JwksCache:
    return JwksCache(fetcher=issuer, clock=clock, **kw)


def test_discovery_then_jwks_once_within_the_ttl() -> None:
    issuer, clock = FakeIssuer(), Clock()
    keys = cache(issuer, clock)
    c = keys
    assert c.keys(ISSUER, (), "k1").has("k1")
    clock.now += 3599
    c.keys(ISSUER, (), "k1")
    assert issuer.calls == [f"https://{ISSUER}/.well-known/openid-configuration", f"https://{ISSUER}/jwks"]
    clock.now += 2
    c.keys(ISSUER, (), "k1")
    assert len(issuer.calls) == 4


def test_an_unknown_kid_refetches_at_most_once_per_interval() -> None:
    issuer, clock = FakeIssuer(), Clock()
    c = cache(issuer, clock)
    c.keys(ISSUER, (), "k1")
    issuer.keys = [rsa_jwk("k2")]
    assert not c.keys(ISSUER, (), "k2").has("k2")  # fetched just now: no refetch yet
    assert len(issuer.calls) == 2
    clock.now += 60
    assert c.keys(ISSUER, (), "k2").has("k2")
    assert len(issuer.calls) == 4
    for kid in ("made-up-1", "made-up-2", "made-up-3"):
        assert not c.keys(ISSUER, (), kid).has(kid)
    assert len(issuer.calls) == 4


def test_a_failure_backs_off_and_stale_keys_carry_on() -> None:
    issuer, clock = FakeIssuer(), Clock()
    c = cache(issuer, clock)
    c.keys(ISSUER, (), "k1")
    issuer.down = True
    clock.now += 3600
    assert c.keys(ISSUER, (), "k1").has("k1")  # refresh failed: the old set still serves
    calls = len(issuer.calls)
    clock.now += 5
    c.keys(ISSUER, (), "k1")
    assert len(issuer.calls) == calls  # backing off
    clock.now += 86400
    with pytest.raises(IDPCommunicationError):
        c.keys(ISSUER, (), "k1")


def test_no_keys_at_all_is_idp_communication_error_and_backs_off() -> None:
    issuer, clock = FakeIssuer(), Clock()
    issuer.down = True
    c = cache(issuer, clock)
    for _ in range(3):
        with pytest.raises(IDPCommunicationError):
            c.keys(ISSUER, (), "k1")
    assert len(issuer.calls) == 1
    clock.now += 10
    issuer.down = False
    assert c.keys(ISSUER, (), "k1").has("k1")


@pytest.mark.parametrize(
    "discovery",
    [
        {"issuer": "https://evil.example.com", "jwks_uri": f"https://{ISSUER}/jwks"},
        {"issuer": f"https://{ISSUER}", "jwks_uri": f"http://{ISSUER}/jwks"},
        {"issuer": f"https://{ISSUER}", "jwks_uri": "file:///etc/passwd"},
        {"issuer": f"https://{ISSUER}"},
    ],
)
def test_a_discovery_document_must_name_the_issuer_and_an_https_jwks(discovery: dict[str, Any]) -> None:
    issuer, clock = FakeIssuer(), Clock()
    issuer.discovery = discovery
    with pytest.raises(IDPCommunicationError):
        cache(issuer, clock).keys(ISSUER, (), "k1")
    assert len(issuer.calls) == 1  # the JWKS is not fetched


def test_thumbprints_key_the_cache() -> None:
    """Keys believed under one provider's thumbprints are not reused for another's."""
    issuer, clock = FakeIssuer(), Clock()
    issuer.method = THUMBPRINT
    c = cache(issuer, clock)
    assert c.keys(ISSUER, ("a" * 40,), "k1").method == THUMBPRINT
    c.keys(ISSUER, ("b" * 40,), "k1")
    assert len(issuer.calls) == 4


def test_registered_keys_are_never_fetched(tmp_path: Path) -> None:
    issuer, clock = FakeIssuer(), Clock()
    (tmp_path / "jwks.json").write_text(json.dumps({"keys": [rsa_jwk("reg")]}))
    registered = load_registered({f"https://{ISSUER}/": str(tmp_path / "jwks.json")})
    c = cache(issuer, clock, registered=registered)
    assert c.keys(ISSUER, (), "reg").has("reg") and issuer.calls == []


def test_a_registered_file_without_keys_fails_at_start(tmp_path: Path) -> None:
    (tmp_path / "jwks.json").write_text(json.dumps({"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}))
    with pytest.raises(ValueError):
        load_registered({ISSUER: str(tmp_path / "jwks.json")})


def test_a_jwks_keeps_only_public_signature_keys() -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    private_ec: dict[str, Any] = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(ec_key))  # has "d"
    document = {"keys": [
        {"kty": "oct", "k": "c2VjcmV0", "kid": "hmac"},
        rsa_jwk("enc") | {"use": "enc"},
        private_ec | {"kid": "private"},
        {"kty": "RSA", "kid": "broken", "n": "!!", "e": "AQAB"},
        "not a key",
        rsa_jwk("good"),
    ]}
    kept = parse_jwks(document, 0.0, TRUST_STORE)
    assert [kid for kid, _ in kept.keys] == ["good"]


def test_a_jwks_without_keys_is_a_fetch_error() -> None:
    with pytest.raises(FetchError):
        parse_jwks({"keys": "nope"}, 0.0, TRUST_STORE)


def test_calls_during_a_refresh_use_the_set_at_hand() -> None:
    """While one call refreshes an issuer's keys, others are served the cached set at once."""
    import threading

    issuer, clock = FakeIssuer(), Clock()
    c = cache(issuer, clock)
    c.keys(ISSUER, (), "k1")
    started, release = threading.Event(), threading.Event()
    slow_calls: list[str] = []

    def slow(url: str, **limits: Any) -> Fetched:
        slow_calls.append(url)
        started.set()
        release.wait(5)
        return issuer(url, **limits)

    c.fetcher = slow
    clock.now += 3600
    refresher = threading.Thread(target=c.keys, args=(ISSUER, (), "k1"))
    refresher.start()
    assert started.wait(5)
    assert c.keys(ISSUER, (), "k1").has("k1")  # not blocked behind the refresh
    release.set()
    refresher.join(5)
    assert len(slow_calls) == 2  # discovery + JWKS, once
