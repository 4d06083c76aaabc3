"""activity: jobs that read the audit trail (policy generations, last-accessed reports)

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-04 04:50:00.000000

See ``store/activity_schema.py``. Chained after 0015 (Access Analyzer), which this branch builds on.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from iamd.store.types import UtcDateTime

revision = '0017'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'activity_jobs',
        sa.Column('job_id', sa.String(length=36), nullable=False),
        sa.Column('account_id', sa.String(length=12), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('principal_arn', sa.String(length=2048), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('params', sa.Text(), nullable=False),
        sa.Column('result', sa.Text(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('started_at', UtcDateTime(), nullable=False),
        sa.Column('completed_at', UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.account_id'], ondelete='CASCADE',
                                name=op.f('fk_activity_jobs_account_id_accounts')),
        sa.PrimaryKeyConstraint('job_id', name=op.f('pk_activity_jobs')),
    )
    op.create_index('ix_activity_jobs_account_id_kind', 'activity_jobs', ['account_id', 'kind'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_activity_jobs_account_id_kind', table_name='activity_jobs')
    op.drop_table('activity_jobs')
