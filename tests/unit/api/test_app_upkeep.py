"""Background upkeep of the app (key last-used times, trail retention) survives failures."""

from __future__ import annotations

import asyncio
import logging

import pytest

from iamd.api.app import periodically


def test_a_failing_task_is_logged_and_run_again(caplog: pytest.LogCaptureFixture) -> None:
    runs: list[int] = []

    def work() -> None:
        runs.append(1)
        raise RuntimeError("database away")

    async def scenario() -> None:
        task = asyncio.create_task(periodically(0.001, work, "upkeep"))
        while len(runs) < 2:
            await asyncio.sleep(0.001)
        task.cancel()

    with caplog.at_level(logging.ERROR, logger="iamd.api"):
        asyncio.run(scenario())
    assert len(runs) >= 2 and "upkeep failed" in caplog.text
