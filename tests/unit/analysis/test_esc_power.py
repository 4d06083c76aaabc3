"""``esc_power``: the candidates of a comparison and the shortcut for an unlimited policy set."""

from __future__ import annotations

import json
from typing import Any

import pytest

from iamd.analysis.esc_power import candidates, unlimited
from iamd.policy import PolicySet, PolicyType, parse_policy


def policy(*statements: dict[str, Any], kind: PolicyType = PolicyType.IDENTITY) -> Any:
    return parse_policy(json.dumps({"Version": "2012-10-17", "Statement": list(statements)}), kind, policy_id="p")


ADMIN = {"Effect": "Allow", "Action": "*", "Resource": "*"}


@pytest.mark.parametrize(("policies", "expected"), [
    (PolicySet(identity=[policy(ADMIN)]), True),
    (PolicySet(identity=[policy(ADMIN, {"Effect": "Deny", "Action": "iam:*", "Resource": "*"})]), False),
    (PolicySet(identity=[policy(ADMIN)], boundary=policy(ADMIN, kind=PolicyType.BOUNDARY)), False),
    (PolicySet(identity=[policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})]), False),
    (PolicySet(identity=[policy({**ADMIN, "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}})]), False),
    (PolicySet(identity=[policy({"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b/*"})]), False),
])
def test_unlimited(policies: PolicySet, expected: bool) -> None:
    assert unlimited(policies) is expected


def test_candidates_are_the_values_then_their_expansion_iam_first() -> None:
    found = list(candidates([policy({"Effect": "Allow", "Action": ["*"], "Resource": "*"})]))
    assert found[0] == ("*", "*")
    assert found[1][0].startswith("iam:")
    assert len(found) == len({(a.lower(), r) for a, r in found})
    scoped = list(candidates([policy({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": ["arn:aws:iam::1:role/a"]}),
                              policy({"Effect": "Deny", "Action": "*", "Resource": "*"})]))
    assert scoped == [("sts:AssumeRole", "arn:aws:iam::1:role/a")]
