"""oidc providers: IAM OpenID Connect identity providers (CreateOpenIDConnectProvider)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 01:30:00.000000

See ``store/oidc_schema.py``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from iamd.store.types import UtcDateTime

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'oidc_providers',
        sa.Column('provider_id', sa.String(length=32), nullable=False),
        sa.Column('account_id', sa.String(length=12), nullable=False),
        sa.Column('url', sa.String(length=255), nullable=False),
        sa.Column('client_ids', sa.Text(), nullable=False),
        sa.Column('thumbprints', sa.Text(), nullable=False),
        sa.Column('created_at', UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.account_id'], ondelete='CASCADE',
                                name=op.f('fk_oidc_providers_account_id_accounts')),
        sa.PrimaryKeyConstraint('provider_id', name=op.f('pk_oidc_providers')),
        sa.UniqueConstraint('account_id', 'url', name=op.f('uq_oidc_providers_account_id_url')),
    )


def downgrade() -> None:
    op.drop_table('oidc_providers')
