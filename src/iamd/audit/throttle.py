"""How many failed and unauthenticated calls each source address may add to the trail.

Anyone who can reach the port can make a failed call, and every failed call is an event: left
alone, three clients grew a data folder by 200 MB in 13 s. Each source address gets a token
bucket (``rate`` events a second, bursts of ``burst``); a failed call past it is not recorded but
counted, and the next event recorded for that address carries the count
(``additionalEventData.suppressedEvents``), so the trail still says that something happened and
how much. Successful calls are never throttled: they are authenticated and accountable.

At most ``max_sources`` addresses are tracked (least recently seen forgotten first), so the
throttle's own memory is bounded too; the suppressed count of a forgotten address is logged.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("iamd.audit")


@dataclass
class _Bucket:
    tokens: float
    at: float
    suppressed: int = 0


class FailureThrottle:
    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        max_sources: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.max_sources = max_sources
        self.clock = clock
        self.suppressed_total = 0
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def admit(self, source: str) -> int | None:
        """None when the event must be dropped; else how many were dropped before it."""
        now = self.clock()
        with self._lock:
            bucket = self._buckets.get(source)
            if bucket is None:
                bucket = self._buckets[source] = _Bucket(float(self.burst), now)
                self._forget_oldest()
            else:
                self._buckets.move_to_end(source)
                bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * self.rate)
                bucket.at = now
            if bucket.tokens < 1.0:
                bucket.suppressed += 1
                self.suppressed_total += 1
                return None
            bucket.tokens -= 1.0
            suppressed, bucket.suppressed = bucket.suppressed, 0
            return suppressed

    def clear(self) -> None:
        with self._lock:
            self._buckets.clear()

    def _forget_oldest(self) -> None:
        while len(self._buckets) > self.max_sources:
            source, bucket = self._buckets.popitem(last=False)
            if bucket.suppressed:
                log.warning("audit: %d failed calls from %s were not recorded", bucket.suppressed, source)
