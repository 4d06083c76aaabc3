"""Benchmark the policy simulator: simulations per second of 10 actions × 10 resources on a
principal with 10 policies (80 statements, the conditions of bench_policy.py).

Run: ``.venv/bin/python bench/bench_simulator.py``. Prints, as medians of several runs:

- in-process: ``analysis.simulator.simulate`` (one simulation = 100 decisions with their
  explanation: matched statements, AWS positions, missing context keys), the CLI's path;
- over HTTP: ``SimulatePrincipalPolicy`` from boto3 against a real ``iamd serve`` (SigV4,
  authorization, gathering the user's 10 attached policies, rendering ~100 results), and
  ``SimulateCustomPolicy`` with the 10 documents in the request (parsed on every call).
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_policy import ACCOUNT, make_policy  # noqa: E402

from iamd.analysis.sim_context import build_context  # noqa: E402
from iamd.analysis.sim_inputs import caller_principal  # noqa: E402
from iamd.analysis.simulator import Simulation, Source, parse_submitted, simulate  # noqa: E402
from iamd.policy import PolicyType  # noqa: E402

CONTEXT = [
    {"ContextKeyName": "aws:username", "ContextKeyValues": ["alice"], "ContextKeyType": "string"},
    {"ContextKeyName": "aws:RequestedRegion", "ContextKeyValues": ["us-east-1"], "ContextKeyType": "string"},
    {"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.1.2.3"], "ContextKeyType": "ip"},
    {"ContextKeyName": "aws:SecureTransport", "ContextKeyValues": ["true"], "ContextKeyType": "boolean"},
    {"ContextKeyName": "aws:CurrentTime", "ContextKeyValues": ["2025-06-01T12:00:00Z"], "ContextKeyType": "date"},
    {"ContextKeyName": "aws:MultiFactorAuthPresent", "ContextKeyValues": ["true"], "ContextKeyType": "boolean"},
]


def _arn(service: str, name: str) -> str:
    region = "" if service in ("iam", "s3") else "us-east-1"
    return f"arn:aws:{service}:{region}:{ACCOUNT}:{name}"


def workload() -> tuple[list[str], list[str], list[str]]:
    rng = random.Random(7)
    docs = [json.dumps(make_policy(rng, k, 8)) for k in range(10)]
    named = sorted({a.replace("*", "Object") for d in docs for st in json.loads(d)["Statement"]
                    for a in ([st["Action"]] if isinstance(st["Action"], str) else st["Action"])})
    actions = rng.sample(named, 7) + ["s3:GetObject", "ec2:RunInstances", "iam:CreateAccessKey"]
    resources = [_arn(a.split(":")[0], f"team{i % 7}-x/alice/obj{i}") for i, a in enumerate(actions)]
    return docs, actions, resources


def median_per_second(fn: Callable[[], object], per_run: int, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(per_run):
            fn()
        samples.append(per_run / (time.perf_counter() - start))
    return statistics.median(samples)


def in_process(docs: list[str], actions: list[str], resources: list[str]) -> float:
    sim = Simulation(
        principal=caller_principal(f"arn:aws:iam::{ACCOUNT}:user/alice", None),
        identity=[Source(parse_submitted(d, PolicyType.IDENTITY, f"p{i}"), f"p{i}", "IAM Policy") for i, d in enumerate(docs)],
        context=build_context(CONTEXT),
    )
    simulate(sim, actions, resources)  # warm the per-action plans, as a running server is
    return median_per_second(lambda: simulate(sim, actions, resources), 50, 7)


def over_http(docs: list[str], actions: list[str], resources: list[str]) -> tuple[float, float]:
    from iamd.testing import IamdServer

    # The server runs this tree's code, as the in-process half does.
    with IamdServer(env={"PYTHONPATH": str(ROOT / "src")}) as srv:
        iam = srv.client("iam")
        iam.create_user(UserName="alice")
        for i, d in enumerate(docs):
            arn = iam.create_policy(PolicyName=f"team-{i}", PolicyDocument=d)["Policy"]["Arn"]
            iam.attach_user_policy(UserName="alice", PolicyArn=arn)

        def principal() -> object:
            return iam.simulate_principal_policy(PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/alice", ActionNames=actions,
                                                 ResourceArns=resources, ContextEntries=CONTEXT)

        def custom() -> object:
            return iam.simulate_custom_policy(PolicyInputList=docs, ActionNames=actions, ResourceArns=resources,
                                              ContextEntries=CONTEXT)

        principal()
        custom()
        return median_per_second(principal, 20, 5), median_per_second(custom, 20, 5)


def main() -> None:
    docs, actions, resources = workload()
    local = in_process(docs, actions, resources)
    principal, custom = over_http(docs, actions, resources)
    print(f"{'simulation (10 actions x 10 resources, 10 policies)':56} {'sim/s':>8} {'decisions/s':>12} {'ms/sim':>8}")
    for name, rate in [("in-process (analysis.simulator, iamd policy simulate)", local),
                       ("SimulatePrincipalPolicy over HTTP (boto3)", principal),
                       ("SimulateCustomPolicy over HTTP (boto3, 10 documents)", custom)]:
        print(f"{name:56} {rate:8.1f} {rate * 100:12,.0f} {1000 / rate:8.2f}")


if __name__ == "__main__":
    main()
