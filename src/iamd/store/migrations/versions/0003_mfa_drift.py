"""mfa device clock drift

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 03:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('mfa_devices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('drift_steps', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('mfa_devices', schema=None) as batch_op:
        batch_op.drop_column('drift_steps')
