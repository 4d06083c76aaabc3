"""ValidatePolicy through a real ``iamd serve``, as boto3 and the aws CLI call it.

Every case of the ValidatePolicy table (tests/unit/analysis/cases/validate_policy.yaml, AWS's
documentation examples) is sent over the wire and must come back with exactly its findings; then
the parts only the server has: paging with ``nextToken``, AWS's errors for bad arguments and
hostile documents (never a 500), authorization and the audit trail.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from functional_helpers import allow, as_creds, doc, new_user, poll
from validate_cases import actual, expected, load_cases

from iamd.testing import IamdServer

CASES = load_cases()
COGNITO = CASES[0]["document"]


@pytest.fixture
def aa(server: IamdServer) -> Any:
    return server.client("accessanalyzer")


def _all(aa: Any, **kw: Any) -> list[dict[str, Any]]:
    pages = aa.get_paginator("validate_policy").paginate(**kw)
    return [f for page in pages for f in page["findings"]]


def test_every_documented_case_over_the_wire(aa: Any) -> None:
    assert len(CASES) >= 40
    for case in CASES:
        kw: dict[str, Any] = {"policyDocument": case["document"], "policyType": case["type"]}
        if case.get("resource_type"):
            kw["validatePolicyResourceType"] = case["resource_type"]
        findings = aa.validate_policy(**kw)["findings"]
        assert actual(findings) == expected(case), case["name"]


def test_the_cli_example_answers_as_aws_documents(aws: Any, tmp_path: Path) -> None:
    (tmp_path / "myfile.json").write_text(COGNITO)
    out = aws(
        "accessanalyzer",
        "validate-policy",
        "--policy-document",
        "file://myfile.json",
        "--policy-type",
        "RESOURCE_POLICY",
    )
    codes = [f["issueCode"] for f in out["findings"]]
    assert codes == [
        "EMPTY_SID_VALUE",
        "MISMATCHED_ACTION_FOR_PRINCIPAL",
        "UNSUPPORTED_ACTION_FOR_CONDITION_KEY",
    ]
    sid = out["findings"][0]
    assert sid["findingDetails"] == "Add a value to the empty string in the Sid element."
    assert sid["learnMoreLink"].endswith(
        "#access-analyzer-reference-policy-checks-suggestion-empty-sid-value"
    )
    assert sid["locations"] == [
        {
            "path": [{"value": "Statement"}, {"index": 0}, {"value": "Sid"}],
            "span": {
                "start": {"line": 5, "column": 19, "offset": 79},
                "end": {"line": 5, "column": 21, "offset": 81},
            },
        }
    ]


def test_the_cli_with_an_identity_policy_and_a_query(aws: Any, tmp_path: Path) -> None:
    (tmp_path / "p.json").write_text(doc(allow("iam:PassRole")))
    out = aws(
        "accessanalyzer",
        "validate-policy",
        "--policy-document",
        "file://p.json",
        "--policy-type",
        "IDENTITY_POLICY",
        "--query",
        "findings[].[findingType,issueCode]",
    )
    assert out == [["SECURITY_WARNING", "PASS_ROLE_WITH_STAR_IN_RESOURCE"]]


def test_pages_with_max_results_and_next_token(aa: Any) -> None:
    whole = aa.validate_policy(policyDocument=COGNITO, policyType="RESOURCE_POLICY")
    assert "nextToken" not in whole and len(whole["findings"]) == 3
    first = aa.validate_policy(policyDocument=COGNITO, policyType="RESOURCE_POLICY", maxResults=2)
    assert len(first["findings"]) == 2
    rest = aa.validate_policy(
        policyDocument=COGNITO, policyType="RESOURCE_POLICY", maxResults=2, nextToken=first["nextToken"]
    )
    assert "nextToken" not in rest
    assert first["findings"] + rest["findings"] == whole["findings"]
    assert (
        _all(aa, policyDocument=COGNITO, policyType="RESOURCE_POLICY", PaginationConfig={"PageSize": 1})
        == whole["findings"]
    )


def test_forged_and_replayed_tokens_are_refused(aa: Any, error_of: Any) -> None:
    token = aa.validate_policy(policyDocument=COGNITO, policyType="RESOURCE_POLICY", maxResults=1)[
        "nextToken"
    ]
    other = COGNITO.replace('"Sid": ""', '"Sid": "x"')
    for kw in (
        {"policyDocument": COGNITO, "nextToken": token[:-2] + ("aa" if token[-2:] != "aa" else "bb")},
        {"policyDocument": COGNITO, "nextToken": "eyJ4IjogMX0.0000"},
        {"policyDocument": other, "nextToken": token},  # another document: not this token's query
    ):
        err = error_of(aa.validate_policy, policyType="RESOURCE_POLICY", **kw)
        assert err["Code"] == "ValidationException" and err["HTTPStatus"] == 400


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        (
            {"policyType": "IDENTITY_POLICY", "validatePolicyResourceType": "AWS::S3::Bucket"},
            "validatePolicyResourceType",
        ),
        ({"policyType": "RESOURCE_POLICY", "maxResults": 0}, "maxResults"),
        ({"policyType": "NOT_A_TYPE"}, "policyType"),
        ({"policyType": "IDENTITY_POLICY", "locale": "XX"}, "locale"),
    ],
)
def test_bad_arguments_are_validation_exceptions(
    aa: Any, error_of: Any, kw: dict[str, Any], field: str
) -> None:
    err = error_of(aa.validate_policy, policyDocument=COGNITO, **kw)
    assert err["Code"] == "ValidationException" and err["HTTPStatus"] == 400
    assert field in err["Message"] or field == "maxResults"


def test_hostile_documents_get_aws_answers_never_a_500(aa: Any, error_of: Any) -> None:
    too_big = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [allow("s3:GetObject", [f"arn:aws:s3:::b/{i:06d}" for i in range(2000)])],
        }
    )
    err = error_of(aa.validate_policy, policyDocument=too_big, policyType="IDENTITY_POLICY")
    assert err["Code"] == "ValidationException" and err["HTTPStatus"] == 400
    for text in (
        "[" * 5000 + "]" * 5000,
        "{",
        "",
        "not json",
        '{"a": 1, "a": 2}',
        "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
    ):
        findings = aa.validate_policy(policyDocument=text, policyType="IDENTITY_POLICY")["findings"]
        assert [f["issueCode"] for f in findings] == ["JSON_SYNTAX_ERROR"], text[:20]
    assert [
        f["issueCode"]
        for f in aa.validate_policy(policyDocument="[]", policyType="IDENTITY_POLICY")["findings"]
    ] == ["DATA_TYPE_MISMATCH"]


def test_every_locale_is_accepted(aa: Any) -> None:
    english = aa.validate_policy(policyDocument=COGNITO, policyType="RESOURCE_POLICY")["findings"]
    for locale in ("DE", "JA", "PT_BR", "ZH_TW"):
        assert (
            aa.validate_policy(policyDocument=COGNITO, policyType="RESOURCE_POLICY", locale=locale)[
                "findings"
            ]
            == english
        )


def test_authorized_as_access_analyzer_validate_policy(server: IamdServer, iam: Any, error_of: Any) -> None:
    _, nobody = new_user(iam, "nobody")
    err = error_of(
        as_creds(server, "accessanalyzer", nobody).validate_policy,
        policyDocument=COGNITO,
        policyType="RESOURCE_POLICY",
    )
    assert err["Code"] == "AccessDeniedException" and err["HTTPStatus"] == 403
    _, linter = new_user(iam, "linter", allow("access-analyzer:ValidatePolicy"))
    out = as_creds(server, "accessanalyzer", linter).validate_policy(
        policyDocument=COGNITO, policyType="RESOURCE_POLICY"
    )
    assert len(out["findings"]) == 3
    _, wrong = new_user(iam, "wrong", allow("access-analyzer:List*"))
    err = error_of(
        as_creds(server, "accessanalyzer", wrong).validate_policy,
        policyDocument=COGNITO,
        policyType="RESOURCE_POLICY",
    )
    assert err["Code"] == "AccessDeniedException"


def test_recorded_in_the_audit_trail(server: IamdServer, aa: Any) -> None:
    aa.validate_policy(policyDocument=COGNITO, policyType="RESOURCE_POLICY")
    ct = server.client("cloudtrail")
    # Read-only calls are written to the trail in batches, shortly after the answer.
    attribute = [{"AttributeKey": "EventName", "AttributeValue": "ValidatePolicy"}]
    events = poll(lambda: ct.lookup_events(LookupAttributes=attribute)["Events"])
    assert len(events) == 1
    record = json.loads(events[0]["CloudTrailEvent"])
    assert record["eventSource"] == "access-analyzer.amazonaws.com"
    assert record["readOnly"] is True


def test_a_token_is_bound_to_its_account(
    two_accounts: tuple[IamdServer, dict[str, str]], error_of: Any
) -> None:
    server, other_key = two_accounts
    mine = server.client("accessanalyzer")
    theirs = as_creds(server, "accessanalyzer", other_key)
    token = mine.validate_policy(policyDocument=COGNITO, policyType="RESOURCE_POLICY", maxResults=1)[
        "nextToken"
    ]
    err = error_of(
        theirs.validate_policy, policyDocument=COGNITO, policyType="RESOURCE_POLICY", nextToken=token
    )
    assert err["Code"] == "ValidationException"
    own = theirs.validate_policy(policyDocument=COGNITO, policyType="RESOURCE_POLICY", maxResults=1)[
        "nextToken"
    ]
    assert (
        len(
            theirs.validate_policy(policyDocument=COGNITO, policyType="RESOURCE_POLICY", nextToken=own)[
                "findings"
            ]
        )
        == 2
    )


def test_the_cli_pages(aws: Any, tmp_path: Path) -> None:
    (tmp_path / "myfile.json").write_text(COGNITO)
    base = ("accessanalyzer", "validate-policy", "--policy-document", "file://myfile.json", "--policy-type", "RESOURCE_POLICY")
    first = aws(*base, "--max-items", "2", "--page-size", "1")
    assert [f["issueCode"] for f in first["findings"]] == ["EMPTY_SID_VALUE", "MISMATCHED_ACTION_FOR_PRINCIPAL"]
    rest = aws(*base, "--starting-token", first["NextToken"])
    assert [f["issueCode"] for f in rest["findings"]] == ["UNSUPPORTED_ACTION_FOR_CONDITION_KEY"]
