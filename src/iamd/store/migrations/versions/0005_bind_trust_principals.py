"""trust policies name users and roles by unique id

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 12:00:00.000000

Trust policies saved by earlier versions hold user and role ARNs, which a deleted and recreated
entity of the same name would match. Each ARN becomes its entity's unique id, as saving does now.
An ARN that names no entity today (deleted since, or never created: earlier versions did not
check) becomes an id no entity has, so it matches nothing, as in AWS, where such a policy could
not have been saved or would show the id of the deleted entity.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from iamd.auth.ids import new_unique_id
from iamd.policy.errors import PolicySyntaxError
from iamd.policy.principal_names import USER_OR_ROLE_ARN, principal_names, rename

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

_columns = ('account_id', 'path', 'name', 'assume_role_policy')
_users = sa.table('users', sa.column('user_id'), *(sa.column(c) for c in _columns[:3]))
_roles = sa.table('roles', sa.column('role_id'), *(sa.column(c) for c in _columns))
_PREFIX = {'user': 'AIDA', 'role': 'AROA'}


def _entities(conn: sa.Connection) -> dict[str, str]:
    """ARN → unique id of every user and role."""
    out: dict[str, str] = {}
    for kind, table, id_column in (('user', _users, 'user_id'), ('role', _roles, 'role_id')):
        query = sa.select(table.c[id_column], table.c.account_id, table.c.path, table.c.name)
        for entity_id, account_id, path, name in conn.execute(query):
            out[f'arn:aws:iam::{account_id}:{kind}{path}{name}'] = entity_id
    return out


def _rewrite(conn: sa.Connection, mapping_of: dict[str, str], unknown: bool) -> None:
    """Rename each role's bindable names through ``mapping_of``; with ``unknown``, names it does
    not map (ARNs of no entity) get a fresh id."""
    rows = conn.execute(sa.select(_roles.c.role_id, _roles.c.assume_role_policy)).all()
    for role_id, document in rows:
        try:
            names = principal_names(document)
        except PolicySyntaxError:
            continue
        mapping: dict[str, str] = {}
        for name in names:
            if name.value in mapping_of:
                mapping[name.value] = mapping_of[name.value]
                continue
            arn = USER_OR_ROLE_ARN.fullmatch(name.value)
            if unknown and arn is not None:
                mapping[name.value] = new_unique_id(_PREFIX[arn.group(2)])
        bound = rename(document, names, mapping)
        if bound != document:
            conn.execute(sa.update(_roles).where(_roles.c.role_id == role_id).values(assume_role_policy=bound))


def upgrade() -> None:
    _rewrite(op.get_bind(), _entities(op.get_bind()), unknown=True)


def downgrade() -> None:
    conn = op.get_bind()
    _rewrite(conn, {entity_id: arn for arn, entity_id in _entities(conn).items()}, unknown=False)
