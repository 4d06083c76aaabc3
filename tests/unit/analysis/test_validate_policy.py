"""Edges of ``analysis.validate_policy``: the response shape against botocore's model, exact
spans, arguments AWS refuses, and hostile documents (bounded work, a finding, never a crash)."""

from __future__ import annotations

import json
import string
from typing import Any

import botocore.session
import pytest
from validate_cases import load_cases

from iamd.analysis.policy_checks.codes import CHECKS, LEARN_MORE
from iamd.analysis.validate_policy import (
    LOCALES,
    MAX_DOCUMENT_CHARS,
    POLICY_TYPES,
    RESOURCE_TYPES,
    ValidatePolicyInputError,
    validate_policy,
)

MODEL = botocore.session.get_session().get_service_model("accessanalyzer")
COGNITO = load_cases()[0]["document"]


def _enum(shape: str) -> list[str]:
    return list(MODEL.shape_for(shape).enum)


def test_enums_are_botocore_s() -> None:
    assert list(POLICY_TYPES) == _enum("PolicyType")
    assert set(RESOURCE_TYPES) == set(_enum("ValidatePolicyResourceType"))
    assert list(LOCALES) == _enum("Locale")
    assert {t for t, _, _ in CHECKS.values()} == set(_enum("ValidatePolicyFindingType"))


def test_every_documented_wording_formats() -> None:
    assert len(CHECKS) >= 130
    for code, (_, anchor, template) in CHECKS.items():
        assert code == code.upper() and anchor.split("-")[0] in ("error", "general", "security", "suggestion")
        names = [field for _, field, _, _ in string.Formatter().parse(template) if field]
        template.format(**dict.fromkeys(names, "x"))


def _conforms(value: Any, shape: Any) -> None:
    """``value`` has every required member of ``shape``, with the model's types, and nothing else."""
    if shape.type_name == "structure":
        assert isinstance(value, dict)
        assert set(shape.required_members) <= set(value), shape.name
        assert set(value) <= set(shape.members), shape.name
        if shape.metadata.get("union"):
            assert len(value) == 1
        for name, member in value.items():
            _conforms(member, shape.members[name])
    elif shape.type_name == "list":
        assert isinstance(value, list)
        for item in value:
            _conforms(item, shape.member)
    elif shape.type_name == "integer":
        assert isinstance(value, int) and value >= 0
    else:
        assert isinstance(value, str)
        if shape.enum:
            assert value in shape.enum


@pytest.mark.parametrize("case", load_cases(), ids=lambda c: c["name"])
def test_findings_have_the_models_shape(case: dict[str, Any]) -> None:
    findings = validate_policy(case["document"], case["type"], case.get("resource_type"))
    shape = MODEL.shape_for("ValidatePolicyFindingList")
    _conforms(findings, shape)
    for f in findings:
        assert f["learnMoreLink"] == LEARN_MORE + CHECKS[f["issueCode"]][1]
        for loc in f["locations"]:
            start, end = loc["span"]["start"], loc["span"]["end"]
            assert start["offset"] <= end["offset"] <= len(case["document"])


def test_spans_are_the_cli_examples_to_the_character() -> None:
    findings = validate_policy(COGNITO, "RESOURCE_POLICY")
    spans = [
        [(loc["span"]["start"]["offset"], loc["span"]["end"]["offset"]) for loc in f["locations"]]
        for f in findings
    ]
    assert spans[0] == [(79, 81)]
    assert spans[1] == [(258, 274), (170, 202)]
    assert spans[2][0] == (292, 308)
    assert COGNITO[292:308] == '"sts:TagSession"'
    assert findings[1]["locations"][1]["span"]["start"] == {"line": 8, "column": 29, "offset": 170}


def test_a_key_finding_spans_the_key() -> None:
    text = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Bogus": 1}]}'
    (finding,) = validate_policy(text, "IDENTITY_POLICY")
    loc = finding["locations"][0]
    assert loc["path"][-1] == {"key": "Bogus"}
    assert text[loc["span"]["start"]["offset"] : loc["span"]["end"]["offset"]] == '"Bogus"'
    assert finding["findingDetails"] == "The policy element Bogus is not valid."


