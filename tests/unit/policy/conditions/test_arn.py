"""ARN operators: component-wise glob matching."""

import pytest

ROLE = "arn:aws:iam::123456789012:role/app"
CASES = [
    ("ArnEquals", [ROLE], ROLE, True),
    ("ArnLike", ["arn:aws:iam::123456789012:role/*"], ROLE, True),
    ("ArnEquals", ["arn:aws:iam::*:role/app"], ROLE, True),  # ArnEquals takes wildcards too
    ("ArnLike", ["arn:aws:iam::123456789012:role/*"], "arn:aws:iam::123456789012:user/app", False),
    ("ArnLike", ["arn:aws:sns:*:123456789012:*"], "arn:aws:sns:us-east-1:123456789012:topic", True),
    ("ArnLike", ["arn:aws:s3:::bucket/*"], "arn:aws:s3:::bucket/a:b:c", True),  # colons in resource part
    ("ArnLike", ["arn:aws:*"], ROLE, False),  # a wildcard does not span components
    ("ArnLike", ["arn:aws:iam::123456789012:role/*"], "not-an-arn", False),
    ("ArnNotEquals", [ROLE], "arn:aws:iam::123456789012:role/other", True),
    ("ArnNotLike", ["arn:aws:iam::123456789012:role/*"], ROLE, False),
    ("ArnLike", ["arn:aws:iam::${aws:PrincipalAccount}:role/*"], ROLE, True),
]


@pytest.mark.parametrize(("operator", "values", "value", "expected"), CASES)
def test_arn_operators(condition, operator, values, value, expected):
    context = {"aws:SourceArn": value, "aws:PrincipalAccount": "123456789012"}
    assert condition(operator, "aws:SourceArn", values, context) is expected


def test_absent(condition):
    assert not condition("ArnLike", "aws:SourceArn", ["arn:*:*:*:*:*"], {})
    assert condition("ArnNotLike", "aws:SourceArn", ["arn:*:*:*:*:*"], {})
