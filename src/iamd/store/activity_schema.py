"""Jobs that read the audit trail: Access Analyzer's policy generations (StartPolicyGeneration)
and IAM's service last-accessed reports (GenerateServiceLastAccessedDetails).

A job belongs to the account that started it and names the principal (or entity) it is about.
It is computed from the trail when it starts — the trail of a past window does not change — so
its ``result`` (JSON) is what GetGeneratedPolicy answers later; ``params`` (JSON) keeps what the
request asked (window, trails, granularity). ``kind`` tells the job types apart; every read filters
on the account, so another account's job id is "not found".
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text

from iamd.store.schema import metadata
from iamd.store.types import UtcDateTime

activity_jobs = Table(
    "activity_jobs",
    metadata,
    Column("job_id", String(36), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("principal_arn", String(2048), nullable=False),
    Column("status", String(16), nullable=False),
    Column("params", Text, nullable=False),
    Column("result", Text, nullable=True),
    Column("error", Text, nullable=True),
    Column("started_at", UtcDateTime(), nullable=False),
    Column("completed_at", UtcDateTime(), nullable=True),
)
Index("ix_activity_jobs_account_id_kind", activity_jobs.c.account_id, activity_jobs.c.kind)
