"""cloudtrail: trails, their delivered log files, event data stores, resource policies

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-04 04:00:00.000000

See ``store/cloudtrail_schema.py`` for what each table records.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from iamd.store.types import UtcDateTime

revision = '0014'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'ct_trails',
        sa.Column('trail_id', sa.String(length=32), nullable=False),
        sa.Column('account_id', sa.String(length=12), nullable=False),
        sa.Column('home_region', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=128), nullable=False),
        sa.Column('s3_bucket', sa.String(length=63), nullable=False),
        sa.Column('s3_prefix', sa.String(length=200), nullable=True),
        sa.Column('sns_topic', sa.String(length=256), nullable=True),
        sa.Column('include_global', sa.Boolean(), nullable=False),
        sa.Column('multi_region', sa.Boolean(), nullable=False),
        sa.Column('organization', sa.Boolean(), nullable=False),
        sa.Column('validation', sa.Boolean(), nullable=False),
        sa.Column('cw_log_group_arn', sa.String(length=256), nullable=True),
        sa.Column('cw_role_arn', sa.String(length=256), nullable=True),
        sa.Column('kms_key_id', sa.String(length=256), nullable=True),
        sa.Column('event_selectors', sa.Text(), nullable=True),
        sa.Column('advanced_selectors', sa.Text(), nullable=True),
        sa.Column('insight_selectors', sa.Text(), nullable=True),
        sa.Column('is_logging', sa.Boolean(), nullable=False),
        sa.Column('start_logging_time', UtcDateTime(), nullable=True),
        sa.Column('stop_logging_time', UtcDateTime(), nullable=True),
        sa.Column('created_at', UtcDateTime(), nullable=False),
        sa.Column('delivered_seq', sa.BigInteger(), nullable=False),
        sa.Column('pending_first', sa.BigInteger(), nullable=True),
        sa.Column('pending_last', sa.BigInteger(), nullable=True),
        sa.Column('pending_at', UtcDateTime(), nullable=True),
        sa.Column('stop_seq', sa.BigInteger(), nullable=True),
        sa.Column('skip_from', sa.BigInteger(), nullable=True),
        sa.Column('skip_to', sa.BigInteger(), nullable=True),
        sa.Column('latest_delivery_time', UtcDateTime(), nullable=True),
        sa.Column('latest_delivery_attempt', UtcDateTime(), nullable=True),
        sa.Column('latest_delivery_error', sa.Text(), nullable=True),
        sa.Column('digest_start', UtcDateTime(), nullable=True),
        sa.Column('digest_pending_end', UtcDateTime(), nullable=True),
        sa.Column('latest_digest_delivery_time', UtcDateTime(), nullable=True),
        sa.Column('latest_digest_attempt', UtcDateTime(), nullable=True),
        sa.Column('latest_digest_error', sa.Text(), nullable=True),
        sa.Column('digest_prev_bucket', sa.String(length=63), nullable=True),
        sa.Column('digest_prev_object', sa.String(length=1024), nullable=True),
        sa.Column('digest_prev_hash', sa.String(length=64), nullable=True),
        sa.Column('digest_prev_signature', sa.String(length=256), nullable=True),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.account_id'], ondelete='CASCADE',
                                name=op.f('fk_ct_trails_account_id_accounts')),
        sa.PrimaryKeyConstraint('trail_id', name=op.f('pk_ct_trails')),
        sa.UniqueConstraint('account_id', 'home_region', 'name', name=op.f('uq_ct_trails_account_id_home_region_name')),
    )
    op.create_table(
        'ct_log_files',
        sa.Column('trail_id', sa.String(length=32), nullable=False),
        sa.Column('object_key', sa.String(length=1024), nullable=False),
        sa.Column('bucket', sa.String(length=63), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('oldest_event', UtcDateTime(), nullable=False),
        sa.Column('newest_event', UtcDateTime(), nullable=False),
        sa.Column('delivered_at', UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['trail_id'], ['ct_trails.trail_id'], ondelete='CASCADE',
                                name=op.f('fk_ct_log_files_trail_id_ct_trails')),
        sa.PrimaryKeyConstraint('trail_id', 'object_key', name=op.f('pk_ct_log_files')),
    )
    op.create_table(
        'ct_event_data_stores',
        sa.Column('eds_id', sa.String(length=36), nullable=False),
        sa.Column('account_id', sa.String(length=12), nullable=False),
        sa.Column('region', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=128), nullable=False),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('advanced_selectors', sa.Text(), nullable=False),
        sa.Column('multi_region', sa.Boolean(), nullable=False),
        sa.Column('organization', sa.Boolean(), nullable=False),
        sa.Column('retention_period', sa.Integer(), nullable=False),
        sa.Column('termination_protection', sa.Boolean(), nullable=False),
        sa.Column('kms_key_id', sa.String(length=350), nullable=True),
        sa.Column('billing_mode', sa.String(length=32), nullable=False),
        sa.Column('created_at', UtcDateTime(), nullable=False),
        sa.Column('updated_at', UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.account_id'], ondelete='CASCADE',
                                name=op.f('fk_ct_event_data_stores_account_id_accounts')),
        sa.PrimaryKeyConstraint('eds_id', name=op.f('pk_ct_event_data_stores')),
        sa.UniqueConstraint('account_id', 'region', 'name', name=op.f('uq_ct_event_data_stores_account_id_region_name')),
    )
    op.create_table(
        'ct_resource_policies',
        sa.Column('resource_arn', sa.String(length=512), nullable=False),
        sa.Column('account_id', sa.String(length=12), nullable=False),
        sa.Column('policy', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.account_id'], ondelete='CASCADE',
                                name=op.f('fk_ct_resource_policies_account_id_accounts')),
        sa.PrimaryKeyConstraint('resource_arn', name=op.f('pk_ct_resource_policies')),
    )


def downgrade() -> None:
    op.drop_table('ct_resource_policies')
    op.drop_table('ct_event_data_stores')
    op.drop_table('ct_log_files')
    op.drop_table('ct_trails')
