"""The validation table (tests/unit/policy/cases/validation.yaml) against SimulateCustomPolicy.

Each kind goes to the member that takes it: identity documents to ``PolicyInputList``,
boundaries to ``PermissionsBoundaryPolicyInputList``, resource policies to ``ResourcePolicy``
(with a ``CallerArn``), SCPs to ``OrderedOrganizationPolicyInputList``. A document AWS refuses
is ``InvalidInput`` (the operation's error) with AWS's sentence; one AWS accepts is simulated.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from functional_helpers import error

validation_table = pytest.importorskip("validation_table")

IDENTITY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
MEMBER = {
    "identity": lambda text: {"PolicyInputList": [text]},
    "boundary": lambda text: {"PolicyInputList": [IDENTITY], "PermissionsBoundaryPolicyInputList": [text]},
    "resource": lambda text: {"PolicyInputList": [IDENTITY], "ResourcePolicy": text,
                              "CallerArn": "arn:aws:iam::123456789012:user/table"},
    "scp": lambda text: {"PolicyInputList": [IDENTITY], "OrderedOrganizationPolicyInputList": [
        {"ServiceControlPolicyInputList": [text]}]},
}


@pytest.mark.parametrize("kind", sorted(MEMBER))
def test_the_table_on_simulate_custom_policy(iam: Any, kind: str) -> None:
    mismatches = []
    for case in validation_table.load_validation_cases({kind}):
        params = {**MEMBER[kind](case.text), "ActionNames": ["s3:GetObject"]}
        try:
            iam.simulate_custom_policy(**params)
            got = None
        except Exception:  # noqa: BLE001 - error() re-raises anything that is not a ClientError
            err = error(iam.simulate_custom_policy, **params)
            got = (err["Code"], err["Message"])
        want = None if case.error is None else ("InvalidInput", case.error)
        if got != want:
            mismatches.append((case.name, want, got))
    assert mismatches == []
