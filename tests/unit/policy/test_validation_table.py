"""AWS's verdict on every document of cases/validation.yaml, sentence for sentence."""

from __future__ import annotations

from collections import Counter

import pytest
from validation_table import KINDS, load_validation_cases

from iamd.policy import PolicySyntaxError, PolicyType, parse_policy, validate_policy

CASES = load_validation_cases()


@pytest.mark.parametrize("case", CASES, ids=[f"{c.kind}: {c.name}" for c in CASES])
def test_aws_verdict(case):
    findings = validate_policy(case.text, case.policy_type)
    if case.valid:
        assert findings == ()
        assert parse_policy(case.text, case.policy_type).statements
    else:
        (finding,) = findings
        assert (finding.code, finding.message) == (case.code, case.error)
        with pytest.raises(PolicySyntaxError) as err:
            parse_policy(case.text, case.policy_type)
        assert str(err.value) == case.error


def test_the_table_covers_every_kind_both_ways():
    assert len(CASES) >= 80
    assert len({c.name for c in CASES}) == len(CASES)
    verdicts = Counter((c.kind, c.valid) for c in CASES)
    for kind in KINDS:
        assert verdicts[(kind, True)] and verdicts[(kind, False)], kind
    assert {c.source for c in CASES} <= {"moto", "aws-output", "aws-docs", "iamd"}


def test_errors_carry_a_position():
    text = '{\n  "Version": "2012-10-17",\n  "Statement": {"Effect": "Allow", "Action": "s3:Get",\n    "Resource": "arn:aws:s3:eu-west-1::b"}\n}'
    (finding,) = validate_policy(text, PolicyType.IDENTITY)
    assert finding.message == "Resource arn:aws:s3:eu-west-1::b can not contain region information."
    assert (finding.line, finding.column) == (4, 17)


def test_null_resources_never_widen_a_statement():
    """``[null]`` must not read as "no Resource element" (which matches every resource)."""
    from policy_helpers import PRINCIPALS

    from iamd.policy import Context, PolicySet, Request

    text = '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": [null, "arn:aws:s3:::a"]}}'
    policies = PolicySet(identity=[parse_policy(text, PolicyType.IDENTITY)])
    assert policies.evaluate(Request(PRINCIPALS["alice"], "s3:GetObject", "arn:aws:s3:::a", Context())).allowed
    assert not policies.evaluate(Request(PRINCIPALS["alice"], "s3:GetObject", "arn:aws:s3:::b", Context())).allowed
    for kind in (PolicyType.RESOURCE, PolicyType.TRUST):
        with pytest.raises(PolicySyntaxError):
            parse_policy(text.replace('"Resource": [null, "arn:aws:s3:::a"]', '"Resource": [null], "Principal": "*"'), kind, stored=True)


@pytest.mark.parametrize("case", CASES, ids=[f"{c.kind}: {c.name}" for c in CASES])
def test_a_document_read_back_from_the_store_means_what_it_meant_when_written(case):
    """``stored=True`` skips write-time rules only: whatever the checks accept parses the same."""
    try:
        stored = parse_policy(case.text, case.policy_type, stored=True)
    except PolicySyntaxError:
        assert not case.valid
        return
    if case.valid:
        assert stored.statements == parse_policy(case.text, case.policy_type).statements
