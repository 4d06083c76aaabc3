"""The seed's policy patterns as named tests, each with allowed and denied requests."""

import pytest
from policy_helpers import PRINCIPALS, A, policy

from iamd.policy import Context, PolicySet, PolicyType, PrincipalType, Request, RequestPrincipal

ALICE = PRINCIPALS["alice"]

READ_ONLY = [{"Sid": "ReadOnly", "Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"}]
MFA_REQUIRED = [
    {"Sid": "AllowAll", "Effect": "Allow", "Action": "*", "Resource": "*"},
    {
        "Sid": "DenyAllExceptListedIfNoMFA",
        "Effect": "Deny",
        "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices", "sts:GetSessionToken"],
        "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    },
]
IP_RESTRICTED = [
    {"Sid": "AllowS3", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
    {
        "Sid": "DenyOutsideOffice",
        "Effect": "Deny",
        "Action": "*",
        "Resource": "*",
        "Condition": {"NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24", "2001:db8::/32"]}},
    },
]
TIME_WINDOW = [
    {
        "Sid": "DuringTheProject",
        "Effect": "Allow",
        "Action": "dynamodb:*",
        "Resource": "*",
        "Condition": {
            "DateGreaterThan": {"aws:CurrentTime": "2025-04-01T00:00:00Z"},
            "DateLessThan": {"aws:CurrentTime": "2025-06-30T23:59:59Z"},
        },
    }
]
CICD = [
    {
        "Sid": "DeployInAllowedRegions",
        "Effect": "Allow",
        "Action": ["cloudformation:*", "lambda:*", "s3:*"],
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}},
    },
    {
        "Sid": "DenyDangerous",
        "Effect": "Deny",
        "Action": ["iam:*", "organizations:*", "s3:DeleteBucket", "cloudtrail:StopLogging"],
        "Resource": "*",
    },
]


def decide(statements, action, resource="*", context=None, principal=ALICE):
    policies = PolicySet(identity=[policy(statements, PolicyType.IDENTITY, "seed")])
    return policies.evaluate(Request(principal, action, resource, Context(context or {}), A)).effect


@pytest.mark.parametrize(
    ("action", "expected"),
    [("s3:GetObject", "Allow"), ("s3:ListBucket", "Allow"), ("S3:getobjectacl", "Allow"), ("s3:PutObject", "ImplicitDeny")],
)
def test_read_only(action, expected):
    assert decide(READ_ONLY, action, "arn:aws:s3:::bucket/key") == expected


@pytest.mark.parametrize(
    ("action", "context", "expected"),
    [
        ("ec2:RunInstances", {"aws:MultiFactorAuthPresent": "true"}, "Allow"),
        ("ec2:RunInstances", {"aws:MultiFactorAuthPresent": "false"}, "ExplicitDeny"),
        ("ec2:RunInstances", {}, "ExplicitDeny"),  # long-term keys: the key is absent
        ("iam:EnableMFADevice", {}, "Allow"),
        ("sts:GetSessionToken", {}, "Allow"),
    ],
)
def test_mfa_required(action, context, expected):
    assert decide(MFA_REQUIRED, action, context=context) == expected


@pytest.mark.parametrize(
    ("ip", "expected"),
    [("192.0.2.10", "Allow"), ("2001:db8::5", "Allow"), ("203.0.113.1", "ExplicitDeny"), (None, "ExplicitDeny")],
)
def test_ip_restriction(ip, expected):
    context = {} if ip is None else {"aws:SourceIp": ip}
    assert decide(IP_RESTRICTED, "s3:GetObject", context=context) == expected


@pytest.mark.parametrize(
    ("now", "expected"),
    [("2025-05-01T12:00:00Z", "Allow"), ("2025-07-01T00:00:00Z", "ImplicitDeny"), ("2025-03-31T23:59:59Z", "ImplicitDeny")],
)
def test_time_window(now, expected):
    assert decide(TIME_WINDOW, "dynamodb:GetItem", context={"aws:CurrentTime": now}) == expected


@pytest.mark.parametrize(
    ("action", "region", "expected"),
    [
        ("lambda:UpdateFunctionCode", "us-east-1", "Allow"),
        ("lambda:UpdateFunctionCode", "ap-south-1", "ImplicitDeny"),
        ("s3:DeleteBucket", "us-east-1", "ExplicitDeny"),
        ("iam:CreateUser", "us-east-1", "ExplicitDeny"),
    ],
)
def test_cicd_role(action, region, expected):
    session = RequestPrincipal(
        f"arn:aws:sts::{A}:assumed-role/cicd/build-42", A, PrincipalType.ROLE_SESSION, f"arn:aws:iam::{A}:role/cicd"
    )
    assert decide(CICD, action, context={"aws:RequestedRegion": region}, principal=session) == expected


def test_cross_account_trust_and_permission():
    """Account B's role trusts account A; A's user needs sts:AssumeRole on it; then the role reads B's bucket."""
    b = "222222222222"
    role_arn = f"arn:aws:iam::{b}:role/reader"
    trust = policy(
        [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{A}:root"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": "42"}},
            }
        ],
        PolicyType.TRUST,
        "trust",
    )
    may_assume = PolicySet(identity=[policy([{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role_arn}], PolicyType.IDENTITY)])
    cannot_assume = PolicySet()
    request = Request(ALICE, "sts:AssumeRole", role_arn, Context({"sts:ExternalId": "42"}), b)
    assert may_assume.evaluate(request, trust).effect == "Allow"
    assert cannot_assume.evaluate(request, trust).effect == "ImplicitDeny"
    wrong_id = Request(ALICE, "sts:AssumeRole", role_arn, Context({"sts:ExternalId": "7"}), b)
    assert may_assume.evaluate(wrong_id, trust).reason == "the role trust policy does not allow"

    role = PolicySet(identity=[policy(READ_ONLY, PolicyType.IDENTITY)])
    session = RequestPrincipal(f"arn:aws:sts::{b}:assumed-role/reader/alice", b, PrincipalType.ROLE_SESSION, role_arn)
    assert role.evaluate(Request(session, "s3:GetObject", "arn:aws:s3:::b-data/x", Context(), b)).effect == "Allow"
    assert role.evaluate(Request(session, "s3:PutObject", "arn:aws:s3:::b-data/x", Context(), b)).effect == "ImplicitDeny"
