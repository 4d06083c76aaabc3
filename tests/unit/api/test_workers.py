"""Calls handed from the event loop to worker threads."""

from __future__ import annotations

import asyncio
import contextvars
import threading

import pytest

from iamd.api.workers import Workers

var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="unset")


def test_results_exceptions_and_a_context_copy_per_call() -> None:
    workers = Workers(2)

    def body(value: str) -> tuple[str, str, str]:
        before = var.get()
        var.set(value)
        return before, var.get(), threading.current_thread().name

    def fail() -> None:
        raise ValueError("boom")

    async def scenario() -> None:
        var.set("caller")
        first = await workers.run(body, "a")
        second = await workers.run(body, "b")
        assert first[:2] == ("caller", "a") and second[:2] == ("caller", "b")  # no leak between calls
        assert first[2].startswith("iamd-request-")
        assert var.get() == "caller"
        with pytest.raises(ValueError, match="boom"):
            await workers.run(fail)

    try:
        asyncio.run(scenario())
    finally:
        workers.shutdown()


def test_a_cancelled_call_and_a_closed_loop_are_harmless() -> None:
    workers = Workers(1)
    release = threading.Event()

    async def scenario() -> None:
        task = asyncio.ensure_future(workers.run(release.wait))
        await asyncio.sleep(0.01)
        task.cancel()  # the client went away; the thread still finishes the call
        release.set()
        with pytest.raises(asyncio.CancelledError):
            await task
        await workers.run(lambda: None)  # the thread is free again

    asyncio.run(scenario())
    gate = threading.Event()
    done = threading.Event()

    async def leave_early() -> None:
        asyncio.ensure_future(workers.run(lambda: (gate.wait(), done.set())))
        await asyncio.sleep(0.01)

    asyncio.run(leave_early())  # the loop closes while the call still runs
    gate.set()
    workers.shutdown()
    assert done.is_set()
