"""The simulation actions called directly, on both store backends: the principal's policies come
from the store (via authz.policy_sets), nothing leaves the caller's account, and an engine failure
is the model's PolicyEvaluation, never a crash."""

from __future__ import annotations

import json
from typing import Any

import pytest
from services_helpers import TRUST

from iamd.errors import AwsError
from iamd.policy import PolicySet

DOC = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})


def test_a_users_policies_come_from_the_store(invoke: Any, account: str) -> None:
    invoke("iam", "CreateUser", {"UserName": "u", "Path": "/a/"})
    invoke("iam", "PutUserPolicy", {"UserName": "u", "PolicyName": "p", "PolicyDocument": DOC})
    out = invoke("iam", "SimulatePrincipalPolicy", {"PolicySourceArn": f"arn:aws:iam::{account}:user/a/u",
                                                   "ActionNames": ["s3:GetObject", "s3:PutObject"]})
    assert [r["EvalDecision"] for r in out["EvaluationResults"]] == ["allowed", "implicitDeny"]
    assert out["IsTruncated"] is False
    invoke("iam", "CreateRole", {"RoleName": "r", "AssumeRolePolicyDocument": TRUST})
    role = invoke("iam", "SimulatePrincipalPolicy", {"PolicySourceArn": f"arn:aws:iam::{account}:role/r",
                                                    "ActionNames": ["s3:GetObject"]})
    assert role["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"


def test_another_accounts_entity_is_missing(invoke: Any, account: str) -> None:
    other = "999999999999" if account != "999999999999" else "888888888888"
    with pytest.raises(AwsError) as info:
        invoke("iam", "SimulatePrincipalPolicy", {"PolicySourceArn": f"arn:aws:iam::{other}:user/u",
                                                 "ActionNames": ["s3:GetObject"]})
    assert (info.value.code, info.value.message) == ("NoSuchEntity", "The user with name u cannot be found.")


def test_an_engine_failure_is_policy_evaluation(invoke: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: PolicySet, request: Any, resource_policy: Any = None) -> Any:
        raise TypeError("boom")

    monkeypatch.setattr(PolicySet, "evaluate", broken)
    with pytest.raises(AwsError) as info:
        invoke("iam", "SimulateCustomPolicy", {"PolicyInputList": [DOC], "ActionNames": ["s3:GetObject"]})
    assert (info.value.code, info.value.status) == ("PolicyEvaluation", 500)
    assert info.value.message == "The request failed because a provided policy could not be successfully evaluated."
