"""Numeric operators."""

import pytest

CASES = [
    ("NumericEquals", ["10"], "10", True),
    ("NumericEquals", ["10"], "10.0", True),
    ("NumericEquals", ["10"], "11", False),
    ("NumericEquals", ["10", "11"], "11", True),
    ("NumericNotEquals", ["10"], "11", True),
    ("NumericNotEquals", ["10"], "10", False),
    ("NumericLessThan", ["10"], "9", True),
    ("NumericLessThan", ["10"], "10", False),
    ("NumericLessThanEquals", ["10"], "10", True),
    ("NumericGreaterThan", ["10"], "10.5", True),
    ("NumericGreaterThan", ["10"], "-3", False),
    ("NumericGreaterThanEquals", ["10"], "10", True),
    ("NumericLessThan", ["10"], "ten", False),  # type mismatch never matches
    ("NumericNotEquals", ["10"], "ten", True),  # …so its negation holds
    ("NumericEquals", ["ten"], "10", False),  # unreadable policy value matches nothing
    ("NumericLessThan", ["99999999999999999999"], "99999999999999999998", True),  # exact
]


@pytest.mark.parametrize(("operator", "values", "value", "expected"), CASES)
def test_numeric_operators(condition, operator, values, value, expected):
    assert condition(operator, "s3:max-keys", values, {"s3:max-keys": value}) is expected


@pytest.mark.parametrize(
    ("operator", "expected"), [("NumericLessThan", False), ("NumericNotEquals", True), ("NumericLessThanIfExists", True)]
)
def test_absent_key(condition, operator, expected):
    assert condition(operator, "s3:max-keys", ["10"], {}) is expected
