"""``iamd policy …``: the policy engine on the command line, no server needed.

``iamd policy lint FILE …`` (``policy_lint``) is the CI gate: ValidatePolicy's findings plus the
custom policy checks, with SARIF output.

``iamd policy validate [FILE …] --type identity`` answers what IAM would answer on CreatePolicy,
PutUserPolicy, CreateRole… for each document: nothing (valid) or the one MalformedPolicyDocument
sentence AWS reports first, with the line and column it points at. It reads stdin when no file
(or ``-``) is given, so a CI step can pipe a rendered template into it.

Exit codes: 0 every document is valid, 1 some document is invalid, 2 usage error or unreadable
input. Each sub-command registers itself below; ``run`` dispatches on the one parsed.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from iamd.policy import Finding, PolicyType, validate_policy

TYPES = [t.value for t in PolicyType]
TYPE_HELP = (
    "where the document goes: identity (user/group/role policies, CreatePolicy), trust (a role's "
    "AssumeRolePolicyDocument), boundary, session (AssumeRole's Policy), resource, scp, rcp"
)


def add_parser(sub: Any) -> None:
    """``iamd policy validate | simulate``: offline tools on documents; each sets ``policy_run``."""
    from iamd.analysis.policy_lint import add_parser as add_lint
    from iamd.analysis.simulate_cli import add_parser as add_simulate

    policy = sub.add_parser("policy", help="validate and simulate policy documents as AWS does (no server needed)")
    policy_sub = policy.add_subparsers(dest="policy_command", required=True)
    _add_validate(policy_sub)
    add_simulate(policy_sub)
    add_lint(policy_sub)


def run(args: argparse.Namespace) -> int:
    return int(args.policy_run(args))


# --- validate -----------------------------------------------------------------------------


def _add_validate(policy_sub: Any) -> None:
    validate = policy_sub.add_parser(
        "validate",
        help="check documents as IAM does; exit 0 valid, 1 invalid, 2 usage",
        description="Check each policy document as IAM checks it and print AWS's error (code, sentence, "
        "line and column) for every invalid one. Reads stdin when no FILE is given.",
    )
    validate.add_argument("files", nargs="*", metavar="FILE", help="policy documents (default: stdin; - is stdin)")
    validate.add_argument("--type", dest="policy_type", choices=TYPES, default="identity", help=TYPE_HELP)
    validate.add_argument("--json", action="store_true", help="machine-readable output")
    validate.set_defaults(policy_run=validate_files)


def _read(name: str) -> str:
    if name == "-":
        return sys.stdin.buffer.read().decode("utf-8")
    with open(name, encoding="utf-8") as f:
        return f.read()


def validate_files(args: argparse.Namespace) -> int:
    policy_type = PolicyType(args.policy_type)
    results: list[tuple[str, tuple[Finding, ...]]] = []
    for name in args.files or ["-"]:
        try:
            text = _read(name)
        except (OSError, UnicodeDecodeError) as err:
            print(f"iamd policy validate: {name}: {err}", file=sys.stderr)
            return 2
        results.append(("<stdin>" if name == "-" else name, validate_policy(text, policy_type)))
    if args.json:
        print(json.dumps([_as_json(name, policy_type, findings) for name, findings in results], indent=2))
    else:
        _print_table(results, policy_type)
    return 1 if any(findings for _, findings in results) else 0


def _as_json(name: str, policy_type: PolicyType, findings: tuple[Finding, ...]) -> dict[str, Any]:
    return {
        "file": name,
        "type": policy_type.value,
        "valid": not findings,
        "findings": [
            {"code": f.code, "message": f.message, "line": f.line, "column": f.column} for f in findings
        ],
    }


def _print_table(results: list[tuple[str, tuple[Finding, ...]]], policy_type: PolicyType) -> None:
    rows = [("FILE", "LINE", "COLUMN", "CODE", "MESSAGE")]
    for name, findings in results:
        if not findings:
            rows.append((name, "", "", "OK", f"valid {policy_type.value} policy"))
        for f in findings:
            rows.append((name, _text(f.line), _text(f.column), f.code, f.message))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True)) + "  " + row[4])


def _text(value: int | None) -> str:
    return "" if value is None else str(value)
