"""``iamd audit``: the credential checks of a security audit, from one credential report.

The checks read what an auditor reads on AWS — the credential report and whether the account has a
password policy — so the same code audits a running iamd (or AWS itself) through boto3, or a data
folder directly through the report builder the server uses, read-only and without a server.

A report served by GenerateCredentialReport may be up to four hours old, as on AWS; the output
says when it was generated. Reading a data folder builds a fresh one, but access-key last-use
times that a running server still holds in memory (at most about a second's worth) are not in it.

Exit codes, for cron jobs and systemd timers: 0 no findings, 1 findings, 2 the audit could not run.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

# Check id -> what it means; also the order findings are listed in for one principal.
CHECKS = {
    "no_password_policy": "the account has no password policy",
    "root_access_key": "the root user has an access key",
    "root_without_mfa": "the root user has no MFA device",
    "user_without_mfa": "the user has no MFA device",
    "console_without_mfa": "the user can sign in with a password but has no MFA device",
    "old_access_key": "an active access key is older than --max-key-age days",
    "unused_access_key": "an active access key was never used, or not for --max-unused-days days",
    "inactive_access_key": "an inactive access key is still present",
    "cloudtrail_not_enabled": "no multi-region, logging trail with management events and log file validation",
}

NOT_A_TIME = ("N/A", "no_information", "not_supported", "")
# The report's name for the root user (``credential_report.ROOT_NAME``; not imported so that
# ``iamd --help`` does not load every IAM action).
ROOT_NAME = "<root_account>"

Row = dict[str, str]


class AuditError(Exception):
    """The audit could not run (no server, no report, no data folder): exit code 2."""


@dataclass(frozen=True)
class Finding:
    check: str
    principal: str
    arn: str
    detail: str


@dataclass(frozen=True)
class Snapshot:
    """What the checks read: the report's rows and whether a password policy exists."""

    rows: list[Row]
    has_password_policy: bool
    generated_at: datetime
    source: str
    # The account's trails (``trail_check.py``); None when they could not be read.
    trails: list[Any] | None = None

    @property
    def account_id(self) -> str:
        return self.rows[0]["arn"].split(":")[4] if self.rows else ""


def report_time(value: str) -> datetime | None:
    """A report cell as a time; ``N/A``, ``no_information`` and ``not_supported`` are None."""
    if value in NOT_A_TIME:
        return None
    return datetime.fromisoformat(value)


