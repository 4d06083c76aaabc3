"""audit trail: trail id, digest versions and cadence, signing keys with a published public half

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 19:00:00.000000

An existing trail gets its trail id here; its digests stay version 1 (signed by the key derived
from the master key). The first server start after the upgrade registers that key's public half
as a retired "legacy" key, so those digests keep verifying with the public key alone, and the
first new digest links to the last old one.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

from iamd.store.types import UtcDateTime

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_trail_head', schema=None) as batch_op:
        batch_op.add_column(sa.Column('trail_id', sa.String(length=36), nullable=True))
    with op.batch_alter_table('audit_digests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('trail_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('cadence', sa.Float(), nullable=True))
    op.create_table(
        'audit_signing_keys',
        sa.Column('key_id', sa.String(length=16), autoincrement=False, nullable=False),
        sa.Column('public_key', sa.String(length=64), nullable=False),
        sa.Column('private_sealed', sa.LargeBinary(), nullable=True),
        sa.Column('valid_from', UtcDateTime(), nullable=False),
        sa.Column('valid_until', UtcDateTime(), nullable=True),
        sa.Column('legacy', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('key_id', name=op.f('pk_audit_signing_keys')),
    )
    op.execute(
        sa.text("UPDATE audit_trail_head SET trail_id = :tid WHERE trail_id IS NULL").bindparams(
            tid=str(uuid.uuid4())
        )
    )


def downgrade() -> None:
    op.drop_table('audit_signing_keys')
    with op.batch_alter_table('audit_digests', schema=None) as batch_op:
        batch_op.drop_column('cadence')
        batch_op.drop_column('trail_id')
    with op.batch_alter_table('audit_trail_head', schema=None) as batch_op:
        batch_op.drop_column('trail_id')
