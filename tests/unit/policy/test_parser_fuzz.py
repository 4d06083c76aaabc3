"""Fuzzing: arbitrary text and JSON only ever produce a Policy or PolicySyntaxError."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from iamd.policy import Policy, PolicySyntaxError, PolicyType, parse_policy

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
element_names = st.sampled_from(
    ["Version", "Statement", "Sid", "Effect", "Action", "NotAction", "Resource", "NotResource",
     "Principal", "NotPrincipal", "Condition", "AWS", "Allow", "Deny", "2012-10-17", "*", "s3:Get*",
     "StringEquals", "ForAnyValue:StringLike", "aws:username", "arn:aws:s3:::b/*"]
)  # fmt: skip
policy_like = st.recursive(
    element_names | st.booleans() | st.integers(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(element_names, children, max_size=5),
    max_leaves=30,
)


def parse_anything(text: str) -> None:
    for policy_type in PolicyType:
        try:
            result = parse_policy(text, policy_type)
        except PolicySyntaxError as err:
            assert str(err)
        else:
            assert isinstance(result, Policy)


@settings(max_examples=300, deadline=500)
@given(st.text(max_size=200))
def test_arbitrary_text(text):
    parse_anything(text)


@settings(max_examples=300, deadline=500)
@given(json_values)
def test_arbitrary_json(value):
    parse_anything(json.dumps(value))


@settings(max_examples=500, deadline=500)
@given(policy_like)
def test_policy_shaped_json(value):
    parse_anything(json.dumps(value))


def test_non_string_input():
    for bad in (None, b"{}", 12):
        try:
            parse_policy(bad, PolicyType.IDENTITY)  # type: ignore[arg-type]
        except PolicySyntaxError:
            pass
