"""The simulator's results: the engine's decisions in AWS's shapes, aggregated as AWS aggregates."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from iamd.analysis.sim_context import SimulationInputError, build_context
from iamd.analysis.sim_inputs import caller_principal
from iamd.analysis.simulator import Simulation, Source, parse_submitted, simulate
from iamd.policy import Context, PolicySet, PolicyType, Request

USER = caller_principal("arn:aws:iam::123456789012:user/bob", None)


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def st(effect: str, action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": effect, "Action": action, "Resource": resource, **extra}


def source(text: str, n: int = 1, kind: PolicyType = PolicyType.IDENTITY) -> Source:
    sid = f"PolicyInputList.{n}" if kind is PolicyType.IDENTITY else "PermissionsBoundaryPolicyInputList.1"
    return Source(parse_submitted(text, kind, sid), sid, "IAM Policy")


def test_most_restrictive_decision_and_per_resource_results() -> None:
    sim = Simulation(USER, [source(doc(st("Allow", "s3:*", "arn:aws:s3:::b/*"), st("Deny", "s3:GetObject", "arn:aws:s3:::b/secret")))])
    [result] = simulate(sim, ["s3:GetObject"], ["arn:aws:s3:::b/ok", "arn:aws:s3:::b/secret", "arn:aws:s3:::c/x"])
    assert [r["EvalResourceDecision"] for r in result["ResourceSpecificResults"]] == ["allowed", "explicitDeny", "implicitDeny"]
    assert result["EvalDecision"] == "explicitDeny"
    # Per resource every statement that applied; at the top, the Deny that decided.
    assert [len(r["MatchedStatements"]) for r in result["ResourceSpecificResults"]] == [1, 2, 0]
    assert len(result["MatchedStatements"]) == 1
    assert result["EvalDecisionDetails"] == {}
    assert "PermissionsBoundaryDecisionDetail" not in result


def test_boundary_and_organizations_details() -> None:
    scps = [[source(doc(st("Allow", "*")))], [source(doc(st("Allow", "s3:*")))]]
    sim = Simulation(USER, [source(doc(st("Allow", ["s3:*", "ec2:*"])))],
                     boundary=source(doc(st("Allow", "s3:Get*")), kind=PolicyType.BOUNDARY), scps=scps)
    get, put, ec2 = simulate(sim, ["s3:GetObject", "s3:PutObject", "ec2:RunInstances"], None)
    assert get["EvalDecision"] == "allowed"
    assert get["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": True}
    assert get["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": True}
    assert put["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": False}
    assert ec2["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": False}
    assert ec2["EvalDecision"] == "implicitDeny"
    assert "EvalDecisionDetails" not in get and "ResourceSpecificResults" not in get


def test_missing_context_values_keep_the_policys_spelling() -> None:
    policy = doc(st("Allow", "s3:GetObject", "arn:aws:s3:::b/${aws:username}/*",
                    Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
    sim = Simulation(USER, [source(policy)])
    [result] = simulate(sim, ["s3:GetObject"], ["arn:aws:s3:::b/bob/k"])
    assert sorted(result["ResourceSpecificResults"][0]["MissingContextValues"]) == ["aws:SourceIp", "aws:username"]
    sim.context = build_context([{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.1.2.3"], "ContextKeyType": "ip"},
                                 {"ContextKeyName": "aws:username", "ContextKeyValues": ["bob"]}])
    sim._policy_set = None
    [result] = simulate(sim, ["s3:GetObject"], ["arn:aws:s3:::b/bob/k"])
    assert result["EvalDecision"] == "allowed"


def test_one_decision_path_over_random_policies() -> None:
    """Every simulated decision is the engine's own, request by request (seeded random policies)."""
    rng = random.Random(7)
    actions = ["s3:GetObject", "s3:PutObject", "ec2:RunInstances", "iam:GetUser"]
    patterns = actions + ["s3:*", "*", "ec2:Run*", "iam:Get?ser"]
    resources = ["*", "arn:aws:s3:::b/*", "arn:aws:s3:::b/k", "arn:aws:iam::123456789012:user/*"]
    for _ in range(200):
        statements = [st(rng.choice(["Allow", "Allow", "Deny"]), rng.sample(patterns, 2), rng.sample(resources, 2))
                      for _ in range(rng.randint(1, 4))]
        sim = Simulation(USER, [source(doc(*statements))])
        requested = rng.sample(resources[1:] + ["arn:aws:s3:::other/k"], 2)
        results = simulate(sim, actions, requested)
        engine = PolicySet(identity=[sim.identity[0].policy])
        for result in results:
            for per in result["ResourceSpecificResults"]:
                decision = engine.evaluate(Request(USER, result["EvalActionName"], per["EvalResourceName"], Context()))
                expected = {"Allow": "allowed", "ExplicitDeny": "explicitDeny"}.get(decision.effect, "implicitDeny")
                assert per["EvalResourceDecision"] == expected


def test_resource_policy_read_as_trust_policy_for_assume_role() -> None:
    trust = doc({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:user/bob"}, "Action": "sts:AssumeRole"})
    sim = Simulation(USER, [source(doc(st("Allow", "*")))], resource_policy=trust)
    [assume] = simulate(sim, ["sts:AssumeRole"], ["arn:aws:iam::123456789012:role/r"])
    assert assume["EvalDecision"] == "allowed"
    assert {m["SourcePolicyType"] for m in assume["MatchedStatements"]} == {"Resource Policy", "IAM Policy"}


def test_work_is_bounded_before_any_evaluation() -> None:
    many = doc(*[st("Allow", "*", f"arn:aws:s3:::b/{i}*") for i in range(500)])
    sim = Simulation(USER, [source(many)])
    with pytest.raises(SimulationInputError, match="exceeds 200000 statement evaluations"):
        simulate(sim, [f"s3:A{i}" for i in range(50)], [f"arn:aws:s3:::b/{i}" for i in range(10)])
    with pytest.raises(SimulationInputError, match="exceeds 10000 action and resource pairs"):
        simulate(Simulation(USER, [source(doc(st("Allow", "*")))]), [f"s3:A{i}" for i in range(101)],
                 [f"arn:aws:s3:::b/{i}" for i in range(100)])
    assert simulate(sim, ["s3:A1"], ["arn:aws:s3:::b/1"])[0]["EvalDecision"] == "allowed"
