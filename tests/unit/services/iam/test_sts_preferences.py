"""SetSecurityTokenServicePreferences on both store backends: stored per account, replaced, and
read by GetAccountSummary; an unknown stored value reads as AWS's default."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from iamd.services.runtime import Runtime
from iamd.store import account_settings


def summary_version(invoke: Any) -> int:
    return int(invoke("iam", "GetAccountSummary")["SummaryMap"]["GlobalEndpointTokenVersion"])


def test_set_replace_and_read(invoke: Any) -> None:
    assert summary_version(invoke) == 1
    for value, number in (("v2Token", 2), ("v2Token", 2), ("v1Token", 1), ("v2Token", 2)):
        assert invoke("iam", "SetSecurityTokenServicePreferences", {"GlobalEndpointTokenVersion": value}) is None
        assert summary_version(invoke) == number


def test_a_value_the_enum_does_not_know_reads_as_the_default(runtime: Runtime, account: str, invoke: Any) -> None:
    with runtime.store.begin() as conn:
        account_settings.put(conn, account, "GlobalEndpointTokenVersion", "v9Token", datetime.now(UTC))
    assert summary_version(invoke) == 1


def test_settings_are_per_account_and_removable(runtime: Runtime, account: str) -> None:
    now = datetime.now(UTC)
    with runtime.store.begin() as conn:
        account_settings.put(conn, account, "A", "1", now)
        account_settings.put(conn, account, "A", "2", now)
        assert account_settings.get(conn, account, "A") == "2"
        assert account_settings.get(conn, "000000000000", "A") is None
        account_settings.remove(conn, account, "A")
        assert account_settings.get(conn, account, "A") is None
