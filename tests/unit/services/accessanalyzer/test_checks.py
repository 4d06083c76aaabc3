"""The check actions' edges below the wire: argument errors, the concurrency bound, the solver's
refusals mapped to AWS errors, and where the counter-example goes in the output shape."""

from __future__ import annotations

import json
from typing import Any

import pytest

from iamd.analysis import smt_checks
from iamd.services.accessanalyzer import checks
from iamd.services.accessanalyzer.check_errors import (
    InternalServer,
    InvalidParameter,
    Throttling,
    Unprocessable,
)
from iamd.services.accessanalyzer.errors import AaValidation

DOC = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
WIDER = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})


def no_new_access(**params: Any) -> dict[str, Any]:
    base = {"newPolicyDocument": WIDER, "existingPolicyDocument": DOC, "policyType": "IDENTITY_POLICY"}
    return checks.check_no_new_access(None, {**base, **params})  # type: ignore[arg-type]


def test_counter_example_is_the_last_reason() -> None:
    out = no_new_access()
    assert out["result"] == "FAIL"
    *statements, last = out["reasons"]
    assert statements == [{"description": "New access in the statement with index: 0.", "statementIndex": 0}]
    assert set(last) == {"description"} and last["description"].startswith(checks.COUNTER_EXAMPLE)
    example = json.loads(last["description"][len(checks.COUNTER_EXAMPLE) :])
    assert example["action"].startswith("s3:") and example["verifiedByEngine"] is True
    assert "reasons" not in no_new_access(newPolicyDocument=DOC)


@pytest.mark.parametrize(
    "params",
    [{"policyType": "SERVICE_CONTROL_POLICY"}, {"policyType": None}, {"newPolicyDocument": ""}, {"existingPolicyDocument": None}],
)
def test_arguments_are_validated(params: dict[str, Any]) -> None:
    with pytest.raises(AaValidation):
        no_new_access(**params)


def test_access_entry_and_resource_type_are_validated() -> None:
    for access in ([], [{}], [{"actions": []}], [{"actions": ["s3:GetObject"]}, {"actions": ["s3:PutObject"]}]):
        with pytest.raises(AaValidation):
            checks.check_access_not_granted(None, {"policyDocument": DOC, "access": access, "policyType": "IDENTITY_POLICY"})  # type: ignore[arg-type]
    with pytest.raises(AaValidation):
        checks.check_no_public_access(None, {"policyDocument": DOC, "resourceType": "AWS::Nope"})  # type: ignore[arg-type]


def test_refusals_become_aws_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InvalidParameter):
        no_new_access(newPolicyDocument="[")

    def raising(error: Exception) -> Any:
        def check(*_: Any, **__: Any) -> Any:
            raise error

        return check

    for error, expected in [
        (smt_checks.CheckTimeout("late"), Unprocessable),
        (smt_checks.Undecidable("approximate"), Unprocessable),
        (smt_checks.Discrepancy("bug"), InternalServer),
    ]:
        monkeypatch.setattr(smt_checks, "check_no_new_access", raising(error))
        with pytest.raises(expected) as caught:
            no_new_access()
        assert caught.value.message == str(error)
    assert checks.SLOTS.acquire(blocking=False)  # every slot was released
    checks.SLOTS.release()


def test_busy_solver_slots_throttle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks, "_SLOT_WAIT_S", 0.01)
    taken = 0
    while checks.SLOTS.acquire(blocking=False):
        taken += 1
    try:
        with pytest.raises(Throttling):
            no_new_access()
    finally:
        for _ in range(taken):
            checks.SLOTS.release()
    assert no_new_access()["result"] == "FAIL"
