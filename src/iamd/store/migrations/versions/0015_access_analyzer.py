"""access analyzer: analyzers, archive rules, findings, analyzed resources, access previews

Revision ID: 0015
Revises: 0011
Create Date: 2026-12-04 04:10:00.000000

See ``store/aa_schema.py`` for what each table records.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from iamd.store.types import UtcDateTime

revision = '0015'
down_revision = '0011'
branch_labels = None
depends_on = None


def _analyzer_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(['analyzer_id'], ['aa_analyzers.analyzer_id'], ondelete='CASCADE',
                                   name=op.f(f'fk_{table}_analyzer_id_aa_analyzers'))


def upgrade() -> None:
    op.create_table(
        'aa_analyzers',
        sa.Column('analyzer_id', sa.String(length=36), nullable=False),
        sa.Column('account_id', sa.String(length=12), nullable=False),
        sa.Column('region', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('arn', sa.String(length=512), nullable=False),
        sa.Column('type', sa.String(length=32), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('configuration', sa.Text(), nullable=True),
        sa.Column('managed_by', sa.String(length=128), nullable=True),
        sa.Column('created_at', UtcDateTime(), nullable=False),
        sa.Column('last_resource_analyzed', sa.String(length=2048), nullable=True),
        sa.Column('last_resource_analyzed_at', UtcDateTime(), nullable=True),
        sa.Column('fingerprint', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.account_id'], ondelete='CASCADE',
                                name=op.f('fk_aa_analyzers_account_id_accounts')),
        sa.PrimaryKeyConstraint('analyzer_id', name=op.f('pk_aa_analyzers')),
        sa.UniqueConstraint('arn', name=op.f('uq_aa_analyzers_arn')),
        sa.UniqueConstraint('account_id', 'region', 'name', name=op.f('uq_aa_analyzers_account_id_region_name')),
    )
    op.create_table(
        'aa_archive_rules',
        sa.Column('analyzer_id', sa.String(length=36), nullable=False),
        sa.Column('rule_name', sa.String(length=255), nullable=False),
        sa.Column('filter', sa.Text(), nullable=False),
        sa.Column('created_at', UtcDateTime(), nullable=False),
        sa.Column('updated_at', UtcDateTime(), nullable=False),
        _analyzer_fk('aa_archive_rules'),
        sa.PrimaryKeyConstraint('analyzer_id', 'rule_name', name=op.f('pk_aa_archive_rules')),
    )
    op.create_table(
        'aa_findings',
        sa.Column('finding_id', sa.String(length=36), nullable=False),
        sa.Column('analyzer_id', sa.String(length=36), nullable=False),
        sa.Column('finding_type', sa.String(length=32), nullable=False),
        sa.Column('finding_key', sa.String(length=64), nullable=False),
        sa.Column('resource_arn', sa.String(length=2048), nullable=False),
        sa.Column('resource_type', sa.String(length=64), nullable=False),
        sa.Column('resource_owner_account', sa.String(length=12), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('principal', sa.Text(), nullable=True),
        sa.Column('actions', sa.Text(), nullable=True),
        sa.Column('condition', sa.Text(), nullable=True),
        sa.Column('is_public', sa.Boolean(), nullable=True),
        sa.Column('sources', sa.Text(), nullable=True),
        sa.Column('details', sa.Text(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('created_at', UtcDateTime(), nullable=False),
        sa.Column('updated_at', UtcDateTime(), nullable=False),
        sa.Column('analyzed_at', UtcDateTime(), nullable=False),
        _analyzer_fk('aa_findings'),
        sa.PrimaryKeyConstraint('finding_id', name=op.f('pk_aa_findings')),
        sa.UniqueConstraint('analyzer_id', 'resource_arn', 'finding_key',
                            name=op.f('uq_aa_findings_analyzer_id_resource_arn_finding_key')),
    )
    op.create_index('ix_aa_findings_analyzer_id_status', 'aa_findings', ['analyzer_id', 'status'])
    op.create_table(
        'aa_analyzed_resources',
        sa.Column('analyzer_id', sa.String(length=36), nullable=False),
        sa.Column('resource_arn', sa.String(length=2048), nullable=False),
        sa.Column('resource_type', sa.String(length=64), nullable=False),
        sa.Column('resource_owner_account', sa.String(length=12), nullable=False),
        sa.Column('policy_digest', sa.String(length=64), nullable=False),
        sa.Column('is_public', sa.Boolean(), nullable=False),
        sa.Column('actions', sa.Text(), nullable=False),
        sa.Column('created_at', UtcDateTime(), nullable=False),
        sa.Column('updated_at', UtcDateTime(), nullable=False),
        sa.Column('analyzed_at', UtcDateTime(), nullable=False),
        _analyzer_fk('aa_analyzed_resources'),
        sa.PrimaryKeyConstraint('analyzer_id', 'resource_arn', name=op.f('pk_aa_analyzed_resources')),
    )
    op.create_table(
        'aa_access_previews',
        sa.Column('preview_id', sa.String(length=36), nullable=False),
        sa.Column('analyzer_id', sa.String(length=36), nullable=False),
        sa.Column('configurations', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('status_reason', sa.String(length=64), nullable=True),
        sa.Column('findings', sa.Text(), nullable=False),
        sa.Column('created_at', UtcDateTime(), nullable=False),
        _analyzer_fk('aa_access_previews'),
        sa.PrimaryKeyConstraint('preview_id', name=op.f('pk_aa_access_previews')),
    )
    op.create_index('ix_aa_access_previews_analyzer_id', 'aa_access_previews', ['analyzer_id'])


def downgrade() -> None:
    op.drop_index('ix_aa_access_previews_analyzer_id', table_name='aa_access_previews')
    op.drop_table('aa_access_previews')
    op.drop_table('aa_analyzed_resources')
    op.drop_index('ix_aa_findings_analyzer_id_status', table_name='aa_findings')
    op.drop_table('aa_findings')
    op.drop_table('aa_archive_rules')
    op.drop_table('aa_analyzers')
