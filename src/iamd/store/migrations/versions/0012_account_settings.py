"""account settings (STS token version) and the organization's resource policy

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 04:15:00.000000

See ``store/settings_schema.py`` for what each table records.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from iamd.store.types import UtcDateTime

revision = '0012'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'iam_account_settings',
        sa.Column('account_id', sa.String(length=12), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('value', sa.String(length=1024), nullable=False),
        sa.Column('updated_at', UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.account_id'], ondelete='CASCADE',
                                name=op.f('fk_iam_account_settings_account_id_accounts')),
        sa.PrimaryKeyConstraint('account_id', 'name', name=op.f('pk_iam_account_settings')),
    )
    op.create_table(
        'org_resource_policies',
        sa.Column('org_id', sa.String(length=34), nullable=False),
        sa.Column('policy_id', sa.String(length=131), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('updated_at', UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['org_id'], ['organizations.org_id'], ondelete='CASCADE',
                                name=op.f('fk_org_resource_policies_org_id_organizations')),
        sa.PrimaryKeyConstraint('org_id', name=op.f('pk_org_resource_policies')),
        sa.UniqueConstraint('policy_id', name=op.f('uq_org_resource_policies_policy_id')),
    )


def downgrade() -> None:
    op.drop_table('org_resource_policies')
    op.drop_table('iam_account_settings')
