"""The attempt limit on MFA codes: the back-off table, claims while locked, and the limit under racing claims."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from iamd.services.context import Call, Caller
from iamd.services.iam import mfa_attempts
from iamd.services.iam.mfa_attempts import FIRST_LOCKOUT, FREE_FAILURES, MAX_LOCKOUT, claim, clear, lockout
from iamd.services.registry import ACTIONS
from iamd.services.runtime import Runtime
from iamd.store import schema

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def root_caller(account: str) -> Caller:
    return Caller(account, f"arn:aws:iam::{account}:root", account, "root", "AKIAROOT")


@pytest.mark.parametrize(
    ("failures", "wait"),
    [(0, None), (FREE_FAILURES - 1, None), (FREE_FAILURES, FIRST_LOCKOUT), (FREE_FAILURES + 1, 2 * FIRST_LOCKOUT),
     (FREE_FAILURES + 4, 16 * FIRST_LOCKOUT), (FREE_FAILURES + 5, MAX_LOCKOUT), (10**6, MAX_LOCKOUT)],
)
def test_the_back_off_doubles_up_to_its_cap(failures: int, wait: timedelta | None) -> None:
    assert lockout(failures) == wait


def _call(runtime: Runtime, account: str, now: datetime) -> Call:
    return Call(None, root_caller(account), now, str(uuid.uuid4()), runtime)  # type: ignore[arg-type]


def _device(runtime: Runtime, account: str) -> str:
    with runtime.store.begin() as conn:
        call = Call(conn, root_caller(account), NOW, str(uuid.uuid4()), runtime)
        serial = ACTIONS["iam"]["CreateVirtualMFADevice"](call, {"VirtualMFADeviceName": "d"})["VirtualMFADevice"][
            "SerialNumber"
        ]
        return str(conn.execute(
            select(schema.mfa_devices.c.device_id).where(schema.mfa_devices.c.serial_number == serial)
        ).scalar_one())


def _count(runtime: Runtime, device_id: str) -> int:
    with runtime.store.connect() as conn:
        return int(conn.execute(
            select(schema.mfa_devices.c.failed_attempts).where(schema.mfa_devices.c.device_id == device_id)
        ).scalar_one())


def test_a_locked_device_counts_nothing_until_the_window_ends(runtime: Runtime, account: str) -> None:
    device = _device(runtime, account)
    for _ in range(FREE_FAILURES):
        assert claim(_call(runtime, account, NOW), device) is None
    later = NOW + FIRST_LOCKOUT - timedelta(seconds=1)
    for _ in range(3):
        assert claim(_call(runtime, account, later), device) == NOW + FIRST_LOCKOUT
    assert _count(runtime, device) == FREE_FAILURES
    assert claim(_call(runtime, account, NOW + FIRST_LOCKOUT), device) is None
    assert claim(_call(runtime, account, NOW + FIRST_LOCKOUT), device) == NOW + 3 * FIRST_LOCKOUT
    clear(_call(runtime, account, NOW), device)
    assert claim(_call(runtime, account, NOW), device) is None and _count(runtime, device) == 1


def test_a_device_deleted_meanwhile_is_not_locked(runtime: Runtime, account: str) -> None:
    assert mfa_attempts.claim(_call(runtime, account, NOW), "no-such-device") is None


def test_racing_claims_are_all_counted(runtime: Runtime, account: str) -> None:
    device = _device(runtime, account)
    results: list[datetime | None] = []
    start = threading.Barrier(8)

    def guess() -> None:
        start.wait()
        results.append(claim(_call(runtime, account, NOW), device))

    threads = [threading.Thread(target=guess) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(None) == FREE_FAILURES
    assert _count(runtime, device) == FREE_FAILURES
