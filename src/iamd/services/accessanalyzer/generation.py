"""Policy generation from activity: StartPolicyGeneration, GetGeneratedPolicy,
ListPolicyGenerations, CancelPolicyGeneration.

"IAM Access Analyzer analyzes your CloudTrail events to identify actions and services that have
been used by an IAM entity (user or role)" and generates a policy of them (IAM User Guide,
"IAM Access Analyzer policy generation"). iamd's own audit trail is the record
(``analysis/activity``): a job reads the principal's uses in ``cloudTrailDetails``'
``startTime``–``endTime`` when it starts, so it completes at once (``SUCCEEDED``), or ``FAILED``
with AWS's job error — ``RESOURCE_NOT_FOUND_ERROR`` when the principal does not exist,
``AUTHORIZATION_ERROR`` when ``accessRole`` (the role AWS assumes to read the trails) is not a
role of the account. ``trails`` are validated as AWS's model does; iamd has one trail per account,
which they all name. The generated policy is rendered at read time: ``Resource`` ``*``, or with
``includeResourcePlaceholders`` the ARN templates of each action's resource types with
``${…}`` placeholders; with ``includeServiceLevelTemplate``, services whose actions the action
catalogue cannot name are granted at service level (``prefix:*``) instead of left out.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Row

from iamd.analysis.activity import every_use, same_principal
from iamd.authz import catalogue
from iamd.services.accessanalyzer.common import dumps, loads, lock, page
from iamd.services.accessanalyzer.errors import AaValidation, QuotaExceeded
from iamd.services.context import Call
from iamd.services.registry import action
from iamd.store import activity_repo

KIND = "policy-generation"
PRINCIPAL = re.compile(r"arn:[^:]*:iam::([^:]*):(role|user)/(.{1,576})")
TRAIL = re.compile(r"arn:[^:]*:cloudtrail:[^:]*:[^:]*:trail/.{1,576}")
ROLE = re.compile(r"arn:[^:]*:iam::([^:]*):role/(.{1,576})")
MAX_WINDOW = timedelta(days=90)
DAILY_QUOTA = 50  # "Policy generation requests per day" (IAM Access Analyzer quotas)
MAX_POLICY_CHARS = 6144  # a managed policy's size; larger results are split across policies


def _aware(value: Any, field: str) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise AaValidation(f"{field} must be a timestamp.", "fieldValidationFailed", field)


def _trails(details: dict[str, Any]) -> list[dict[str, Any]]:
    trails = details.get("trails")
    if not isinstance(trails, list) or not trails:
        raise AaValidation("cloudTrailDetails.trails must name at least one trail.", "fieldValidationFailed",
                           "cloudTrailDetails.trails")
    out = []
    for trail in trails:
        arn = trail.get("cloudTrailArn") if isinstance(trail, dict) else None
        if not isinstance(arn, str) or not TRAIL.fullmatch(arn):
            raise AaValidation("cloudTrailArn must be a CloudTrail trail ARN.", "fieldValidationFailed",
                               "cloudTrailDetails.trails.cloudTrailArn")
        regions = trail.get("regions", [])
        if not isinstance(regions, list) or not all(isinstance(r, str) and r for r in regions):
            raise AaValidation("regions must be a list of Region names.", "fieldValidationFailed",
                               "cloudTrailDetails.trails.regions")
        entry: dict[str, Any] = {"cloudTrailArn": arn, "regions": regions}
        if trail.get("allRegions") is not None:
            entry["allRegions"] = bool(trail["allRegions"])
        out.append(entry)
    return out


@action("accessanalyzer", "StartPolicyGeneration")
def start_policy_generation(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    lock(call)
    principal = (p.get("policyGenerationDetails") or {}).get("principalArn")
    found = PRINCIPAL.fullmatch(principal) if isinstance(principal, str) else None
    if found is None:
        raise AaValidation("principalArn must be the ARN of an IAM role or user.", "fieldValidationFailed",
                           "policyGenerationDetails.principalArn")
    principal = found.group(0)
    if found.group(1) != call.account_id:
        raise AaValidation("principalArn must be an IAM role or user of your account.", "fieldValidationFailed",
                           "policyGenerationDetails.principalArn")
    details = p.get("cloudTrailDetails")
    if not isinstance(details, dict):
        raise AaValidation("cloudTrailDetails is required: iamd generates policies from the trail.",
                           "fieldValidationFailed", "cloudTrailDetails")
    trails = _trails(details)
    role = details.get("accessRole")
    role_match = ROLE.fullmatch(role) if isinstance(role, str) else None
    if role_match is None:
        raise AaValidation("accessRole must be the ARN of an IAM role.", "fieldValidationFailed",
                           "cloudTrailDetails.accessRole")
    if details.get("startTime") is None:
        raise AaValidation("startTime is required.", "fieldValidationFailed", "cloudTrailDetails.startTime")
    start = _aware(details["startTime"], "cloudTrailDetails.startTime")
    end = call.now if details.get("endTime") is None else _aware(details["endTime"], "cloudTrailDetails.endTime")
    if start >= end:
        raise AaValidation("startTime must be before endTime.", "fieldValidationFailed", "cloudTrailDetails.startTime")
    if start > call.now:
        raise AaValidation("startTime must be in the past.", "fieldValidationFailed", "cloudTrailDetails.startTime")
    if end - start > MAX_WINDOW:
        raise AaValidation("The time range can be at most 90 days.", "fieldValidationFailed",
                           "cloudTrailDetails.endTime")
    end = min(end, call.now)
    token = p.get("clientToken")
    params = {"region": call.region, "startTime": start.isoformat(), "endTime": end.isoformat(), "trails": trails,
              "clientToken": token}
    if token is not None:
        for row in activity_repo.jobs(call.conn, call.account_id, KIND, principal):
            if loads(row.params, {}).get("clientToken") == token and loads(row.params, {}).get("region") == call.region:
                return {"jobId": row.job_id}
    if activity_repo.count_since(call.conn, call.account_id, KIND, call.now - timedelta(days=1)) >= DAILY_QUOTA:
        raise QuotaExceeded(f"At most {DAILY_QUOTA} policy generations can be started per day.", principal,
                            "AWS::IAM::Role" if found.group(2) == "role" else "AWS::IAM::User")
    job_id = str(uuid.uuid4())
    values: dict[str, Any] = {"job_id": job_id, "account_id": call.account_id, "kind": KIND,
                              "principal_arn": principal, "params": dumps(params), "started_at": call.now,
                              "completed_at": call.now}
    name = found.group(3).rsplit("/", 1)[-1]
    if not activity_repo.principal_exists(call.conn, call.account_id, found.group(2), name):
        values.update(status="FAILED", error=dumps({"code": "RESOURCE_NOT_FOUND_ERROR",
                                                    "message": f"The principal {principal} does not exist."}))
    elif role_match.group(1) != call.account_id or not activity_repo.principal_exists(
            call.conn, call.account_id, "role", role_match.group(2).rsplit("/", 1)[-1]):
        values.update(status="FAILED", error=dumps({"code": "AUTHORIZATION_ERROR",
                                                    "message": f"IAM Access Analyzer cannot assume {role}."}))
    else:
        called = sorted({u.action for u in every_use(call.conn, call.runtime, call.account_id, start, end)
                         if same_principal(u.principal_arn, principal)})
        values.update(status="SUCCEEDED", result=dumps({"actions": called}))
    activity_repo.add_job(call.conn, values)
    return {"jobId": job_id}


def _job(call: Call, job_id: Any) -> Row[Any]:
    row = activity_repo.job(call.conn, call.account_id, KIND, str(job_id)) if isinstance(job_id, str) else None
    if row is None or loads(row.params, {}).get("region") != call.region:
        # The operations model no ResourceNotFoundException: an unknown job is invalid input.
        raise AaValidation("The policy generation job was not found.", "fieldValidationFailed", "jobId")
    return row


def _job_details(row: Row[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"jobId": row.job_id, "status": row.status, "startedOn": row.started_at}
    if row.completed_at is not None:
        out["completedOn"] = row.completed_at
    if row.error:
        out["jobError"] = loads(row.error)
    return out


def _flag(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def statements(actions: list[str], placeholders: bool, service_level: bool) -> tuple[list[dict[str, Any]], bool]:
    """The generated policy's statements, and whether they name every action the trail showed."""
    known: dict[tuple[str, ...], list[str]] = {}
    unknown: set[str] = set()
    for name in actions:
        info = catalogue.action(name)
        if info is None:
            unknown.add(name.partition(":")[0])
            continue
        resources: tuple[str, ...] = ("*",)
        if placeholders:
            templates = [r.arn_template.replace("${Partition}", "aws") for r in info.resource_types]
            resources = tuple(sorted(set(templates))) or ("*",)
        known.setdefault(resources, []).append(info.full_name)
    out = [{"Sid": f"SupportedServiceSid{n}", "Effect": "Allow", "Action": sorted(acts),
            "Resource": list(res) if len(res) > 1 else res[0]} for n, (res, acts) in enumerate(sorted(known.items()))]
    if unknown and service_level:
        out.append({"Sid": "ServiceLevelSid0", "Effect": "Allow", "Action": sorted(f"{s}:*" for s in unknown),
                    "Resource": "*"})
    return out, not unknown or service_level


