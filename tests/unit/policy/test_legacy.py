"""IAM's legacy parser of Date condition values (policy/legacy.py)."""

import pytest

from iamd.policy.legacy import legacy_date_ok

READABLE = [
    "2017-07-01T00:00:00Z", "2017-07-01", "2017", "01T", "2016-12-13T21:20:37.593194+00:00",
    "2016-12-13t2:00:00.593194+23", "2020-01-01T10:00", "2020-01-01T10", "-292275054", "292278993",
    "0", "1893456000", "9223372036854775807", "2020-01-01T00:00:00.999999999Z",
]  # fmt: skip
UNREADABLE = [
    "", "tomorrow", "2031-13", "2031-00-01", "2031-01-32", "2031-01-01-01", "2020-06-30t24:00",
    "2020-06-30t23:60", "2020-06-30t23:59:60", "2020-06-30t4:00:00.25+2", "2020-06-30t4:00:00.1234567890Z",
    "2020-06-30t4:00:00Zx", "2020-06-30t4:00:00+01:5", "9223372036854775808", "292278994-01", "-292275055",
    "1.5", "٣", "9" * 5000,
]  # fmt: skip


@pytest.mark.parametrize("value", READABLE)
def test_readable(value):
    assert legacy_date_ok(value)


@pytest.mark.parametrize("value", UNREADABLE)
def test_unreadable(value):
    assert not legacy_date_ok(value)
