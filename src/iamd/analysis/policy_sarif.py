"""``iamd policy lint --format sarif``: the findings as SARIF 2.1.0 (OASIS Static Analysis Results
Interchange Format), which code-scanning tools read.

One run, tool ``iamd``; one rule per issue code (its ``helpUri`` the check's page in AWS's policy
check reference, when ValidatePolicy gives one); one result per finding, at the file and the
finding's first span. SARIF's columns are 1-based where ValidatePolicy's are 0-based. Levels:
``ERROR`` and ``SECURITY_WARNING`` are ``error``, ``WARNING`` is ``warning``, ``SUGGESTION`` is
``note``; the AWS finding type and, for a failed custom check, the counter-example ride in the
result's ``properties``. ``tests/unit/analysis/test_policy_lint.py`` validates the output against
the OASIS schema.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import iamd

if TYPE_CHECKING:
    from iamd.analysis.policy_lint import Linted

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {"ERROR": "error", "SECURITY_WARNING": "error", "WARNING": "warning", "SUGGESTION": "note"}


def _region(span: dict[str, Any]) -> dict[str, int]:
    start, end = span["start"], span["end"]
    region = {"startLine": start["line"], "startColumn": start["column"] + 1}
    if (end["line"], end["column"]) >= (start["line"], start["column"]):
        region["endLine"] = end["line"]
        region["endColumn"] = max(end["column"] + 1, region["startColumn"] if end["line"] == start["line"] else 1)
    return region


def sarif(results: list[Linted]) -> dict[str, Any]:
    rules: dict[str, dict[str, Any]] = {}
    out: list[dict[str, Any]] = []
    for item in results:
        for f in item.findings:
            code = f["issueCode"]
            if code not in rules:
                rule: dict[str, Any] = {"id": code, "shortDescription": {"text": code.replace("_", " ").lower()}}
                if f.get("learnMoreLink"):
                    rule["helpUri"] = f["learnMoreLink"]
                rules[code] = rule
            location: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": item.name}}}
            spans = [loc["span"] for loc in f.get("locations") or [] if "span" in loc]
            if spans:
                location["physicalLocation"]["region"] = _region(spans[0])
            properties: dict[str, Any] = {"findingType": f["findingType"]}
            if "counterExample" in f:
                properties["counterExample"] = f["counterExample"]
            out.append(
                {
                    "ruleId": code,
                    "ruleIndex": list(rules).index(code),
                    "level": LEVEL[f["findingType"]],
                    "message": {"text": f["findingDetails"]},
                    "locations": [location],
                    "properties": properties,
                }
            )
    driver = {"name": "iamd", "version": getattr(iamd, "__version__", "0.1.0"), "rules": list(rules.values())}
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [{"tool": {"driver": driver}, "results": out}]}
