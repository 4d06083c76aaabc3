"""How many codes a device may be tried with: exponential back-off after a few wrong ones.

A six-digit code is one of 10**6 and three are valid at any moment (±1 step), so unlimited tries
find one in about 330,000 guesses — minutes for a script. Each device therefore allows
``FREE_FAILURES`` wrong codes in a row; the next failure makes it refuse every code, right or
wrong, for ``FIRST_LOCKOUT``, and each further failure (one per window at most, since codes sent
while locked are refused unchecked) doubles the window up to ``MAX_LOCKOUT``. An accepted code
clears the count. So an attacker who holds a user's key gets a handful of guesses per quarter hour
(about one chance in 3,000 per day), while the user is never locked out for longer than
``MAX_LOCKOUT`` after the attacker stops — never for good, and no administrator is needed.

Why the count lives in its own transactions: a refused code fails the call, and the call's
transaction is rolled back. The attempt is therefore counted (``claim``) in a short transaction of
its own before the code is checked, and the count cleared (``clear``) once it is accepted. Counting
before checking also holds under concurrency: two processes racing with guesses serialise on the
device row, so parallel requests cannot all slip in before the lockout is written. The counter is
two columns of the device's row, so however many guesses arrive, the writes touch one row, and
while locked none are written at all (a locked device is recognised by a read).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from iamd.services.context import Call
from iamd.store import schema

__all__ = ["FIRST_LOCKOUT", "FREE_FAILURES", "MAX_LOCKOUT", "claim", "clear", "lockout"]

devices = schema.mfa_devices

FREE_FAILURES = 5
FIRST_LOCKOUT = timedelta(seconds=30)
MAX_LOCKOUT = timedelta(minutes=15)


def lockout(failures: int) -> timedelta | None:
    """How long a device refuses codes after ``failures`` wrong ones in a row (None: not at all)."""
    if failures < FREE_FAILURES:
        return None
    doublings = min(failures - FREE_FAILURES, 16)  # 30 s x 2**5 already passes the cap
    wait: timedelta = min(FIRST_LOCKOUT * 2**doublings, MAX_LOCKOUT)
    return wait


def claim(call: Call, device_id: str) -> datetime | None:
    """Count one attempt at the device's code, as a failure until ``clear`` says otherwise.

    Returns None when the code may be checked, or the time until which the device is locked (the
    attempt is then not counted: a locked device's window is not extended by more guesses).
    """
    now = call.now
    with call.runtime.store.begin() as conn:
        # A locked device is told by a read: a flood of guesses at it takes no write lock at all.
        until = conn.execute(select(devices.c.locked_until).where(devices.c.device_id == device_id)).scalar()
        if until is not None and until > now:
            locked: datetime = until
            return locked
        open_now = devices.c.locked_until.is_(None) | (devices.c.locked_until <= now)
        counted = conn.execute(
            update(devices)
            .where(devices.c.device_id == device_id, open_now)
            .values(failed_attempts=devices.c.failed_attempts + 1)
        ).rowcount
        if counted != 1:
            # Locked by a racing claim since the read; or deleted (None: the caller's write finds nothing).
            locked_until: datetime | None = conn.execute(
                select(devices.c.locked_until).where(devices.c.device_id == device_id)
            ).scalar()
            return locked_until
        failures = conn.execute(select(devices.c.failed_attempts).where(devices.c.device_id == device_id)).scalar_one()
        wait = lockout(failures)
        if wait is not None:
            conn.execute(update(devices).where(devices.c.device_id == device_id).values(locked_until=now + wait))
    return None


def clear(call: Call, device_id: str) -> None:
    """An accepted code: the device starts counting afresh."""
    with call.runtime.store.begin() as conn:
        conn.execute(
            update(devices).where(devices.c.device_id == device_id).values(failed_attempts=0, locked_until=None)
        )
