"""Findings and analyzed resources as the API shapes them (``Finding``, ``FindingSummaryV2``,
``AnalyzedResource``), from their rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from iamd.services.accessanalyzer.common import loads


def finding(row: Any) -> dict[str, Any]:
    """A finding in ``Finding`` / ``FindingSummary`` shape, plus ``findingType`` for filters."""
    out: dict[str, Any] = {
        "id": row.finding_id,
        "resource": row.resource_arn,
        "resourceType": row.resource_type,
        "resourceOwnerAccount": row.resource_owner_account,
        "status": row.status,
        "createdAt": row.created_at,
        "updatedAt": row.updated_at,
        "analyzedAt": row.analyzed_at,
        "findingType": row.finding_type,
        "condition": loads(row.condition, {}),
    }
    if row.principal is not None:
        out["principal"] = loads(row.principal)
    if row.actions is not None:
        out["action"] = loads(row.actions)
    if row.is_public is not None:
        out["isPublic"] = bool(row.is_public)
    if row.sources is not None:
        out["sources"] = loads(row.sources)
    if row.error is not None:
        out["error"] = row.error
    return out


def finding_v2_details(row: Row[Any]) -> list[dict[str, Any]]:
    """``findingDetails`` of GetFindingV2: the external access, or the unused-access entry kept
    in ``details`` by the analysis that found it."""
    if row.finding_type != "ExternalAccess":
        return [loads(row.details, {})]
    view = finding(row)
    details = {k: view[k] for k in ("action", "condition", "isPublic", "principal", "sources") if k in view}
    return [{"externalAccessDetails": details}]


def resource(row: Row[Any], status: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resourceArn": row.resource_arn,
        "resourceType": row.resource_type,
        "resourceOwnerAccount": row.resource_owner_account,
        "createdAt": row.created_at,
        "updatedAt": row.updated_at,
        "analyzedAt": row.analyzed_at,
        "isPublic": bool(row.is_public),
        "actions": loads(row.actions, []),
    }
    if status is not None:
        out["status"] = status
    return out
