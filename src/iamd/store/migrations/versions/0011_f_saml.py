"""saml providers: metadata and sealed assertion-decryption keys

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 01:10:00.000000

See ``store/saml_schema.py`` for what each table records.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from iamd.store.types import UtcDateTime

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'saml_providers',
        sa.Column('provider_id', sa.String(length=32), nullable=False),
        sa.Column('account_id', sa.String(length=12), nullable=False),
        sa.Column('name', sa.String(length=128), nullable=False),
        sa.Column('name_lower', sa.String(length=128), nullable=False),
        sa.Column('metadata_document', sa.Text(), nullable=False),
        sa.Column('signing', sa.Text(), nullable=False),
        sa.Column('valid_until', UtcDateTime(), nullable=True),
        sa.Column('assertion_encryption_mode', sa.String(length=16), nullable=True),
        sa.Column('context_provider', sa.Text(), nullable=True),
        sa.Column('created_at', UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.account_id'], ondelete='CASCADE',
                                name=op.f('fk_saml_providers_account_id_accounts')),
        sa.PrimaryKeyConstraint('provider_id', name=op.f('pk_saml_providers')),
        sa.UniqueConstraint('account_id', 'name_lower', name=op.f('uq_saml_providers_account_id_name_lower')),
    )
    op.create_table(
        'saml_private_keys',
        sa.Column('key_id', sa.String(length=64), nullable=False),
        sa.Column('provider_id', sa.String(length=32), nullable=False),
        sa.Column('account_id', sa.String(length=12), nullable=False),
        sa.Column('private_key_sealed', sa.LargeBinary(), nullable=False),
        sa.Column('uploaded_at', UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['provider_id'], ['saml_providers.provider_id'], ondelete='CASCADE',
                                name=op.f('fk_saml_private_keys_provider_id_saml_providers')),
        sa.PrimaryKeyConstraint('key_id', name=op.f('pk_saml_private_keys')),
    )
    op.create_index(op.f('ix_saml_private_keys_provider_id'), 'saml_private_keys', ['provider_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_saml_private_keys_provider_id'), table_name='saml_private_keys')
    op.drop_table('saml_private_keys')
    op.drop_table('saml_providers')
