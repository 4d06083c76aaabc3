"""The Null operator."""

import pytest


@pytest.mark.parametrize(
    ("value", "context", "expected"),
    [
        ("true", {}, True),
        ("true", {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}, False),
        ("false", {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}, True),
        ("false", {}, False),
        ("true", {"aws:TokenIssueTime": []}, True),  # an empty set counts as null
    ],
)
def test_null(condition, value, context, expected):
    assert condition("Null", "aws:TokenIssueTime", [value], context) is expected
