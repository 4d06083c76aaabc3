"""Argon2id hashing: round trip, mismatch, malformed hashes, rehash on new parameters, timing."""

from __future__ import annotations

import pytest

from iamd.auth import passwords
from iamd.auth.passwords import CHEAP, PRODUCTION, Argon2Parameters


@pytest.fixture(autouse=True)
def _cheap() -> object:
    with passwords.parameters(CHEAP):
        yield


def test_hash_is_argon2id_with_salt_and_never_the_password() -> None:
    first, second = passwords.hash_password("Tr0ub4dor&3"), passwords.hash_password("Tr0ub4dor&3")
    assert first.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    assert first != second  # random salt
    assert "Tr0ub4dor" not in first


@pytest.mark.parametrize(
    ("candidate", "ok"),
    [
        ("Tr0ub4dor&3", True),
        ("tr0ub4dor&3", False),
        ("Tr0ub4dor&3 ", False),
        ("", False),
        ("\u00ffé\t", False),
    ],
)
def test_verify(candidate: str, ok: bool) -> None:
    stored = passwords.hash_password("Tr0ub4dor&3")
    result = passwords.verify_password(stored, candidate)
    assert result.ok is ok and result.new_hash is None


def test_latin1_passwords_round_trip() -> None:
    stored = passwords.hash_password("ÿé\tpass word")
    assert passwords.verify_password(stored, "ÿé\tpass word").ok


@pytest.mark.parametrize(
    "bad", ["", "plain", "$argon2id$v=19$m=8,t=1,p=1$AAAA$BBBB", "$2b$12$abcdefghijklmnopqrstuv"]
)
def test_malformed_hash_is_a_mismatch(bad: str) -> None:
    assert passwords.verify_password(bad, "x").ok is False


def test_rehash_when_parameters_changed() -> None:
    old = passwords.hash_password("pw")
    with passwords.parameters(Argon2Parameters(time_cost=2, memory_kib=16, parallelism=1)):
        result = passwords.verify_password(old, "pw")
        assert result.ok and result.new_hash is not None
        assert "m=16,t=2,p=1" in result.new_hash
        assert passwords.verify_password(result.new_hash, "pw") == passwords.Verification(True)
        assert passwords.verify_password(old, "wrong").new_hash is None


def test_parameters_restored_after_block() -> None:
    with passwords.parameters(PRODUCTION):
        pass
    assert "m=8,t=1,p=1" in passwords.hash_password("x")


def test_verify_nothing_spends_a_verification() -> None:
    passwords.verify_nothing("anything")  # no exception, no result


def test_production_parameters_are_owasps_argon2id() -> None:
    """OWASP's Argon2id minimum (19 MiB, 2 passes, 1 lane); their cost is measured in make bench."""
    with passwords.parameters(PRODUCTION):
        stored = passwords.hash_password("correct horse")
        assert "$m=19456,t=2,p=1$" in stored
        assert passwords.verify_password(stored, "correct horse")
