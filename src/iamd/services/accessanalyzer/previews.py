"""Access previews: CreateAccessPreview, GetAccessPreview, ListAccessPreviews,
ListAccessPreviewFindings — the findings a proposed trust policy would produce, before it is
applied.

IAM User Guide, "Preview access with IAM Access Analyzer APIs": an access preview "analyzes
the proposed permissions"; each finding says whether it is ``NEW`` (access not granted today),
``UNCHANGED`` or ``CHANGED`` against the resource's existing findings, with the existing
finding's id and status, and a current finding the proposal no longer grants appears as
``RESOLVED``. The analyzer's archive rules apply to previews as to findings. For an existing
role with no proposed ``trustPolicy`` "the access preview uses the existing trust policy"; a new
role must propose one. iamd holds roles, so only ``iamRole`` configurations can be previewed;
others are ``ValidationException`` ``notSupported`` (docs/access-analyzer.md). The preview is
decided by the same engine path as findings (``analysis/external_access``) and is complete
when CreateAccessPreview returns.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Row

from iamd.analysis.external_access import role_access
from iamd.policy import PolicyType, validate_policy
from iamd.services.accessanalyzer import filters, sync, views
from iamd.services.accessanalyzer.common import analyzer_at, dumps, external, loads, lock, page, zone_of
from iamd.services.accessanalyzer.errors import AaValidation, QuotaExceeded, ResourceNotFound
from iamd.services.context import Call
from iamd.services.iam import principal_binding
from iamd.services.registry import action
from iamd.store import aa_repo, orgs
from iamd.store.repos import roles

PREVIEW = "AWS::AccessAnalyzer::AccessPreview"
MAX_CONFIGURATIONS = 100
PREVIEWS_PER_HOUR = 1000


def _role_name(call: Call, arn: str) -> str:
    prefix = f"arn:aws:iam::{call.account_id}:role/"
    if not arn.startswith(prefix) or arn.endswith("/"):
        raise AaValidation(f"{arn[:256]} is not a role of this account.", "fieldValidationFailed", "configurations")
    return arn.rsplit("/", 1)[-1]


def _proposed(call: Call, arn: str, configuration: dict[str, Any]) -> str:
    others = [k for k in configuration if k != "iamRole"]
    if others or "iamRole" not in configuration:
        raise AaValidation(f"iamd previews IAM roles only, not {', '.join(others) or 'this configuration'}.",
                           "notSupported", "configurations")
    policy = configuration["iamRole"].get("trustPolicy")
    if policy is None:
        row = roles.get_by_name(call.conn, call.account_id, _role_name(call, arn))
        if row is None:
            raise AaValidation("A new role's configuration must propose a trust policy.", "fieldValidationFailed",
                               "configurations")
        stored = str(row.assume_role_policy)
        return principal_binding.shown(call.conn, [stored]).get(stored, stored)
    _role_name(call, arn)
    problems = validate_policy(policy, PolicyType.TRUST)
    if problems:
        raise AaValidation(f"The proposed trust policy of {arn[:256]} is invalid: {problems[0].message}",
                           "fieldValidationFailed", "configurations")
    return str(policy)


@action("accessanalyzer", "CreateAccessPreview")
def create_access_preview(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    lock(call)
    analyzer = sync.current(call, analyzer_at(call, p["analyzerArn"]))
    if not external(analyzer):
        raise AaValidation("Access previews are supported only for external access analyzers.", "notSupported",
                           "analyzerArn")
    configurations = p["configurations"]
    if len(configurations) > MAX_CONFIGURATIONS:
        raise AaValidation(f"An access preview has at most {MAX_CONFIGURATIONS} configurations.",
                           "fieldValidationFailed", "configurations")
    hour_ago = call.now.timestamp() - 3600
    recent = [r for r in aa_repo.previews(call.conn, analyzer.analyzer_id) if r.created_at.timestamp() > hour_ago]
    if len(recent) >= PREVIEWS_PER_HOUR:
        raise QuotaExceeded("At most 1,000 access previews per analyzer per hour.", analyzer.arn, PREVIEW)
    proposed = {arn: _proposed(call, arn, config) for arn, config in configurations.items()}
    zone = zone_of(call, analyzer)
    rules = [loads(r.filter, {}) for r in aa_repo.rules(call.conn, analyzer.analyzer_id)]

    def org_of(account: str) -> str | None:
        org = orgs.org_of_account(call.conn, account)
        return None if org is None else str(org.org_id)

    found: list[dict[str, Any]] = []
    for arn, document in proposed.items():
        current = {f.finding_key: f for f in aa_repo.findings(call.conn, analyzer.analyzer_id, arn)
                   if f.finding_type == "ExternalAccess" and f.status != "RESOLVED"}
        for access in role_access(document, arn, call.account_id, zone, org_of):
            existing = current.pop(sync.finding_key(access), None)
            item: dict[str, Any] = {
                "id": str(uuid.uuid4()), "principal": access.principal, "action": list(access.actions),
                "condition": access.condition, "isPublic": access.is_public, "resource": arn,
                "resourceType": sync.ROLE, "resourceOwnerAccount": call.account_id, "createdAt": call.now,
                "changeType": "NEW" if existing is None else
                "UNCHANGED" if existing.actions == dumps(list(access.actions)) else "CHANGED",
            }
            if existing is not None:
                item["existingFindingId"], item["existingFindingStatus"] = existing.finding_id, existing.status
                item["status"] = existing.status
            else:
                item["status"] = "ARCHIVED" if sync.archived_by(rules, item) else "ACTIVE"
            found.append(item)
        for gone in current.values():
            view = views.finding(gone)
            found.append({**{k: view[k] for k in ("principal", "action", "condition", "isPublic") if k in view},
                          "id": str(uuid.uuid4()), "resource": arn, "resourceType": sync.ROLE,
                          "resourceOwnerAccount": call.account_id, "createdAt": call.now, "changeType": "CHANGED",
                          "status": "RESOLVED", "existingFindingId": gone.finding_id,
                          "existingFindingStatus": gone.status})
    preview_id = str(uuid.uuid4())
    stored = [{**f, "createdAt": f["createdAt"].isoformat()} for f in found]
    aa_repo.add_preview(call.conn, {"preview_id": preview_id, "analyzer_id": analyzer.analyzer_id,
                                    "configurations": dumps(configurations), "status": "COMPLETED",
                                    "findings": dumps(stored), "created_at": call.now})
    return {"id": preview_id}


def _preview(call: Call, p: dict[str, Any]) -> tuple[Row[Any], Row[Any]]:
    analyzer = analyzer_at(call, p["analyzerArn"])
    row = aa_repo.preview(call.conn, analyzer.analyzer_id, p["accessPreviewId"])
    if row is None:
        raise ResourceNotFound("Access preview not found", p["accessPreviewId"], PREVIEW)
    return analyzer, row


def _summary(analyzer: Row[Any], row: Row[Any]) -> dict[str, Any]:
    return {"id": row.preview_id, "analyzerArn": analyzer.arn, "createdAt": row.created_at, "status": row.status}


@action("accessanalyzer", "GetAccessPreview")
def get_access_preview(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    analyzer, row = _preview(call, p)
    return {"accessPreview": {**_summary(analyzer, row), "configurations": loads(row.configurations, {})}}


@action("accessanalyzer", "ListAccessPreviews")
def list_access_previews(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    analyzer = analyzer_at(call, p["analyzerArn"])
    shown, token = page(call, aa_repo.previews(call.conn, analyzer.analyzer_id), p, ["ListAccessPreviews", analyzer.arn])
    return {"accessPreviews": [_summary(analyzer, r) for r in shown], **({"nextToken": token} if token else {})}


@action("accessanalyzer", "ListAccessPreviewFindings")
def list_access_preview_findings(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    analyzer, row = _preview(call, p)
    filters.check(p.get("filter"))
    items = [f for f in loads(row.findings, []) if filters.matches(p.get("filter"), f)]
    shown, token = page(call, items, p, ["ListAccessPreviewFindings", row.preview_id, p.get("filter")])
    return {"findings": shown, **({"nextToken": token} if token else {})}
