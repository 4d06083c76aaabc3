"""organizations: the tree, its policies and attachments, handshakes, account creation

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 01:00:00.000000

See ``store/org_schema.py`` for what each table records.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from iamd.store.types import UtcDateTime

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'organizations',
        sa.Column('org_id', sa.String(length=34), nullable=False),
        sa.Column('management_account_id', sa.String(length=12), nullable=False),
        sa.Column('root_id', sa.String(length=34), nullable=False),
        sa.Column('feature_set', sa.String(length=32), nullable=False),
        sa.Column('created_at', UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['management_account_id'], ['accounts.account_id'], ondelete='CASCADE',
                                name=op.f('fk_organizations_management_account_id_accounts')),
        sa.PrimaryKeyConstraint('org_id', name=op.f('pk_organizations')),
        sa.UniqueConstraint('management_account_id', name=op.f('uq_organizations_management_account_id')),
        sa.UniqueConstraint('root_id', name=op.f('uq_organizations_root_id')),
    )
    op.create_table(
        'org_units',
        sa.Column('unit_id', sa.String(length=68), nullable=False),
        sa.Column('org_id', sa.String(length=34), nullable=False),
        sa.Column('parent_id', sa.String(length=68), nullable=True),
        sa.Column('name', sa.String(length=128), nullable=False),
        sa.Column('name_lower', sa.String(length=128), nullable=False),
        sa.Column('depth', sa.Integer(), nullable=False),
        sa.Column('created_at', UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['org_id'], ['organizations.org_id'], ondelete='CASCADE',
                                name=op.f('fk_org_units_org_id_organizations')),
        sa.ForeignKeyConstraint(['parent_id'], ['org_units.unit_id'], name=op.f('fk_org_units_parent_id_org_units')),
        sa.PrimaryKeyConstraint('unit_id', name=op.f('pk_org_units')),
        sa.UniqueConstraint('parent_id', 'name_lower', name=op.f('uq_org_units_parent_id_name_lower')),
    )
    op.create_index(op.f('ix_org_units_org_id_parent_id'), 'org_units', ['org_id', 'parent_id'])
    op.create_table(
        'org_accounts',
        sa.Column('account_id', sa.String(length=12), nullable=False),
        sa.Column('org_id', sa.String(length=34), nullable=False),
        sa.Column('parent_id', sa.String(length=68), nullable=False),
        sa.Column('name', sa.String(length=50), nullable=False),
        sa.Column('email', sa.String(length=64), nullable=False),
        sa.Column('email_lower', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('joined_method', sa.String(length=16), nullable=False),
        sa.Column('joined_at', UtcDateTime(), nullable=False),
        sa.Column('closed_at', UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.account_id'], ondelete='CASCADE',
                                name=op.f('fk_org_accounts_account_id_accounts')),
        sa.ForeignKeyConstraint(['org_id'], ['organizations.org_id'], ondelete='CASCADE',
                                name=op.f('fk_org_accounts_org_id_organizations')),
        sa.ForeignKeyConstraint(['parent_id'], ['org_units.unit_id'], name=op.f('fk_org_accounts_parent_id_org_units')),
        sa.PrimaryKeyConstraint('account_id', name=op.f('pk_org_accounts')),
        sa.UniqueConstraint('email_lower', name=op.f('uq_org_accounts_email_lower')),
    )
    op.create_index(op.f('ix_org_accounts_org_id_parent_id'), 'org_accounts', ['org_id', 'parent_id'])
    op.create_table(
        'org_policies',
        sa.Column('org_id', sa.String(length=34), nullable=False),
        sa.Column('policy_id', sa.String(length=130), nullable=False),
        sa.Column('policy_type', sa.String(length=40), nullable=False),
        sa.Column('name', sa.String(length=128), nullable=False),
        sa.Column('name_lower', sa.String(length=128), nullable=False),
        sa.Column('description', sa.String(length=512), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('aws_managed', sa.Boolean(), nullable=False),
        sa.Column('created_at', UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['org_id'], ['organizations.org_id'], ondelete='CASCADE',
                                name=op.f('fk_org_policies_org_id_organizations')),
        sa.PrimaryKeyConstraint('org_id', 'policy_id', name=op.f('pk_org_policies')),
        sa.UniqueConstraint('org_id', 'policy_type', 'name_lower',
                            name=op.f('uq_org_policies_org_id_policy_type_name_lower')),
    )
    op.create_table(
        'org_policy_attachments',
        sa.Column('org_id', sa.String(length=34), nullable=False),
        sa.Column('policy_id', sa.String(length=130), nullable=False),
        sa.Column('target_id', sa.String(length=68), nullable=False),
        sa.Column('attached_at', UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['org_id', 'policy_id'], ['org_policies.org_id', 'org_policies.policy_id'],
                                name=op.f('fk_org_policy_attachments_org_id_org_policies')),
        sa.PrimaryKeyConstraint('org_id', 'policy_id', 'target_id', name=op.f('pk_org_policy_attachments')),
    )
    op.create_index(op.f('ix_org_policy_attachments_org_id_target_id'), 'org_policy_attachments',
                    ['org_id', 'target_id'])
    op.create_table(
        'org_policy_types',
        sa.Column('org_id', sa.String(length=34), nullable=False),
        sa.Column('policy_type', sa.String(length=40), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(['org_id'], ['organizations.org_id'], ondelete='CASCADE',
                                name=op.f('fk_org_policy_types_org_id_organizations')),
        sa.PrimaryKeyConstraint('org_id', 'policy_type', name=op.f('pk_org_policy_types')),
    )
    op.create_table(
        'org_handshakes',
        sa.Column('handshake_id', sa.String(length=66), nullable=False),
        sa.Column('org_id', sa.String(length=34), nullable=False),
        sa.Column('action', sa.String(length=32), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('target_account_id', sa.String(length=12), nullable=True),
        sa.Column('parties', sa.Text(), nullable=False),
        sa.Column('resources', sa.Text(), nullable=False),
        sa.Column('requested_at', UtcDateTime(), nullable=False),
        sa.Column('expires_at', UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['org_id'], ['organizations.org_id'], ondelete='CASCADE',
                                name=op.f('fk_org_handshakes_org_id_organizations')),
        sa.PrimaryKeyConstraint('handshake_id', name=op.f('pk_org_handshakes')),
    )
    op.create_index(op.f('ix_org_handshakes_target_account_id'), 'org_handshakes', ['target_account_id'])
    op.create_table(
        'org_create_account_status',
        sa.Column('request_id', sa.String(length=36), nullable=False),
        sa.Column('org_id', sa.String(length=34), nullable=False),
        sa.Column('account_name', sa.String(length=50), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('account_id', sa.String(length=12), nullable=True),
        sa.Column('failure_reason', sa.String(length=64), nullable=True),
        sa.Column('requested_at', UtcDateTime(), nullable=False),
        sa.Column('completed_at', UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['org_id'], ['organizations.org_id'], ondelete='CASCADE',
                                name=op.f('fk_org_create_account_status_org_id_organizations')),
        sa.PrimaryKeyConstraint('request_id', name=op.f('pk_org_create_account_status')),
    )
    op.create_index(op.f('ix_org_create_account_status_org_id_requested_at'), 'org_create_account_status',
                    ['org_id', 'requested_at'])
    op.create_table(
        'org_delegated_admins',
        sa.Column('org_id', sa.String(length=34), nullable=False),
        sa.Column('account_id', sa.String(length=12), nullable=False),
        sa.Column('service_principal', sa.String(length=128), nullable=False),
        sa.Column('enabled_at', UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.account_id'], ondelete='CASCADE',
                                name=op.f('fk_org_delegated_admins_account_id_accounts')),
        sa.ForeignKeyConstraint(['org_id'], ['organizations.org_id'], ondelete='CASCADE',
                                name=op.f('fk_org_delegated_admins_org_id_organizations')),
        sa.PrimaryKeyConstraint('org_id', 'account_id', 'service_principal', name=op.f('pk_org_delegated_admins')),
    )
    op.create_table(
        'org_service_access',
        sa.Column('org_id', sa.String(length=34), nullable=False),
        sa.Column('service_principal', sa.String(length=128), nullable=False),
        sa.Column('enabled_at', UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['org_id'], ['organizations.org_id'], ondelete='CASCADE',
                                name=op.f('fk_org_service_access_org_id_organizations')),
        sa.PrimaryKeyConstraint('org_id', 'service_principal', name=op.f('pk_org_service_access')),
    )
    op.create_table(
        'org_iam_features',
        sa.Column('org_id', sa.String(length=34), nullable=False),
        sa.Column('feature', sa.String(length=64), nullable=False),
        sa.Column('enabled_at', UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['org_id'], ['organizations.org_id'], ondelete='CASCADE',
                                name=op.f('fk_org_iam_features_org_id_organizations')),
        sa.PrimaryKeyConstraint('org_id', 'feature', name=op.f('pk_org_iam_features')),
    )


def downgrade() -> None:
    for table in (
        'org_iam_features', 'org_service_access', 'org_delegated_admins', 'org_create_account_status',
        'org_handshakes', 'org_policy_types', 'org_policy_attachments', 'org_policies', 'org_accounts',
        'org_units', 'organizations',
    ):
        op.drop_table(table)
