"""Findings and analyzed resources: ListFindings, ListFindingsV2, GetFinding, GetFindingV2,
UpdateFindings, GetFindingsStatistics, StartResourceScan, GetAnalyzedResource,
ListAnalyzedResources.

Every call brings the analyzer up to date first (``sync.current``), so what it answers is what
the policies grant now. ``ListFindings``/``GetFinding`` are the external-access API ("To
retrieve findings for unused access analyzers, use ListFindingsV2"); the V2 operations carry
every finding type. A status can be set to ``ARCHIVED`` or back to ``ACTIVE``; a resolved
finding keeps its status (its access is gone).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from iamd.services.accessanalyzer import filters, sync, views
from iamd.services.accessanalyzer.common import ANALYZER, analyzer_at, external, lock, page
from iamd.services.accessanalyzer.errors import AaValidation, ResourceNotFound
from iamd.services.context import Call
from iamd.services.registry import action
from iamd.store import aa_repo

FINDING = "AWS::AccessAnalyzer::Finding"
MAX_IDS = 100


def _listed(call: Call, p: dict[str, Any], *, v2: bool) -> tuple[Row[Any], list[dict[str, Any]]]:
    analyzer = sync.current(call, analyzer_at(call, p["analyzerArn"]))
    filters.check(p.get("filter"))
    rows = aa_repo.findings(call.conn, analyzer.analyzer_id)
    items = [views.finding(r) for r in rows if v2 or r.finding_type == "ExternalAccess"]
    return analyzer, filters.sort([f for f in items if filters.matches(p.get("filter"), f)], p.get("sort"))


@action("accessanalyzer", "ListFindings")
def list_findings(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    analyzer, items = _listed(call, p, v2=False)
    shown, token = page(call, items, p, ["ListFindings", analyzer.arn, p.get("filter"), p.get("sort")])
    for f in shown:
        f.pop("findingType", None)
    return {"findings": shown, **({"nextToken": token} if token else {})}


_V2_SUMMARY = ("analyzedAt", "createdAt", "error", "id", "resource", "resourceType", "resourceOwnerAccount",
               "status", "updatedAt", "findingType")


@action("accessanalyzer", "ListFindingsV2")
def list_findings_v2(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    analyzer, items = _listed(call, p, v2=True)
    shown, token = page(call, items, p, ["ListFindingsV2", analyzer.arn, p.get("filter"), p.get("sort")])
    return {"findings": [{k: f[k] for k in _V2_SUMMARY if k in f} for f in shown],
            **({"nextToken": token} if token else {})}


def _finding(call: Call, p: dict[str, Any]) -> Row[Any]:
    analyzer = sync.current(call, analyzer_at(call, p["analyzerArn"]))
    row = aa_repo.finding(call.conn, analyzer.analyzer_id, p["id"])
    if row is None:
        raise ResourceNotFound("Finding not found", p["id"], FINDING)
    return row


@action("accessanalyzer", "GetFinding")
def get_finding(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    row = _finding(call, p)
    if row.finding_type != "ExternalAccess":
        raise ResourceNotFound("Finding not found; GetFindingV2 returns unused access findings.", p["id"], FINDING)
    view = views.finding(row)
    view.pop("findingType")
    return {"finding": view}


@action("accessanalyzer", "GetFindingV2")
def get_finding_v2(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    row = _finding(call, p)
    view = views.finding(row)
    out = {k: view[k] for k in _V2_SUMMARY if k in view}
    details, token = page(call, views.finding_v2_details(row), p, ["GetFindingV2", row.finding_id])
    out["findingDetails"] = details
    if token:
        out["nextToken"] = token
    return out


@action("accessanalyzer", "UpdateFindings")
def update_findings(call: Call, p: dict[str, Any]) -> None:
    lock(call)
    analyzer = sync.current(call, analyzer_at(call, p["analyzerArn"]))
    ids, resource = p.get("ids"), p.get("resourceArn")
    if (ids is None) == (resource is None):
        raise AaValidation("Specify either ids or resourceArn.", "fieldValidationFailed", "ids")
    if ids is not None and len(ids) > MAX_IDS:
        raise AaValidation(f"At most {MAX_IDS} finding ids can be updated at once.", "fieldValidationFailed", "ids")
    if ids is not None:
        rows = []
        for finding_id in dict.fromkeys(ids):
            row = aa_repo.finding(call.conn, analyzer.analyzer_id, finding_id)
            if row is None:
                raise ResourceNotFound("Finding not found", finding_id, FINDING)
            rows.append(row)
    else:
        rows = aa_repo.findings(call.conn, analyzer.analyzer_id, resource)
    for row in rows:
        if row.status != "RESOLVED" and row.status != p["status"]:
            aa_repo.update_finding(call.conn, row.finding_id, status=p["status"], updated_at=call.now)


@action("accessanalyzer", "GetFindingsStatistics")
def get_findings_statistics(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    analyzer = sync.current(call, analyzer_at(call, p["analyzerArn"]))
    rows = aa_repo.findings(call.conn, analyzer.analyzer_id)
    totals = {s: sum(1 for r in rows if r.status == s) for s in ("ACTIVE", "ARCHIVED", "RESOLVED")}
    last = max((r.updated_at for r in rows), default=analyzer.last_resource_analyzed_at or analyzer.created_at)
    counts = {"totalActiveFindings": totals["ACTIVE"], "totalArchivedFindings": totals["ARCHIVED"],
              "totalResolvedFindings": totals["RESOLVED"]}
    if not external(analyzer):
        return {"findingsStatistics": [{"unusedAccessFindingsStatistics": counts}], "lastUpdatedAt": last}
    by_type: dict[str, dict[str, int]] = {}
    for r in rows:
        if r.status != "ACTIVE":
            continue
        entry = by_type.setdefault(r.resource_type, {"totalActivePublic": 0, "totalActiveCrossAccount": 0,
                                                      "totalActiveErrors": 0})
        key = "totalActiveErrors" if r.error else "totalActivePublic" if r.is_public else "totalActiveCrossAccount"
        entry[key] += 1
    return {"findingsStatistics": [{"externalAccessFindingsStatistics": {"resourceTypeStatistics": by_type, **counts}}],
            "lastUpdatedAt": last}


@action("accessanalyzer", "StartResourceScan")
def start_resource_scan(call: Call, p: dict[str, Any]) -> None:
    lock(call)
    analyzer = analyzer_at(call, p["analyzerArn"])
    if not external(analyzer):
        raise AaValidation("StartResourceScan is supported only for external access analyzers.", "notSupported",
                           "analyzerArn")
    arn = p["resourceArn"]
    sync.current(call, analyzer, force=[arn])
    if aa_repo.resource(call.conn, analyzer.analyzer_id, arn) is None:
        raise ResourceNotFound("The resource is not one the analyzer analyzes.", arn, "AWS::IAM::Role")


def _status_of(call: Call, analyzer_id: str, arn: str) -> str | None:
    statuses = {f.status for f in aa_repo.findings(call.conn, analyzer_id, arn)}
    return next((s for s in ("ACTIVE", "ARCHIVED", "RESOLVED") if s in statuses), None)


@action("accessanalyzer", "GetAnalyzedResource")
def get_analyzed_resource(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    analyzer = sync.current(call, analyzer_at(call, p["analyzerArn"]))
    row = aa_repo.resource(call.conn, analyzer.analyzer_id, p["resourceArn"])
    if row is None:
        raise ResourceNotFound("Analyzed resource not found", p["resourceArn"], ANALYZER)
    return {"resource": views.resource(row, _status_of(call, analyzer.analyzer_id, row.resource_arn))}


@action("accessanalyzer", "ListAnalyzedResources")
def list_analyzed_resources(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    analyzer = sync.current(call, analyzer_at(call, p["analyzerArn"]))
    rows = [r for r in aa_repo.resources(call.conn, analyzer.analyzer_id)
            if p.get("resourceType") in (None, r.resource_type)]
    shown, token = page(call, rows, p, ["ListAnalyzedResources", analyzer.arn, p.get("resourceType")])
    items = [{"resourceArn": r.resource_arn, "resourceOwnerAccount": r.resource_owner_account,
              "resourceType": r.resource_type} for r in shown]
    return {"analyzedResources": items, **({"nextToken": token} if token else {})}
