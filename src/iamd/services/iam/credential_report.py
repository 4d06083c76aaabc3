"""The credential report: one CSV row per user (root first) on the state of every credential.

The columns, their order and their values follow the IAM User Guide ("Getting credential reports
for your AWS account") and what AWS actually returns, which differs from the guide in two places:
booleans are lowercase ``true``/``false`` (the guide says ``TRUE``), and an inactive key or
certificate still shows its ``last_rotated`` date (the guide says ``N/A`` without an active one).
Times are ISO 8601 to the second with ``+00:00``, e.g. ``2014-08-29T21:47:05+00:00``.

A report is built synchronously, but GenerateCredentialReport answers ``STARTED`` when it makes a
new one, as AWS does, and ``COMPLETE`` while the stored one is younger than four hours; a report
older than that is ``ReportExpired`` for GetCredentialReport. ``build_rows`` reads the store only,
so ``iamd audit --data-dir`` uses it on a data folder without a server.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from iamd.services.context import Call
from iamd.services.iam import password_policy
from iamd.services.iam.common import arn
from iamd.services.iam.errors import CredentialReportExpired, CredentialReportNotPresent
from iamd.services.registry import action
from iamd.store import schema
from iamd.store.locks import lock_account

COLUMNS = (
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
)

# "You can generate a credential report as often as once every four hours."
REPORT_TTL = timedelta(hours=4)
ROOT_NAME = "<root_account>"
NA, NO_INFORMATION, NOT_SUPPORTED = "N/A", "no_information", "not_supported"
STARTED_DESCRIPTION = "No report exists. Starting a new report generation task"

Row = dict[str, str]


def iso(value: datetime) -> str:
    """``2014-08-29T21:47:05+00:00``: seconds, never fractions, always the UTC offset."""
    return f"{value.astimezone(UTC):%Y-%m-%dT%H:%M:%S}+00:00"


def flag(value: bool) -> str:
    return "true" if value else "false"


def _key_columns(n: int, key: Any | None) -> Row:
    p = f"access_key_{n}_"
    if key is None:
        return {p + "active": "false", p + "last_rotated": NA, p + "last_used_date": NA,
                p + "last_used_region": NA, p + "last_used_service": NA}
    used = key.last_used_at is not None
    return {
        p + "active": flag(key.status == "Active"),
        p + "last_rotated": iso(key.created_at),
        p + "last_used_date": iso(key.last_used_at) if used else NA,
        p + "last_used_region": (key.last_used_region or NA) if used else NA,
        p + "last_used_service": (key.last_used_service or NA) if used else NA,
    }


def _cert_columns(n: int, cert: Any | None) -> Row:
    p = f"cert_{n}_"
    if cert is None:
        return {p + "active": "false", p + "last_rotated": NA}
    return {p + "active": flag(cert.status == "Active"), p + "last_rotated": iso(cert.uploaded_at)}


def _credential_columns(keys: list[Any], certs: list[Any]) -> Row:
    """Keys and certificates in creation order: ``_1`` is the older one, as in AWS's report."""
    keys = sorted(keys, key=lambda k: (k.created_at, k.access_key_id))
    certs = sorted(certs, key=lambda c: (c.uploaded_at, c.certificate_id))
    out: Row = {}
    for n in (1, 2):
        out |= _key_columns(n, keys[n - 1] if len(keys) >= n else None)
    for n in (1, 2):
        out |= _cert_columns(n, certs[n - 1] if len(certs) >= n else None)
    return out


def _grouped(rows: Iterable[Any]) -> dict[str | None, list[Any]]:
    out: dict[str | None, list[Any]] = defaultdict(list)
    for row in rows:
        out[row.user_id].append(row)
    return out


