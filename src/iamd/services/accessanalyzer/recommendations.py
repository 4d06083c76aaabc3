"""GenerateFindingRecommendation and GetFindingRecommendation: recommendations are made "for an
unused permissions finding" only (API Reference).

A recommendation scopes down the policies that grant the finding's unused service: for each of
the role's or user's own policies whose grants of that service the engine allows
(``analysis/granted``), the policy without it — ``CREATE_POLICY`` with ``recommendedPolicy`` and
``existingPolicyId`` (the inline policy's name or the managed policy's ARN) — or, when nothing else
is left in it, ``DETACH_POLICY``. Removing means: action patterns naming the service are dropped;
an ``Action`` of ``*`` becomes ``NotAction`` ``SERVICE:*``; a ``NotAction`` statement gets
``SERVICE:*`` added. A pattern with a wildcard in its service part (``*:Get*``) is kept as written
(docs/access-analyzer.md). Policies of the user's groups are not rewritten (they are the group's).

It is computed when generated and kept (``activity_jobs``, kind ``recommendation``); an unknown
finding is the operations' modelled error (``ValidationException`` for Generate, which models no
ResourceNotFound; ``ResourceNotFound`` for Get), a finding of another type ``ValidationException``.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import Row

from iamd.analysis.granted import granted
from iamd.policy import RequestPrincipal
from iamd.policy.principal import PrincipalType
from iamd.services.accessanalyzer import sync
from iamd.services.accessanalyzer.common import analyzer_at, dumps, loads, lock, page
from iamd.services.accessanalyzer.errors import AaValidation, ResourceNotFound
from iamd.services.context import Call
from iamd.services.iam.policy_sources import policy_sets
from iamd.services.registry import action
from iamd.store import aa_repo, activity_repo
from iamd.store.repos import roles, users

FINDING = "AWS::AccessAnalyzer::Finding"
KIND = "recommendation"


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def without_service(document: dict[str, Any], namespace: str) -> dict[str, Any]:
    """``document`` with its Allow statements no longer granting ``namespace``."""
    ns = namespace.lower()
    out = []
    for stmt in _list(document.get("Statement", [])):
        if not isinstance(stmt, dict) or stmt.get("Effect") != "Allow":
            out.append(stmt)
            continue
        stmt = dict(stmt)
        if "NotAction" in stmt:
            stmt["NotAction"] = [*_list(stmt["NotAction"]), f"{namespace}:*"]
            out.append(stmt)
            continue
        kept, everything = [], False
        for pattern in _list(stmt.get("Action", [])):
            if pattern == "*":
                everything = True
            elif str(pattern).partition(":")[0].lower() != ns:
                kept.append(pattern)
        if everything:
            stmt.pop("Action", None)
            stmt["NotAction"] = [f"{namespace}:*"]
            out.append(stmt)
        elif kept:
            stmt["Action"] = kept
            out.append(stmt)
    return {**document, "Statement": out}


def _steps(call: Call, finding: Row[Any]) -> list[dict[str, Any]]:
    namespace = loads(finding.details, {}).get("unusedPermissionDetails", {}).get("serviceNamespace")
    arn = finding.resource_arn
    kind = "role" if ":role/" in arn else "user"
    name = arn.rsplit("/", 1)[-1]
    account = finding.resource_owner_account
    entity = (roles if kind == "role" else users).get_by_name(call.conn, account, name)
    if entity is None or not namespace:
        return []
    identity, boundary = policy_sets(call).entity_policies(call.conn, kind, entity)
    principal = (RequestPrincipal(arn, account, PrincipalType.ROLE_SESSION, source_arn=arn) if kind == "role"
                 else RequestPrincipal(arn, account, PrincipalType.USER, id=entity.user_id))
    steps = []
    for policy in identity:
        label = policy.policy_id
        own = label.startswith("arn:") or label.startswith(f"{kind}/{entity.name}/")
        if not own or namespace not in granted(identity, boundary, principal, only=[policy]):
            continue
        existing = label if label.startswith("arn:") else label.rsplit("/", 1)[-1]
        rewritten = without_service(json.loads(policy.text), namespace)
        if not rewritten["Statement"]:
            steps.append({"unusedPermissionsRecommendedStep": {"recommendedAction": "DETACH_POLICY",
                                                               "existingPolicyId": existing}})
        else:
            steps.append({"unusedPermissionsRecommendedStep": {
                "recommendedAction": "CREATE_POLICY", "existingPolicyId": existing,
                "recommendedPolicy": json.dumps(rewritten, separators=(",", ":"))}})
    return steps


@action("accessanalyzer", "GenerateFindingRecommendation")
def generate_finding_recommendation(call: Call, p: dict[str, Any]) -> None:
    lock(call)
    analyzer = sync.current(call, analyzer_at(call, p["analyzerArn"]))
    row = aa_repo.finding(call.conn, analyzer.analyzer_id, p["id"])
    if row is None:
        raise AaValidation("Finding not found", "fieldValidationFailed", "id")
    if row.finding_type != "UnusedPermission":
        raise AaValidation("Recommendations are generated only for unused permissions findings.",
                           "notSupported", "id")
    result = {"steps": _steps(call, row), "resourceArn": row.resource_arn}
    activity_repo.add_job(call.conn, {
        "job_id": str(uuid.uuid4()), "account_id": call.account_id, "kind": KIND, "principal_arn": row.resource_arn,
        "status": "SUCCEEDED", "params": dumps({"analyzer": analyzer.analyzer_id, "finding": row.finding_id}),
        "result": dumps(result), "started_at": call.now, "completed_at": call.now})


@action("accessanalyzer", "GetFindingRecommendation")
def get_finding_recommendation(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    analyzer = analyzer_at(call, p["analyzerArn"])
    row = aa_repo.finding(call.conn, analyzer.analyzer_id, p["id"])
    if row is None:
        raise ResourceNotFound("Finding not found", p["id"], FINDING)
    made = [j for j in activity_repo.jobs(call.conn, call.account_id, KIND, row.resource_arn)
            if loads(j.params, {}) == {"analyzer": analyzer.analyzer_id, "finding": row.finding_id}]
    if not made:
        raise ResourceNotFound("No recommendation was generated for this finding.", p["id"], FINDING)
    job = made[0]  # newest first
    result = loads(job.result, {})
    steps, token = page(call, result["steps"], p, ["GetFindingRecommendation", job.job_id])
    out: dict[str, Any] = {"recommendationType": "UnusedPermissionRecommendation", "status": job.status,
                           "startedAt": job.started_at, "completedAt": job.completed_at,
                           "resourceArn": result["resourceArn"], "recommendedSteps": steps}
    if token:
        out["nextToken"] = token
    return out
