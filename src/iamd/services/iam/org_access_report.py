"""The Organizations access report: GenerateOrganizationsAccessReport and
GetOrganizationsAccessReport.

"When you generate a report … for an organizations entity (root, OU or account)", IAM reports the
services the entity's SCPs allow and, per service, when a principal (root user, IAM user or role)
of an account under it last used it (IAM User Guide, "Viewing last accessed information for
Organizations"). iamd answers from its own trail over 365 days. ``EntityPath`` is
``o-ORG/r-ROOT[/ou-…]*[/ACCOUNT]`` and must follow the organization's tree; the caller must be its
management account. The services "accessible" are the catalogue services that every level of SCPs
from the root down to the entity allows (all services when SCPs are not enabled) — or, with
``OrganizationsPolicyId``, that this SCP allows — decided by the engine (``analysis/granted``).
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, timedelta
from typing import Any

from iamd.analysis.activity import every_use
from iamd.analysis.granted import granted
from iamd.authz import catalogue
from iamd.errors import AccessDenied
from iamd.policy import PolicyType, RequestPrincipal, parse_policy
from iamd.policy.principal import PrincipalType
from iamd.services.context import Call
from iamd.services.iam.common import paginate_list
from iamd.services.iam.errors import InvalidInput, NoSuchEntity
from iamd.services.registry import action
from iamd.store import activity_repo, org_placement, orgs

KIND = "organizations-access-report"
TRACKING_PERIOD = timedelta(days=365)
SCP = "SERVICE_CONTROL_POLICY"
_SORTS = {
    "SERVICE_NAMESPACE_ASCENDING": (lambda e: e["ServiceNamespace"], False),
    "SERVICE_NAMESPACE_DESCENDING": (lambda e: e["ServiceNamespace"], True),
    "LAST_AUTHENTICATED_TIME_ASCENDING": (lambda e: e.get("LastAuthenticatedTime") or "", False),
    "LAST_AUTHENTICATED_TIME_DESCENDING": (lambda e: e.get("LastAuthenticatedTime") or "", True),
}


def _path(call: Call, path: Any) -> tuple[str, str, list[str], dict[str, str]]:
    """(org id, target id, accounts under it, account → its path) of a valid ``EntityPath``."""
    org = orgs.org_managed_by(call.conn, call.account_id)
    if org is None:
        raise AccessDenied("Organizations access reports can be generated only by the management account "
                           "of an organization.")
    parts = str(path).split("/") if isinstance(path, str) else []
    if len(parts) < 2 or parts[0] != org.org_id or parts[1] != org.root_id:
        raise InvalidInput(f"EntityPath {path} is not a path of your organization.")
    parent = parts[1]
    for step in parts[2:]:
        if re.fullmatch(r"\d{12}", step):
            member = orgs.get_member(call.conn, step)
            if member is None or member.org_id != org.org_id or member.parent_id != parent or step != parts[-1]:
                raise InvalidInput(f"EntityPath {path} does not name an account of your organization.")
        else:
            unit = orgs.get_unit(call.conn, org.org_id, step)
            if unit is None or unit.parent_id != parent:
                raise InvalidInput(f"EntityPath {path} does not name an organizational unit of your organization.")
        parent = step
    accounts = orgs.accounts_under(call.conn, org.org_id, parts[-1])
    paths = {}
    for account in accounts:
        member = orgs.get_member(call.conn, account)
        chain = org_placement.ancestors(call.conn, member.parent_id, org.root_id) if member is not None else []
        paths[account] = "/".join([org.org_id, org.root_id, *chain, account])
    return org.org_id, parts[-1], accounts, paths


def _accessible(call: Call, org_id: str, path: list[str], policy_id: str | None) -> set[str]:
    anyone = RequestPrincipal(f"arn:aws:iam::{call.account_id}:user/", call.account_id, PrincipalType.USER)
    every = set(catalogue.services())
    if policy_id is not None:
        found = [a for a in org_placement.attached(call.conn, org_id, path, [SCP]) if a.policy_id == policy_id]
        if not found:
            raise InvalidInput(f"Policy {policy_id} is not a service control policy attached along the path.")
        policy = parse_policy(found[0].content, PolicyType.SCP, policy_id)
        return set(granted([policy], None, anyone))
    if SCP not in org_placement.enabled_types(call.conn, org_id):
        return every
    for level in path:
        policies = [parse_policy(a.content, PolicyType.SCP, a.policy_id)
                    for a in org_placement.attached(call.conn, org_id, [level], [SCP])]
        every &= set(granted(policies, None, anyone))
    return every


@action("iam", "GenerateOrganizationsAccessReport")
def generate_organizations_access_report(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    org_id, target, accounts, paths = _path(call, p.get("EntityPath"))
    levels = str(p["EntityPath"]).split("/")[1:]
    services = _accessible(call, org_id, levels, p.get("OrganizationsPolicyId"))
    last: dict[str, tuple[datetime, str, str]] = {}
    users: dict[str, set[str]] = {}
    for account in accounts:
        for use in every_use(call.conn, call.runtime, account, call.now - TRACKING_PERIOD, call.now):
            prefix = use.action.partition(":")[0]
            if prefix not in services:
                continue
            users.setdefault(prefix, set()).add(account)
            if prefix not in last or use.time > last[prefix][0]:
                last[prefix] = (use.time, use.region, paths[account])
    details = []
    for prefix in sorted(services):
        svc = catalogue.service(prefix)
        entry: dict[str, Any] = {"ServiceName": svc.name if svc else prefix, "ServiceNamespace": prefix}
        if prefix in last:
            when, region, path = last[prefix]
            entry.update(Region=region, EntityPath=path, LastAuthenticatedTime=when.isoformat(),
                         TotalAuthenticatedEntities=len(users[prefix]))
        details.append(entry)
    job_id = str(uuid.uuid4())
    activity_repo.add_job(call.conn, {
        "job_id": job_id, "account_id": call.account_id, "kind": KIND, "principal_arn": str(p["EntityPath"]),
        "status": "COMPLETED", "params": "{}", "result": json.dumps(details), "started_at": call.now,
        "completed_at": call.now})
    return {"JobId": job_id}


@action("iam", "GetOrganizationsAccessReport")
def get_organizations_access_report(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    job_id = p.get("JobId")
    row = activity_repo.job(call.conn, call.account_id, KIND, job_id) if isinstance(job_id, str) else None
    if row is None:
        raise NoSuchEntity(f"No report exists for job id {job_id}.")
    details = json.loads(row.result)
    sort = p.get("SortKey") or "SERVICE_NAMESPACE_ASCENDING"
    if sort not in _SORTS:
        raise InvalidInput(f"SortKey must be one of {', '.join(_SORTS)}.")
    key, reverse = _SORTS[sort]
    ordered = sorted(details, key=key, reverse=reverse)
    for n, entry in enumerate(ordered):
        entry["_position"] = f"{n:06d}"
    page, meta = paginate_list(ordered, "_position", p)
    shown = []
    for entry in page:
        entry.pop("_position")
        if "LastAuthenticatedTime" in entry:
            entry["LastAuthenticatedTime"] = datetime.fromisoformat(entry["LastAuthenticatedTime"])
        shown.append(entry)
    accessed = sum(1 for e in details if "LastAuthenticatedTime" in e)
    return {"JobStatus": row.status, "JobCreationDate": row.started_at, "JobCompletionDate": row.completed_at,
            "NumberOfServicesAccessible": len(details), "NumberOfServicesNotAccessed": len(details) - accessed,
            "AccessDetails": shown, **meta}
