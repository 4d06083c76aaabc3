"""PutEventSelectors/GetEventSelectors and PutInsightSelectors/GetInsightSelectors.

AWS's rules (CloudTrail API Reference and User Guide, "Logging management events", "Filtering
data events by using advanced event selectors"): basic or advanced selectors, never both; at most
5 basic selectors and 250 data resources across them; advanced selectors at most 500 values in
all; each advanced selector has an ``eventCategory`` field selector with ``Equals``; a
``Management`` selector may only also test ``readOnly`` and ``eventSource``; every field selector
has at least one operator. ``ExcludeManagementEventSources`` names only ``kms.amazonaws.com`` or
``rdsdata.amazonaws.com``. Insights selectors need a trail that logs write management events
("ApiCallRateInsight" analyses write calls, as AWS requires).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import update

from iamd.audit.trail_selectors import DEFAULT_SELECTORS, Selection
from iamd.services import cloudtrail_errors as err
from iamd.services.context import Call
from iamd.services.registry import action
from iamd.services.trails import common
from iamd.store.cloudtrail_schema import ct_trails

MAX_BASIC = 5
MAX_DATA_RESOURCES = 250
MAX_ADVANCED_VALUES = 500
_EXCLUDABLE = {"kms.amazonaws.com", "rdsdata.amazonaws.com"}
_DATA_TYPES = {
    "AWS::S3::Object", "AWS::Lambda::Function", "AWS::DynamoDB::Table", "AWS::S3Outposts::Object",
    "AWS::ManagedBlockchain::Node", "AWS::S3ObjectLambda::AccessPoint", "AWS::EC2::Snapshot",
    "AWS::S3::AccessPoint", "AWS::DynamoDB::Stream", "AWS::Glue::Table",
}
_FIELDS = {
    "eventCategory", "eventSource", "eventName", "eventType", "readOnly", "resources.type", "resources.ARN",
    "errorCode", "sessionCredentialFromConsole", "userIdentity.arn", "vpcEndpointId", "eventTypeName",
}
_CATEGORIES = {"Management", "Data", "NetworkActivity", "ConfigurationItem", "Evidence", "Insight", "ActivityAuditLog"}
_OPS = ("Equals", "StartsWith", "EndsWith", "NotEquals", "NotStartsWith", "NotEndsWith")


def check_basic(selectors: list[dict[str, Any]]) -> None:
    if len(selectors) > MAX_BASIC:
        raise err.InvalidEventSelectorsException(f"A trail can have up to {MAX_BASIC} event selectors.")
    resources = 0
    for s in selectors:
        for source in s.get("ExcludeManagementEventSources") or []:
            if source not in _EXCLUDABLE:
                raise err.InvalidEventSelectorsException(
                    f"Value {source[:128]} for ExcludeManagementEventSources is invalid. Valid values are kms.amazonaws.com and rdsdata.amazonaws.com."
                )
        for r in s.get("DataResources") or []:
            if r.get("Type") not in _DATA_TYPES:
                raise err.InvalidEventSelectorsException(f"Value {str(r.get('Type'))[:128]} for DataResources.Type is invalid.")
            values = r.get("Values") or []
            resources += max(1, len(values))
            for v in values:
                if not v.startswith("arn:") or len(v) > 2048:
                    raise err.InvalidEventSelectorsException(f"Value {v[:128]} for DataResources.Values is invalid.")
    if resources > MAX_DATA_RESOURCES:
        raise err.InvalidEventSelectorsException(
            f"A trail is limited to {MAX_DATA_RESOURCES} data resources; this request names {resources}."
        )


def check_advanced(selectors: list[dict[str, Any]]) -> None:
    total = 0
    for s in selectors:
        fields = s.get("FieldSelectors") or []
        names = [f.get("Field") for f in fields]
        if len(set(names)) != len(names):
            raise err.InvalidEventSelectorsException("Each field may appear in one field selector of an advanced event selector.")
        category = next((f for f in fields if f.get("Field") == "eventCategory"), None)
        if category is None or not category.get("Equals") or any(category.get(o) for o in _OPS if o != "Equals"):
            raise err.InvalidEventSelectorsException("An advanced event selector must have an eventCategory field selector with the Equals operator.")
        for c in category["Equals"]:
            if c not in _CATEGORIES:
                raise err.InvalidEventSelectorsException(f"Value {c[:128]} for eventCategory is invalid.")
        for f in fields:
            field = f.get("Field")
            if field not in _FIELDS and not str(field).startswith("eventSource"):
                raise err.InvalidEventSelectorsException(f"Field {str(field)[:128]} is not a valid advanced event selector field.")
            ops = [o for o in _OPS if f.get(o)]
            if not ops:
                raise err.InvalidEventSelectorsException(f"Field selector {field} must have at least one operator.")
            total += sum(len(f[o]) for o in ops)
            if "Management" in category["Equals"] and field not in ("eventCategory", "readOnly", "eventSource"):
                raise err.InvalidEventSelectorsException(
                    f"Field {field} is not valid for management events; use eventCategory, readOnly or eventSource."
                )
            if field == "readOnly" and any(v not in ("true", "false") for o in ops for v in f[o]):
                raise err.InvalidEventSelectorsException("Values of readOnly must be true or false.")
    if total > MAX_ADVANCED_VALUES:
        raise err.InvalidEventSelectorsException(
            f"Advanced event selectors can have at most {MAX_ADVANCED_VALUES} values in all; this request has {total}."
        )


@action("cloudtrail", "PutEventSelectors")
def put_event_selectors(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    row = common.get_home(call, p["TrailName"])
    basic, advanced = p.get("EventSelectors"), p.get("AdvancedEventSelectors")
    if (basic is None) == (advanced is None):
        raise err.InvalidParameterCombinationException(
            "You cannot apply both EventSelectors and AdvancedEventSelectors to a trail; specify one of them."
        )
    if basic is not None:
        check_basic(basic)
        basic = [_basic_defaults(s) for s in basic]
    elif advanced is not None:
        check_advanced(advanced)
    values = {
        "event_selectors": json.dumps(basic) if basic is not None else None,
        "advanced_selectors": json.dumps(advanced) if advanced is not None else None,
    }
    call.conn.execute(update(ct_trails).where(ct_trails.c.trail_id == row.trail_id).values(**values))
    out: dict[str, Any] = {"TrailARN": common.trail_arn(row.home_region, row.account_id, row.name)}
    if basic is not None:
        out["EventSelectors"] = basic
    else:
        out["AdvancedEventSelectors"] = advanced
    return out


def _basic_defaults(s: dict[str, Any]) -> dict[str, Any]:
    return {
        "ReadWriteType": s.get("ReadWriteType", "All"),
        "IncludeManagementEvents": s.get("IncludeManagementEvents", True),
        "DataResources": s.get("DataResources") or [],
        "ExcludeManagementEventSources": s.get("ExcludeManagementEventSources") or [],
    }


@action("cloudtrail", "GetEventSelectors")
def get_event_selectors(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    row = common.get(call, p["TrailName"])
    out: dict[str, Any] = {"TrailARN": common.trail_arn(row.home_region, row.account_id, row.name)}
    if row.advanced_selectors is not None:
        out["AdvancedEventSelectors"] = json.loads(row.advanced_selectors)
    else:
        out["EventSelectors"] = json.loads(row.event_selectors) if row.event_selectors else DEFAULT_SELECTORS
    return out


def logs_write_management(row: Any) -> bool:
    """Whether the trail logs write management events (what Insights analyses)."""
    from iamd.audit.trail_selectors import EventFacts

    write = EventFacts("iam.amazonaws.com", "CreateUser", False, None, None)
    return Selection(row.event_selectors, row.advanced_selectors).selects(write)


@action("cloudtrail", "PutInsightSelectors")
def put_insight_selectors(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    if p.get("EventDataStore") or p.get("InsightsDestination"):
        raise err.UnsupportedOperationException(
            "iamd records no CloudTrail Lake Insights events: use a trail's TrailName, without EventDataStore or InsightsDestination."
        )
    if not p.get("TrailName"):
        raise err.InvalidParameterCombinationException("TrailName is required.")
    row = common.get_home(call, p["TrailName"])
    selectors = p["InsightSelectors"]
    types = [s.get("InsightType") for s in selectors]
    if len(set(types)) != len(types) or None in types:
        raise err.InvalidInsightSelectorsException("Each InsightType may appear once, and every selector needs one.")
    if selectors and not logs_write_management(row):
        raise err.InvalidInsightSelectorsException(
            "Insights can only be enabled on a trail that logs write management events."
        )
    cleaned = [{"InsightType": t} for t in types]
    call.conn.execute(
        update(ct_trails).where(ct_trails.c.trail_id == row.trail_id).values(insight_selectors=json.dumps(cleaned))
    )
    return {"TrailARN": common.trail_arn(row.home_region, row.account_id, row.name), "InsightSelectors": cleaned}


@action("cloudtrail", "GetInsightSelectors")
def get_insight_selectors(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    if p.get("EventDataStore"):
        raise err.UnsupportedOperationException("iamd records no CloudTrail Lake Insights events: name a trail.")
    if not p.get("TrailName"):
        raise err.InvalidParameterCombinationException("TrailName is required.")
    row = common.get(call, p["TrailName"])
    selectors = json.loads(row.insight_selectors) if row.insight_selectors else []
    arn = common.trail_arn(row.home_region, row.account_id, row.name)
    if not selectors:
        raise err.InsightNotEnabledException(
            f"Trail {arn} does not have Insights enabled. Edit the trail settings to enable Insights, and then try the operation again."
        )
    return {"TrailARN": arn, "InsightSelectors": selectors}
