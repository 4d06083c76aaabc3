"""``iamd policy simulate``: the policy simulator on the command line, without a server.

For CI pipelines ("does this policy still deny prod deletes?") and for people debugging a denial
offline. The documents are files (``-`` or none: standard input); actions, resources and context
entries are given as the aws CLI takes them (``--context-entries
ContextKeyName=aws:MultiFactorAuthPresent,ContextKeyValues=true,ContextKeyType=boolean``, or the
JSON list). The decision is the engine's, through ``analysis.simulator`` — the same code path as
SimulateCustomPolicy — and the output a table or, with ``--json``, SimulateCustomPolicy's
``EvaluationResults`` (``SourcePolicyId`` is the file name).

The simulated caller is an IAM user of ``--account-id``; without it, of the account of
``--caller-arn``, else of the first resource ARN naming an account (so an offline simulation of
one account's resources is not a cross-account one by accident), else 123456789012.

Exit codes: 0 every action allowed on every resource, 1 something denied, 2 usage or input error.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from iamd.analysis import sim_shapes as shapes
from iamd.analysis.sim_context import SimulationInputError, build_context
from iamd.analysis.sim_inputs import (
    caller_principal,
    check_actions,
    check_resources,
    resource_owner,
    unnamed_caller,
)
from iamd.analysis.simulator import Simulation, Source, parse_submitted, simulate
from iamd.policy import PolicyType

DEFAULT_ACCOUNT = "123456789012"
_ACCOUNT = re.compile(r"arn:[^:]+:[^:]*:[^:]*:(\d{12}):")
SHORTHAND_KEYS = ("ContextKeyName", "ContextKeyValues", "ContextKeyType")


def add_parser(policy_subparsers: Any) -> None:
    """Register ``simulate`` under ``iamd policy``."""
    p = policy_subparsers.add_parser(
        "simulate",
        help="simulate policies against actions and resources offline; exit 0 allowed, 1 denied, 2 usage",
        description="Decide actions on resources with the policy engine iamd enforces, without a server.",
    )
    p.add_argument("policies", nargs="*", metavar="POLICY_FILE",
                   help="identity-based policy documents ('-' or none: standard input)")
    p.add_argument("--action-names", nargs="+", required=True, metavar="ACTION")
    p.add_argument("--resource-arns", nargs="+", metavar="ARN", help="default: *")
    p.add_argument("--context-entries", nargs="+", metavar="ENTRY",
                   help="ContextKeyName=…,ContextKeyValues=…,ContextKeyType=… (or a JSON list), as the aws CLI")
    p.add_argument("--permissions-boundary", metavar="FILE", help="a permissions boundary document")
    p.add_argument("--resource-policy", metavar="FILE", help="a resource-based policy (needs --caller-arn)")
    p.add_argument("--scp", action="append", metavar="FILE",
                   help="an SCP; repeat for each level, from the organization root down")
    p.add_argument("--caller-arn", help="the simulated caller (an IAM user ARN with --resource-policy)")
    p.add_argument("--resource-owner", help="account owning resources whose ARN names none")
    p.add_argument("--account-id", help="the simulated caller's account")
    p.add_argument("--json", action="store_true", help="SimulateCustomPolicy's EvaluationResults as JSON")
    p.set_defaults(policy_run=run)


def _read(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    return Path(path).read_text(encoding="utf-8")


def _shorthand(text: str) -> dict[str, Any]:
    """``ContextKeyName=k,ContextKeyValues=a,b,ContextKeyType=stringList`` (values may be quoted)."""
    entry: dict[str, Any] = {}
    current = None
    for token in text.split(","):
        key, eq, value = token.partition("=")
        if eq and key.strip() in SHORTHAND_KEYS:
            current = key.strip()
            value = value.strip().strip("'\"")
            if current == "ContextKeyValues":
                entry[current] = [value.strip("[]")] if value.strip("[]") else []
            else:
                entry[current] = value
        elif current == "ContextKeyValues":
            entry[current].append(token.strip().strip("'\"[]"))
        else:
            raise SimulationInputError(f"Cannot read context entry {text!r}: expected {', '.join(SHORTHAND_KEYS)}.")
    return entry


def _entries(args: list[str] | None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for text in args or []:
        if text.lstrip().startswith(("[", "{")):
            loaded = json.loads(text)
            out += loaded if isinstance(loaded, list) else [loaded]
        else:
            out.append(_shorthand(text))
    return out


def _account(args: argparse.Namespace) -> str:
    if args.account_id:
        return str(args.account_id)
    for arn in [args.caller_arn or "", *(args.resource_arns or [])]:
        m = _ACCOUNT.match(arn)
        if m:
            return m.group(1)
    return DEFAULT_ACCOUNT


def build(args: argparse.Namespace) -> Simulation:
    files = args.policies or ["-"]
    identity = [Source(parse_submitted(_read(f), PolicyType.IDENTITY, f), f, shapes.IAM_POLICY) for f in files]
    boundary = None
    if args.permissions_boundary:
        f = args.permissions_boundary
        boundary = Source(parse_submitted(_read(f), PolicyType.BOUNDARY, f), f, shapes.BOUNDARY_POLICY)
    scps = [[Source(parse_submitted(_read(f), PolicyType.SCP, f), f, shapes.SCP_POLICY)] for f in args.scp or []]
    resource_policy = _read(args.resource_policy) if args.resource_policy else None
    required = "Invalid caller - Caller must be an IAM user in this context." if resource_policy else None
    if resource_policy is not None and not args.caller_arn:
        raise SimulationInputError(str(required))
    principal = caller_principal(args.caller_arn, required) if args.caller_arn else unnamed_caller(_account(args))
    return Simulation(
        principal=principal, identity=identity, boundary=boundary, scps=scps or None,
        resource_policy=resource_policy, resource_owner=resource_owner(args.resource_owner),
        context=build_context(_entries(args.context_entries)),
    )


def _table(results: list[dict[str, Any]]) -> str:
    rows = [("ACTION", "RESOURCE", "DECISION", "MATCHED STATEMENTS / MISSING CONTEXT")]
    for r in results:
        for per in r.get("ResourceSpecificResults") or [{**r, "EvalResourceName": "*", "EvalResourceDecision": r["EvalDecision"]}]:
            matched = [
                f"{m['SourcePolicyId']}:{m['StartPosition']['Line']}:{m['StartPosition']['Column']}"
                f"-{m['EndPosition']['Line']}:{m['EndPosition']['Column']}"
                for m in per["MatchedStatements"]
            ]
            missing = [f"missing {k}" for k in per["MissingContextValues"]]
            rows.append((r["EvalActionName"], per["EvalResourceName"], per["EvalResourceDecision"], ", ".join(matched + missing)))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return "\n".join(
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3] for row in rows
    ).rstrip()


def run(args: argparse.Namespace) -> int:
    try:
        check_actions(args.action_names)
        check_resources(args.resource_arns or [])
        results = simulate(build(args), args.action_names, args.resource_arns)
    except (SimulationInputError, OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        where = getattr(err, "where", None)
        print(f"iamd policy simulate: {where + ': ' if where else ''}{err}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"EvaluationResults": results}, indent=2))
    else:
        print(_table(results))
    return 0 if all(r["EvalDecision"] == "allowed" for r in results) else 1
