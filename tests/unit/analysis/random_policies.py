"""Seeded random (old, new) policy pairs and requests, for the custom-check cross-checks and bench.

The vocabulary is small on purpose, so that random policies overlap often: the same actions,
resources and condition keys recur with nearby values, which is where "grants nothing new" is
hard to decide. Every condition operator family, IfExists, ForAllValues/ForAnyValue, Null,
NotAction/NotResource, Deny, policy variables and (for resource policies) Principal/NotPrincipal
appear.
"""

from __future__ import annotations

import copy
import json
import random
from typing import Any

from iamd.policy import (
    ALLOW,
    Context,
    PolicySet,
    PolicyType,
    PrincipalType,
    Request,
    RequestPrincipal,
    parse_policy,
)

ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:Get*", "s3:*", "s3:?etObject", "ec2:DescribeInstances", "ec2:Describe*", "iam:PassRole", "*"]
RESOURCES = [
    "*",
    "arn:aws:s3:::bucket/*",
    "arn:aws:s3:::bucket/a*",
    "arn:aws:s3:::b?cket/*",
    "arn:aws:s3:::bucket/${aws:username}/*",
    "arn:aws:s3:::*",
    "arn:aws:ec2:*:111122223333:instance/*",
    "arn:aws:iam::111122223333:role/x",
]
CONDITIONS: list[tuple[str, str, list[str]]] = [
    ("StringEquals", "aws:username", ["alice"]),
    ("StringLike", "aws:username", ["a*"]),
    ("StringNotEquals", "aws:username", ["bob"]),
    ("StringEqualsIgnoreCase", "s3:prefix", ["Home/"]),
    ("StringLikeIfExists", "s3:prefix", ["home/*"]),
    ("IpAddress", "aws:SourceIp", ["10.0.0.0/8"]),
    ("NotIpAddress", "aws:SourceIp", ["10.1.0.0/16"]),
    ("IpAddress", "aws:SourceIp", ["2001:db8::/32"]),
    ("NumericLessThan", "s3:max-keys", ["10"]),
    ("NumericGreaterThanEquals", "s3:max-keys", ["5.5"]),
    ("DateLessThan", "aws:CurrentTime", ["2025-01-01T00:00:00Z"]),
    ("DateGreaterThan", "aws:CurrentTime", ["2024-06-01T00:00:00Z"]),
    ("Bool", "aws:SecureTransport", ["true"]),
    ("BoolIfExists", "aws:MultiFactorAuthPresent", ["true"]),
    ("Null", "aws:TokenIssueTime", ["true"]),
    ("Null", "s3:prefix", ["false"]),
    ("ForAllValues:StringEquals", "aws:TagKeys", ["env", "team"]),
    ("ForAnyValue:StringLike", "aws:TagKeys", ["env*"]),
    ("ForAnyValue:StringNotEquals", "aws:TagKeys", ["team"]),
    ("ArnLike", "aws:SourceArn", ["arn:aws:sns:*:111122223333:*"]),
    ("StringEquals", "aws:PrincipalTag/team", ["${aws:username}"]),
]
PRINCIPALS: list[Any] = [
    "*",
    {"AWS": "111122223333"},
    {"AWS": "arn:aws:iam::444455556666:role/x"},
    {"AWS": ["arn:aws:iam::444455556666:user/bob", "111122223333"]},
    {"Service": "sns.amazonaws.com"},
]

# Concrete values for sampling requests through the engine.
SAMPLE_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:GetObjectAcl", "s3:SetObject", "ec2:DescribeInstances", "iam:PassRole", "sqs:SendMessage"]
SAMPLE_RESOURCES = [
    "arn:aws:s3:::bucket/alice/x",
    "arn:aws:s3:::bucket/abc",
    "arn:aws:s3:::bicket/x",
    "arn:aws:s3:::other",
    "arn:aws:ec2:us-east-1:111122223333:instance/i-1",
    "arn:aws:iam::111122223333:role/x",
]
SAMPLE_VALUES: dict[str, list[Any]] = {
    "aws:username": ["alice", "bob", "ann"],
    "s3:prefix": ["Home/", "home/x", "HOME/", "x"],
    "aws:SourceIp": ["10.0.0.1", "10.1.2.3", "2001:db8::1", "192.0.2.1"],
    "s3:max-keys": ["3", "5.5", "7", "10", "12"],
    "aws:CurrentTime": ["2024-01-01T00:00:00Z", "2024-07-01T00:00:00Z", "2025-06-01T00:00:00Z"],
    "aws:SecureTransport": ["true", "false"],
    "aws:MultiFactorAuthPresent": ["true", "false"],
    "aws:TokenIssueTime": ["2024-01-01T00:00:00Z"],
    "aws:TagKeys": [[], ["env"], ["team"], ["env", "team"], ["other"], ["envx", "team"]],
    "aws:SourceArn": ["arn:aws:sns:us-east-1:111122223333:t", "arn:aws:sns:us-east-1:222:t"],
    "aws:PrincipalTag/team": ["alice", "core"],
}
SAMPLE_PRINCIPALS = [
    RequestPrincipal("arn:aws:iam::111122223333:user/u", "111122223333", PrincipalType.USER),
    RequestPrincipal("arn:aws:iam::444455556666:user/bob", "444455556666", PrincipalType.USER),
    RequestPrincipal(
        "arn:aws:sts::444455556666:assumed-role/x/s",
        "444455556666",
        PrincipalType.ROLE_SESSION,
        source_arn="arn:aws:iam::444455556666:role/x",
    ),
    RequestPrincipal("sns.amazonaws.com", "", PrincipalType.SERVICE),
    RequestPrincipal("*", "", PrincipalType.ANONYMOUS),
]


