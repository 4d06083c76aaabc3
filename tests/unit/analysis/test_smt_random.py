"""≥ 200 random (old, new) pairs through CheckNoNewAccess, each answer checked by the engine.

FAIL: the counter-example must be allowed by the new policy and not by the old one, decided by
the engine here, independently of the check's own verification. PASS: no sampled request may
be allowed by the new policy and denied by the old one (sampling can only refute a PASS; the
solver's unsatisfiability is the proof). A check may also say it cannot decide (timeout, or an
approximated construct), never guess: those are counted and must stay rare.
"""

from __future__ import annotations

import json
import random

import pytest

from iamd.analysis.smt_checks import CheckTimeout, Undecidable, check_no_new_access

from .random_policies import engine_allows, pairs, sample_requests

SAMPLES = 40


def _principal(example: dict[str, object]):  # type: ignore[no-untyped-def]
    from iamd.policy import PrincipalType, RequestPrincipal

    p = example["principal"]
    assert isinstance(p, dict)
    return RequestPrincipal(p["arn"], p.get("account", ""), PrincipalType(p["type"]), source_arn=p.get("sourceArn"))


def _run(seed: int, count: int, resource_policy: bool) -> dict[str, int]:
    rng = random.Random(seed + 1)
    tally = {"PASS": 0, "FAIL": 0, "undecided": 0}
    policy_type = "RESOURCE_POLICY" if resource_policy else "IDENTITY_POLICY"
    for old, new in pairs(seed, count, resource_policy):
        try:
            result = check_no_new_access(new, old, policy_type, timeout_ms=10_000)
        except (CheckTimeout, Undecidable):
            tally["undecided"] += 1
            continue
        tally[result.result] += 1
        if result.result == "FAIL":
            ex = result.counter_example
            assert ex is not None and ex["verifiedByEngine"] is True
            args = (ex["action"], ex["resource"], _principal(ex), ex["context"])
            assert engine_allows(new, resource_policy, *args), (old, new, ex)  # type: ignore[arg-type]
            assert not engine_allows(old, resource_policy, *args), (old, new, ex)  # type: ignore[arg-type]
            assert result.reasons and all("statementIndex" in r for r in result.reasons)
        else:
            for action, resource, principal, context in sample_requests(rng, SAMPLES):
                if engine_allows(new, resource_policy, action, resource, principal, context):
                    assert engine_allows(old, resource_policy, action, resource, principal, context), (
                        old,
                        new,
                        action,
                        resource,
                        principal,
                        context,
                    )
    return tally


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_identity_pairs(seed: int) -> None:
    tally = _run(seed, 50, resource_policy=False)
    assert tally["PASS"] > 0 and tally["FAIL"] > 0, tally
    assert tally["undecided"] <= 5, tally


def test_resource_pairs() -> None:
    tally = _run(7, 40, resource_policy=True)
    assert tally["PASS"] > 0 and tally["FAIL"] > 0, tally
    assert tally["undecided"] <= 5, tally


def test_access_not_granted_and_public_access_random() -> None:
    """CheckAccessNotGranted on random policies and action lists, CheckNoPublicAccess on random
    resource policies: every FAIL re-decided by the engine, every PASS sampled."""
    from iamd.analysis.smt_checks import check_access_not_granted, check_no_public_access
    from iamd.policy import PrincipalType

    from .random_policies import SAMPLE_ACTIONS, policy

    rng = random.Random(99)
    tally = {"PASS": 0, "FAIL": 0, "undecided": 0}
    for i in range(60):
        resource_policy = i % 2 == 1
        text = json.dumps(policy(rng, resource_policy))
        listed = rng.sample(SAMPLE_ACTIONS, 2)
        try:
            if resource_policy:
                result = check_no_public_access(text, "AWS::S3::Bucket", timeout_ms=10_000)
            else:
                result = check_access_not_granted(text, listed, [], "IDENTITY_POLICY", timeout_ms=10_000)
        except (CheckTimeout, Undecidable):
            tally["undecided"] += 1
            continue
        tally[result.result] += 1
        if result.result == "FAIL":
            ex = result.counter_example
            assert ex is not None
            assert engine_allows(text, resource_policy, ex["action"], ex["resource"], _principal(ex), ex["context"])  # type: ignore[arg-type]
            if not resource_policy:
                assert str(ex["action"]).lower() in {a.lower() for a in listed}
            else:
                assert str(ex["action"]).lower().startswith("s3:")
                assert _principal(ex).type is PrincipalType.ANONYMOUS or _principal(ex).account not in text
            continue
        for action, resource, principal, context in sample_requests(rng, SAMPLES):
            if resource_policy:
                if principal.type is not PrincipalType.ANONYMOUS or not action.lower().startswith("s3:"):
                    continue
                context = {k: v for k, v in context.items() if k.lower() not in ("aws:sourceip", "aws:sourcearn", "aws:username")}
            elif action not in listed:
                continue
            assert not engine_allows(text, resource_policy, action, resource, principal, context), (text, action, resource, context)
    assert tally["PASS"] > 0 and tally["FAIL"] > 0, tally
    assert tally["undecided"] <= 3, tally
