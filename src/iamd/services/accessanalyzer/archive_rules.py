"""Archive rules: CreateArchiveRule, UpdateArchiveRule, DeleteArchiveRule, GetArchiveRule,
ListArchiveRules, ApplyArchiveRule.

"Archive rules automatically archive new findings that meet the criteria you define when you
create the rule" (API Reference, CreateArchiveRule); ApplyArchiveRule "retroactively applies the
archive rule to existing findings that meet the archive rule criteria" — the active ones (a
resolved finding stays resolved). At most 100 rules per analyzer, 20 values per criterion
("IAM Access Analyzer quotas").
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from iamd.services.accessanalyzer import filters, sync, views
from iamd.services.accessanalyzer.common import analyzer_at, analyzer_named, dumps, loads, lock, page
from iamd.services.accessanalyzer.errors import Conflict, QuotaExceeded, ResourceNotFound
from iamd.services.context import Call
from iamd.services.registry import action
from iamd.store import aa_repo

RULE = "AWS::AccessAnalyzer::ArchiveRule"
MAX_RULES = 100


def check_filter(filter_: dict[str, Any]) -> None:
    filters.check(filter_)


def _summary(row: Row[Any]) -> dict[str, Any]:
    return {"ruleName": row.rule_name, "filter": loads(row.filter, {}), "createdAt": row.created_at,
            "updatedAt": row.updated_at}


def _rule(call: Call, analyzer_id: str, name: str) -> Row[Any]:
    row = aa_repo.rule(call.conn, analyzer_id, name)
    if row is None:
        raise ResourceNotFound("Archive rule not found", name, RULE)
    return row


@action("accessanalyzer", "CreateArchiveRule")
def create_archive_rule(call: Call, p: dict[str, Any]) -> None:
    lock(call)
    analyzer = analyzer_named(call, p["analyzerName"])
    check_filter(p["filter"])
    name = p["ruleName"]
    if aa_repo.rule(call.conn, analyzer.analyzer_id, name) is not None:
        raise Conflict(f"Archive rule {name} already exists", name, RULE)
    if len(aa_repo.rules(call.conn, analyzer.analyzer_id)) >= MAX_RULES:
        raise QuotaExceeded(f"An analyzer can have at most {MAX_RULES} archive rules.", name, RULE)
    # Findings the rule will see as "new" are those found after now: bring the analyzer up to date
    # first, so access granted before the rule is not archived by it without ApplyArchiveRule.
    sync.current(call, analyzer)
    aa_repo.add_rule(call.conn, {"analyzer_id": analyzer.analyzer_id, "rule_name": name, "filter": dumps(p["filter"]),
                                 "created_at": call.now, "updated_at": call.now})


@action("accessanalyzer", "UpdateArchiveRule")
def update_archive_rule(call: Call, p: dict[str, Any]) -> None:
    lock(call)
    analyzer = analyzer_named(call, p["analyzerName"])
    _rule(call, analyzer.analyzer_id, p["ruleName"])
    check_filter(p["filter"])
    sync.current(call, analyzer)
    aa_repo.update_rule(call.conn, analyzer.analyzer_id, p["ruleName"], filter=dumps(p["filter"]), updated_at=call.now)


@action("accessanalyzer", "DeleteArchiveRule")
def delete_archive_rule(call: Call, p: dict[str, Any]) -> None:
    lock(call)
    analyzer = analyzer_named(call, p["analyzerName"])
    _rule(call, analyzer.analyzer_id, p["ruleName"])
    aa_repo.delete_rule(call.conn, analyzer.analyzer_id, p["ruleName"])


@action("accessanalyzer", "GetArchiveRule")
def get_archive_rule(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    analyzer = analyzer_named(call, p["analyzerName"])
    return {"archiveRule": _summary(_rule(call, analyzer.analyzer_id, p["ruleName"]))}


@action("accessanalyzer", "ListArchiveRules")
def list_archive_rules(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    analyzer = analyzer_named(call, p["analyzerName"])
    shown, token = page(call, aa_repo.rules(call.conn, analyzer.analyzer_id), p, ["ListArchiveRules", analyzer.arn])
    out: dict[str, Any] = {"archiveRules": [_summary(r) for r in shown]}
    if token:
        out["nextToken"] = token
    return out


@action("accessanalyzer", "ApplyArchiveRule")
def apply_archive_rule(call: Call, p: dict[str, Any]) -> None:
    lock(call)
    analyzer = sync.current(call, analyzer_at(call, p["analyzerArn"]))
    rule = loads(_rule(call, analyzer.analyzer_id, p["ruleName"]).filter, {})
    for row in aa_repo.findings(call.conn, analyzer.analyzer_id):
        if row.status == "ACTIVE" and filters.matches(rule, views.finding(row)):
            aa_repo.update_finding(call.conn, row.finding_id, status="ARCHIVED", updated_at=call.now)
