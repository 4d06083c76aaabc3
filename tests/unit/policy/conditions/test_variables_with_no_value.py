"""A policy variable with no value, in every operator family that takes variables (operators.py).

IAM User Guide, "Policy variables with no value": the value "is effectively null. There is no
equal or like value", so ``StringEquals``/``StringLike`` "do not match", while "Inverted condition
operators like StringNotEquals or StringNotLike do match against a null value". Under a set
qualifier the per-value test is the same: null equals no request value.
"""

import pytest

TEAM = "${aws:PrincipalTag/Team}"
ARN = "arn:aws:iam::123456789012:role/${aws:PrincipalTag/Team}"
ROLE = "arn:aws:iam::123456789012:role/red"

CASES = [
    # operator, policy values, request value(s) of k:v, expected
    ("StringEquals", [TEAM], "red", False),
    ("StringNotEquals", [TEAM], "red", True),
    ("StringLike", [TEAM + "*"], "red", False),
    ("StringNotLike", [TEAM + "*"], "red", True),
    ("StringNotLike", ["*" + TEAM], "", True),
    ("ArnEquals", [ARN], ROLE, False),
    ("ArnLike", [ARN], ROLE, False),
    ("ArnNotEquals", [ARN], ROLE, True),
    ("ArnNotLike", [ARN], ROLE, True),
    ("ArnNotLike", [ARN, "arn:aws:iam::123456789012:role/*"], ROLE, False),  # the other value matches
    # IfExists changes nothing when the condition key is present
    ("StringNotEqualsIfExists", [TEAM], "red", True),
    ("StringEqualsIfExists", [TEAM], "red", False),
    # set qualifiers: null is equal to no request value
    ("ForAnyValue:StringEquals", [TEAM], ["red", "blue"], False),
    ("ForAnyValue:StringNotEquals", [TEAM], ["red", "blue"], True),
    ("ForAllValues:StringEquals", [TEAM], ["red"], False),
    ("ForAllValues:StringNotEquals", [TEAM], ["red", "blue"], True),
    ("ForAllValues:StringNotEquals", [TEAM], [], True),
    ("ForAnyValue:StringNotEquals", [TEAM], [], False),
    ("ForAllValues:StringNotEquals", [TEAM, "red"], ["red", "blue"], False),
]


@pytest.mark.parametrize(("operator", "values", "request_value", "expected"), CASES)
def test_a_variable_with_no_value_is_null(condition, operator, values, request_value, expected):
    assert condition(operator, "k:v", values, {"k:v": request_value}) is expected
    # once the tag exists the same condition compares with its value
    tagged = {"k:v": request_value, "aws:PrincipalTag/Team": "red"}
    negated = "Not" in operator
    if request_value == "red" and not operator.startswith("For"):
        assert condition(operator, "k:v", values, tagged) is not negated


@pytest.mark.parametrize("operator", ["StringNotEquals", "StringNotLike", "ArnNotEquals", "ArnNotLike"])
def test_a_multivalued_key_is_no_value_for_a_variable(condition, operator):
    """A variable names a single-valued key; a multivalued one gives it no value."""
    values = ["arn:aws:iam::1:role/${aws:TagKeys}"] if operator.startswith("Arn") else ["${aws:TagKeys}"]
    assert condition(operator, "k:v", values, {"k:v": "a", "aws:TagKeys": ["a", "b"]})


@pytest.mark.parametrize(
    ("operator", "value"),
    [("NumericNotEquals", "1"), ("DateNotEquals", "2020-01-01T00:00:00Z"), ("NotIpAddress", "10.0.0.1")],
)
def test_operators_without_variables_read_the_text_literally(condition, operator, value):
    """"You can't use a policy variable with other operators, such as Numeric, Date, Boolean,
    Binary, IP Address, or Null": ``${…}`` there is an unreadable value, which matches nothing,
    so the negated operator is true with or without the tag."""
    for context in ({"k:v": value}, {"k:v": value, "aws:PrincipalTag/Team": value}):
        assert condition(operator, "k:v", [TEAM], context)
