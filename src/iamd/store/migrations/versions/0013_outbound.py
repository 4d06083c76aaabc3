"""outbound web identity federation: each account's issuer and its sealed signing keys

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-04 04:10:00.000000

See ``store/outbound_schema.py`` for what each table records.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from iamd.store.types import UtcDateTime

revision = '0013'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'outbound_federation',
        sa.Column('account_id', sa.String(length=12), nullable=False),
        sa.Column('issuer_id', sa.String(length=36), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('updated_at', UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.account_id'], ondelete='CASCADE',
                                name=op.f('fk_outbound_federation_account_id_accounts')),
        sa.PrimaryKeyConstraint('account_id', name=op.f('pk_outbound_federation')),
        sa.UniqueConstraint('issuer_id', name=op.f('uq_outbound_federation_issuer_id')),
    )
    op.create_table(
        'outbound_signing_keys',
        sa.Column('key_id', sa.String(length=64), nullable=False),
        sa.Column('account_id', sa.String(length=12), nullable=False),
        sa.Column('algorithm', sa.String(length=8), nullable=False),
        sa.Column('public_jwk', sa.Text(), nullable=False),
        sa.Column('private_sealed', sa.LargeBinary(), nullable=True),
        sa.Column('created_at', UtcDateTime(), nullable=False),
        sa.Column('retired_at', UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.account_id'], ondelete='CASCADE',
                                name=op.f('fk_outbound_signing_keys_account_id_accounts')),
        sa.PrimaryKeyConstraint('key_id', name=op.f('pk_outbound_signing_keys')),
    )
    op.create_index(op.f('ix_outbound_signing_keys_account_id'), 'outbound_signing_keys', ['account_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_outbound_signing_keys_account_id'), table_name='outbound_signing_keys')
    op.drop_table('outbound_signing_keys')
    op.drop_table('outbound_federation')
