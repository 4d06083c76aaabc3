"""TOTP: RFC 6238's SHA-1 vectors, the skew window, drift, replay and consecutive codes."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from iamd.auth import totp

# RFC 6238 appendix B: the SHA-1 seed is the ASCII "12345678901234567890", codes of 8 digits.
RFC_SEED = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize(
    ("unix_time", "code"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_rfc6238_sha1_vectors(unix_time: int, code: str) -> None:
    now = datetime.fromtimestamp(unix_time, UTC)
    assert totp.code_at(RFC_SEED, totp.step_at(now), digits=8) == code
    assert totp.verify(RFC_SEED, code, now, None, digits=8) == unix_time // 30


SEED = totp.new_seed()
NOW = datetime(2026, 11, 29, 12, 0, 10, tzinfo=UTC)
STEP = totp.step_at(NOW)


def code(offset: int, seed: str = SEED) -> str:
    return totp.code_at(seed, STEP + offset)


def test_new_seed_is_base32_of_aws_length() -> None:
    seed = totp.new_seed()
    assert len(seed) == 64 and base64.b32decode(seed)
    assert seed != totp.new_seed()


def test_codes_match_an_authenticator_app() -> None:
    assert code(0) == pyotp.TOTP(SEED).at(NOW)
    assert code(1) == pyotp.TOTP(SEED).at(NOW + timedelta(seconds=30))


@pytest.mark.parametrize(("offset", "accepted"), [(-2, False), (-1, True), (0, True), (1, True), (2, False)])
def test_skew_window_is_one_step_either_side(offset: int, accepted: bool) -> None:
    assert totp.verify(SEED, code(offset), NOW, None) == (STEP + offset if accepted else None)


def test_a_wider_window_accepts_more() -> None:
    assert totp.verify(SEED, code(3), NOW, None, window=3) == STEP + 3


def test_drift_centres_the_window() -> None:
    assert totp.verify(SEED, code(10), NOW, None) is None
    assert totp.verify(SEED, code(10), NOW, None, drift=10) == STEP + 10
    assert totp.verify(SEED, code(0), NOW, None, drift=10) is None


def test_wrong_code_refused() -> None:
    wrong = f"{(int(code(0)) + 1) % 10**6:06d}"
    assert totp.verify(SEED, wrong, NOW, None) is None


def test_replay_refused() -> None:
    step = totp.verify(SEED, code(0), NOW, None)
    assert step == STEP
    assert totp.verify(SEED, code(0), NOW, step) is None
    assert totp.verify(SEED, code(-1), NOW, step) is None  # older codes too
    assert totp.verify(SEED, code(1), NOW, step) == STEP + 1


@pytest.mark.parametrize("second", [-1, 0, 1])
def test_consecutive_codes(second: int) -> None:
    assert totp.verify_consecutive(SEED, code(second - 1), code(second), NOW, None) == STEP + second


@pytest.mark.parametrize(
    ("first", "second"),
    [(0, 0), (1, 0), (-1, 1), (0, 2), (1, 2)],  # same, reversed, a gap, out of the window
)
def test_non_consecutive_codes_refused(first: int, second: int) -> None:
    assert totp.verify_consecutive(SEED, code(first), code(second), NOW, None) is None


def test_consecutive_codes_respect_replay() -> None:
    assert totp.verify_consecutive(SEED, code(-1), code(0), NOW, STEP - 1) is None
    assert totp.verify_consecutive(SEED, code(0), code(1), NOW, STEP - 1) == STEP + 1


def test_resync_window_finds_a_drifted_device() -> None:
    assert totp.verify_consecutive(SEED, code(14), code(15), NOW, None) is None
    assert totp.verify_consecutive(SEED, code(14), code(15), NOW, None, totp.RESYNC_WINDOW) == STEP + 15
    far = totp.RESYNC_WINDOW + 1
    assert totp.verify_consecutive(SEED, code(far - 1), code(far), NOW, None, totp.RESYNC_WINDOW) is None


def test_provisioning_uri() -> None:
    uri = totp.provisioning_uri(SEED, "alice", "123456789012")
    assert uri.startswith("otpauth://totp/123456789012:alice?secret=" + SEED)
    assert "issuer=123456789012" in uri
