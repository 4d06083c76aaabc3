"""The signing-key derivation and its bounded cache."""

from __future__ import annotations

import pytest

from iamd.auth.signing_key import SigningKeyCache, derive_signing_key, signature

SUITE_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


def test_derivation_matches_the_spec_example():
    """The worked example of the SigV4 documentation ("Examples of how to derive a signing key")."""
    key = derive_signing_key(SUITE_SECRET, "20120215", "us-east-1", "iam")
    assert key.hex() == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"


def test_cache_returns_the_derived_key_and_hits():
    cache = SigningKeyCache()
    first = cache.get("AKID", SUITE_SECRET, "20150830", "us-east-1", "service")
    assert first == derive_signing_key(SUITE_SECRET, "20150830", "us-east-1", "service")
    assert cache.get("AKID", SUITE_SECRET, "20150830", "us-east-1", "service") is first
    assert len(cache) == 1


def test_a_rotated_secret_under_the_same_key_id_misses():
    cache = SigningKeyCache()
    old = cache.get("AKID", "old-secret", "20150830", "us-east-1", "iam")
    new = cache.get("AKID", "new-secret", "20150830", "us-east-1", "iam")
    assert old != new and len(cache) == 2


def test_cache_holds_no_plaintext_secret():
    cache = SigningKeyCache()
    cache.get("AKID", SUITE_SECRET, "20150830", "us-east-1", "iam")
    assert SUITE_SECRET not in repr(list(cache._keys))  # noqa: SLF001 - checking what is kept


def test_cache_is_bounded_least_recently_used_first():
    cache = SigningKeyCache(maxsize=2)
    cache.get("A", "s", "20150830", "us-east-1", "iam")
    cache.get("B", "s", "20150830", "us-east-1", "iam")
    cache.get("A", "s", "20150830", "us-east-1", "iam")
    cache.get("C", "s", "20150830", "us-east-1", "iam")
    assert len(cache) == 2
    kept = {key[0] for key in cache._keys}  # noqa: SLF001
    assert len(kept) == 2
    cache.clear()
    assert len(cache) == 0


def test_cache_needs_room():
    with pytest.raises(ValueError):
        SigningKeyCache(maxsize=0)


def test_signature_is_hex_hmac():
    assert len(signature(b"k", "string to sign")) == 64
