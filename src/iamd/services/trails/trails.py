"""CreateTrail, UpdateTrail, DeleteTrail, DescribeTrails, GetTrail, ListTrails.

As the CloudTrail API Reference documents them: a new trail does not log until StartLogging; at
most 5 trails per region, a multi-region trail counting in every region (checked under the
account's lock, which the API takes before every change, so two servers cannot both make a
sixth); a name is unique in its region, and a multi-region trail's name in every region. The S3
bucket is where log files go: a sub-folder of the server's trail folder, or a bucket of the
configured S3-compatible endpoint (which must exist: ``S3BucketDoesNotExistException``).

What iamd has no counterpart for is refused with the error the model lists rather than stored
and ignored: ``KmsKeyId`` (no KMS), CloudWatch Logs delivery, organization trails.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from sqlalchemy import delete, insert, or_, select, update

from iamd.audit.trail_delivery import destination_of
from iamd.services import cloudtrail_errors as err
from iamd.services.context import Call
from iamd.services.registry import action
from iamd.services.trails import common
from iamd.services.trails.tagging import check_tags
from iamd.store import tags as tag_store
from iamd.store.cloudtrail_schema import ct_log_files, ct_trails

_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_IP = re.compile(r"\d{1,3}(\.\d{1,3}){3}")
_SNS = re.compile(r"[A-Za-z0-9_-]{1,256}|arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}")


def check_bucket(name: str) -> None:
    if not _BUCKET.fullmatch(name) or ".." in name or _IP.fullmatch(name) or ".-" in name or "-." in name:
        raise err.InvalidS3BucketNameException(f"Bucket name is not valid: {name[:70]}")


def check_prefix(prefix: str) -> None:
    """Key prefixes name folders when delivering to one: no empty, ``.`` or ``..`` segment, no
    leading slash, no control characters or backslash (S3 itself would take them)."""
    if len(prefix) > 200:
        raise err.InvalidS3PrefixException("The S3 key prefix cannot be longer than 200 characters.")
    parts = prefix.split("/")
    if prefix.startswith("/") or any(p in ("", ".", "..") for p in parts) or any(
        ord(c) < 32 or c in "\\\x7f" for c in prefix
    ):
        raise err.InvalidS3PrefixException(f"The S3 key prefix is not valid: {prefix[:200]!r}")


def _refuse_unsupported(p: dict[str, Any]) -> None:
    if p.get("KmsKeyId"):
        raise err.InvalidKmsKeyIdException("iamd has no AWS KMS: log files cannot be encrypted with a KMS key. Omit KmsKeyId.")
    if p.get("CloudWatchLogsLogGroupArn") or p.get("CloudWatchLogsRoleArn"):
        raise err.InvalidCloudWatchLogsLogGroupArnException(
            "iamd has no Amazon CloudWatch Logs: omit CloudWatchLogsLogGroupArn and CloudWatchLogsRoleArn."
        )
    if p.get("IsOrganizationTrail"):
        raise err.UnsupportedOperationException("iamd does not create organization trails: omit IsOrganizationTrail.")
    if p.get("RecursiveLogging"):
        raise err.UnsupportedOperationException("RecursiveLogging applies to organization trails, which iamd does not create.")


def _check_topic(p: dict[str, Any]) -> None:
    topic = p.get("SnsTopicName")
    if topic and not _SNS.fullmatch(topic):
        raise err.InvalidSnsTopicNameException(f"SNS topic name is not valid: {topic[:256]}")


def _check_destination(call: Call, bucket: str) -> None:
    dest = destination_of(call.runtime)
    if dest is not None and not dest.bucket_exists(bucket):
        raise err.S3BucketDoesNotExistException(f"S3 bucket {bucket} does not exist.")


@action("cloudtrail", "CreateTrail")
def create_trail(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    name = p["Name"]
    common.check_name(name)
    check_bucket(p["S3BucketName"])
    if p.get("S3KeyPrefix") is not None:
        check_prefix(p["S3KeyPrefix"])
    _check_topic(p)
    _refuse_unsupported(p)
    tags = p.get("TagsList") or []
    check_tags(tags)
    multi = bool(p.get("IsMultiRegionTrail", False))
    include_global = p.get("IncludeGlobalServiceEvents", True)
    if multi and include_global is False:
        raise err.InvalidParameterCombinationException(
            "Multi-Region trail must include global service events."
        )
    t = ct_trails.c
    named = select(t.trail_id).where(t.account_id == call.account_id, t.name == name)
    if not multi:
        named = named.where(or_(t.home_region == call.region, t.multi_region.is_(True)))
    same_name = call.conn.execute(named).first()
    if same_name is not None:
        raise err.TrailAlreadyExistsException(
            f"Trail {common.trail_arn(call.region, call.account_id, name)} already exists for customer: {call.account_id}"
        )
    in_region = _fullest_region(call, multi)
    if in_region >= common.MAX_TRAILS_PER_REGION:
        raise err.MaximumNumberOfTrailsExceededException(
            f"User: {call.account_id} already has {common.MAX_TRAILS_PER_REGION} trails in {call.region}."
        )
    _check_destination(call, p["S3BucketName"])
    trail_id = uuid.uuid4().hex
    call.conn.execute(
        insert(ct_trails).values(
            trail_id=trail_id, account_id=call.account_id, home_region=call.region, name=name,
            s3_bucket=p["S3BucketName"], s3_prefix=p.get("S3KeyPrefix") or None, sns_topic=p.get("SnsTopicName") or None,
            include_global=include_global is not False, multi_region=multi, organization=False,
            validation=bool(p.get("EnableLogFileValidation", False)),
            is_logging=False, created_at=call.now, delivered_seq=0,
        )
    )
    if tags:
        tag_store.put_tags(call.conn, common.TAG_TYPE, trail_id, tags)
    row = call.conn.execute(select(ct_trails).where(t.trail_id == trail_id)).one()
    return _created(row)


def _fullest_region(call: Call, multi: bool, but: str | None = None) -> int:
    """How many trails count in the region the new trail would make fullest: this one, or, for a
    multi-region trail, whichever region has the most (every multi-region trail counts in each)."""
    t = ct_trails.c
    counts: dict[str, int] = {}
    multis = 0
    for r in call.conn.execute(select(t.home_region, t.multi_region, t.trail_id).where(t.account_id == call.account_id)):
        if r.trail_id == but:
            continue
        if r.multi_region:
            multis += 1
        else:
            counts[r.home_region] = counts.get(r.home_region, 0) + 1
    single = max(counts.values(), default=0) if multi else counts.get(call.region, 0)
    return int(single) + int(multis)


@action("cloudtrail", "UpdateTrail")
def update_trail(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    row = common.get_home(call, p["Name"])
    _refuse_unsupported(p)
    _check_topic(p)
    values: dict[str, Any] = {}
    if p.get("S3BucketName") is not None:
        check_bucket(p["S3BucketName"])
        _check_destination(call, p["S3BucketName"])
        values["s3_bucket"] = p["S3BucketName"]
    if p.get("S3KeyPrefix") is not None:
        if p["S3KeyPrefix"]:
            check_prefix(p["S3KeyPrefix"])
        values["s3_prefix"] = p["S3KeyPrefix"] or None
    if p.get("SnsTopicName") is not None:
        values["sns_topic"] = p["SnsTopicName"] or None
    if p.get("IncludeGlobalServiceEvents") is not None:
        values["include_global"] = p["IncludeGlobalServiceEvents"]
    if p.get("EnableLogFileValidation") is not None:
        values["validation"] = p["EnableLogFileValidation"]
        if not p["EnableLogFileValidation"]:
            # No digest will list what was delivered so far; turning validation on again starts a
            # new digest chain, as on AWS.
            values.update(digest_start=None, digest_pending_end=None, digest_prev_bucket=None,
                          digest_prev_object=None, digest_prev_hash=None, digest_prev_signature=None)
            call.conn.execute(delete(ct_log_files).where(ct_log_files.c.trail_id == row.trail_id))
        elif row.digest_start is None and row.is_logging:
            values["digest_start"] = call.now
    multi = p.get("IsMultiRegionTrail")
    if multi is not None:
        values["multi_region"] = multi
    if (values.get("multi_region", row.multi_region)) and not values.get("include_global", row.include_global):
        raise err.InvalidParameterCombinationException("Multi-Region trail must include global service events.")
    if multi and not row.multi_region:
        t = ct_trails.c
        clash = call.conn.execute(
            select(t.trail_id).where(t.account_id == call.account_id, t.name == row.name, t.trail_id != row.trail_id)
        ).first()
        if clash is not None:
            raise err.TrailAlreadyExistsException(f"A trail named {row.name} exists in another region.")
        # Now it counts in every region: the fullest other region must have room for it.
        if _fullest_region(call, True, but=row.trail_id) >= common.MAX_TRAILS_PER_REGION:
            raise err.MaximumNumberOfTrailsExceededException(
                f"User: {call.account_id} already has {common.MAX_TRAILS_PER_REGION} trails in a region."
            )
    if values:
        call.conn.execute(update(ct_trails).where(ct_trails.c.trail_id == row.trail_id).values(**values))
    fresh = call.conn.execute(select(ct_trails).where(ct_trails.c.trail_id == row.trail_id)).one()
    return _created(fresh)


@action("cloudtrail", "DeleteTrail")
def delete_trail(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    row = common.get_home(call, p["Name"])
    tag_store.drop_all(call.conn, common.TAG_TYPE, row.trail_id)
    call.conn.execute(delete(ct_trails).where(ct_trails.c.trail_id == row.trail_id))
    return {}


@action("cloudtrail", "GetTrail")
def get_trail(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    return {"Trail": describe(common.get(call, p["Name"]))}


@action("cloudtrail", "DescribeTrails")
def describe_trails(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    """Every visible trail, or those named; a named trail that does not exist is left out (as AWS
    does); ``includeShadowTrails=false`` leaves out other home regions' multi-region trails."""
    shadows = p.get("includeShadowTrails", True)
    names = p.get("trailNameList") or []
    if names:
        found = [common.find(call, ref) for ref in names]
        rows = [r for r in found if r is not None]
    else:
        rows = common.visible(call.conn, call.account_id, call.region)
    if shadows is False:
        rows = [r for r in rows if r.home_region == call.region]
    seen: set[str] = set()
    out = []
    for r in rows:
        if r.trail_id not in seen:
            seen.add(r.trail_id)
            out.append(describe(r))
    return {"trailList": out}


