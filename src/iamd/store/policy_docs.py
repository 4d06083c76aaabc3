"""Reading the policy documents that apply to a principal, for authorization.

Returns ``(label, document)`` pairs; the label names the policy in explanations and AccessDenied
messages (a managed policy's ARN, or ``user/NAME/POLICY`` style for inline ones). AWS-managed
documents are not in the database; callers resolve those ARNs from the catalogue.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, bindparam, select, update

from iamd.store import schema

s = schema

_INLINE = select(s.inline_policies.c.principal_id, s.inline_policies.c.name, s.inline_policies.c.document).where(
    s.inline_policies.c.principal_type == bindparam("ptype"),
    s.inline_policies.c.principal_id.in_(bindparam("ids", expanding=True)),
).order_by(s.inline_policies.c.principal_id, s.inline_policies.c.name)

_ATTACHED = select(s.policy_attachments.c.policy_arn).where(
    s.policy_attachments.c.principal_type == bindparam("ptype"),
    s.policy_attachments.c.principal_id.in_(bindparam("ids", expanding=True)),
).order_by(s.policy_attachments.c.policy_arn)

_GROUPS_OF = (
    select(s.groups.c.group_id, s.groups.c.name)
    .join(s.group_members, s.group_members.c.group_id == s.groups.c.group_id)
    .where(s.group_members.c.user_id == bindparam("user_id"))
    .order_by(s.groups.c.name_lower)
)

_LOCAL_DEFAULT = (
    select(s.managed_policies.c.path, s.managed_policies.c.name, s.policy_versions.c.document)
    .join(
        s.policy_versions,
        (s.policy_versions.c.policy_id == s.managed_policies.c.policy_id)
        & (s.policy_versions.c.version_id == s.managed_policies.c.default_version),
    )
    .where(
        s.managed_policies.c.account_id == bindparam("account_id"),
        s.managed_policies.c.name_lower.in_(bindparam("names", expanding=True)),
    )
)

_GENERATION = select(s.accounts.c.generation).where(s.accounts.c.account_id == bindparam("account_id"))


def inline_documents(conn: Connection, principal_type: str, ids: Sequence[str]) -> list[tuple[str, str, str]]:
    """(principal_id, policy name, document) of the principals' inline policies."""
    if not ids:
        return []
    rows = conn.execute(_INLINE, {"ptype": principal_type, "ids": list(ids)})
    return [(r.principal_id, r.name, r.document) for r in rows]


def attached_arns(conn: Connection, principal_type: str, ids: Sequence[str]) -> list[str]:
    if not ids:
        return []
    return [r.policy_arn for r in conn.execute(_ATTACHED, {"ptype": principal_type, "ids": list(ids)})]


def groups_of(conn: Connection, user_id: str) -> list[tuple[str, str]]:
    """(group_id, group name) of a user's groups."""
    return [(r.group_id, r.name) for r in conn.execute(_GROUPS_OF, {"user_id": user_id})]


def local_managed_documents(conn: Connection, account_id: str, arns: Sequence[str]) -> dict[str, str]:
    """ARN → default version document, for the account's own managed policies among ``arns``."""
    prefix = f"arn:aws:iam::{account_id}:policy"
    wanted = [a for a in arns if a.startswith(prefix)]
    if not wanted:
        return {}
    names = sorted({a.rsplit("/", 1)[-1].lower() for a in wanted})
    found = {
        f"{prefix}{r.path}{r.name}": r.document
        for r in conn.execute(_LOCAL_DEFAULT, {"account_id": account_id, "names": names})
    }
    return {a: found[a] for a in wanted if a in found}


def generation(conn: Connection, account_id: str) -> int:
    return int(conn.execute(_GENERATION, {"account_id": account_id}).scalar() or 0)


def bump_generation(conn: Connection, account_id: str) -> None:
    conn.execute(
        update(s.accounts)
        .where(s.accounts.c.account_id == account_id)
        .values(generation=s.accounts.c.generation + 1)
    )
