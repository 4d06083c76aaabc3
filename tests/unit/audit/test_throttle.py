"""Per-source token buckets for failed calls' events."""

from __future__ import annotations

import logging

import pytest

from iamd.audit.throttle import FailureThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_the_refill_rate_and_the_count_of_what_was_dropped() -> None:
    clock = Clock()
    throttle = FailureThrottle(rate=2.0, burst=3, clock=clock)
    assert [throttle.admit("198.51.100.1") for _ in range(5)] == [0, 0, 0, None, None]
    clock.now = 0.5  # one token back
    assert throttle.admit("198.51.100.1") == 2  # the two dropped are counted into this one
    assert throttle.admit("198.51.100.1") is None
    clock.now = 100.0  # refill is capped at the burst
    assert [throttle.admit("198.51.100.1") for _ in range(4)] == [1, 0, 0, None]
    assert throttle.suppressed_total == 4


def test_sources_have_their_own_buckets() -> None:
    throttle = FailureThrottle(rate=0.0, burst=1, clock=Clock())
    assert throttle.admit("a") == 0 and throttle.admit("a") is None
    assert throttle.admit("b") == 0


def test_clear_refills_every_bucket() -> None:
    throttle = FailureThrottle(rate=0.0, burst=1, clock=Clock())
    throttle.admit("a")
    throttle.clear()
    assert throttle.admit("a") == 0


def test_tracked_sources_are_bounded_and_a_forgotten_count_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    throttle = FailureThrottle(rate=0.0, burst=1, max_sources=2, clock=Clock())
    throttle.admit("a")
    throttle.admit("a")  # dropped: counted under "a"
    throttle.admit("b")
    throttle.admit("a")  # "a" seen most recently: "b" is the one to forget next
    with caplog.at_level(logging.WARNING, logger="iamd.audit"):
        throttle.admit("c")
        throttle.admit("d")
    assert len(throttle._buckets) == 2
    assert "2 failed calls from a were not recorded" in caplog.text
