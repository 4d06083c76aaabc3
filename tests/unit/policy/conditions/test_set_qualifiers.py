"""ForAllValues / ForAnyValue, IfExists, unknown operators (conditions/operators.py)."""

import pytest

from iamd.policy.conditions import UnknownOperator, compile_condition, operator_names

ATTRS = ["PostDateTime", "Message", "Tags"]
CASES = [
    # AWS's DynamoDB examples from "Multivalued context keys"
    ("ForAllValues:StringLike", ATTRS, ["PostDateTime", "Message"], True),
    ("ForAllValues:StringLike", ATTRS, ["PostDateTime", "UserName"], False),
    ("ForAnyValue:StringLike", ["ID", "PostDateTime"], ["UserName", "Message", "PostDateTime"], True),
    ("ForAnyValue:StringLike", ["ID", "PostDateTime"], ["UserName"], False),
    # empty and absent sets
    ("ForAllValues:StringEquals", ATTRS, [], True),
    ("ForAnyValue:StringEquals", ATTRS, [], False),
    ("ForAllValues:StringEquals", ATTRS, None, True),
    ("ForAnyValue:StringEquals", ATTRS, None, False),
    # negated operators under a qualifier negate the per-value test
    ("ForAllValues:StringNotEquals", ["ID"], ["Message", "Tags"], True),
    ("ForAllValues:StringNotEquals", ["ID"], ["Message", "ID"], False),
    ("ForAnyValue:StringNotEquals", ["ID"], ["Message", "ID"], True),
    ("ForAnyValue:StringNotEquals", ["ID"], ["ID"], False),
    ("ForAnyValue:StringNotEquals", ["ID"], None, False),
    # IfExists with qualifiers
    ("ForAnyValue:StringEqualsIfExists", ATTRS, None, True),
    ("ForAnyValue:StringEqualsIfExists", ATTRS, ["ID"], False),
    # case-insensitive operator names and qualifiers
    ("forallvalues:stringlike", ATTRS, ["Tags"], True),
]


@pytest.mark.parametrize(("operator", "policy", "request_values", "expected"), CASES)
def test_set_qualifiers(condition, operator, policy, request_values, expected):
    context = {} if request_values is None else {"dynamodb:Attributes": request_values}
    assert condition(operator, "dynamodb:Attributes", policy, context) is expected


@pytest.mark.parametrize("name", operator_names())
def test_every_operator_has_if_exists_and_handles_absent_keys(condition, name):
    if name == "Null":
        assert condition(name, "k:x", ["true"], {})
        return
    assert condition(name + "IfExists", "k:x", ["1"], {})
    negated = "Not" in name
    assert condition(name, "k:x", ["1"], {}) is negated


@pytest.mark.parametrize("bad", ["StringEqual", "Foo:StringEquals", "NullIfExists", "StringEqualsIfExistsIfExists", ""])
def test_unknown_operators(bad):
    with pytest.raises(UnknownOperator):
        compile_condition(bad, "k:x", ["v"])


def test_registry_covers_the_aws_reference():
    expected = {
        "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
        "StringLike", "StringNotLike", "NumericEquals", "NumericNotEquals", "NumericLessThan",
        "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals",
        "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan",
        "DateGreaterThanEquals", "Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals",
        "ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
    }  # fmt: skip
    assert set(operator_names()) == expected
