"""Benchmark the policy engine against moto's policy evaluator on the same workload.

Run: ``.venv/bin/python bench/bench_policy.py``. Prints decisions/s and µs/decision (median of
several runs) for principals with 1, 10 and 100 attached policies and one principal with 1,000
statements, with realistic conditions (aws:RequestedRegion, aws:SourceIp, aws:CurrentTime,
MFA, SecureTransport, a DenyDangerous statement), and the same policies through moto's
``IAMPolicy.is_action_permitted`` (parsed once), side by side with the ratio.

Targets (DESIGN.md): ≤ 4 µs at 10 policies and ≥ 15× moto; ≤ 15 µs at 1,000 statements and
≥ 100× moto.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from iamd.policy import (  # noqa: E402
    Context,
    PolicySet,
    PolicyType,
    PrincipalType,
    Request,
    RequestPrincipal,
    parse_policy,
)

ACCOUNT = "123456789012"
SERVICES = [
    "s3", "dynamodb", "ec2", "sqs", "sns", "lambda", "kms", "logs", "cloudwatch", "iam",
    "rds", "ecr", "ecs", "eks", "secretsmanager", "ssm", "kinesis", "glue", "athena", "states",
    "events", "route53", "cloudfront", "elasticloadbalancing", "autoscaling", "apigateway",
    "cognito-idp", "sagemaker", "redshift", "elasticache",
]  # fmt: skip
VERBS = ["Get", "Describe", "List", "Put", "Create", "Update", "Delete", "Tag"]
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]


def make_policy(rng: random.Random, k: int, statements: int) -> dict:
    """A realistic team policy: read access, scoped writes with conditions, a DenyDangerous."""
    out = []
    for i in range(statements - 1):
        svc = rng.choice(SERVICES)
        # IAM and S3 ARNs carry no region: AWS refuses a policy that gives them one.
        any_region, one_region = ("", "") if svc in ("iam", "s3") else ("*", "us-east-1")
        team = f"user/team{k % 7}" if svc == "iam" else f"team{k % 7}"  # an IAM path names its type
        kind = i % 4
        if kind == 0:
            out.append({
                "Sid": f"Read{k}x{i}", "Effect": "Allow",
                "Action": [f"{svc}:Get*", f"{svc}:Describe*", f"{svc}:List*"],
                "Resource": f"arn:aws:{svc}:{any_region}:{ACCOUNT}:{team}-*",
                "Condition": {"StringEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}},
            })  # fmt: skip
        elif kind == 1:
            out.append({
                "Sid": f"Write{k}x{i}", "Effect": "Allow",
                "Action": [f"{svc}:Put{rng.randrange(40)}Item", f"{svc}:Update{rng.randrange(40)}Item"],
                "Resource": [f"arn:aws:{svc}:{one_region}:{ACCOUNT}:{team}-*/${{aws:username}}/*"],
                "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]},
                              "Bool": {"aws:SecureTransport": "true"}},
            })  # fmt: skip
        elif kind == 2:
            out.append({
                "Sid": f"Window{k}x{i}", "Effect": "Allow",
                "Action": f"{svc}:Create{rng.randrange(40)}Thing",
                "Resource": "*",
                "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"},
                              "DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}},
            })  # fmt: skip
        else:
            out.append({
                "Sid": f"Tag{k}x{i}", "Effect": "Allow",
                "Action": f"{svc}:Tag{rng.randrange(40)}Resource",
                "Resource": f"arn:aws:{svc}:{any_region}:{ACCOUNT}:*",
                "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env", "owner"]},
                              "StringEqualsIfExists": {"aws:RequestTag/env": ["dev", "prod"]}},
            })  # fmt: skip
    out.append({
        "Sid": f"DenyDangerous{k}", "Effect": "Deny",
        "Action": [f"{rng.choice(SERVICES)}:Delete*", "iam:CreateAccessKey", "kms:ScheduleKeyDeletion"],
        "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    })  # fmt: skip
    return {"Version": "2012-10-17", "Statement": out}


def make_requests(rng: random.Random, n: int, docs: list[str]) -> list[tuple[str, str, dict]]:
    """Two thirds of the requests name an action some statement grants or denies."""
    named = sorted(
        {
            a.replace("*", "Object")
            for doc in docs
            for st in json.loads(doc)["Statement"]
            for a in ([st["Action"]] if isinstance(st["Action"], str) else st["Action"])
        }
    )
    requests = []
    for i in range(n):
        svc = rng.choice(SERVICES)
        verb = rng.choice(VERBS)
        action = f"{svc}:{verb}{rng.randrange(40)}{rng.choice(['Item', 'Thing', 'Resource', 'Table'])}"
        if rng.random() < 0.67:
            action = rng.choice(named)
            svc = action.split(":")[0]
        region = rng.choice(REGIONS)
        resource = f"arn:aws:{svc}:{region}:{ACCOUNT}:team{rng.randrange(7)}-x/alice/obj{i}"
        context = {
            "aws:username": "alice",
            "aws:RequestedRegion": region,
            "aws:SourceIp": rng.choice(["10.1.2.3", "192.168.4.5", "203.0.113.9"]),
            "aws:SecureTransport": "true",
            "aws:CurrentTime": "2025-06-01T12:00:00Z",
            "aws:MultiFactorAuthPresent": rng.choice(["true", "false"]),
            "aws:TagKeys": ["team", "env"],
        }
        requests.append((action, resource, context))
    return requests


def median_us(fn, decisions: int, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) / decisions * 1e6)
    return statistics.median(samples)


def bench_iamd(docs: list[str], requests: list[tuple[str, str, dict]], runs: int) -> float:
    policies = [parse_policy(doc, PolicyType.IDENTITY, f"p{i}") for i, doc in enumerate(docs)]
    policy_set = PolicySet(identity=policies)
    principal = RequestPrincipal(f"arn:aws:iam::{ACCOUNT}:user/alice", ACCOUNT, PrincipalType.USER)
    reqs = [Request(principal, a, r, Context(c), ACCOUNT) for a, r, c in requests]
    evaluate = policy_set.evaluate

    def run() -> None:
        for req in reqs:
            evaluate(req)

    run()  # warm the per-action index, as a long-running server would be
    return median_us(run, len(reqs), runs)


def bench_moto(docs: list[str], requests: list[tuple[str, str, dict]], runs: int) -> float:
    from moto.iam.access_control import IAMPolicy, PermissionResult

    policies = [IAMPolicy(doc) for doc in docs]
    denied, permitted = PermissionResult.DENIED, PermissionResult.PERMITTED

    def run() -> None:
        for action, resource, context in requests:
            allowed = False
            for policy in policies:
                result = policy.is_action_permitted(action, resource, incoming_condition_values=context)
                if result == denied:
                    allowed = False
                    break
                if result == permitted:
                    allowed = True
            del allowed

    run()
    return median_us(run, len(requests), runs)


def main() -> None:
    rng = random.Random(7)
    workloads = [
        ("1 policy (8 statements)", [json.dumps(make_policy(rng, 0, 8))]),
        ("10 policies (80 statements)", [json.dumps(make_policy(rng, k, 8)) for k in range(10)]),
        ("100 policies (800 statements)", [json.dumps(make_policy(rng, k, 8)) for k in range(100)]),
        ("1,000 statements (10 x 100)", [json.dumps(make_policy(rng, k, 100)) for k in range(10)]),
    ]
    print(f"{'workload':32} {'iamd us/dec':>12} {'iamd dec/s':>12} {'moto us/dec':>12} {'moto dec/s':>11} {'speed-up':>9}")
    for name, docs in workloads:
        requests = make_requests(random.Random(11), 2000, docs)
        ours = bench_iamd(docs, requests, runs=7)
        statements = sum(len(json.loads(d)["Statement"]) for d in docs)
        moto_requests = requests[: max(50, 20000 // statements)]
        theirs = bench_moto(docs, moto_requests, runs=3)
        print(
            f"{name:32} {ours:12.2f} {1e6 / ours:12,.0f} {theirs:12.1f} {1e6 / theirs:11,.0f} {theirs / ours:8.0f}x"
        )


if __name__ == "__main__":
    main()
