"""String operators: exact, ignore-case and glob matching, negation, variables."""

import pytest

CASES = [
    # operator, key, policy values, context, expected
    ("StringEquals", "aws:username", ["alice"], {"aws:username": "alice"}, True),
    ("StringEquals", "aws:username", ["alice"], {"aws:username": "Alice"}, False),
    ("StringEquals", "aws:username", ["bob", "alice"], {"aws:username": "alice"}, True),
    ("StringEquals", "AWS:UserName", ["alice"], {"aws:username": "alice"}, True),  # keys ignore case
    ("StringEquals", "aws:username", ["alice"], {}, False),  # absent key: false
    ("StringEquals", "aws:username", ["a*"], {"aws:username": "alice"}, False),  # no wildcards
    ("StringEquals", "aws:username", ["a*"], {"aws:username": "a*"}, True),
    ("StringNotEquals", "aws:username", ["alice"], {"aws:username": "bob"}, True),
    ("StringNotEquals", "aws:username", ["alice", "bob"], {"aws:username": "bob"}, False),
    ("StringNotEquals", "aws:username", ["alice"], {}, True),  # negated + absent: true
    ("StringEqualsIgnoreCase", "aws:username", ["ALICE"], {"aws:username": "alice"}, True),
    ("StringEqualsIgnoreCase", "aws:username", ["ALICE"], {"aws:username": "bob"}, False),
    ("StringNotEqualsIgnoreCase", "aws:username", ["ALICE"], {"aws:username": "Alice"}, False),
    ("StringNotEqualsIgnoreCase", "aws:username", ["ALICE"], {"aws:username": "bob"}, True),
    ("StringLike", "s3:prefix", ["home/*"], {"s3:prefix": "home/alice/x"}, True),
    ("StringLike", "s3:prefix", ["home/*"], {"s3:prefix": "Home/alice"}, False),  # case-sensitive
    ("StringLike", "s3:prefix", ["h?me/"], {"s3:prefix": "home/"}, True),
    ("StringLike", "s3:prefix", ["h?me/"], {"s3:prefix": "hoome/"}, False),
    ("StringLike", "s3:prefix", [""], {"s3:prefix": ""}, True),
    ("StringNotLike", "s3:prefix", ["home/*"], {"s3:prefix": "tmp/x"}, True),
    ("StringNotLike", "s3:prefix", ["home/*"], {"s3:prefix": "home/x"}, False),
    ("StringNotLike", "s3:prefix", ["home/*"], {}, True),
    # multivalued key without a set operator: matches if any value matches
    ("StringEquals", "aws:TagKeys", ["env"], {"aws:TagKeys": ["team", "env"]}, True),
    ("StringNotEquals", "aws:TagKeys", ["env"], {"aws:TagKeys": ["team", "env"]}, False),
    # booleans and numbers in the policy are compared as their text
    ("StringEquals", "k:n", ["10"], {"k:n": 10}, True),
    # policy variables
    ("StringLike", "s3:prefix", ["${aws:username}/*"], {"s3:prefix": "alice/x", "aws:username": "alice"}, True),
    ("StringLike", "s3:prefix", ["${aws:username}/*"], {"s3:prefix": "bob/x", "aws:username": "alice"}, False),
    # a variable with no value is null: "Inverted condition operators like StringNotEquals or
    # StringNotLike do match against a null value" (IAM User Guide, "Policy variables with no value")
    ("StringLike", "s3:prefix", ["${aws:username}/*"], {"s3:prefix": "alice/x"}, False),
    ("StringNotLike", "s3:prefix", ["${aws:username}/*"], {"s3:prefix": "x"}, True),
    ("StringEquals", "k:v", ["${aws:PrincipalTag/Team}"], {"k:v": "red"}, False),
    ("StringNotEquals", "k:v", ["${aws:PrincipalTag/Team}"], {"k:v": "red"}, True),
    ("StringNotEquals", "k:v", ["${aws:PrincipalTag/Team}"], {"k:v": ""}, True),  # null is not ""
    ("StringNotEqualsIgnoreCase", "k:v", ["${aws:PrincipalTag/Team}"], {"k:v": "red"}, True),
    ("StringEqualsIgnoreCase", "k:v", ["${aws:PrincipalTag/Team}"], {"k:v": "red"}, False),
    # the condition's other values still count
    ("StringEquals", "k:v", ["${aws:PrincipalTag/Team}", "red"], {"k:v": "red"}, True),
    ("StringNotEquals", "k:v", ["${aws:PrincipalTag/Team}", "red"], {"k:v": "red"}, False),
    ("StringNotEquals", "k:v", ["${aws:PrincipalTag/Team}", "red"], {"k:v": "blue"}, True),
    # an absent condition key still decides first (negated: true, positive: false)
    ("StringNotEquals", "k:v", ["${aws:PrincipalTag/Team}"], {}, True),
    ("StringEquals", "k:v", ["${aws:PrincipalTag/Team}"], {}, False),
    ("StringEquals", "k:v", ["${aws:username, 'anonymous'}"], {"k:v": "anonymous"}, True),
    ("StringEquals", "k:v", ["${aws:PrincipalTag/team}"], {"k:v": "red", "aws:PrincipalTag/team": "red"}, True),
    ("StringEquals", "k:v", ["a${*}b"], {"k:v": "a*b"}, True),
    ("StringLike", "k:v", ["a${*}b"], {"k:v": "axxb"}, False),  # ${*} is a literal star
    ("StringLike", "k:v", ["a${*}b"], {"k:v": "a*b"}, True),
    ("StringLike", "k:v", ["a${?}"], {"k:v": "a?"}, True),
    ("StringLike", "k:v", ["a${?}"], {"k:v": "ab"}, False),
    ("StringEquals", "k:v", ["${$}x"], {"k:v": "$x"}, True),
    ("StringLike", "k:v", ["${k:w}"], {"k:v": "a*", "k:w": "a*"}, True),  # substituted values are literal
    ("StringLike", "k:v", ["${k:w}"], {"k:v": "abc", "k:w": "a*"}, False),
    ("StringEquals", "k:v", ["${aws:username}"], {"k:v": "x", "aws:username": ["a", "b"]}, False),  # multivalued
]


@pytest.mark.parametrize(("operator", "key", "values", "context", "expected"), CASES)
def test_string_operators(condition, operator, key, values, context, expected):
    assert condition(operator, key, values, context) is expected


def test_variables_are_literal_in_2008_version(condition):
    assert condition("StringEquals", "k:v", ["${aws:username}"], {"k:v": "${aws:username}"}, variables=False)
    assert not condition("StringEquals", "k:v", ["${aws:username}"], {"k:v": "x", "aws:username": "x"}, variables=False)
