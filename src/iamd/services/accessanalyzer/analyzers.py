"""Analyzers: CreateAnalyzer, GetAnalyzer, ListAnalyzers, UpdateAnalyzer, DeleteAnalyzer, the
service-linked pair, and their tags.

AWS's rules (API Reference; "IAM Access Analyzer quotas"): one account-level analyzer per type
per account and Region, five organization-level ones; an organization analyzer only in the
organization's management account ("You can create an analyzer with the organization as the
zone of trust only from the management account or a delegated administrator account"); the
unused-access types take ``configuration.unusedAccess.unusedAccessAge`` (1–365 days, 90 when
omitted), the external-access types take no configuration. Internal-access analyzers need
resource types iamd does not hold (S3, DynamoDB, RDS…): refused with ``notSupported``
(docs/access-analyzer.md). CreateServiceLinkedAnalyzer "can only be invoked by authorized Amazon
Web Services services. Direct customer invocation returns AccessDeniedException" — every iamd
caller is a customer.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Row

from iamd.errors import AccessDenied
from iamd.services.accessanalyzer import archive_rules, sync
from iamd.services.accessanalyzer.common import (
    ACCOUNT_TYPES,
    ANALYZER,
    ORGANIZATION_TYPES,
    TAG_TYPE,
    UNUSED_TYPES,
    analyzer_arn,
    analyzer_named,
    dumps,
    loads,
    lock,
    page,
)
from iamd.services.accessanalyzer.errors import AaValidation, Conflict, QuotaExceeded, ResourceNotFound
from iamd.services.context import Call
from iamd.services.registry import action
from iamd.store import aa_repo, orgs
from iamd.store import tags as tag_store

QUOTA = {**dict.fromkeys(ACCOUNT_TYPES, 1), **dict.fromkeys(ORGANIZATION_TYPES, 5)}
DEFAULT_UNUSED_AGE = 90
MAX_TAGS = 50


def summary(call: Call, row: Row[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "arn": row.arn, "name": row.name, "type": row.type, "createdAt": row.created_at, "status": row.status,
        "tags": {t["Key"]: t["Value"] for t in tag_store.list_tags(call.conn, TAG_TYPE, row.analyzer_id)},
    }
    if row.last_resource_analyzed is not None:
        out["lastResourceAnalyzed"] = row.last_resource_analyzed
        out["lastResourceAnalyzedAt"] = row.last_resource_analyzed_at
    if row.configuration is not None:
        out["configuration"] = loads(row.configuration)
    if row.managed_by is not None:
        out["managedBy"] = row.managed_by
    return out


def _configuration(kind: str, given: dict[str, Any] | None) -> dict[str, Any] | None:
    if kind not in UNUSED_TYPES:
        if given:
            raise AaValidation(f"A configuration is not supported for analyzers of type {kind}.",
                               "fieldValidationFailed", "configuration")
        return None
    if given and "internalAccess" in given:
        raise AaValidation("internalAccess is a configuration of internal access analyzers.",
                           "fieldValidationFailed", "configuration.internalAccess")
    unused = dict((given or {}).get("unusedAccess") or {})
    age = unused.get("unusedAccessAge", DEFAULT_UNUSED_AGE)
    if not 1 <= age <= 365:
        raise AaValidation("unusedAccessAge must be between 1 and 365 days.", "fieldValidationFailed",
                           "configuration.unusedAccess.unusedAccessAge")
    unused["unusedAccessAge"] = age
    return {"unusedAccess": unused}


def check_tags(tags: dict[str, str]) -> None:
    if len(tags) > MAX_TAGS:
        raise AaValidation(f"An analyzer can have at most {MAX_TAGS} tags.", "fieldValidationFailed", "tags")
    for key, value in tags.items():
        if not 1 <= len(key) <= 128 or key.lower().startswith("aws:") or len(value) > 256:
            raise AaValidation("Tag keys have 1 to 128 characters and do not start with aws:; values at most 256.",
                               "fieldValidationFailed", "tags")


@action("accessanalyzer", "CreateAnalyzer")
def create_analyzer(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    lock(call)
    kind, name = p["type"], p["analyzerName"]
    if kind not in QUOTA:
        raise AaValidation(f"Analyzers of type {kind} are not supported by iamd.", "notSupported", "type")
    if kind in ORGANIZATION_TYPES and orgs.org_managed_by(call.conn, call.account_id) is None:
        raise AaValidation("An analyzer with the organization as the zone of trust can be created only in the "
                           "organization's management account.", "notSupported", "type")
    configuration = _configuration(kind, p.get("configuration"))
    tags = p.get("tags") or {}
    check_tags(tags)
    rules = p.get("archiveRules") or []
    for rule in rules:
        archive_rules.check_filter(rule["filter"])
    if len({r["ruleName"] for r in rules}) != len(rules):
        raise AaValidation("Archive rule names must be unique.", "fieldValidationFailed", "archiveRules")
    if aa_repo.analyzer_named(call.conn, call.account_id, call.region, name) is not None:
        raise Conflict(f"Analyzer {name} already exists", name, ANALYZER)
    if aa_repo.count_analyzers(call.conn, call.account_id, call.region, kind) >= QUOTA[kind]:
        raise QuotaExceeded(f"The quota of analyzers of type {kind} in this Region ({QUOTA[kind]}) is reached.",
                            name, ANALYZER)
    analyzer_id = str(uuid.uuid4())
    arn = analyzer_arn(call, name)
    aa_repo.add_analyzer(call.conn, {
        "analyzer_id": analyzer_id, "account_id": call.account_id, "region": call.region, "name": name,
        "arn": arn, "type": kind, "status": "ACTIVE", "created_at": call.now,
        "configuration": dumps(configuration) if configuration is not None else None,
    })
    for rule in rules:
        aa_repo.add_rule(call.conn, {"analyzer_id": analyzer_id, "rule_name": rule["ruleName"],
                                     "filter": dumps(rule["filter"]), "created_at": call.now, "updated_at": call.now})
    if tags:
        tag_store.put_tags(call.conn, TAG_TYPE, analyzer_id, [{"Key": k, "Value": v} for k, v in tags.items()])
    row = aa_repo.analyzer_by_arn(call.conn, arn)
    if row is not None:
        sync.current(call, row)  # the first analysis: findings are there on the first ListFindings
    return {"arn": arn}


@action("accessanalyzer", "GetAnalyzer")
def get_analyzer(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    row = sync.current(call, analyzer_named(call, p["analyzerName"]))
    return {"analyzer": summary(call, row)}


@action("accessanalyzer", "ListAnalyzers")
def list_analyzers(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    rows = aa_repo.analyzers(call.conn, call.account_id, call.region, p.get("type"))
    shown, token = page(call, rows, p, ["ListAnalyzers", p.get("type")])
    out: dict[str, Any] = {"analyzers": [summary(call, r) for r in shown]}
    if token:
        out["nextToken"] = token
    return out


@action("accessanalyzer", "UpdateAnalyzer")
def update_analyzer(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    lock(call)
    row = analyzer_named(call, p["analyzerName"])
    configuration = _configuration(row.type, p.get("configuration"))
    if configuration is not None:
        aa_repo.update_analyzer(call.conn, row.analyzer_id, configuration=dumps(configuration))
    return {"configuration": configuration} if configuration is not None else {}


@action("accessanalyzer", "DeleteAnalyzer")
def delete_analyzer(call: Call, p: dict[str, Any]) -> None:
    lock(call)
    row = analyzer_named(call, p["analyzerName"])
    if row.managed_by is not None:
        raise Conflict("A service-linked analyzer is deleted with DeleteServiceLinkedAnalyzer.", row.name, ANALYZER)
    tag_store.drop_all(call.conn, TAG_TYPE, row.analyzer_id)
    aa_repo.delete_analyzer(call.conn, row.analyzer_id)


@action("accessanalyzer", "CreateServiceLinkedAnalyzer")
def create_service_linked_analyzer(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    raise AccessDenied(
        f"User: {call.caller.arn} is not authorized to perform: access-analyzer:CreateServiceLinkedAnalyzer: "
        "service-linked analyzers are created only by AWS services"
    )


@action("accessanalyzer", "DeleteServiceLinkedAnalyzer")
def delete_service_linked_analyzer(call: Call, p: dict[str, Any]) -> None:
    lock(call)
    row = aa_repo.analyzer_named(call.conn, call.account_id, call.region, p["analyzerName"])
    if row is None or row.managed_by is None:
        raise ResourceNotFound("Service-linked analyzer not found", p["analyzerName"], ANALYZER)
    tag_store.drop_all(call.conn, TAG_TYPE, row.analyzer_id)
    aa_repo.delete_analyzer(call.conn, row.analyzer_id)


def _tagged(call: Call, arn: str) -> Row[Any]:
    row = aa_repo.analyzer_by_arn(call.conn, arn)
    if row is None or row.account_id != call.account_id or row.region != call.region:
        raise ResourceNotFound("Resource not found", arn, ANALYZER)
    return row


@action("accessanalyzer", "TagResource")
def tag_resource(call: Call, p: dict[str, Any]) -> None:
    lock(call)
    row = _tagged(call, p["resourceArn"])
    new = [{"Key": k, "Value": v} for k, v in p["tags"].items()]
    check_tags(p["tags"])
    if tag_store.merged_count(call.conn, TAG_TYPE, row.analyzer_id, new) > MAX_TAGS:
        raise AaValidation(f"An analyzer can have at most {MAX_TAGS} tags.", "fieldValidationFailed", "tags")
    tag_store.put_tags(call.conn, TAG_TYPE, row.analyzer_id, new)


@action("accessanalyzer", "UntagResource")
def untag_resource(call: Call, p: dict[str, Any]) -> None:
    lock(call)
    row = _tagged(call, p["resourceArn"])
    tag_store.remove_tags(call.conn, TAG_TYPE, row.analyzer_id, list(p["tagKeys"]))


@action("accessanalyzer", "ListTagsForResource")
def list_tags_for_resource(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    row = _tagged(call, p["resourceArn"])
    return {"tags": {t["Key"]: t["Value"] for t in tag_store.list_tags(call.conn, TAG_TYPE, row.analyzer_id)}}
