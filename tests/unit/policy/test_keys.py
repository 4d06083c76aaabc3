"""Which context keys a policy reads (keys.py): from the parsed document, never its text."""

import json

import pytest

from iamd.policy import PolicyType, keys_read, parse_policy, reads_resource_tags


def _policy(statement: dict, version: str = "2012-10-17"):
    # A 2008-10-17 identity document can no longer be written, only read back from the store.
    text = json.dumps({"Version": version, "Statement": [statement]})
    return parse_policy(text, PolicyType.IDENTITY, stored=version != "2012-10-17")


ANY = {"Effect": "Deny", "Action": "iam:GetUser"}
CASES = [
    # statement, reads resource tags
    ({**ANY, "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/env": "prod"}}}, True),
    ({**ANY, "Resource": "*", "Condition": {"StringEquals": {"IAM:resourcetag/env": "prod"}}}, True),
    ({**ANY, "Resource": "*", "Condition": {"Null": {"aws:ResourceTag/env": "true"}}}, True),
    ({**ANY, "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/env": "${aws:ResourceTag/env}"}}}, True),
    ({**ANY, "Resource": "*", "Condition": {"StringLike": {"k:v": "${iam:ResourceTag/env, 'none'}"}}}, True),
    ({**ANY, "Resource": "arn:aws:iam::*:user/${aws:ResourceTag/home}"}, True),
    ({**ANY, "NotResource": "arn:aws:iam::*:user/${aws:ResourceTag/home}"}, True),
    ({**ANY, "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/env": "prod"}}}, False),
    ({**ANY, "Resource": "*", "Condition": {"StringEquals": {"aws:RequestTag/env": "prod"}}}, False),
    ({**ANY, "Resource": "arn:aws:iam::*:user/ResourceTag/x"}, False),  # text, not a key
    ({**ANY, "Resource": "*", "Condition": {"StringEquals": {"k:v": "aws:ResourceTag/env"}}}, False),
]


@pytest.mark.parametrize(("statement", "expected"), CASES)
def test_reads_resource_tags(statement, expected):
    assert reads_resource_tags([_policy(statement)]) is expected


def test_json_escapes_spell_the_same_key():
    text = (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",'
        ' "Condition": {"StringEquals": {"aws:Resource\\u0054ag/env": "prod"}}}]}'
    )
    assert reads_resource_tags([parse_policy(text, PolicyType.IDENTITY)])


def test_variables_are_text_in_2008_documents():
    statement = {**ANY, "Resource": "arn:aws:iam::*:user/${aws:ResourceTag/home}"}
    assert not reads_resource_tags([_policy(statement, "2008-10-17")])


def test_keys_read_is_computed_once_and_skips_missing_policies():
    policy = _policy({**ANY, "Resource": "*", "Condition": {"StringEquals": {"aws:username": "${aws:PrincipalTag/x}"}}})
    assert keys_read(policy) == {"aws:username", "aws:principaltag/x"}
    assert keys_read(policy) is keys_read(policy)
    assert not reads_resource_tags([None, policy])
