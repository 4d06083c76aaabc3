"""Statement positions as AWS reports them, pinned by AWS's own responses, and resource templates."""

from __future__ import annotations

import json

import pytest

from iamd.analysis.sim_shapes import (
    inline_source_id,
    managed_source_id,
    resource_template,
    statement_positions,
)
from iamd.policy import PolicyType, parse_policy


def _positions(text: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    policy = parse_policy(text, PolicyType.IDENTITY)
    out = []
    for st in policy.statements:
        start, end = statement_positions(policy, st.span)
        out.append(((start["Line"], start["Column"]), (end["Line"], end["Column"])))
    return out


def test_single_statement_object_as_in_the_cli_reference() -> None:
    """aws iam simulate-custom-policy, Example 1 of the AWS CLI reference: Column 38 to 167."""
    text = ('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*",'
            '"Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}')
    assert _positions(text) == [((1, 38), (1, 167))]


def test_statement_arrays_as_aws_answers() -> None:
    """A json.dumps'd identity policy (first statement at column 41, after the ``[``), and a
    minified bucket policy whose second statement starts where the first ends (248)."""
    identity = json.dumps({"Version": "2012-10-17", "Statement": [{"Sid": "s3", "Effect": "Allow",
                           "Action": ["s3:GetObject", "s3:DeleteObject"], "Resource": ["arn:aws:s3:::tims-fancy-bucket/only-here/*"]}]})
    assert _positions(identity) == [((1, 41), (1, 180))]
    first = {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Action": "*",
             "Resource": ["arn:aws:s3:::tims-fancy-bucket/*", "arn:aws:s3:::tims-fancy-bucket"],
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    bucket = json.dumps({"Version": "2012-10-17", "Statement": [first, {"Sid": "B", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}]},
                        separators=(",", ":"))
    (s1, e1), (s2, _) = _positions(bucket)
    assert s1 == (1, 38)
    assert s2 == e1  # the comma is read with the next statement


def test_pretty_printed_policy_as_administrator_access() -> None:
    """AdministratorAccess as AWS stores it: Line 3 Column 17 to Line 8 Column 6."""
    text = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": "*",\n      "Resource": "*"\n    }\n  ]\n}'
    assert _positions(text) == [((3, 17), (8, 6))]


def test_source_ids() -> None:
    assert inline_source_id("role/ecs-task-execution-role/ecs_execution_secrets") == "role_ecs-task-execution-role_ecs_execution_secrets"
    assert managed_source_id("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess") == "ViewOnlyAccess"


@pytest.mark.parametrize(("action", "resources", "template"), [
    ("s3:GetObject", ["arn:aws:s3:::b/k"], "arn:${Partition}:s3:::${BucketName}/${ObjectName}"),
    ("s3:ListBucket", ["arn:aws:s3:::b"], "arn:${Partition}:s3:::${BucketName}"),
    ("s3:GetObject", [], "*"),
    ("s3:GetObject", ["*"], "*"),
    ("iam:GetAccountSummary", ["arn:aws:iam::123456789012:user/x"], "*"),
    ("iam:GetUser", ["arn:aws:iam::123456789012:user/a/b"], "arn:${Partition}:iam::${Account}:user/${UserNameWithPath}"),
])
def test_resource_templates(action: str, resources: list[str], template: str) -> None:
    assert resource_template(action, resources) == template
