"""Each rule of AWS's policy evaluation logic, allowed and denied (cases/evaluation.yaml)."""

from pathlib import Path

import pytest
import yaml
from policy_helpers import PRINCIPALS, policy, policy_set

from iamd.policy import Context, PolicyType, Request

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "evaluation.yaml").read_text())


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_evaluation_logic(case):
    resource_policy = None
    if "resource_policy" in case:
        resource_policy = policy(case["resource_policy"], PolicyType.RESOURCE, "bucket-policy")
    if "trust" in case:
        resource_policy = policy(case["trust"], PolicyType.TRUST, "trust")
    request = Request(
        principal=PRINCIPALS[case.get("principal", "alice")],
        action=case.get("action", "s3:GetObject"),
        resource=case.get("resource", "arn:aws:s3:::bucket/key"),
        context=Context(case.get("context", {})),
        resource_account=case.get("resource_account", "111111111111"),
    )
    decision = policy_set(case).evaluate(request, resource_policy)
    assert decision.effect == case["expect"], decision.explanation
    if "reason" in case:
        assert decision.reason == case["reason"]
    if "decided_by" in case:
        assert decision.decided_by.value == case["decided_by"]
