"""The ValidatePolicy cases of ``cases/validate_policy.yaml``, loaded for the unit and functional tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

CASES_FILE = Path(__file__).parent / "cases" / "validate_policy.yaml"


def _identity_over_quota() -> str:
    resources = [f"arn:aws:s3:::amzn-s3-demo-bucket-{i}/*" for i in range(250)]
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": resources}],
        }
    )


GENERATORS = {"identity_over_quota": _identity_over_quota}


def load_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = yaml.safe_load(CASES_FILE.read_text())
    for case in cases:
        if "generate" in case:
            case["document"] = GENERATORS[case["generate"]]()
    return cases


def path_of(elements: list[Any]) -> list[dict[str, Any]]:
    """The YAML's short path (``[Statement, 0, {key: X}]``) in ValidatePolicy's shape."""
    out: list[dict[str, Any]] = []
    for e in elements:
        if isinstance(e, int):
            out.append({"index": e})
        elif isinstance(e, dict):
            out.append(dict(e))
        else:
            out.append({"value": e})
    return out


def expected(case: dict[str, Any]) -> list[tuple[str, str, str]]:
    return sorted((t, code, json.dumps(path_of(p))) for t, code, p in case["findings"])


def actual(findings: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """Each finding as (type, code, path of its first location)."""
    return sorted(
        (f["findingType"], f["issueCode"], json.dumps(f["locations"][0]["path"] if f["locations"] else []))
        for f in findings
    )
