"""Trail-reading jobs on both backends: scoped to their account and kind, newest first, counted
for the daily quota, updated in place."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from iamd.auth.secretbox import SecretBox
from iamd.services.accounts import account_exists, create_account
from iamd.store import activity_repo
from iamd.store.activity_schema import activity_jobs
from iamd.store.engine import Store

NOW = datetime(2026, 12, 4, tzinfo=UTC)
ACCOUNTS = ("555544443311", "555544443312")


def _job(job_id: str, account: str, kind: str, when: datetime) -> dict[str, object]:
    return {"job_id": job_id, "account_id": account, "kind": kind, "principal_arn": f"arn:aws:iam::{account}:user/u",
            "status": "SUCCEEDED", "params": "{}", "result": "{}", "started_at": when, "completed_at": when}


def test_jobs_are_scoped_ordered_counted_and_updated(store_url: str) -> None:
    store = Store(store_url)
    store.migrate()
    with store.begin() as conn:
        for account in ACCOUNTS:
            if not account_exists(conn, account):
                create_account(conn, SecretBox(b"k" * 32), account, NOW)
        conn.execute(activity_jobs.delete().where(activity_jobs.c.account_id.in_(ACCOUNTS)))
        mine, other = ACCOUNTS
        activity_repo.add_job(conn, _job("00000000-0000-0000-0000-000000000001", mine, "policy-generation", NOW))
        activity_repo.add_job(conn, _job("00000000-0000-0000-0000-000000000002", mine, "policy-generation",
                                         NOW + timedelta(hours=1)))
        activity_repo.add_job(conn, _job("00000000-0000-0000-0000-000000000003", other, "policy-generation", NOW))
        activity_repo.add_job(conn, _job("00000000-0000-0000-0000-000000000004", mine, "service-last-accessed", NOW))
        listed = [j.job_id[-1] for j in activity_repo.jobs(conn, mine, "policy-generation")]
        assert listed == ["2", "1"]
        assert activity_repo.job(conn, mine, "policy-generation", "00000000-0000-0000-0000-000000000003") is None
        assert activity_repo.job(conn, mine, "service-last-accessed", "00000000-0000-0000-0000-000000000001") is None
        assert activity_repo.count_since(conn, mine, "policy-generation", NOW + timedelta(minutes=30)) == 1
        activity_repo.update_job(conn, "00000000-0000-0000-0000-000000000001", status="CANCELED")
        row = activity_repo.job(conn, mine, "policy-generation", "00000000-0000-0000-0000-000000000001")
        assert row is not None and row.status == "CANCELED"
        conn.execute(activity_jobs.delete().where(activity_jobs.c.account_id.in_(ACCOUNTS)))
