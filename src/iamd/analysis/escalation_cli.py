"""``iamd analyze escalation``: the privilege-escalation paths of an account, from a store
(read-only, as ``iamd audit`` reads it) or from a running server (``ListEscalationPaths``).

Exit status: 0 no path, 1 paths found, 2 the analysis could not run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from typing import Any

from iamd.analysis.audit import AuditError, store_url

EXIT_CLEAN, EXIT_PATHS, EXIT_ERROR = 0, 1, 2


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    analyze = sub.add_parser("analyze", help="analyse an account (escalation: privilege-escalation paths)")
    kinds = analyze.add_subparsers(dest="analyze_command", required=True)
    esc = kinds.add_parser(
        "escalation", help="privilege-escalation paths of users and roles; exit 0 none, 1 paths, 2 error",
        epilog="Against a server the caller needs iamd:ListEscalationPaths. See docs/escalation.md.",
    )
    esc.add_argument("--endpoint-url", help="iamd endpoint (default: AWS_ENDPOINT_URL)")
    esc.add_argument("--region", help="signing region (default: AWS_REGION / AWS_DEFAULT_REGION / us-east-1)")
    esc.add_argument("--data-dir", help="read this data folder's store read-only instead of calling a server")
    esc.add_argument("--db", help="database URL to read instead of the data folder's SQLite")
    esc.add_argument("--account-id", help="account to analyse in the store (default: the first account)")
    esc.add_argument("--principal-arn", help="only the paths of this user or role")
    esc.add_argument("--json", action="store_true", help="machine-readable output")


def from_store(url: str, account_id: str | None, principal: str | None) -> tuple[str, list[dict[str, Any]], bool]:
    from sqlalchemy.exc import SQLAlchemyError

    from iamd.analysis.escalation import analyse
    from iamd.services.accounts import default_account
    from iamd.store.engine import Store
    from iamd.store.errors import StoreError

    try:
        store = Store(url)
    except (SQLAlchemyError, ImportError) as err:
        raise AuditError(f"cannot open the store: {err}") from err
    try:
        with store.connect() as conn:
            if store.dialect == "postgresql":
                conn = conn.execution_options(postgresql_readonly=True)
            account = account_id or default_account(conn)
            if account is None:
                raise AuditError("the store has no default account; pass --account-id")
            report = analyse(conn, account, datetime.now(UTC), principal)
            conn.rollback()
    except (SQLAlchemyError, StoreError) as err:
        raise AuditError(f"cannot read the store: {err}") from err
    finally:
        store.close()
    return account, [p.as_dict() for p in report.paths], report.truncated


def from_server(endpoint_url: str | None, region: str | None, principal: str | None) -> tuple[str, list[dict[str, Any]], bool]:
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    from iamd.data import models_path

    os.environ["AWS_DATA_PATH"] = os.pathsep.join(filter(None, [str(models_path()), os.environ.get("AWS_DATA_PATH")]))
    region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    try:
        session = boto3.session.Session()
        client = session.client("iamd", endpoint_url=endpoint_url, region_name=region)  # type: ignore[call-overload]
        account = session.client("sts", endpoint_url=endpoint_url, region_name=region).get_caller_identity()["Account"]
        paths: list[dict[str, Any]] = []
        truncated = False
        params: dict[str, Any] = {"PrincipalArn": principal} if principal else {}
        while True:
            page = client.list_escalation_paths(**params)
            paths += page["EscalationPaths"]
            truncated = truncated or bool(page.get("Truncated"))
            if not page.get("NextToken"):
                return str(account), paths, truncated
            params["NextToken"] = page["NextToken"]
    except (BotoCoreError, ClientError) as exc:
        raise AuditError(str(exc)) from exc


def render_text(account: str, paths: list[dict[str, Any]], truncated: bool) -> str:
    lines = [f"account {account}: {len(paths)} escalation path" + ("" if len(paths) == 1 else "s")]
    for n, path in enumerate(paths, 1):
        lines.append("")
        lines.append(f"{n}. {path['PrincipalArn']}")
        for edge in path["Edges"]:
            result = edge["Result"] + (f" ({edge['ResultChange']})" if edge.get("ResultChange") else "")
            lines.append(f"   --[{edge['Method']}]--> {result}")
            for req in edge["AllowedRequests"]:
                lines.append(f"      allowed: {req['Action']} on {req['Resource']}")
        gains = ", ".join(f"{g['Action']} on {g['Resource']}" for g in path["Gains"])
        lines.append(f"   gains, e.g.: {gains}")
    if truncated:
        lines += ["", "the analysis stopped at its work bound: more paths may exist"]
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace, out: Any = None, err: Any = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    try:
        if args.data_dir or args.db:
            if args.endpoint_url:
                raise AuditError("give either --endpoint-url or --data-dir/--db, not both")
            account, paths, truncated = from_store(store_url(args.data_dir, args.db), args.account_id, args.principal_arn)
        else:
            account, paths, truncated = from_server(args.endpoint_url, args.region, args.principal_arn)
    except AuditError as exc:
        print(f"iamd analyze escalation: {exc}", file=err)
        return EXIT_ERROR
    if args.json:
        doc = {"account_id": account, "paths": paths, "truncated": truncated}
        out.write(json.dumps(doc, indent=2) + "\n")
    else:
        out.write(render_text(account, paths, truncated))
    return EXIT_PATHS if paths else EXIT_CLEAN