def statement(rng: random.Random, resource_policy: bool) -> dict[str, Any]:
    st: dict[str, Any] = {"Effect": "Allow" if rng.random() < 0.7 else "Deny"}
    if resource_policy:
        st["NotPrincipal" if st["Effect"] == "Deny" and rng.random() < 0.2 else "Principal"] = rng.choice(PRINCIPALS)
        if "NotPrincipal" in st and st["NotPrincipal"] == "*":
            st["NotPrincipal"] = {"AWS": "111122223333"}
    st["NotAction" if rng.random() < 0.15 else "Action"] = rng.sample(ACTIONS, rng.randint(1, 2))
    st["NotResource" if rng.random() < 0.1 else "Resource"] = rng.sample(RESOURCES, rng.randint(1, 2))
    conditions: dict[str, dict[str, list[str]]] = {}
    for op, key, values in rng.sample(CONDITIONS, rng.choice([0, 0, 1, 1, 2])):
        conditions.setdefault(op, {})[key] = values
    if conditions:
        st["Condition"] = conditions
    return st


def policy(rng: random.Random, resource_policy: bool) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [statement(rng, resource_policy) for _ in range(rng.randint(1, 3))]}


def mutate(rng: random.Random, doc: dict[str, Any], resource_policy: bool) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    statements = out["Statement"]
    choice = rng.randrange(5)
    target = rng.choice(statements)
    if choice == 0:
        statements.append(statement(rng, resource_policy))
    elif choice == 1 and len(statements) > 1:
        statements.remove(target)
    elif choice == 2:
        field = "Action" if "Action" in target else "NotAction"
        target[field] = rng.sample(ACTIONS, rng.randint(1, 2))
    elif choice == 3:
        if rng.random() < 0.5:
            target.pop("Condition", None)
        else:
            op, key, values = rng.choice(CONDITIONS)
            target["Condition"] = {op: {key: values}}
    else:
        target["Effect"] = "Deny" if target["Effect"] == "Allow" else "Allow"
        if resource_policy and "NotPrincipal" in target:
            target["Principal"] = target.pop("NotPrincipal")
    return out


def pairs(seed: int, count: int, resource_policy: bool = False) -> list[tuple[str, str]]:
    """``count`` (old, new) documents: half the new ones a mutation of the old, half unrelated."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        old = policy(rng, resource_policy)
        new = mutate(rng, old, resource_policy) if rng.random() < 0.5 else policy(rng, resource_policy)
        out.append((json.dumps(old), json.dumps(new)))
    return out


_ALLOW_ALL = parse_policy('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}', PolicyType.IDENTITY)
OWNER = "999999999999"


def engine_allows(text: str, resource_policy: bool, action: str, resource: str, principal: RequestPrincipal | None, context: dict[str, Any]) -> bool:
    """The engine's decision, built independently of the code under test: identity policies for a
    user of the resource's account; resource policies for a caller of another account whose own
    policies allow everything, so the resource policy decides."""
    ptype = PolicyType.RESOURCE if resource_policy else PolicyType.IDENTITY
    doc = parse_policy(text, ptype, "p")
    if resource_policy:
        assert principal is not None
        request = Request(principal, action, resource, Context(context), OWNER)
        return PolicySet(identity=[_ALLOW_ALL]).evaluate(request, resource_policy=doc).effect == ALLOW
    holder = RequestPrincipal(f"arn:aws:iam::{OWNER}:user/h", OWNER, PrincipalType.USER)
    return PolicySet(identity=[doc]).evaluate(Request(holder, action, resource, Context(context), OWNER)).effect == ALLOW


def sample_requests(rng: random.Random, count: int) -> list[tuple[str, str, RequestPrincipal, dict[str, Any]]]:
    out = []
    for _ in range(count):
        context = {k: rng.choice(v) for k, v in SAMPLE_VALUES.items() if rng.random() < 0.6}
        out.append((rng.choice(SAMPLE_ACTIONS), rng.choice(SAMPLE_RESOURCES), rng.choice(SAMPLE_PRINCIPALS), context))
    return out
