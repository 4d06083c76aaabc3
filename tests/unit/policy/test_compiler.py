"""Resource/NotResource matching of compiled statements (compiler.py)."""

import pytest
from policy_helpers import PRINCIPALS, A, policy

from iamd.policy import Context, PolicySet, PolicyType, Request

# AWS, "IAM JSON policy elements: Resource": "You can use wildcard characters (* and ?) within any
# ARN segment (the parts separated by colons)". A wildcard in the partition, service, region or
# account never reaches across a colon into the next segment; the resource segment keeps its colons.
ARN_SEGMENTS = [
    # pattern, resource, expected
    # (not s3: IAM refuses a region, even "*", in an s3 bucket ARN)
    ("arn:aws:ec2:*:*:bucket/*", "arn:aws:ec2:::bucket/k", True),
    ("arn:aws:ec2:*:*:bucket/*", "arn:aws:ec2:::secret/x:y:bucket/k", False),  # '*' spans ':secret/x:y'
    ("arn:aws:sqs:*:111111111111:*", "arn:aws:sqs:us-east-1:111111111111:q", True),
    ("arn:aws:sqs:*:111111111111:*", "arn:aws:sqs:us-east-1:222222222222:x:111111111111:q", False),
    ("arn:aws:logs:*:*:log-group:app:*", "arn:aws:logs:eu-west-1:1:log-group:app:log-stream:s", True),
    ("arn:aws:iam::?:user/*", "arn:aws:iam::1:user/a", True),
    ("arn:aws:iam::??:user/*", "arn:aws:iam::1:user/a", False),
    ("arn:aws:iam::?????:*", "arn:aws:iam::1:2:3:user/a", False),  # '?' never matches a separator
    ("arn:*:s3:::b/*", "arn:aws-cn:s3:::b/k", True),
    ("arn:*:s3:::b/*", "arn:aws:iam::1:x:s3:::b/k", False),
    ("arn:aws:s3:::b/*", "arn:aws:s3:::b/a:b:c", True),  # colons in the resource segment
    ("arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:us-east-1:1:instance/i-1", True),
    ("arn:aws:ec2:*:*:instance/*", "not-an-arn", False),
]


def decide(resource_element, resource, not_resource=False, effect="Allow"):
    key = "NotResource" if not_resource else "Resource"
    statements = [{"Effect": effect, "Action": "s3:GetObject", key: resource_element}]
    if effect == "Deny":
        statements.append({"Effect": "Allow", "Action": "*", "Resource": "*"})
    policies = PolicySet(identity=[policy(statements, PolicyType.IDENTITY)])
    return policies.evaluate(Request(PRINCIPALS["alice"], "s3:GetObject", resource, Context({"k:u": "b"}), A)).effect


@pytest.mark.parametrize(("pattern", "resource", "expected"), ARN_SEGMENTS)
def test_resource_wildcards_stay_within_their_arn_segment(pattern, resource, expected):
    assert (decide(pattern, resource) == "Allow") is expected
    # the same pattern behind a policy variable (resolved per request) and under NotResource
    variable = pattern.replace("b/", "${k:u}/") if "b/" in pattern else pattern
    assert (decide(variable, resource) == "Allow") is expected
    assert (decide(pattern, resource, not_resource=True) == "Allow") is not expected


# "If a variable that has no value in the authorization context is used as part of the Resource or
# NotResource element of a policy, the resource that includes a policy variable with no value will
# not match any resource" (IAM User Guide, "Policy variables with no value").
NO_VALUE = "arn:aws:s3:::b/${k:none}/*"
NULL_RESOURCES = [
    # element, not_resource, effect, expected
    ([NO_VALUE], False, "Allow", "ImplicitDeny"),
    ([NO_VALUE], True, "Allow", "Allow"),  # the pattern excludes nothing
    ([NO_VALUE], True, "Deny", "ExplicitDeny"),  # so a Deny on NotResource still applies
    ([NO_VALUE], False, "Deny", "Allow"),
    ([NO_VALUE, "arn:aws:s3:::b/*"], False, "Allow", "Allow"),  # the other pattern still matches
    ([NO_VALUE, "arn:aws:s3:::b/*"], True, "Deny", "Allow"),
]


@pytest.mark.parametrize(("element", "not_resource", "effect", "expected"), NULL_RESOURCES)
def test_a_resource_pattern_with_no_value_matches_nothing(element, not_resource, effect, expected):
    assert decide(element, "arn:aws:s3:::b/k", not_resource, effect) == expected
