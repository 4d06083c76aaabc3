"""master keys: promotion and retirement times, running servers' keys

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-03 19:20:00.000000

Sealed secrets move to encryption contexts (version-2 blobs, ``auth/sealed_context``) at the
first start after this migration: that needs the master key, which migrations do not have, so
``services/rotation.upgrade_legacy`` does it under the store's exclusive lock at start-up.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from iamd.store.types import UtcDateTime

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'master_keys',
        sa.Column('fingerprint', sa.String(length=32), nullable=False),
        sa.Column('promoted_at', UtcDateTime(), nullable=False),
        sa.Column('retired_at', UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('fingerprint'),
    )
    op.create_table(
        'key_servers',
        sa.Column('server_id', sa.String(length=32), nullable=False),
        sa.Column('current_key', sa.String(length=32), nullable=False),
        sa.Column('known_keys', sa.Text(), nullable=False),
        sa.Column('seen_at', UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('server_id'),
    )


def downgrade() -> None:
    op.drop_table('key_servers')
    op.drop_table('master_keys')