def build_rows(conn: Connection, account_id: str) -> list[Row]:
    """Every row of the report, root first, then users by name; reads only."""
    s = schema
    created = conn.execute(
        select(s.accounts.c.created_at).where(s.accounts.c.account_id == account_id)
    ).scalar_one()
    users = list(conn.execute(
        select(s.users).where(s.users.c.account_id == account_id).order_by(s.users.c.name_lower)
    ))
    profiles = {
        r.user_id: r
        for r in conn.execute(
            select(s.login_profiles).join(s.users, s.users.c.user_id == s.login_profiles.c.user_id)
            .where(s.users.c.account_id == account_id)
        )
    }
    mfa = list(conn.execute(
        select(s.mfa_devices.c.user_id, s.mfa_devices.c.assigned_to_root).where(
            s.mfa_devices.c.account_id == account_id,
            s.mfa_devices.c.enabled_at.is_not(None),
        )
    ))
    mfa_users = {r.user_id for r in mfa if r.user_id is not None}
    keys = _grouped(conn.execute(select(s.access_keys).where(s.access_keys.c.account_id == account_id)))
    certs = _grouped(conn.execute(
        select(s.signing_certificates).where(s.signing_certificates.c.account_id == account_id)
    ))
    policy = password_policy.get_policy(conn, account_id)

    root: Row = {
        "user": ROOT_NAME,
        "arn": f"arn:aws:iam::{account_id}:root",
        "user_creation_time": iso(created),
        "password_enabled": NOT_SUPPORTED,
        # iamd has no root console password yet, so there is never sign-in data for it.
        "password_last_used": NO_INFORMATION,
        "password_last_changed": NOT_SUPPORTED,
        "password_next_rotation": NOT_SUPPORTED,
        "mfa_active": flag(any(r.assigned_to_root for r in mfa)),
    } | _credential_columns(keys.get(None, []), certs.get(None, []))
    out = [root]
    for user in users:
        profile = profiles.get(user.user_id)
        if user.password_last_used is not None:
            # Kept after the password is removed, as AWS does (GetUser still shows it).
            last_used = iso(user.password_last_used)
        else:
            last_used = NO_INFORMATION if profile is not None else NA
        rotation = password_policy.next_rotation(policy, profile.password_last_changed) if profile else None
        out.append({
            "user": user.name,
            "arn": arn(account_id, "user", user.path, user.name),
            "user_creation_time": iso(user.created_at),
            "password_enabled": flag(profile is not None),
            "password_last_used": last_used,
            "password_last_changed": iso(profile.password_last_changed) if profile is not None else NA,
            "password_next_rotation": iso(rotation) if rotation is not None else NA,
            "mfa_active": flag(user.user_id in mfa_users),
        } | _credential_columns(keys.get(user.user_id, []), certs.get(user.user_id, [])))
    return out


def render_csv(rows: Iterable[Row]) -> str:
    """Header and rows, ``\\n``-separated, no newline after the last row."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().removesuffix("\n")


def parse_csv(content: str | bytes) -> list[Row]:
    """The inverse of ``render_csv``, for readers of a report (``iamd audit``, tests)."""
    if isinstance(content, bytes):
        content = content.decode("utf-8")
    return list(csv.DictReader(io.StringIO(content)))


def _stored(call: Call) -> Any:
    t = schema.credential_reports
    return call.conn.execute(select(t).where(t.c.account_id == call.account_id)).first()


@action("iam", "GenerateCredentialReport")
def generate_credential_report(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    # A Read-level action, so the API took no lock; it replaces the account's one report row,
    # and two at once would both insert it.
    lock_account(call.conn, call.account_id)
    stored = _stored(call)
    if stored is not None and call.now - stored.generated_at < REPORT_TTL:
        return {"State": "COMPLETE"}
    # Last-used times wait in memory for a batched write; the report must include them.
    call.runtime.key_usage.flush(call.conn)
    content = render_csv(build_rows(call.conn, call.account_id))
    t = schema.credential_reports
    call.conn.execute(delete(t).where(t.c.account_id == call.account_id))
    call.conn.execute(insert(t).values(
        account_id=call.account_id, generated_at=call.now.replace(microsecond=0), content=content
    ))
    return {"State": "STARTED", "Description": STARTED_DESCRIPTION}


@action("iam", "GetCredentialReport")
def get_credential_report(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    stored = _stored(call)
    if stored is None:
        raise CredentialReportNotPresent()
    if call.now - stored.generated_at >= REPORT_TTL:
        raise CredentialReportExpired()
    return {"Content": stored.content.encode("utf-8"), "ReportFormat": "text/csv", "GeneratedTime": stored.generated_at}
