"""Time-based one-time passwords (RFC 6238) for virtual MFA devices.

A code is HOTP (RFC 4226) of the time step ``floor(unix_time / 30)``, HMAC-SHA1, six digits — what
every authenticator app computes from the ``otpauth://totp/…`` URI. pyotp computes the codes; the
rules around them live here:

- **Skew**: a code is accepted within ``window`` steps either side of the server's step (±1 step,
  ±30 s, by default), as RFC 6238 section 6 recommends for network delay and small clock skew.
- **Drift**: a device whose clock runs ``drift`` steps ahead of the server's (measured by a resync)
  has its window centred on ``server step + drift``.
- **Replay**: each accepted step is remembered (``last_used_step``); a code for that step or any
  earlier one is refused, so a code observed once cannot be used again (RFC 6238 section 5.2).

Every candidate step is compared, each with ``hmac.compare_digest``, so the time taken does not
tell which step (if any) matched.
"""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp

__all__ = [
    "DIGITS",
    "RESYNC_WINDOW",
    "SEED_LENGTH",
    "STEP_SECONDS",
    "WINDOW",
    "code_at",
    "new_seed",
    "provisioning_uri",
    "step_at",
    "verify",
    "verify_consecutive",
]

STEP_SECONDS = 30
DIGITS = 6
# Steps accepted either side of the expected one for a single code (RFC 6238 section 6).
WINDOW = 1
# ResyncMFADevice looks this many steps (10 minutes) either side for two consecutive codes: far
# enough for a phone whose clock was set by hand, near enough that guessing two consecutive
# six-digit codes stays hopeless (41 positions x 10**-12).
RESYNC_WINDOW = 20
# Base32 characters: 320 bits, the length of the seeds AWS hands out.
SEED_LENGTH = 64


def new_seed() -> str:
    """A fresh random Base32 seed (``secrets``-backed)."""
    return pyotp.random_base32(length=SEED_LENGTH)


def step_at(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def code_at(seed: str, step: int, digits: int = DIGITS) -> str:
    return pyotp.TOTP(seed, digits=digits).generate_otp(step)


def provisioning_uri(seed: str, account_name: str, issuer: str) -> str:
    """``otpauth://totp/ISSUER:ACCOUNT?secret=…&issuer=ISSUER`` (Google Authenticator key URI format)."""
    return pyotp.TOTP(seed).provisioning_uri(name=account_name, issuer_name=issuer)


def _matches(seed: str, code: str, step: int, digits: int) -> bool:
    return hmac.compare_digest(code_at(seed, step, digits).encode(), code.encode())


def verify(
    seed: str,
    code: str,
    now: datetime,
    last_used_step: int | None,
    window: int = WINDOW,
    *,
    drift: int = 0,
    digits: int = DIGITS,
) -> int | None:
    """The step ``code`` belongs to, if it is within the window and after ``last_used_step``."""
    return _find_step(seed, (code,), step_at(now) + drift, window, last_used_step, digits)


def verify_consecutive(
    seed: str,
    code1: str,
    code2: str,
    now: datetime,
    last_used_step: int | None,
    window: int = WINDOW,
    *,
    drift: int = 0,
    digits: int = DIGITS,
) -> int | None:
    """The step of ``code2`` when ``code1`` and ``code2`` are the codes of two consecutive steps.

    ``code2``'s step is looked for within ``window`` of the expected step; ``code1`` must be the
    step just before it. Both must come after ``last_used_step``.
    """
    return _find_step(seed, (code1, code2), step_at(now) + drift, window, last_used_step, digits)


def _find_step(
    seed: str, codes: tuple[str, ...], centre: int, window: int, last_used_step: int | None, digits: int
) -> int | None:
    """The first step within ``window`` of ``centre`` whose code is ``codes[-1]``, the steps just
    before it having the codes before it, and all of them after ``last_used_step``.

    Every candidate step is compared with every code, without a short cut, so the time taken
    does not tell which step (if any) matched.
    """
    found: int | None = None
    for step in range(centre - window, centre + window + 1):
        first = step - len(codes) + 1
        matched = True
        for offset, code in enumerate(codes):
            matched &= _matches(seed, code, first + offset, digits)
        # INVARIANT: a step at or before the last accepted one is never accepted again.
        fresh = last_used_step is None or first > last_used_step
        if matched and fresh and found is None:
            found = step
    return found
