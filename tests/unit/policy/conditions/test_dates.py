"""Date operators: ISO 8601 and epoch, compared as instants."""

import pytest

CASES = [
    ("DateGreaterThan", "2020-01-01T00:00:00Z", "2020-06-01T00:00:00Z", True),
    ("DateGreaterThan", "2020-01-01T00:00:00Z", "2019-06-01T00:00:00Z", False),
    ("DateLessThan", "2020-01-01T00:00:00Z", "2019-12-31T23:59:59Z", True),
    ("DateLessThan", "2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z", False),
    ("DateLessThanEquals", "2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z", True),
    ("DateGreaterThanEquals", "2020-01-01", "2020-01-01T00:00:00Z", True),
    ("DateEquals", "2020-01-01T00:00:00Z", "1577836800", True),  # epoch request value
    ("DateEquals", "1577836800", "2020-01-01T00:00:00Z", True),  # epoch policy value
    ("DateEquals", "2020-01-01T01:00:00+01:00", "2020-01-01T00:00:00Z", True),  # offsets
    ("DateNotEquals", "2020-01-01T00:00:00Z", "2020-01-02T00:00:00Z", True),
    ("DateNotEquals", "2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z", False),
    ("DateEquals", "2020-01-01T00:00:00.000Z", "2020-01-01T00:00:00Z", True),
    ("DateLessThan", "2020-01-01T00:00:00Z", "yesterday", False),  # type mismatch
    ("DateEquals", "20200101T000000Z", "2020-01-01T00:00:00Z", True),  # compact ISO 8601
]


@pytest.mark.parametrize(("operator", "policy", "value", "expected"), CASES)
def test_date_operators(condition, operator, policy, value, expected):
    assert condition(operator, "aws:CurrentTime", [policy], {"aws:CurrentTime": value}) is expected


def test_absent_time_key(condition):
    assert not condition("DateLessThan", "aws:TokenIssueTime", ["2020-01-01"], {})
    assert condition("DateLessThanIfExists", "aws:TokenIssueTime", ["2020-01-01"], {})