def _days(delta: timedelta) -> int:
    return int(delta.total_seconds() // 86400)


def _key_findings(row: Row, now: datetime, max_key_age: int, max_unused_days: int) -> list[Finding]:
    out: list[Finding] = []
    for n in (1, 2):
        created = report_time(row[f"access_key_{n}_last_rotated"])
        active = row[f"access_key_{n}_active"] == "true"
        if created is None and not active:
            continue
        name = f"access key {n}"
        if not active:
            out.append(Finding("inactive_access_key", row["user"], row["arn"], f"{name} is inactive"))
            continue
        if created is not None and now - created > timedelta(days=max_key_age):
            age = _days(now - created)
            out.append(Finding("old_access_key", row["user"], row["arn"], f"{name} is {age} days old"))
        used = report_time(row[f"access_key_{n}_last_used_date"])
        if used is None:
            out.append(Finding("unused_access_key", row["user"], row["arn"], f"{name} has never been used"))
        elif now - used > timedelta(days=max_unused_days):
            ago = _days(now - used)
            out.append(Finding("unused_access_key", row["user"], row["arn"], f"{name} last used {ago} days ago"))
    return out


def run_checks(
    snapshot: Snapshot, now: datetime, *, max_key_age: int = 90, max_unused_days: int = 90
) -> list[Finding]:
    """Every finding, account first, then root, then users in the report's order."""
    out: list[Finding] = []
    if not snapshot.has_password_policy:
        account_arn = f"arn:aws:iam::{snapshot.account_id}:root"
        out.append(Finding("no_password_policy", snapshot.account_id, account_arn, CHECKS["no_password_policy"]))
    if snapshot.trails is not None:
        from iamd.analysis.trail_check import problem

        why = problem(snapshot.trails)
        if why is not None:
            account_arn = f"arn:aws:iam::{snapshot.account_id}:root"
            out.append(Finding("cloudtrail_not_enabled", snapshot.account_id, account_arn, why))
    for row in snapshot.rows:
        user, arn = row["user"], row["arn"]
        if user == ROOT_NAME:
            for n in (1, 2):
                if row[f"access_key_{n}_active"] == "true" or report_time(row[f"access_key_{n}_last_rotated"]):
                    state = "active" if row[f"access_key_{n}_active"] == "true" else "inactive"
                    out.append(Finding("root_access_key", user, arn, f"access key {n} is present ({state})"))
            if row["mfa_active"] != "true":
                out.append(Finding("root_without_mfa", user, arn, CHECKS["root_without_mfa"]))
            continue
        if row["mfa_active"] != "true":
            out.append(Finding("user_without_mfa", user, arn, CHECKS["user_without_mfa"]))
            if row["password_enabled"] == "true":
                out.append(Finding("console_without_mfa", user, arn, CHECKS["console_without_mfa"]))
        out.extend(_key_findings(row, now, max_key_age, max_unused_days))
    return out


# --- sources ---------------------------------------------------------------------------------


def from_client(iam: Any, *, wait: float = 60.0, cloudtrail: Any = None) -> Snapshot:
    """Generate (or reuse) the credential report through the API and read it, as an auditor would."""
    from botocore.exceptions import BotoCoreError, ClientError

    deadline = time.monotonic() + wait
    try:
        while True:
            iam.generate_credential_report()
            try:
                report = iam.get_credential_report()
                break
            except ClientError as err:
                code = err.response["Error"]["Code"]
                if code not in ("ReportInProgress", "ReportNotPresent") or time.monotonic() > deadline:
                    raise
            time.sleep(1)
        try:
            iam.get_account_password_policy()
            has_policy = True
        except ClientError as err:
            if err.response["Error"]["Code"] != "NoSuchEntity":
                raise
            has_policy = False
    except (ClientError, BotoCoreError) as err:
        raise AuditError(str(err)) from err
    from iamd.services.iam.credential_report import parse_csv

    trails = None
    if cloudtrail is not None:
        from iamd.analysis import trail_check

        try:
            trails = trail_check.from_client(cloudtrail)
        except (ClientError, BotoCoreError) as err:
            raise AuditError(f"cannot read the account's trails: {err}") from err
    endpoint = getattr(iam.meta, "endpoint_url", "")
    return Snapshot(parse_csv(report["Content"]), has_policy, report["GeneratedTime"], endpoint, trails)


def store_url(data_dir: str | None, db: str | None) -> str:
    """The database of a data folder (or ``--db``); SQLite is opened read-only and never created."""
    from pathlib import Path

    if db:
        return db
    path = Path(data_dir or ".") / "iamd.db"
    if not path.is_file():
        raise AuditError(f"no iamd database at {path}")
    return f"sqlite:///file:{path.resolve()}?mode=ro&uri=true"


def default_target() -> tuple[str | None, str | None, str | None]:
    """``(endpoint_url, data_dir, db)`` when no flag names a target: never AWS's own endpoint.

    The endpoint the AWS_* environment names; else the local ``iamd serve``'s store, when there
    is one here (``IAMD_DB``, or ``IAMD_DATA_DIR``/``./iamd-data`` holding a database: read-only,
    no credentials needed); else the local server's endpoint (``IAMD_HOST``/``IAMD_PORT``,
    ``https`` with ``IAMD_TLS_CERT``), as ``iamd serve`` defaults them.
    """
    import os
    from pathlib import Path

    from iamd.config import env_default

    endpoint = os.environ.get("AWS_ENDPOINT_URL_IAM") or os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        return endpoint, None, None
    if env_default("db"):
        return None, None, env_default("db")
    if (Path(env_default("data_dir")) / "iamd.db").is_file():
        return None, env_default("data_dir"), None
    host = env_default("host")
    host = "127.0.0.1" if host in ("", "0.0.0.0") else "::1" if host == "::" else host
    host = f"[{host}]" if ":" in host else host
    scheme = "https" if env_default("tls_cert") else "http"
    return f"{scheme}://{host}:{env_default('port')}", None, None


def from_store(url: str, account_id: str | None = None) -> Snapshot:
    """A fresh report built from the store by the server's own builder, in a read-only transaction."""
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError

    from iamd.services.accounts import default_account
    from iamd.services.iam.credential_report import build_rows
    from iamd.store import schema
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
            known = conn.execute(
                select(schema.accounts.c.account_id).where(schema.accounts.c.account_id == account)
            ).scalar()
            if known is None:
                raise AuditError(f"no account {account} in the store")
            rows = build_rows(conn, account)
            policy = conn.execute(
                select(schema.password_policies.c.account_id).where(schema.password_policies.c.account_id == account)
            ).scalar()
            from iamd.analysis.trail_check import from_rows
            from iamd.store.cloudtrail_schema import ct_trails

            trails = from_rows(list(conn.execute(select(ct_trails).where(ct_trails.c.account_id == account))))
            conn.rollback()
    except (SQLAlchemyError, StoreError) as err:
        raise AuditError(f"cannot read the store: {err}") from err
    finally:
        store.close()
    return Snapshot(rows, policy is not None, datetime.now(UTC).replace(microsecond=0), "store", trails)


# --- output ----------------------------------------------------------------------------------


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def render_table(findings: list[Finding], snapshot: Snapshot) -> str:
    users = _count(sum(1 for r in snapshot.rows if r["user"] != ROOT_NAME), "user")
    head = (f"account {snapshot.account_id}: {users}, credential report of "
            f"{snapshot.generated_at.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}")
    if not findings:
        return f"{head}\nno findings\n"
    table = [("CHECK", "PRINCIPAL", "DETAIL")] + [(f.check, f.principal, f.detail) for f in findings]
    widths = [max(len(r[i]) for r in table) for i in range(2)]
    lines = [f"{c:<{widths[0]}}  {p:<{widths[1]}}  {d}" for c, p, d in table]
    return "\n".join([head, "", *lines, "", _count(len(findings), "finding")]) + "\n"


def render_json(findings: list[Finding], snapshot: Snapshot, *, max_key_age: int, max_unused_days: int) -> str:
    by_check = {check: sum(1 for f in findings if f.check == check) for check in CHECKS}
    doc = {
        "account_id": snapshot.account_id,
        "source": snapshot.source,
        "report_generated_at": snapshot.generated_at.astimezone(UTC).isoformat(),
        "thresholds": {"max_key_age_days": max_key_age, "max_unused_days": max_unused_days},
        "findings": [asdict(f) for f in findings],
        "summary": {"findings": len(findings), "by_check": {k: v for k, v in by_check.items() if v}},
    }
    return json.dumps(doc, indent=2) + "\n"


# --- command ---------------------------------------------------------------------------------

EPILOG = (
    "checks:\n"
    + "".join(f"  {check:<20} {meaning}\n" for check, meaning in CHECKS.items())
    + "\nexit status: 0 no findings, 1 findings, 2 the audit could not run.\n"
    "Against a server, credentials come from the usual AWS_* environment (or profile); the caller\n"
    "needs iam:GenerateCredentialReport, iam:GetCredentialReport, iam:GetAccountPasswordPolicy and\n"
    "cloudtrail:DescribeTrails, cloudtrail:GetTrailStatus, cloudtrail:GetEventSelectors."
)


def run(
    *,
    endpoint_url: str | None = None,
    data_dir: str | None = None,
    db: str | None = None,
    account_id: str | None = None,
    region: str | None = None,
    max_key_age: int = 90,
    max_unused_days: int = 90,
    as_json: bool = False,
    out: Any = None,
    err: Any = None,
) -> int:
    """The whole command: pick the source, run the checks, print, return the exit status."""
    import os
    import sys

    out = out or sys.stdout
    err = err or sys.stderr
    try:
        if max_key_age < 0 or max_unused_days < 0:
            raise AuditError("--max-key-age and --max-unused-days must not be negative")
        if (data_dir or db) and endpoint_url:
            raise AuditError("give either --endpoint-url or --data-dir/--db, not both")
        if not (data_dir or db or endpoint_url):
            endpoint_url, data_dir, db = default_target()
        if data_dir or db:
            snapshot = from_store(store_url(data_dir, db), account_id)
        else:
            # botocore, not boto3: boto3 is a test dependency only, and its clients are botocore's.
            from botocore.exceptions import BotoCoreError
            from botocore.session import get_session

            region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
            try:
                session = get_session()
                iam = session.create_client("iam", endpoint_url=endpoint_url, region_name=region)
                cloudtrail = session.create_client("cloudtrail", endpoint_url=endpoint_url, region_name=region)
            except BotoCoreError as exc:
                raise AuditError(str(exc)) from exc
            snapshot = from_client(iam, cloudtrail=cloudtrail)
        if not snapshot.rows:
            raise AuditError("the credential report is empty")
    except AuditError as exc:
        print(f"iamd audit: {exc}", file=err)
        return EXIT_ERROR
    now = datetime.now(UTC)
    findings = run_checks(snapshot, now, max_key_age=max_key_age, max_unused_days=max_unused_days)
    if as_json:
        out.write(render_json(findings, snapshot, max_key_age=max_key_age, max_unused_days=max_unused_days))
    else:
        out.write(render_table(findings, snapshot))
    return EXIT_FINDINGS if findings else EXIT_CLEAN