def test_did_you_mean() -> None:
    text = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}],
        }
    )
    (finding,) = validate_policy(text, "IDENTITY_POLICY")
    assert finding["findingDetails"] == "The action s3:GetObjekt does not exist. Did you mean s3:GetObject?"
    text = text.replace("s3:GetObjekt", "sqs3:GetObject")
    (finding,) = validate_policy(text, "IDENTITY_POLICY")
    assert finding["issueCode"] == "INVALID_SERVICE_IN_ACTION"


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("IDENTITY", None, "EN"), "policyType"),
        (("IDENTITY_POLICY", "AWS::S3::Bucket", "EN"), "validatePolicyResourceType"),
        (("RESOURCE_POLICY", "AWS::KMS::Key", "EN"), "validatePolicyResourceType"),
        (("IDENTITY_POLICY", None, "en"), "locale"),
    ],
)
def test_arguments_aws_refuses(args: tuple[str, str | None, str], field: str) -> None:
    with pytest.raises(ValidatePolicyInputError) as err:
        validate_policy(COGNITO, *args)
    assert err.value.field == field


def test_size_is_bounded_before_parsing() -> None:
    with pytest.raises(ValidatePolicyInputError):
        validate_policy("x" * (MAX_DOCUMENT_CHARS + 1), "IDENTITY_POLICY")
    with pytest.raises(ValidatePolicyInputError):
        validate_policy(" " * (2 << 20), "IDENTITY_POLICY")
    # White space does not count, as AWS counts policy sizes.
    padded = COGNITO.replace(" ", " " * 8)
    assert [f["issueCode"] for f in validate_policy(padded, "RESOURCE_POLICY")][0] == "EMPTY_SID_VALUE"


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "{",
        "}",
        "[" * 10000,
        '{"Version": "2012-10-17", "Statement": [' * 100,
        '{"a": 1, "a": 2}',
        "nul\x00l",
    ],
)
def test_hostile_json_is_one_syntax_finding(text: str) -> None:
    (finding,) = validate_policy(text, "IDENTITY_POLICY")
    assert finding["issueCode"] == "JSON_SYNTAX_ERROR"
    assert finding["findingDetails"].startswith("Fix the JSON syntax error at index ")


def test_a_lone_number_is_a_type_mismatch() -> None:
    assert [f["issueCode"] for f in validate_policy("1e999999", "IDENTITY_POLICY")] == ["DATA_TYPE_MISMATCH"]


def test_many_wildcard_actions_stay_bounded() -> None:
    """Past MAX_EXPANDED wildcard entries only literal entries are tested for redundancy."""
    patterns = [f"ec2:Describe{c}*" for c in string.ascii_letters] * 10
    text = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": patterns, "Resource": "*"}]}
    )
    findings = validate_policy(text, "IDENTITY_POLICY")
    assert {f["issueCode"] for f in findings} <= {
        "REDUNDANT_ACTION",
        "INVALID_ACTION",
        "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA",
    }


def test_wrong_json_types_everywhere_are_findings_not_crashes() -> None:
    odd: list[Any] = [None, 1, True, [], {}, [[1]], {"a": {"b": [None]}}]
    for value in odd:
        for element in (
            "Version",
            "Statement",
            "Sid",
            "Effect",
            "Action",
            "Resource",
            "Principal",
            "Condition",
        ):
            st: dict[str, Any] = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
            body: dict[str, Any] = {"Version": "2012-10-17", "Statement": [st]}
            if element in ("Version", "Statement"):
                body[element] = value
            else:
                st[element] = value
            for policy_type in POLICY_TYPES:
                for f in validate_policy(json.dumps(body), policy_type):
                    assert f["issueCode"] in CHECKS


def test_scp_and_rcp_rules() -> None:
    rcp = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}
    )
    assert [f["issueCode"] for f in validate_policy(rcp, "RESOURCE_CONTROL_POLICY")] == ["MISSING_PRINCIPAL"]
    big = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Deny",
                    "Action": "s3:GetObject",
                    "Resource": [f"arn:aws:s3:::b{i}" for i in range(300)],
                }
            ],
        }
    )
    assert "POLICY_SIZE_EXCEEDS_SCP_QUOTA" in [
        f["issueCode"] for f in validate_policy(big, "SERVICE_CONTROL_POLICY")
    ]