@action("cloudtrail", "ListTrails")
def list_trails(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    """Every trail of the account, in every region (AWS: "Lists trails that are in the current
    account"), at most 5 per region, so one page."""
    t = ct_trails.c
    rows = call.conn.execute(
        select(t.name, t.home_region, t.account_id).where(t.account_id == call.account_id).order_by(t.home_region, t.name)
    )
    return {
        "Trails": [
            {"TrailARN": common.trail_arn(r.home_region, r.account_id, r.name), "Name": r.name, "HomeRegion": r.home_region}
            for r in rows
        ]
    }


def describe(r: Any) -> dict[str, Any]:
    """The ``Trail`` shape (DescribeTrails, GetTrail)."""
    out: dict[str, Any] = {"Name": r.name, "S3BucketName": r.s3_bucket}
    if r.s3_prefix:
        out["S3KeyPrefix"] = r.s3_prefix
    out.update(_topic(r))
    out.update(
        {
            "IncludeGlobalServiceEvents": bool(r.include_global),
            "IsMultiRegionTrail": bool(r.multi_region),
            "HomeRegion": r.home_region,
            "TrailARN": common.trail_arn(r.home_region, r.account_id, r.name),
            "LogFileValidationEnabled": bool(r.validation),
            "HasCustomEventSelectors": r.event_selectors is not None or r.advanced_selectors is not None,
            "HasInsightSelectors": bool(r.insight_selectors and json.loads(r.insight_selectors)),
            "IsOrganizationTrail": bool(r.organization),
        }
    )
    return out


def _topic(r: Any) -> dict[str, Any]:
    if not r.sns_topic:
        return {}
    topic = r.sns_topic
    arn = topic if topic.startswith("arn:") else f"arn:aws:sns:{r.home_region}:{r.account_id}:{topic}"
    return {"SnsTopicName": arn.rsplit(":", 1)[1], "SnsTopicARN": arn}


def _created(r: Any) -> dict[str, Any]:
    """CreateTrail's and UpdateTrail's answer: the trail without HomeRegion and the selector flags."""
    out = describe(r)
    for key in ("HomeRegion", "HasCustomEventSelectors", "HasInsightSelectors"):
        out.pop(key, None)
    return out
