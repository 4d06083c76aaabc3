"""Event data stores (CloudTrail Lake): Create, Get, List, Update, Delete, Restore, and
Start/StopEventDataStoreIngestion, with AWS's states.

States: a new store is ``ENABLED`` (``StartIngestion`` false: ``STOPPED_INGESTION``); Stop/Start
ingestion move between the two (from any other state: ``InvalidEventDataStoreStatusException``);
DeleteEventDataStore refuses a store with termination protection
(``EventDataStoreTerminationProtectedException``) and otherwise sets ``PENDING_DELETION`` for 7 days,
during which RestoreEventDataStore brings it back and other changes answer
``InactiveEventDataStoreException``; after that it is gone. At most 10 stores per region
(``EventDataStoreMaxLimitExceededException``, pending deletions included, as AWS counts them).

iamd has no Lake query engine: a store keeps its configuration and state only; StartQuery and the
other query operations answer ``UnsupportedOperationException`` (``lake.py``).
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from iamd.services import cloudtrail_errors as err
from iamd.services.context import Call
from iamd.services.registry import action
from iamd.store import tags as tag_store
from iamd.store.cloudtrail_schema import ct_event_data_stores, ct_resource_policies

TAG_TYPE = "ct-eds"
MAX_PER_REGION = 10
PENDING_DAYS = 7
_T = ct_event_data_stores
_NAME = re.compile(r"[a-zA-Z0-9._-]{3,128}")
_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_ARN = re.compile(r"arn:aws[a-z-]*:cloudtrail:([a-z0-9-]+):(\d{12}):eventdatastore/(.+)")
DEFAULT_SELECTORS = [{"Name": "Default management events", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}]
_RETENTION = {"EXTENDABLE_RETENTION_PRICING": (7, 3653, 366), "FIXED_RETENTION_PRICING": (7, 2557, 2557)}


def arn_of(r: Any) -> str:
    return f"arn:aws:cloudtrail:{r.region}:{r.account_id}:eventdatastore/{r.eds_id}"


def _parse(ref: str) -> tuple[str | None, str | None, str]:
    m = _ARN.fullmatch(ref)
    if m is not None:
        ref_id = m.group(3)
        if not _ID.fullmatch(ref_id):
            raise err.EventDataStoreARNInvalidException(f"The event data store ARN {ref[:256]} is not valid.")
        return m.group(1), m.group(2), ref_id
    if not _ID.fullmatch(ref):
        raise err.EventDataStoreARNInvalidException(f"The event data store ARN or ID {ref[:256]} is not valid.")
    return None, None, ref


def get(call: Call, ref: str, *, active: bool = False) -> Any:
    region, account, eds_id = _parse(ref)
    _purge(call)
    row = None
    if (account is None or account == call.account_id) and (region is None or region == call.region):
        row = call.conn.execute(
            select(_T).where(_T.c.eds_id == eds_id, _T.c.account_id == call.account_id, _T.c.region == call.region)
        ).first()
    if row is None:
        raise err.EventDataStoreNotFoundException(f"The specified event data store {ref[:256]} was not found.")
    if active and row.status == "PENDING_DELETION":
        raise err.InactiveEventDataStoreException(f"Event data store {arn_of(row)} is pending deletion.")
    return row


def _purge(call: Call) -> None:
    """Stores whose 7 days of pending deletion have passed are deleted (as AWS does)."""
    gone = select(_T.c.eds_id).where(
        _T.c.account_id == call.account_id, _T.c.status == "PENDING_DELETION",
        _T.c.updated_at < call.now - timedelta(days=PENDING_DAYS),
    )
    for eds_id in call.conn.execute(gone).scalars().all():
        tag_store.drop_all(call.conn, TAG_TYPE, str(eds_id).replace("-", ""))
        arn = f"arn:aws:cloudtrail:{call.region}:{call.account_id}:eventdatastore/{eds_id}"
        call.conn.execute(delete(ct_resource_policies).where(ct_resource_policies.c.resource_arn == arn))
        call.conn.execute(delete(_T).where(_T.c.eds_id == eds_id))


def tag_id(row: Any) -> str:
    return str(row.eds_id).replace("-", "")


def _check(p: dict[str, Any], billing: str) -> None:
    if p.get("KmsKeyId"):
        raise err.InvalidKmsKeyIdException("iamd has no AWS KMS: omit KmsKeyId.")
    if p.get("OrganizationEnabled"):
        raise err.UnsupportedOperationException("iamd does not create organization event data stores: omit OrganizationEnabled.")
    low, high, _default = _RETENTION[billing]
    days = p.get("RetentionPeriod")
    if days is not None and not low <= days <= high:
        raise err.InvalidParameterException(f"RetentionPeriod must be between {low} and {high} days for {billing}.")
    if p.get("AdvancedEventSelectors") is not None:
        from iamd.services.trails.selectors import check_advanced

        check_advanced(p["AdvancedEventSelectors"])


def _shape(r: Any, *, tags: list[dict[str, str]] | None = None, status: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "EventDataStoreArn": arn_of(r),
        "Name": r.name,
        "Status": status or r.status,
        "AdvancedEventSelectors": json.loads(r.advanced_selectors),
        "MultiRegionEnabled": bool(r.multi_region),
        "OrganizationEnabled": bool(r.organization),
        "RetentionPeriod": r.retention_period,
        "TerminationProtectionEnabled": bool(r.termination_protection),
    }
    if tags is not None:
        out["TagsList"] = tags
    out.update({"CreatedTimestamp": r.created_at, "UpdatedTimestamp": r.updated_at, "BillingMode": r.billing_mode})
    return out


def _name_taken(call: Call, name: str, but: str | None = None) -> None:
    q = select(_T.c.eds_id).where(_T.c.account_id == call.account_id, _T.c.region == call.region, _T.c.name == name)
    if but is not None:
        q = q.where(_T.c.eds_id != but)
    if call.conn.execute(q).first() is not None:
        raise err.EventDataStoreAlreadyExistsException(f"An event data store named {name} already exists.")


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise err.InvalidParameterException(
            "Event data store names are 3-128 characters: letters, numbers, periods, underscores and dashes."
        )


@action("cloudtrail", "CreateEventDataStore")
def create_event_data_store(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    from iamd.services.trails.tagging import check_tags

    _check_name(p["Name"])
    billing = p.get("BillingMode") or "EXTENDABLE_RETENTION_PRICING"
    _check(p, billing)
    tags = p.get("TagsList") or []
    check_tags(tags)
    _purge(call)
    _name_taken(call, p["Name"])
    count = call.conn.execute(
        select(func.count()).where(_T.c.account_id == call.account_id, _T.c.region == call.region)
    ).scalar_one()
    if count >= MAX_PER_REGION:
        raise err.EventDataStoreMaxLimitExceededException(
            f"Your account has the maximum number of event data stores ({MAX_PER_REGION}) in {call.region}."
        )
    eds_id = str(uuid.uuid4())
    call.conn.execute(
        insert(_T).values(
            eds_id=eds_id, account_id=call.account_id, region=call.region, name=p["Name"],
            status="ENABLED" if p.get("StartIngestion", True) else "STOPPED_INGESTION",
            advanced_selectors=json.dumps(p.get("AdvancedEventSelectors") or DEFAULT_SELECTORS),
            multi_region=p.get("MultiRegionEnabled", True), organization=False,
            retention_period=p.get("RetentionPeriod") or _RETENTION[billing][2],
            termination_protection=p.get("TerminationProtectionEnabled", True),
            kms_key_id=None, billing_mode=billing, created_at=call.now, updated_at=call.now,
        )
    )
    row = call.conn.execute(select(_T).where(_T.c.eds_id == eds_id)).one()
    if tags:
        tag_store.put_tags(call.conn, TAG_TYPE, tag_id(row), tags)
    return _shape(row, tags=tags, status="CREATED")


@action("cloudtrail", "GetEventDataStore")
def get_event_data_store(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    return _shape(get(call, p["EventDataStore"]))


@action("cloudtrail", "ListEventDataStores")
def list_event_data_stores(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    limit = p.get("MaxResults")
    if limit is not None and not 1 <= limit <= 1000:
        raise err.InvalidMaxResultsException("Value for MaxResults must be between 1 and 1000.")
    if p.get("NextToken"):
        raise err.InvalidNextTokenException("Invalid NextToken.")
    _purge(call)
    rows = call.conn.execute(
        select(_T).where(_T.c.account_id == call.account_id, _T.c.region == call.region).order_by(_T.c.created_at, _T.c.name)
    ).all()
    return {"EventDataStores": [_shape(r) for r in rows]}


@action("cloudtrail", "UpdateEventDataStore")
def update_event_data_store(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    row = get(call, p["EventDataStore"], active=True)
    billing = p.get("BillingMode") or row.billing_mode
    if row.billing_mode == "EXTENDABLE_RETENTION_PRICING" and billing == "FIXED_RETENTION_PRICING":
        raise err.InvalidParameterException("You cannot change the billing mode from EXTENDABLE_RETENTION_PRICING to FIXED_RETENTION_PRICING.")
    _check(p, billing)
    values: dict[str, Any] = {"updated_at": call.now, "billing_mode": billing}
    if p.get("Name") is not None:
        _check_name(p["Name"])
        _name_taken(call, p["Name"], but=row.eds_id)
        values["name"] = p["Name"]
    if p.get("AdvancedEventSelectors") is not None:
        values["advanced_selectors"] = json.dumps(p["AdvancedEventSelectors"])
    for member, column in (("MultiRegionEnabled", "multi_region"), ("RetentionPeriod", "retention_period"),
                           ("TerminationProtectionEnabled", "termination_protection")):
        if p.get(member) is not None:
            values[column] = p[member]
    call.conn.execute(update(_T).where(_T.c.eds_id == row.eds_id).values(**values))
    return _shape(call.conn.execute(select(_T).where(_T.c.eds_id == row.eds_id)).one())


@action("cloudtrail", "DeleteEventDataStore")
def delete_event_data_store(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    row = get(call, p["EventDataStore"], active=True)
    if row.termination_protection:
        raise err.EventDataStoreTerminationProtectedException(
            f"Event data store {arn_of(row)} cannot be deleted because termination protection is enabled."
        )
    call.conn.execute(update(_T).where(_T.c.eds_id == row.eds_id).values(status="PENDING_DELETION", updated_at=call.now))
    return {}


@action("cloudtrail", "RestoreEventDataStore")
def restore_event_data_store(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    row = get(call, p["EventDataStore"])
    if row.status != "PENDING_DELETION":
        raise err.InvalidEventDataStoreStatusException(f"Event data store {arn_of(row)} is not pending deletion.")
    call.conn.execute(update(_T).where(_T.c.eds_id == row.eds_id).values(status="ENABLED", updated_at=call.now))
    return _shape(call.conn.execute(select(_T).where(_T.c.eds_id == row.eds_id)).one())


def _ingestion(call: Call, ref: str, source: str, target: str) -> dict[str, Any]:
    row = get(call, ref)
    if row.status != source:
        raise err.InvalidEventDataStoreStatusException(
            f"Event data store {arn_of(row)} is {row.status}; this operation needs it {source}."
        )
    call.conn.execute(update(_T).where(_T.c.eds_id == row.eds_id).values(status=target, updated_at=call.now))
    return {}


@action("cloudtrail", "StartEventDataStoreIngestion")
def start_ingestion(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    return _ingestion(call, p["EventDataStore"], "STOPPED_INGESTION", "ENABLED")


@action("cloudtrail", "StopEventDataStoreIngestion")
def stop_ingestion(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    return _ingestion(call, p["EventDataStore"], "ENABLED", "STOPPED_INGESTION")
