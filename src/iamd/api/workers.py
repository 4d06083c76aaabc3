"""The threads that run calls, handed over from the event loop.

Every call's synchronous work (decoding, the transaction, Argon2, rendering) runs here so that
one slow call never stalls the loop that reads and writes every other client's socket. A fixed
set of threads takes work from one ``queue.SimpleQueue`` and posts each result back with
``call_soon_threadsafe``: about half the hand-over cost of ``loop.run_in_executor`` (measured
~40 µs against ~80 µs per call on the 2-core reference machine), and the hot path pays it on
every call. Each call runs in a copy of the caller's context, as ``asyncio.to_thread`` does, so
context variables (the call-scoped memo) never leak between calls sharing a thread.
"""

from __future__ import annotations

import asyncio
import contextvars
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_Job = tuple[asyncio.AbstractEventLoop, "asyncio.Future[Any]", contextvars.Context, Callable[..., Any], tuple[Any, ...]]


class Workers:
    def __init__(self, count: int, name: str = "iamd-request") -> None:
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._threads = [threading.Thread(target=self._work, name=f"{name}-{i}", daemon=True) for i in range(count)]
        for thread in self._threads:
            thread.start()

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` on a worker thread; its result or its exception."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.put((loop, future, contextvars.copy_context(), fn, args))
        return await future

    def shutdown(self) -> None:
        """Finish the queued calls, then stop every thread."""
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join()

    def _work(self) -> None:
        while (job := self._queue.get()) is not None:
            loop, future, context, fn, args = job
            try:
                result, error = context.run(fn, *args), None
            except BaseException as exc:  # noqa: BLE001 - handed to the awaiting task
                result, error = None, exc
            try:
                loop.call_soon_threadsafe(_settle, future, result, error)
            except RuntimeError:  # the loop closed while the call ran (shutdown): nobody waits
                pass


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():  # the awaiting task was cancelled (the client went away)
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