def _document(stmts: list[dict[str, Any]]) -> str:
    # AWS's member order (Version, Statement; Sid, Effect, Action, Resource), compact.
    return json.dumps({"Version": "2012-10-17", "Statement": stmts}, separators=(",", ":"))


def policies(stmts: list[dict[str, Any]]) -> list[str]:
    """Statements as policy documents, split so that none exceeds a managed policy's size."""
    docs: list[list[dict[str, Any]]] = [[]]
    for stmt in stmts:
        if docs[-1] and len(_document([*docs[-1], stmt])) > MAX_POLICY_CHARS:
            docs.append([])
        docs[-1].append(stmt)
    return [_document(d) for d in docs if d]


@action("accessanalyzer", "GetGeneratedPolicy")
def get_generated_policy(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    row = _job(call, p.get("jobId"))
    params = loads(row.params, {})
    properties: dict[str, Any] = {"principalArn": row.principal_arn}
    result: dict[str, Any] = {"properties": properties}
    if row.status == "SUCCEEDED":
        stmts, complete = statements(loads(row.result, {}).get("actions", []),
                                     _flag(p.get("includeResourcePlaceholders")),
                                     _flag(p.get("includeServiceLevelTemplate")))
        properties["isComplete"] = complete
        properties["cloudTrailProperties"] = {
            "trailProperties": params.get("trails", []),
            "startTime": datetime.fromisoformat(params["startTime"]),
            "endTime": datetime.fromisoformat(params["endTime"]),
        }
        result["generatedPolicies"] = [{"policy": doc} for doc in policies(stmts)] if stmts else []
    return {"jobDetails": _job_details(row), "generatedPolicyResult": result}


@action("accessanalyzer", "ListPolicyGenerations")
def list_policy_generations(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    principal = p.get("principalArn")
    if principal is not None and (not isinstance(principal, str) or not PRINCIPAL.fullmatch(principal)):
        raise AaValidation("principalArn must be the ARN of an IAM role or user.", "fieldValidationFailed",
                           "principalArn")
    rows = [r for r in activity_repo.jobs(call.conn, call.account_id, KIND, principal)
            if loads(r.params, {}).get("region") == call.region]
    shown, token = page(call, rows, p, ["ListPolicyGenerations", principal])
    items = []
    for r in shown:
        item = {k: v for k, v in _job_details(r).items() if k != "jobError"}
        items.append({"principalArn": r.principal_arn, **item})
    return {"policyGenerations": items, **({"nextToken": token} if token else {})}


@action("accessanalyzer", "CancelPolicyGeneration")
def cancel_policy_generation(call: Call, p: dict[str, Any]) -> None:
    lock(call)
    row = _job(call, p.get("jobId"))
    if row.status != "IN_PROGRESS":
        raise AaValidation(f"The policy generation job has already completed ({row.status}).", "other", "jobId")
    activity_repo.update_job(call.conn, row.job_id, status="CANCELED", completed_at=call.now)
