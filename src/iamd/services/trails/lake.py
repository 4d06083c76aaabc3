"""The CloudTrail operations iamd has nothing behind, and resource policies.

CloudTrail Lake queries (SQL over event data stores), channels (events from outside AWS),
dashboards, imports, Insights data, Lake federation (Glue/Athena), delegated administrators and
event configuration need services iamd does not have. Each answers the error botocore's model
lists for an unavailable feature, ``UnsupportedOperationException``, with a message that says
what is missing; a lookup of something that cannot exist answers that it does not
(``QueryIdNotFoundException``, ``ChannelNotFoundException``, ``ImportNotFoundException``,
``ResourceNotFoundException``) and a listing is truthfully empty. docs/cloudtrail.md lists them.

Resource policies (PutResourcePolicy, GetResourcePolicy, DeleteResourcePolicy) are stored per
event data store ARN of the caller's account (a JSON policy of at most 8,192
characters). iamd has no cross-account Lake queries or channel ingestion for them to govern, so
they are kept, returned and deleted, and enforce nothing else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, insert, select, update

from iamd.services import cloudtrail_errors as err
from iamd.services.context import Call
from iamd.services.registry import action
from iamd.services.trails import stores
from iamd.store.cloudtrail_schema import ct_resource_policies

_LAKE = "iamd has no CloudTrail Lake query engine"
UNSUPPORTED: dict[str, str] = {
    "StartQuery": f"{_LAKE}: event data stores keep their configuration, not queryable events.",
    "GenerateQuery": f"{_LAKE}: no natural-language query generation.",
    "SearchSampleQueries": f"{_LAKE}: no sample queries.",
    "CreateChannel": "iamd has no CloudTrail Lake channels: events from outside AWS cannot be ingested.",
    "UpdateChannel": "iamd has no CloudTrail Lake channels.",
    "DeleteChannel": "iamd has no CloudTrail Lake channels.",
    "CreateDashboard": f"{_LAKE}: dashboards are built on Lake queries.",
    "StartImport": f"{_LAKE}: imports copy trail events into an event data store.",
    "StopImport": f"{_LAKE}: there are no imports.",
    "ListImportFailures": f"{_LAKE}: there are no imports.",
    "EnableFederation": "iamd has no AWS Glue or Athena for Lake federation.",
    "DisableFederation": "iamd has no AWS Glue or Athena for Lake federation.",
    "RegisterOrganizationDelegatedAdmin": "iamd has no organization trails or event data stores to delegate.",
    "DeregisterOrganizationDelegatedAdmin": "iamd has no organization trails or event data stores to delegate.",
    "PutEventConfiguration": "iamd records events of a fixed size and has no aggregation or context-key configuration.",
    "GetEventConfiguration": "iamd records events of a fixed size and has no aggregation or context-key configuration.",
    "ListInsightsData": "iamd records no CloudTrail Insights events.",
}


def _unsupported(name: str, message: str) -> Callable[[Call, dict[str, Any]], dict[str, Any]]:
    def answer(call: Call, p: dict[str, Any]) -> dict[str, Any]:
        raise err.UnsupportedOperationException(message)

    answer.__name__ = answer.__qualname__ = name
    return answer


for _name, _message in UNSUPPORTED.items():
    action("cloudtrail", _name)(_unsupported(_name, _message))


def _no_query(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    if p.get("EventDataStore"):
        stores.get(call, p["EventDataStore"])
    raise err.QueryIdNotFoundException(f"Query {str(p.get('QueryId') or p.get('QueryAlias') or '')[:256]} not found: {_LAKE}.")


for _name in ("DescribeQuery", "GetQueryResults", "CancelQuery"):
    action("cloudtrail", _name)(_no_query)


def _no_dashboard(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    raise err.ResourceNotFoundException(f"Dashboard {str(p.get('DashboardId'))[:256]} not found.")


for _name in ("GetDashboard", "UpdateDashboard", "DeleteDashboard", "StartDashboardRefresh"):
    action("cloudtrail", _name)(_no_dashboard)


@action("cloudtrail", "GetChannel")
def get_channel(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    raise err.ChannelNotFoundException(f"Channel {p['Channel'][:256]} not found.")


@action("cloudtrail", "GetImport")
def get_import(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    raise err.ImportNotFoundException(f"Import {p['ImportId'][:256]} not found.")


@action("cloudtrail", "ListChannels")
def list_channels(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    return {"Channels": []}


@action("cloudtrail", "ListDashboards")
def list_dashboards(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    return {"Dashboards": []}


@action("cloudtrail", "ListImports")
def list_imports(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    return {"Imports": []}


@action("cloudtrail", "ListQueries")
def list_queries(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    stores.get(call, p["EventDataStore"])
    return {"Queries": []}


@action("cloudtrail", "ListInsightsMetricData")
def list_insights_metric_data(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    """No Insights events are recorded, so every metric series is empty."""
    out: dict[str, Any] = {"EventSource": p["EventSource"], "EventName": p["EventName"], "InsightType": p["InsightType"]}
    if p.get("ErrorCode"):
        out["ErrorCode"] = p["ErrorCode"]
    out.update({"Timestamps": [], "Values": []})
    return out


_EDS = re.compile(r"arn:aws[a-z-]*:cloudtrail:[a-z0-9-]+:\d{12}:eventdatastore/.+")
MAX_POLICY = 8192


def _policy_target(call: Call, arn: str) -> str:
    if _EDS.fullmatch(arn):
        return stores.arn_of(stores.get(call, arn))
    if arn.startswith("arn:") and ":trail/" in arn:
        raise err.ResourceTypeNotSupportedException(
            "Resource policies can be attached to channels, dashboards and event data stores, not trails."
        )
    if re.fullmatch(r"arn:aws[a-z-]*:cloudtrail:[a-z0-9-]+:\d{12}:(channel|dashboard)/.+", arn):
        raise err.ResourceNotFoundException(f"Resource {arn[:256]} not found.")
    if not arn.startswith("arn:"):
        raise err.ResourceARNNotValidException(f"Resource ARN {arn[:256]} is not valid.")
    raise err.ResourceNotFoundException(f"Resource {arn[:256]} not found.")


@action("cloudtrail", "PutResourcePolicy")
def put_resource_policy(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    arn = _policy_target(call, p["ResourceArn"])
    doc = p["ResourcePolicy"]
    try:
        parsed = json.loads(doc)
    except ValueError:
        parsed = None
    if len(doc) > MAX_POLICY or not isinstance(parsed, dict) or "Statement" not in parsed:
        raise err.ResourcePolicyNotValidException("The resource policy is not a valid JSON policy document.")
    t = ct_resource_policies.c
    if call.conn.execute(select(t.resource_arn).where(t.resource_arn == arn)).first() is None:
        call.conn.execute(insert(ct_resource_policies).values(resource_arn=arn, account_id=call.account_id, policy=doc))
    else:
        call.conn.execute(update(ct_resource_policies).where(t.resource_arn == arn).values(policy=doc))
    return {"ResourceArn": arn, "ResourcePolicy": doc}


def _stored(call: Call, arn: str) -> str:
    t = ct_resource_policies.c
    doc = call.conn.execute(select(t.policy).where(t.resource_arn == arn, t.account_id == call.account_id)).scalar()
    if doc is None:
        raise err.ResourcePolicyNotFoundException(f"No resource policy is attached to {arn}.")
    return str(doc)


@action("cloudtrail", "GetResourcePolicy")
def get_resource_policy(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    arn = _policy_target(call, p["ResourceArn"])
    return {"ResourceArn": arn, "ResourcePolicy": _stored(call, arn)}


@action("cloudtrail", "DeleteResourcePolicy")
def delete_resource_policy(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    arn = _policy_target(call, p["ResourceArn"])
    _stored(call, arn)
    call.conn.execute(delete(ct_resource_policies).where(ct_resource_policies.c.resource_arn == arn))
    return {}
