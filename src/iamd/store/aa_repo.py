"""Reading and writing Access Analyzer's tables (``aa_schema``); no rules, only queries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from iamd.store.aa_schema import (
    aa_access_previews,
    aa_analyzed_resources,
    aa_analyzers,
    aa_archive_rules,
    aa_findings,
)

# --- analyzers ----------------------------------------------------------------------------


def add_analyzer(conn: Connection, values: Mapping[str, Any]) -> None:
    conn.execute(insert(aa_analyzers).values(**values))


def analyzer_named(conn: Connection, account_id: str, region: str, name: str) -> Row[Any] | None:
    t = aa_analyzers
    return conn.execute(select(t).where(t.c.account_id == account_id, t.c.region == region, t.c.name == name)).first()


def analyzer_by_arn(conn: Connection, arn: str) -> Row[Any] | None:
    return conn.execute(select(aa_analyzers).where(aa_analyzers.c.arn == arn)).first()


def analyzers(conn: Connection, account_id: str, region: str, kind: str | None = None) -> list[Row[Any]]:
    t = aa_analyzers
    q = select(t).where(t.c.account_id == account_id, t.c.region == region)
    if kind is not None:
        q = q.where(t.c.type == kind)
    return list(conn.execute(q.order_by(t.c.name)).all())


def count_analyzers(conn: Connection, account_id: str, region: str, kind: str) -> int:
    t = aa_analyzers
    q = select(func.count()).select_from(t).where(t.c.account_id == account_id, t.c.region == region, t.c.type == kind)
    return int(conn.execute(q).scalar_one())


def update_analyzer(conn: Connection, analyzer_id: str, **values: Any) -> None:
    conn.execute(update(aa_analyzers).where(aa_analyzers.c.analyzer_id == analyzer_id).values(**values))


def delete_analyzer(conn: Connection, analyzer_id: str) -> None:
    for table in (aa_findings, aa_analyzed_resources, aa_archive_rules, aa_access_previews):
        conn.execute(delete(table).where(table.c.analyzer_id == analyzer_id))
    conn.execute(delete(aa_analyzers).where(aa_analyzers.c.analyzer_id == analyzer_id))


# --- archive rules ------------------------------------------------------------------------


def rules(conn: Connection, analyzer_id: str) -> list[Row[Any]]:
    t = aa_archive_rules
    return list(conn.execute(select(t).where(t.c.analyzer_id == analyzer_id).order_by(t.c.rule_name)).all())


def rule(conn: Connection, analyzer_id: str, name: str) -> Row[Any] | None:
    t = aa_archive_rules
    return conn.execute(select(t).where(t.c.analyzer_id == analyzer_id, t.c.rule_name == name)).first()


def add_rule(conn: Connection, values: Mapping[str, Any]) -> None:
    conn.execute(insert(aa_archive_rules).values(**values))


def update_rule(conn: Connection, analyzer_id: str, name: str, **values: Any) -> None:
    t = aa_archive_rules
    conn.execute(update(t).where(t.c.analyzer_id == analyzer_id, t.c.rule_name == name).values(**values))


def delete_rule(conn: Connection, analyzer_id: str, name: str) -> None:
    t = aa_archive_rules
    conn.execute(delete(t).where(t.c.analyzer_id == analyzer_id, t.c.rule_name == name))


# --- findings and analyzed resources --------------------------------------------------------


def findings(conn: Connection, analyzer_id: str, resource_arn: str | None = None) -> list[Row[Any]]:
    t = aa_findings
    q = select(t).where(t.c.analyzer_id == analyzer_id)
    if resource_arn is not None:
        q = q.where(t.c.resource_arn == resource_arn)
    return list(conn.execute(q.order_by(t.c.created_at, t.c.finding_id)).all())


def finding(conn: Connection, analyzer_id: str, finding_id: str) -> Row[Any] | None:
    t = aa_findings
    return conn.execute(select(t).where(t.c.analyzer_id == analyzer_id, t.c.finding_id == finding_id)).first()


def add_finding(conn: Connection, values: Mapping[str, Any]) -> None:
    conn.execute(insert(aa_findings).values(**values))


def update_finding(conn: Connection, finding_id: str, **values: Any) -> None:
    conn.execute(update(aa_findings).where(aa_findings.c.finding_id == finding_id).values(**values))


def resources(conn: Connection, analyzer_id: str) -> list[Row[Any]]:
    t = aa_analyzed_resources
    return list(conn.execute(select(t).where(t.c.analyzer_id == analyzer_id).order_by(t.c.resource_arn)).all())


def resource(conn: Connection, analyzer_id: str, arn: str) -> Row[Any] | None:
    t = aa_analyzed_resources
    return conn.execute(select(t).where(t.c.analyzer_id == analyzer_id, t.c.resource_arn == arn)).first()


def put_resource(conn: Connection, analyzer_id: str, arn: str, values: Mapping[str, Any]) -> None:
    t = aa_analyzed_resources
    changed = conn.execute(update(t).where(t.c.analyzer_id == analyzer_id, t.c.resource_arn == arn).values(**values))
    if not changed.rowcount:
        conn.execute(insert(t).values(analyzer_id=analyzer_id, resource_arn=arn, created_at=values["updated_at"], **values))


def delete_resource(conn: Connection, analyzer_id: str, arn: str) -> None:
    t = aa_analyzed_resources
    conn.execute(delete(t).where(t.c.analyzer_id == analyzer_id, t.c.resource_arn == arn))


# --- access previews ----------------------------------------------------------------------


def add_preview(conn: Connection, values: Mapping[str, Any]) -> None:
    conn.execute(insert(aa_access_previews).values(**values))


def preview(conn: Connection, analyzer_id: str, preview_id: str) -> Row[Any] | None:
    t = aa_access_previews
    return conn.execute(select(t).where(t.c.analyzer_id == analyzer_id, t.c.preview_id == preview_id)).first()


def previews(conn: Connection, analyzer_id: str) -> list[Row[Any]]:
    t = aa_access_previews
    return list(conn.execute(select(t).where(t.c.analyzer_id == analyzer_id).order_by(t.c.created_at, t.c.preview_id)).all())


# --- what analyzers read --------------------------------------------------------------------


def roles_of(conn: Connection, account_ids: list[str]) -> list[Any]:
    """Every role of the accounts (id, account, path, name, stored trust policy), for analysis."""
    from iamd.store.schema import roles

    q = select(roles.c.role_id, roles.c.account_id, roles.c.path, roles.c.name, roles.c.assume_role_policy)
    return list(conn.execute(q.where(roles.c.account_id.in_(account_ids)).order_by(roles.c.role_id)).all())


def generations(conn: Connection, account_ids: list[str]) -> dict[str, int]:
    from iamd.store.schema import accounts

    q = select(accounts.c.account_id, accounts.c.generation).where(accounts.c.account_id.in_(account_ids))
    return {r.account_id: int(r.generation) for r in conn.execute(q)}
