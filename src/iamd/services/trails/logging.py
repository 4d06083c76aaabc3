"""StartLogging, StopLogging, GetTrailStatus.

StartLogging moves the trail's delivery cursor to the newest event already recorded: a trail
delivers what happens after logging starts (the StartLogging call's own event included, as it is
recorded after the change). StopLogging ends delivery at the newest event recorded before it;
what came before is still delivered. GetTrailStatus reports what delivery did (``trail_delivery``):
the last successful delivery and digest, the last attempt and the error of a failed one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from iamd.services.context import Call
from iamd.services.registry import action
from iamd.services.trails import common
from iamd.store.audit_schema import audit_trail_head
from iamd.store.cloudtrail_schema import ct_trails


def _head_seq(call: Call) -> int:
    return int(call.conn.execute(select(audit_trail_head.c.last_seq)).scalar() or 0)


@action("cloudtrail", "StartLogging")
def start_logging(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    row = common.get_home(call, p["Name"])
    if not row.is_logging:
        values: dict[str, Any] = {"is_logging": True, "start_logging_time": call.now, "stop_seq": None}
        head = _head_seq(call)
        draining = row.pending_first is not None or (row.stop_seq is not None and row.delivered_seq < row.stop_seq - 1)
        if draining:  # the last period is still being delivered: go on, skipping the stopped time
            values.update(skip_from=row.stop_seq, skip_to=head)
        else:
            values["delivered_seq"] = max(row.delivered_seq, head)
        if row.validation and row.digest_start is None:
            values["digest_start"] = call.now
        call.conn.execute(update(ct_trails).where(ct_trails.c.trail_id == row.trail_id).values(**values))
    return {}


@action("cloudtrail", "StopLogging")
def stop_logging(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    row = common.get_home(call, p["Name"])
    if row.is_logging:
        call.conn.execute(
            update(ct_trails)
            .where(ct_trails.c.trail_id == row.trail_id)
            .values(is_logging=False, stop_logging_time=call.now, stop_seq=_head_seq(call) + 1)
        )
    return {}


def _iso(when: Any) -> str:
    return str(when.strftime("%Y-%m-%dT%H:%M:%SZ"))


@action("cloudtrail", "GetTrailStatus")
def get_trail_status(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    r = common.get(call, p["Name"])
    out: dict[str, Any] = {"IsLogging": bool(r.is_logging)}
    if r.latest_delivery_error:
        out["LatestDeliveryError"] = r.latest_delivery_error
    if r.latest_delivery_time is not None:
        out["LatestDeliveryTime"] = r.latest_delivery_time
    if r.start_logging_time is not None:
        out["StartLoggingTime"] = r.start_logging_time
        out["TimeLoggingStarted"] = _iso(r.start_logging_time)
    if r.stop_logging_time is not None:
        out["StopLoggingTime"] = r.stop_logging_time
        out["TimeLoggingStopped"] = _iso(r.stop_logging_time)
    if r.latest_digest_delivery_time is not None:
        out["LatestDigestDeliveryTime"] = r.latest_digest_delivery_time
    if r.latest_digest_error:
        out["LatestDigestDeliveryError"] = r.latest_digest_error
    if r.latest_delivery_attempt is not None:
        out["LatestDeliveryAttemptTime"] = _iso(r.latest_delivery_attempt)
        if r.latest_delivery_time is not None:
            out["LatestDeliveryAttemptSucceeded"] = _iso(r.latest_delivery_time)
    return out
