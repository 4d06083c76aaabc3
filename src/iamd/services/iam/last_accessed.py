"""IAM's last-accessed reports: GenerateServiceLastAccessedDetails, GetServiceLastAccessedDetails,
GetServiceLastAccessedDetailsWithEntities, ListPoliciesGrantingServiceAccess.

"Last accessed information" is, per service the entity's policies grant, when it was last used
and by whom (IAM User Guide, "Refining permissions in AWS using last accessed information").
iamd answers from its own audit trail (``analysis/activity``) over AWS's tracking period (400
days): a user's own calls, a role's through its sessions; a group's report covers its member
users, a managed policy's every user and role it is attached to (directly or through a group).
The services listed are those the entity's policies grant, decided by the engine
(``analysis/granted``); a granted service nobody used has no ``LastAuthenticated``.
``ACTION_LEVEL`` adds ``TrackedActionsLastAccessed`` for the services iamd serves — every call of
them is in the trail, so each of their granted actions is tracked.

A report is computed when it is generated and kept (``activity_jobs``), so the job is
``COMPLETED`` at once; another account's job id, like a made-up one, is ``NoSuchEntity``.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from iamd.analysis.activity import every_use
from iamd.analysis.granted import granted
from iamd.authz import catalogue
from iamd.policy import Policy, PolicyType, RequestPrincipal
from iamd.policy.principal import PrincipalType
from iamd.services.context import Call
from iamd.services.iam import policy_refs
from iamd.services.iam.common import decode_marker, paginate_list
from iamd.services.iam.errors import InvalidInput, NoSuchEntity
from iamd.services.iam.policy_sources import policy_sets
from iamd.services.registry import ACTIONS, action
from iamd.store import activity_repo, schema
from iamd.store.repos import groups, roles, users

KIND = "service-last-accessed"
TRACKING_PERIOD = timedelta(days=400)
GRANULARITIES = ("SERVICE_LEVEL", "ACTION_LEVEL")
MAX_NAMESPACES = 200
_ENTITY = re.compile(r"arn:aws:iam::(\d{12}):(user|group|role|policy)((?:/[\x21-\x7e]*)?/)([\w+=,.@-]+)")
_TYPES = {"user": "USER", "role": "ROLE", "group": "GROUP"}


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def loads(text: str | None, default: Any = None) -> Any:
    return json.loads(text) if text else default


def _parse(arn: Any) -> tuple[str, str, str, str]:
    found = _ENTITY.fullmatch(arn) if isinstance(arn, str) else None
    if found is None:
        raise InvalidInput(f"ARN {arn} is not valid.")
    return found.group(1), found.group(2), found.group(3), found.group(4)


def _info(kind: str, row: Any) -> dict[str, Any]:
    arn = f"arn:aws:iam::{row.account_id}:{kind}{row.path}{row.name}"
    return {"Arn": arn, "Name": row.name, "Type": _TYPES[kind], "Id": getattr(row, f"{kind}_id"), "Path": row.path}


def _principal(kind: str, arn: str, account: str, user_id: str | None = None) -> RequestPrincipal:
    if kind == "role":
        return RequestPrincipal(arn, account, PrincipalType.ROLE_SESSION, source_arn=arn)
    return RequestPrincipal(arn, account, PrincipalType.USER, id=user_id)


def _entity(call: Call, arn: Any, kinds: tuple[str, ...]) -> tuple[str, Any]:
    account, kind, path, name = _parse(arn)
    if kind not in kinds:
        raise InvalidInput(f"ARN {arn} is not valid for this operation.")
    missing = NoSuchEntity(f"The {kind} with ARN {arn} cannot be found.")
    if account != call.account_id:
        raise missing
    if kind == "policy":
        return kind, policy_refs.resolve(call, str(arn), message=f"Policy {arn} does not exist.")
    row = {"user": users, "group": groups, "role": roles}[kind].get_by_name(call.conn, account, name)
    if row is None or row.path != path:
        raise missing
    return kind, row


def _members(call: Call, group_ids: list[str]) -> list[Any]:
    m, u = schema.group_members, schema.users
    q = select(u).join(m, m.c.user_id == u.c.user_id).where(m.c.group_id.in_(group_ids)).distinct()
    return list(call.conn.execute(q.order_by(u.c.name_lower)).all())


def _attached(call: Call, policy_arn: str) -> list[dict[str, Any]]:
    pa = schema.policy_attachments
    rows = call.conn.execute(select(pa.c.principal_type, pa.c.principal_id).where(
        pa.c.account_id == call.account_id, pa.c.policy_arn == policy_arn)).all()
    out: list[dict[str, Any]] = []
    ids = {kind: [r.principal_id for r in rows if r.principal_type == kind] for kind in ("user", "role", "group")}
    for kind in ("user", "role"):
        table = getattr(schema, f"{kind}s")
        for row in call.conn.execute(select(table).where(getattr(table.c, f"{kind}_id").in_(ids[kind]))):
            out.append(_info(kind, row))
    out += [_info("user", r) for r in _members(call, ids["group"])]
    return list({e["Arn"]: e for e in out}.values())


def _scope(call: Call, kind: str, ref: Any) -> tuple[list[dict[str, Any]], dict[str, set[str]]]:
    """The entities whose use the report counts, and the services (with actions) granted."""
    sets = policy_sets(call)
    if kind == "policy":
        arn = ref["arn"]
        found = sets._managed(call.conn, call.account_id, [arn], PolicyType.IDENTITY)
        anyone = RequestPrincipal(f"arn:aws:iam::{call.account_id}:user/", call.account_id, PrincipalType.USER)
        return _attached(call, arn), granted(found, None, anyone)
    identity, boundary = sets.entity_policies(call.conn, kind, ref)
    info = _info(kind, ref)
    entities = [_info("user", r) for r in _members(call, [ref.group_id])] if kind == "group" else [info]
    principal = _principal("user" if kind == "group" else kind, info["Arn"], call.account_id,
                           getattr(ref, "user_id", None))
    return entities, granted(identity, boundary, principal)


def _report(call: Call, kind: str, ref: Any, granularity: str) -> dict[str, Any]:
    entities, services = _scope(call, kind, ref)
    by_arn = {e["Arn"].lower(): e["Arn"] for e in entities}
    last: dict[str, dict[str, tuple[datetime, str]]] = {}  # service → entity → (time, region)
    actions: dict[str, tuple[datetime, str, str]] = {}  # action → (time, entity, region)
    for use in every_use(call.conn, call.runtime, call.account_id, call.now - TRACKING_PERIOD, call.now):
        entity = by_arn.get(use.principal_arn.lower())
        prefix = use.action.partition(":")[0]
        if entity is None or prefix not in services:
            continue
        seen = last.setdefault(prefix, {}).get(entity)
        if seen is None or use.time >= seen[0]:
            last[prefix][entity] = (use.time, use.region)
        if actions.get(use.action) is None or use.time >= actions[use.action][0]:
            actions[use.action] = (use.time, entity, use.region)
    out = []
    for prefix in sorted(services):
        svc = catalogue.service(prefix)
        entry: dict[str, Any] = {"ServiceName": svc.name if svc else prefix, "ServiceNamespace": prefix,
                                 "TotalAuthenticatedEntities": len(last.get(prefix, {}))}
        if last.get(prefix):
            entity, (when, region) = max(last[prefix].items(), key=lambda kv: kv[1][0])
            entry.update(LastAuthenticated=when.isoformat(), LastAuthenticatedEntity=entity,
                         LastAuthenticatedRegion=region)
        if granularity == "ACTION_LEVEL" and prefix in ACTIONS:
            served = {name.lower() for name in ACTIONS[prefix]}
            tracked = []
            for name in sorted(services[prefix]):
                bare = name.partition(":")[2]
                if bare.lower() not in served:
                    continue
                item: dict[str, Any] = {"ActionName": bare}
                if name in actions:
                    when, entity, region = actions[name]
                    item.update(LastAccessedEntity=entity, LastAccessedTime=when.isoformat(), LastAccessedRegion=region)
                tracked.append(item)
            entry["TrackedActionsLastAccessed"] = tracked
        out.append(entry)
    users_of = {p: {e: t.isoformat() for e, (t, _r) in per.items()} for p, per in last.items()}
    return {"services": out, "entities": entities, "used": users_of}


@action("iam", "GenerateServiceLastAccessedDetails")
def generate_service_last_accessed_details(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    granularity = p.get("Granularity") or "SERVICE_LEVEL"
    if granularity not in GRANULARITIES:
        raise InvalidInput(f"Granularity must be one of {', '.join(GRANULARITIES)}.")
    kind, ref = _entity(call, p.get("Arn"), ("user", "group", "role", "policy"))
    job_id = str(uuid.uuid4())
    activity_repo.add_job(call.conn, {
        "job_id": job_id, "account_id": call.account_id, "kind": KIND, "principal_arn": p["Arn"],
        "status": "COMPLETED", "params": dumps({"granularity": granularity}),
        "result": dumps(_report(call, kind, ref, granularity)), "started_at": call.now, "completed_at": call.now})
    return {"JobId": job_id}


def _job(call: Call, job_id: Any) -> tuple[Any, dict[str, Any]]:
    row = activity_repo.job(call.conn, call.account_id, KIND, job_id) if isinstance(job_id, str) else None
    if row is None:
        raise NoSuchEntity(f"No report exists for job id {job_id}.")
    return row, loads(row.result, {})


def _times(entry: dict[str, Any], *keys: str) -> dict[str, Any]:
    out = dict(entry)
    for key in keys:
        if key in out:
            out[key] = datetime.fromisoformat(out[key])
    return out


@action("iam", "GetServiceLastAccessedDetails")
def get_service_last_accessed_details(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    row, report = _job(call, p.get("JobId"))
    page, meta = paginate_list(report["services"], "ServiceNamespace", p)
    services = []
    for entry in page:
        shown = _times(entry, "LastAuthenticated")
        if "TrackedActionsLastAccessed" in shown:
            shown["TrackedActionsLastAccessed"] = [_times(t, "LastAccessedTime")
                                                   for t in shown["TrackedActionsLastAccessed"]]
        services.append(shown)
    return {"JobStatus": row.status, "JobType": loads(row.params, {}).get("granularity", "SERVICE_LEVEL"),
            "JobCreationDate": row.started_at, "JobCompletionDate": row.completed_at,
            "ServicesLastAccessed": services, **meta}


@action("iam", "GetServiceLastAccessedDetailsWithEntities")
def get_service_last_accessed_details_with_entities(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    row, report = _job(call, p.get("JobId"))
    namespace = p.get("ServiceNamespace")
    listed = {s["ServiceNamespace"] for s in report["services"]}
    used = report["used"].get(namespace, {})
    details = []
    if namespace in listed:
        for info in sorted(report["entities"], key=lambda e: e["Arn"]):
            item: dict[str, Any] = {"EntityInfo": info, "Arn": info["Arn"]}
            if info["Arn"] in used:
                item["LastAuthenticated"] = datetime.fromisoformat(used[info["Arn"]])
            details.append(item)
    page, meta = paginate_list(details, "Arn", p)
    for item in page:
        item.pop("Arn")
    return {"JobStatus": row.status, "JobCreationDate": row.started_at, "JobCompletionDate": row.completed_at,
            "EntityDetailsList": page, **meta}


def _source(policy: Policy) -> dict[str, Any]:
    label = policy.policy_id
    if label.startswith("arn:"):
        return {"PolicyName": label.rsplit("/", 1)[-1], "PolicyType": "MANAGED", "PolicyArn": label}
    kind, _, rest = label.partition("/")
    entity, _, name = rest.rpartition("/")
    return {"PolicyName": name, "PolicyType": "INLINE", "EntityType": _TYPES[kind], "EntityName": entity}


@action("iam", "ListPoliciesGrantingServiceAccess")
def list_policies_granting_service_access(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    if p.get("Marker") is not None:
        decode_marker(p["Marker"])  # every answer is one page; a marker is still checked
    namespaces = p.get("ServiceNamespaces")
    if not isinstance(namespaces, list) or not 1 <= len(namespaces) <= MAX_NAMESPACES:
        raise InvalidInput(f"ServiceNamespaces must list 1 to {MAX_NAMESPACES} service namespaces.")
    if not all(isinstance(n, str) and re.fullmatch(r"[\w-]{1,64}", n) for n in namespaces):
        raise InvalidInput("ServiceNamespaces must be service namespaces such as iam or s3.")
    kind, row = _entity(call, p.get("Arn"), ("user", "group", "role"))
    identity, boundary = policy_sets(call).entity_policies(call.conn, kind, row)
    info = _info(kind, row)
    principal = _principal("user" if kind == "group" else kind, info["Arn"], call.account_id,
                           getattr(row, "user_id", None))
    grants = [(policy, granted(identity, boundary, principal, only=[policy])) for policy in identity]
    out = []
    for namespace in dict.fromkeys(namespaces):
        policies = [_source(policy) for policy, services in grants if namespace in services]
        out.append({"ServiceNamespace": namespace, "Policies": policies})
    return {"PoliciesGrantingServiceAccess": out, "IsTruncated": False}
