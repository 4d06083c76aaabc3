"""Password hashing: Argon2id (RFC 9106) through argon2-cffi.

Parameters, and why: ``m = 19 MiB, t = 2, p = 1`` is the first of OWASP's equivalent Argon2id
configurations (Password Storage Cheat Sheet). A server verifies many passwords concurrently, so
memory per verification is what bounds a burst of logins; 19 MiB keeps 100 concurrent verifications
under 2 GiB while still costing an attacker 19 MiB of memory per guess. One lane (``p = 1``): extra
lanes only help a single verification on an idle machine and take cores from concurrent requests.
Measured on the 2-core reference machine: about 21 ms per verification (budget: 50 ms).

The encoded hash carries algorithm, version, parameters and salt, so stronger parameters can be
adopted later: :func:`verify_password` reports when a stored hash was made with other parameters
(``needs_rehash``) and hands back a fresh hash for the caller to store.

Tests swap in a cheap parameter set with :func:`parameters` instead of weakening production; a hash
made under one set verifies under any other (the parameters are read from the hash).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


@dataclass(frozen=True, slots=True)
class Argon2Parameters:
    time_cost: int
    memory_kib: int
    parallelism: int


PRODUCTION = Argon2Parameters(time_cost=2, memory_kib=19 * 1024, parallelism=1)
# For tests only: the smallest parameters argon2 accepts (about 0.05 ms).
CHEAP = Argon2Parameters(time_cost=1, memory_kib=8, parallelism=1)


def _hasher(params: Argon2Parameters) -> PasswordHasher:
    return PasswordHasher(
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=32,
        salt_len=16,
        type=Type.ID,
    )


_current = _hasher(PRODUCTION)
# A hash of nothing in particular: verified against when there is no stored hash, so that a
# missing user or login profile costs the same time as a wrong password.
_dummy_hash: str | None = None


@contextmanager
def parameters(params: Argon2Parameters) -> Iterator[None]:
    """Hash with ``params`` inside the block (tests); production parameters everywhere else."""
    global _current, _dummy_hash
    saved, saved_dummy = _current, _dummy_hash
    _current, _dummy_hash = _hasher(params), None
    try:
        yield
    finally:
        _current, _dummy_hash = saved, saved_dummy


def hash_password(password: str) -> str:
    """The encoded Argon2id hash (``$argon2id$v=19$m=…,t=…,p=…$salt$hash``) with a random salt."""
    return _current.hash(password)


@dataclass(frozen=True, slots=True)
class Verification:
    ok: bool
    # Set when ``ok`` and the stored hash was made with other parameters: store this instead.
    new_hash: str | None = None


def verify_password(stored_hash: str, password: str) -> Verification:
    """Check ``password`` against ``stored_hash`` in constant time (argon2 compares the digests
    with a constant-time comparison); a malformed hash is a mismatch, never an exception."""
    try:
        _current.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return Verification(False)
    if _current.check_needs_rehash(stored_hash):
        return Verification(True, _current.hash(password))
    return Verification(True)


def verify_nothing(password: str) -> None:
    """Spend the time of one verification without a stored hash (unknown user, no profile)."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _current.hash("iamd: no password is stored here")
    verify_password(_dummy_hash, password)
