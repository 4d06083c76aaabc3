"""IAM's resource-string checks (policy/resources.py), field by field."""

import pytest

from iamd.policy.resources import IAM_PATH, legacy_resource_ok, resource_error

FORMAT_CASES = [
    ("*", None),
    ("arn:aws:s3:::b/*", None),
    ("arn:*:s3:::b", None),  # a wildcard partition
    ("arn:aws-cn:s3:::b", None),
    ("arn:aws-us-gov:iam::123456789012:role/r", None),
    ("arn:aws:anything", None),
    ("arn:aws:test%3Aencoded%3Astring", None),
    ("arn:aws:iam::*:*", None),
    ("arn:aws:iam::aws:policy/ReadOnlyAccess", None),
    ("arn:aws:s3:us-east-1:1:job/*", None),
    ("bucket", 'Resource bucket must be in ARN format or "*".'),
    ("x:nope", 'Partition "nope" is not valid for resource "arn:nope:*:*:*:*".'),
    ("arn:AWS:s3:::b", 'Partition "AWS" is not valid for resource "arn:AWS:s3:::b".'),  # case matters
    ("arn:aws", "Resource vendor must be fully qualified and cannot contain regexes."),
    ("arn:aws:iam:*::user/a", "IAM resource arn:aws:iam:*::user/a cannot contain region information."),
    ("arn:aws:s3:*:*:b", "Resource arn:aws:s3:*:*:b can not contain region information."),
    # The root user is a resource since sts:AssumeRoot (the SAR's root-user type; AWS's root-task
    # policies name arn:aws:iam::*:root).
    ("arn:aws:iam::1:root", None),
    ("arn:aws:iam::*:root", None),
    ("arn:aws:iam::1:rooted", IAM_PATH),
    ("arn:aws:iam::1:users/a", IAM_PATH),
]


@pytest.mark.parametrize(("resource", "expected"), FORMAT_CASES)
def test_resource_error(resource, expected):
    assert resource_error(resource) == expected


@pytest.mark.parametrize(
    ("resource", "ok"),
    [
        ("*", True), ("arn:aws:s3:::b", True), ("arn:aws:fdsasf", True), ("arn:aws", True),
        ("arn:aws:s3::b", False), ("arn:aws::x", False), ("arn:aws::::b", False), ("arn:aws:", False),
    ],
)  # fmt: skip
def test_legacy_resource_ok(resource, ok):
    assert legacy_resource_ok(resource) is ok


def test_hostile_resources_are_linear():
    assert resource_error("arn:aws:iam::1:" + ":" * 100_000) == IAM_PATH
    assert legacy_resource_ok("a" + "::" * 100_000) is False
