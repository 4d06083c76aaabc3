"""``iamd policy lint FILE…``: ValidatePolicy's findings plus custom policy checks, for CI.

Each FILE is validated as Access Analyzer's ValidatePolicy does (``validate_policy``) and, when
asked, checked with the custom checks, which are decided exactly (``smt_checks``):

- ``--no-new-access-against OLD.json``: CheckNoNewAccess (FILE must grant nothing OLD does not);
- ``--deny-actions a,b`` / ``--deny-resources r,s``: CheckAccessNotGranted;
- ``--no-public RESOURCE_TYPE``: CheckNoPublicAccess.

A failed check is an ``ERROR`` finding whose details carry the counter-example; a check iamd
cannot decide (its time bound, or a construct it can only approximate) is an ``ERROR`` too — a
gate must not pass on "don't know".

Exit codes: 0 no finding at or above ``--fail-on``; 1 some finding is; 2 a usage error, an
unreadable file, or a document that is not JSON. ``--format sarif`` writes SARIF 2.1.0
(``policy_sarif``) for code-scanning tools; ``json`` the findings as objects.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from typing import Any

from iamd.analysis import smt_checks
from iamd.analysis.policy_sarif import sarif
from iamd.analysis.validate_policy import ValidatePolicyInputError, validate_policy
from iamd.policy import PolicySyntaxError, PolicyType, parse_policy

LEVELS = ("SUGGESTION", "WARNING", "SECURITY_WARNING", "ERROR")
LINT_TYPES = ("IDENTITY_POLICY", "RESOURCE_POLICY", "SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY")
CHECK_TYPES = ("IDENTITY_POLICY", "RESOURCE_POLICY")
_PARSE_TYPES = {
    "IDENTITY_POLICY": PolicyType.IDENTITY,
    "RESOURCE_POLICY": PolicyType.RESOURCE,
    "SERVICE_CONTROL_POLICY": PolicyType.SCP,
    "RESOURCE_CONTROL_POLICY": PolicyType.RCP,
}


@dataclass
class Linted:
    """One file's findings, in ValidatePolicy's shape (custom-check findings included)."""

    name: str
    text: str
    findings: list[dict[str, Any]] = field(default_factory=list)
    broken: bool = False


class UsageError(Exception):
    pass


def add_parser(policy_sub: Any) -> None:
    lint = policy_sub.add_parser(
        "lint",
        help="ValidatePolicy findings plus custom checks; exit 0 clean, 1 findings, 2 usage/parse error",
        description="Lint policy documents for CI: Access Analyzer's ValidatePolicy checks, and optional "
        "custom checks decided exactly, each failure with a counter-example request.",
    )
    lint.add_argument("files", nargs="+", metavar="FILE", help="policy documents (- is stdin)")
    lint.add_argument("--policy-type", choices=LINT_TYPES, default="IDENTITY_POLICY")
    lint.add_argument("--resource-type", help="ValidatePolicy's validatePolicyResourceType (RESOURCE_POLICY only)")
    lint.add_argument("--no-new-access-against", metavar="OLD", help="fail if FILE grants access OLD does not")
    lint.add_argument("--deny-actions", metavar="A,B", help="fail if FILE allows any of these actions")
    lint.add_argument("--deny-resources", metavar="R,S", help="fail if FILE allows access to any of these resources")
    lint.add_argument("--no-public", metavar="RESOURCE_TYPE", help="fail if FILE grants public access (e.g. AWS::S3::Bucket)")
    lint.add_argument("--fail-on", choices=[x.lower() for x in LEVELS], default="security_warning")
    lint.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    lint.add_argument("--timeout", type=float, default=30.0, help="seconds per custom check (default 30)")
    lint.set_defaults(policy_run=run)


def _read(name: str) -> str:
    if name == "-":
        return sys.stdin.buffer.read().decode("utf-8")
    with open(name, encoding="utf-8") as f:
        return f.read()


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def run(args: argparse.Namespace) -> int:
    try:
        results = lint(args)
    except UsageError as err:
        print(f"iamd policy lint: {err}", file=sys.stderr)
        return 2
    if args.format == "sarif":
        print(json.dumps(sarif(results), indent=2))
    elif args.format == "json":
        print(json.dumps([{"file": r.name, "findings": r.findings} for r in results], indent=2))
    else:
        _print_text(results)
    if any(r.broken for r in results):
        return 2
    threshold = LEVELS.index(args.fail_on.upper())
    failing = any(LEVELS.index(f["findingType"]) >= threshold for r in results for f in r.findings)
    return 1 if failing else 0


def lint(args: argparse.Namespace) -> list[Linted]:
    checks = bool(args.no_new_access_against or args.deny_actions or args.deny_resources or args.no_public)
    if checks and args.policy_type not in CHECK_TYPES:
        raise UsageError(f"custom checks take IDENTITY_POLICY or RESOURCE_POLICY, not {args.policy_type}")
    if args.no_public and args.no_public not in smt_checks.PUBLIC_SERVICES:
        raise UsageError(f"--no-public: unknown resource type {args.no_public}")
    old = None
    if args.no_new_access_against:
        try:
            old = _read(args.no_new_access_against)
        except (OSError, UnicodeDecodeError) as err:
            raise UsageError(f"{args.no_new_access_against}: {err}") from None
    results = []
    for name in args.files:
        try:
            text = _read(name)
        except (OSError, UnicodeDecodeError) as err:
            raise UsageError(f"{name}: {err}") from None
        item = Linted("<stdin>" if name == "-" else name, text)
        try:
            item.findings = validate_policy(text, args.policy_type, args.resource_type)
        except ValidatePolicyInputError as err:
            raise UsageError(str(err)) from None
        item.broken = any(f["issueCode"] == "JSON_SYNTAX_ERROR" for f in item.findings)
        if checks and not item.broken:
            item.findings.extend(_custom(args, text, old))
        results.append(item)
    return results


def _custom(args: argparse.Namespace, text: str, old: str | None) -> list[dict[str, Any]]:
    timeout_ms = max(1, int(args.timeout * 1000))
    runs: list[tuple[str, Any]] = []
    if old is not None:
        runs.append(("CHECK_NO_NEW_ACCESS", lambda: smt_checks.check_no_new_access(text, old, args.policy_type, timeout_ms)))
    actions, resources = _split(args.deny_actions), _split(args.deny_resources)
    if actions or resources:
        runs.append(
            (
                "CHECK_ACCESS_NOT_GRANTED",
                lambda: smt_checks.check_access_not_granted(text, actions, resources, args.policy_type, timeout_ms),
            )
        )
    if args.no_public:
        runs.append(("CHECK_NO_PUBLIC_ACCESS", lambda: smt_checks.check_no_public_access(text, args.no_public, timeout_ms)))
    spans = _statement_spans(text, args.policy_type)
    out = []
    for code, check in runs:
        try:
            result = check()
        except (smt_checks.InvalidPolicy, smt_checks.CheckTimeout, smt_checks.Undecidable, smt_checks.Discrepancy) as err:
            out.append(_finding(code + "_UNDECIDED", f"iamd could not decide the check: {err}", [], spans))
            continue
        if result.result == "FAIL":
            details = result.message
            if result.counter_example is not None:
                details += " Counter-example: " + json.dumps(result.counter_example, sort_keys=True)
            out.append(_finding(code, details, result.reasons, spans, result.counter_example))
    return out


def _statement_spans(text: str, policy_type: str) -> dict[int, dict[str, Any]]:
    """Each statement's span in ValidatePolicy's form (1-based line, 0-based column and offset)."""
    try:
        policy = parse_policy(text, _PARSE_TYPES[policy_type], stored=True)
    except PolicySyntaxError:
        return {}
    starts = [0]
    for line in text.split("\n"):
        starts.append(starts[-1] + len(line) + 1)

    def point(line: int, column: int) -> dict[str, int]:
        return {"line": line, "column": column - 1, "offset": starts[line - 1] + column - 1}

    return {
        st.index: {"start": point(st.span.line, st.span.column), "end": point(st.span.end_line, st.span.end_column)}
        for st in policy.statements
    }


def _finding(
    code: str,
    details: str,
    reasons: list[dict[str, object]],
    spans: dict[int, dict[str, Any]],
    example: dict[str, object] | None = None,
) -> dict[str, Any]:
    locations: list[dict[str, Any]] = []
    for r in reasons:
        index = r.get("statementIndex")
        if isinstance(index, int):
            location: dict[str, Any] = {"path": [{"value": "Statement"}, {"index": index}]}
            if index in spans:
                location["span"] = spans[index]
            locations.append(location)
    finding: dict[str, Any] = {"findingType": "ERROR", "issueCode": code, "findingDetails": details, "locations": locations}
    if example is not None:
        finding["counterExample"] = example
    return finding


def _print_text(results: list[Linted]) -> None:
    for r in results:
        if not r.findings:
            print(f"{r.name}: OK")
        for f in r.findings:
            span = (f.get("locations") or [{}])[0].get("span")
            where = f"{span['start']['line']}:{span['start']['column'] + 1}" if span else "-"
            print(f"{r.name}:{where}: {f['findingType']} {f['issueCode']}: {f['findingDetails']}")
