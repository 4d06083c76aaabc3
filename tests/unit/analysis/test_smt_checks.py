"""The custom policy checks on hand-picked documents: every construct the encoding covers, the
answers AWS documents, and the refusals (invalid, oversized, undecidable, timeout, a disagreement
with the engine)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from iamd.analysis import smt_problem
from iamd.analysis.smt_checks import (
    CheckTimeout,
    Discrepancy,
    InvalidPolicy,
    Undecidable,
    check_access_not_granted,
    check_no_new_access,
    check_no_public_access,
)


def doc(*statements: dict[str, Any], version: str = "2012-10-17") -> str:
    return json.dumps({"Version": version, "Statement": list(statements)})


def allow(action: Any = "s3:GetObject", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def new_access(new: str, old: str, policy_type: str = "IDENTITY_POLICY") -> tuple[str, dict[str, Any] | None]:
    result = check_no_new_access(new, old, policy_type)
    return result.result, result.counter_example


# The aws CLI's example for check-no-new-access, answer to the letter.
OLD = doc(allow(["s3:GetObject", "s3:ListBucket"], ["arn:aws:s3:::DOC-EXAMPLE-BUCKET", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"]))
NEW = doc(
    allow(["s3:GetObject", "s3:GetObjectAcl", "s3:ListBucket"], ["arn:aws:s3:::DOC-EXAMPLE-BUCKET", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"])
)


def test_aws_example_fails_with_reason_and_verified_counter_example() -> None:
    result = check_no_new_access(NEW, OLD, "IDENTITY_POLICY")
    assert result.result == "FAIL"
    assert result.message == "The modified permissions grant new access compared to your existing policy."
    assert result.reasons == [{"description": "New access in the statement with index: 0.", "statementIndex": 0}]
    assert result.counter_example is not None
    assert result.counter_example["action"] == "s3:GetObjectAcl"
    assert result.counter_example["verifiedByEngine"] is True
    response = result.response()
    assert response["iamdCounterExample"] == result.counter_example


def test_aws_example_reversed_passes() -> None:
    result = check_no_new_access(OLD, NEW, "IDENTITY_POLICY")
    assert (result.result, result.counter_example) == ("PASS", None)
    assert result.message == "The modified permissions do not grant new access compared to your existing policy."


@pytest.mark.parametrize(
    ("narrow", "wide"),
    [
        (allow("s3:GetObject"), allow("s3:Get*")),
        (allow("s3:GetObject", "arn:aws:s3:::b/a/*"), allow("s3:GetObject", "arn:aws:s3:::b/*")),
        (allow("s3:GetObject", "arn:aws:s3:::b/${aws:username}/*"), allow("s3:GetObject", "arn:aws:s3:::b/*")),
        (allow(Condition={"IpAddress": {"aws:SourceIp": "10.1.0.0/16"}}), allow(Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})),
        (allow(Condition={"NumericLessThan": {"s3:max-keys": "5"}}), allow(Condition={"NumericLessThanEquals": {"s3:max-keys": "5"}})),
        (
            allow(Condition={"DateLessThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"}}),
            allow(Condition={"DateLessThan": {"aws:CurrentTime": "2025-01-01T00:00:00Z"}}),
        ),
        (allow(Condition={"StringEquals": {"aws:username": "Alice"}}), allow(Condition={"StringEqualsIgnoreCase": {"aws:username": "alice"}})),
        (allow(Condition={"Bool": {"aws:SecureTransport": "true"}}), allow(Condition={"BoolIfExists": {"aws:SecureTransport": "true"}})),
        (
            allow(Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}}),
            allow(Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}),
        ),
        (
            allow(Condition={"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}}),
            allow(Condition={"ForAnyValue:StringLike": {"aws:TagKeys": ["e*"]}}),
        ),
        (allow(Condition={"Null": {"aws:TokenIssueTime": "false"}, "StringLike": {"aws:username": "a*"}}), allow(Condition={"StringLike": {"aws:username": "a*"}})),
        (allow(Condition={"ArnLike": {"aws:SourceArn": "arn:aws:sns:us-east-1:*:t"}}), allow(Condition={"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:*:*"}})),
        ({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}, {"Effect": "Allow", "NotAction": "s3:Delete*", "Resource": "*"}),
        (
            {"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::*"},
            {"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secret/*"},
        ),
    ],
)
def test_narrowing_passes_and_widening_fails(narrow: dict[str, Any], wide: dict[str, Any]) -> None:
    assert new_access(doc(narrow), doc(wide))[0] == "PASS"
    verdict, example = new_access(doc(wide), doc(narrow))
    assert verdict == "FAIL" and example is not None and example["verifiedByEngine"] is True


def test_deny_overrides_allow() -> None:
    denied = doc(allow("s3:*"), {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"})
    assert new_access(denied, doc(allow("s3:*")))[0] == "PASS"
    verdict, example = new_access(doc(allow("s3:*")), denied)
    assert verdict == "FAIL" and example is not None and example["action"] == "s3:DeleteBucket"


def test_variable_with_no_value_matches_nothing() -> None:
    # No aws:username → the pattern matches no resource; a default makes it match "nobody".
    with_default = doc(allow("s3:GetObject", "arn:aws:s3:::b/${aws:username, 'nobody'}/*"))
    verdict, example = new_access(with_default, doc(allow("s3:GetObject", "arn:aws:s3:::b/${aws:username}/*")))
    assert verdict == "FAIL" and example is not None
    assert "aws:username" not in example["context"] and str(example["resource"]).startswith("arn:aws:s3:::b/nobody/")


def test_context_values_are_rendered_as_the_engine_reads_them() -> None:
    wide = doc(allow(Condition={"NumericGreaterThan": {"s3:max-keys": "2.5"}, "IpAddress": {"aws:SourceIp": "2001:db8::/32"}}))
    verdict, example = new_access(wide, doc(allow(Condition={"NumericGreaterThan": {"s3:max-keys": "3"}})))
    assert verdict == "FAIL" and example is not None
    context = example["context"]
    assert isinstance(context, dict)
    assert 2.5 < float(context["s3:max-keys"][0]) <= 3
    assert context["aws:SourceIp"][0].startswith("2001:db8:")


def test_resource_policy_principals_and_not_principal() -> None:
    one = doc(allow("sts:AssumeRole", Principal={"AWS": "arn:aws:iam::111122223333:root"}))
    two = doc(allow("sts:AssumeRole", Principal={"AWS": ["111122223333", "arn:aws:iam::444455556666:role/x"]}))
    assert new_access(one, two, "RESOURCE_POLICY")[0] == "PASS"
    verdict, example = new_access(two, one, "RESOURCE_POLICY")
    assert verdict == "FAIL" and example is not None
    assert example["principal"]["account"] == "444455556666"  # type: ignore[index]
    everyone_but = doc(
        allow("s3:GetObject", Principal="*"), {"Effect": "Deny", "NotPrincipal": {"AWS": "111122223333"}, "Action": "*", "Resource": "*"}
    )
    assert new_access(everyone_but, one, "RESOURCE_POLICY")[0] == "FAIL"
    assert new_access(everyone_but, doc(allow("s3:GetObject", Principal={"AWS": "111122223333"})), "RESOURCE_POLICY")[0] == "PASS"


def test_access_not_granted() -> None:
    result = check_access_not_granted(OLD, ["s3:DeleteBucket", "s3:GetBucketLocation"], [], "IDENTITY_POLICY")
    assert (result.result, result.message) == ("PASS", "The policy document does not grant access to perform the listed actions.")
    result = check_access_not_granted(OLD, ["s3:GetObject"], ["arn:aws:s3:::other/*"], "IDENTITY_POLICY")
    assert result.result == "PASS"
    result = check_access_not_granted(OLD, [], ["arn:aws:s3:::DOC-EXAMPLE-BUCKET/key"], "IDENTITY_POLICY")
    assert result.result == "FAIL" and result.counter_example is not None
    assert result.counter_example["resource"] == "arn:aws:s3:::DOC-EXAMPLE-BUCKET/key"
    assert result.reasons[0]["statementIndex"] == 0


@pytest.mark.parametrize(
    ("statement", "verdict"),
    [
        (allow("s3:GetObject", "arn:aws:s3:::b/*", Principal="*"), "FAIL"),
        (allow("s3:GetObject", "arn:aws:s3:::b/*", Principal={"AWS": "*"}), "FAIL"),
        (allow("s3:GetObject", "arn:aws:s3:::b/*", Principal={"AWS": "111122223333"}), "PASS"),
        (allow("s3:GetObject", "arn:aws:s3:::b/*", Principal="*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-123"}}), "PASS"),
        (allow("s3:GetObject", "arn:aws:s3:::b/*", Principal="*", Condition={"StringNotEquals": {"aws:PrincipalOrgID": "o-123"}}), "FAIL"),
        (allow("s3:GetObject", "arn:aws:s3:::b/*", Principal="*", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}), "PASS"),
        (allow("s3:GetObject", "arn:aws:s3:::b/*", Principal={"Service": "cloudtrail.amazonaws.com"}), "PASS"),
        (allow("sqs:SendMessage", "*", Principal="*"), "PASS"),  # another service's action
    ],
)
def test_no_public_access(statement: dict[str, Any], verdict: str) -> None:
    result = check_no_public_access(doc(statement), "AWS::S3::Bucket")
    assert result.result == verdict
    if verdict == "FAIL":
        assert result.reasons == [{"description": "Public access granted in the following statement with index: 0.", "statementIndex": 0}]


def test_public_trust_policy() -> None:
    trust = doc({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"})
    assert check_no_public_access(trust, "AWS::IAM::AssumeRolePolicyDocument").result == "FAIL"


def test_invalid_and_oversized_documents_are_refused() -> None:
    with pytest.raises(InvalidPolicy, match="not a valid IDENTITY_POLICY"):
        check_no_new_access("{", OLD, "IDENTITY_POLICY")
    with pytest.raises(InvalidPolicy, match="not a valid RESOURCE_POLICY"):
        check_no_new_access(OLD, OLD, "RESOURCE_POLICY")  # no Principal
    huge = doc(*[allow(f"s3:GetObject{i}", f"arn:aws:s3:::bucket-{i}/*") for i in range(200)])
    with pytest.raises(InvalidPolicy, match="exceeds the maximum size of 6144"):
        check_no_new_access(huge, OLD, "IDENTITY_POLICY")
    with pytest.raises(InvalidPolicy, match="exceeds"):
        check_no_new_access(OLD + " " * 200_000, OLD, "IDENTITY_POLICY")
    with pytest.raises(InvalidPolicy, match="not supported"):
        check_no_public_access(OLD, "AWS::Nope::Thing")


def test_a_key_read_as_two_types_is_undecidable() -> None:
    mixed = doc(allow(Condition={"NumericLessThan": {"k:x": "3"}, "DateLessThan": {"k:x": "2020-01-01"}}))
    with pytest.raises(Undecidable, match="compared as date and as numeric"):
        check_no_new_access(mixed, OLD, "IDENTITY_POLICY")


def test_a_variable_before_the_resource_segment_never_passes_on_a_guess() -> None:
    odd = doc(allow("s3:GetObject", "arn:aws:${aws:username}:::b"))
    with pytest.raises(Undecidable, match="assumed to hold no colon"):
        check_no_new_access(odd, odd, "IDENTITY_POLICY")


def test_timeout_is_reported_not_guessed() -> None:
    hard = doc(
        *[
            allow("s3:Get*", [f"arn:aws:s3:::b{i}*/${{aws:username}}/*{i}?x", f"arn:aws:s3:::*{i}*"], Condition={"StringLike": {"aws:username": f"*{i}*"}})
            for i in range(12)
        ]
    )
    with pytest.raises(CheckTimeout, match="did not finish within 0.001 seconds"):
        check_no_new_access(hard, OLD, "IDENTITY_POLICY", timeout_ms=1)


def test_engine_disagreement_is_a_reported_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(smt_problem.Problem, "engine_allows", lambda self, policy, example: False)
    with pytest.raises(Discrepancy, match="disagree"):
        check_no_new_access(NEW, OLD, "IDENTITY_POLICY")
