"""Which context keys a policy reads (keys.py): from the parsed document, never its text."""

import json

import pytest

from iamd.policy import PolicyType, keys_named, keys_read, parse_policy, reads_resource_tags


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


def _doc(*statements: dict, version: str = "2012-10-17"):
    text = json.dumps({"Version": version, "Statement": list(statements)})
    return parse_policy(text, PolicyType.IDENTITY, stored=version != "2012-10-17")


def test_keys_named_lists_the_aws_cli_example_as_aws_does():
    """The AWS CLI reference's get-context-keys-for-custom-policy example and its output."""
    policy = _doc({
        "Effect": "Allow", "Action": "dynamodb:*",
        "Resource": "arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}",
        "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2015-08-16T12:00:00Z"}},
    })
    assert keys_named([policy]) == ["aws:username", "aws:CurrentTime"]


def test_keys_named_keeps_document_order_first_spelling_and_lists_each_key_once():
    first = _doc(
        {**ANY, "NotResource": "arn:aws:iam::*:user/${aws:PrincipalTag/Home, 'none'}",
         "Condition": {"StringEquals": {"aws:SourceIp": "${aws:username}"}, "Bool": {"aws:SecureTransport": "true"}}},
        {**ANY, "Resource": "*", "Condition": {"IpAddress": {"AWS:SOURCEIP": "10.0.0.0/8"},
                                               "ForAnyValue:StringLike": {"aws:TagKeys": "a*"},
                                               "StringEqualsIfExists": {"s3:prefix": "${*}${?}${$}"}}},
    )
    second = _doc({**ANY, "Resource": "*", "Condition": {"StringEquals": {"aws:principaltag/home": "x", "sts:ExternalId": "e"}}})
    assert keys_named([first, second]) == [
        "aws:PrincipalTag/Home", "aws:SourceIp", "aws:username", "aws:SecureTransport", "aws:TagKeys", "s3:prefix",
        "sts:ExternalId",
    ]  # fmt: skip
    assert keys_read(first) == {k.lower() for k in keys_named([first])}


def test_keys_named_reads_no_variables_in_2008_documents_and_nothing_from_no_conditions():
    legacy = _doc({**ANY, "Resource": "arn:aws:iam::*:user/${aws:username}"}, version="2008-10-17")
    assert keys_named([legacy]) == []
    assert keys_named([_doc({**ANY, "Resource": "*"})]) == []
    assert keys_named([]) == []
