"""audit trail: events, lookup index, digests, chain head

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 05:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from iamd.store.types import UtcDateTime

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'audit_trail_head',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('last_seq', sa.BigInteger(), nullable=False),
        sa.Column('last_hash', sa.String(length=64), nullable=False),
        sa.Column('digested_seq', sa.BigInteger(), nullable=False),
        sa.Column('digested_at', UtcDateTime(), nullable=True),
        sa.Column('digest_count', sa.BigInteger(), nullable=False),
        sa.Column('last_signature', sa.String(length=128), nullable=False),
        sa.Column('pruned_seq', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_trail_head')),
    )
    op.create_table(
        'audit_events',
        sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('event_id', sa.String(length=36), nullable=False),
        sa.Column('account_id', sa.String(length=12), nullable=False),
        sa.Column('event_time', UtcDateTime(), nullable=False),
        sa.Column('event_name', sa.String(length=128), nullable=False),
        sa.Column('event_source', sa.String(length=64), nullable=False),
        sa.Column('read_only', sa.Boolean(), nullable=False),
        sa.Column('username', sa.String(length=128), nullable=True),
        sa.Column('access_key_id', sa.String(length=128), nullable=True),
        sa.Column('error_code', sa.String(length=128), nullable=True),
        sa.Column('record', sa.Text(), nullable=False),
        sa.Column('prev_hash', sa.String(length=64), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_events')),
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_account_id_access_key_id_event_time'), ['account_id', 'access_key_id', 'event_time'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_account_id_username_event_time'), ['account_id', 'username', 'event_time'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_account_id_event_name_event_time'), ['account_id', 'event_name', 'event_time'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_account_id_event_time'), ['account_id', 'event_time'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_account_id_event_id'), ['account_id', 'event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_event_time'), ['event_time'], unique=False)
    op.create_table(
        'audit_event_resources',
        sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('position', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('account_id', sa.String(length=12), nullable=False),
        sa.Column('event_time', UtcDateTime(), nullable=False),
        sa.Column('resource_type', sa.String(length=64), nullable=False),
        sa.Column('resource_name', sa.String(length=1024), nullable=False),
        sa.PrimaryKeyConstraint('seq', 'position', name=op.f('pk_audit_event_resources')),
    )
    with op.batch_alter_table('audit_event_resources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_resources_account_id_resource_name_event_time'), ['account_id', 'resource_name', 'event_time'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_resources_account_id_resource_type_event_time'), ['account_id', 'resource_type', 'event_time'], unique=False)
    op.create_table(
        'audit_digests',
        sa.Column('digest_seq', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('first_seq', sa.BigInteger(), nullable=False),
        sa.Column('last_seq', sa.BigInteger(), nullable=False),
        sa.Column('last_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', UtcDateTime(), nullable=False),
        sa.Column('prev_signature', sa.String(length=128), nullable=False),
        sa.Column('key_id', sa.String(length=16), nullable=False),
        sa.Column('signature', sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint('digest_seq', name=op.f('pk_audit_digests')),
    )


def downgrade() -> None:
    op.drop_table('audit_digests')
    op.drop_table('audit_event_resources')
    op.drop_table('audit_events')
    op.drop_table('audit_trail_head')
