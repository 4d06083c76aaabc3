"""AddTags, RemoveTags, ListTags on trails and event data stores, named by ARN.

AWS: at most 50 tags per resource (``TagsLimitExceededException``); keys 1–128 characters and
values up to 256, not starting with ``aws:`` (``InvalidTagParameterException``). A trail ARN names
the trail's home region; another account's ARN is ``ResourceNotFoundException`` (iamd shares no
trails across accounts). Channel ARNs are recognised (``ChannelNotFoundException``: iamd has no
channels).
"""

from __future__ import annotations

import re
from typing import Any

from iamd.services import cloudtrail_errors as err
from iamd.services.context import Call
from iamd.services.registry import action
from iamd.services.trails import common, stores
from iamd.store import tags as tag_store

MAX_TAGS = 50
_EDS = re.compile(r"arn:aws[a-z-]*:cloudtrail:[a-z0-9-]+:\d{12}:eventdatastore/.+")
_CHANNEL = re.compile(r"arn:aws[a-z-]*:cloudtrail:[a-z0-9-]+:\d{12}:channel/.+")


def check_tags(tags: list[dict[str, Any]]) -> None:
    if len(tags) > MAX_TAGS:
        raise err.TagsLimitExceededException(f"The number of tags exceeds the limit of {MAX_TAGS}.")
    for t in tags:
        key, value = t.get("Key") or "", t.get("Value") or ""
        if not 1 <= len(key) <= 128 or len(value) > 256 or key.lower().startswith("aws:"):
            raise err.InvalidTagParameterException(
                "Tag keys must be 1-128 characters not starting with aws:, and values at most 256 characters."
            )


def _resource(call: Call, arn: str) -> tuple[str, str]:
    """(tag resource type, id) of the trail or event data store ``arn`` of the caller's account."""
    if _EDS.fullmatch(arn):
        return stores.TAG_TYPE, stores.tag_id(stores.get(call, arn))
    if _CHANNEL.fullmatch(arn):
        raise err.ChannelNotFoundException(f"Channel {arn[:256]} not found: iamd has no channels.")
    if not arn.startswith("arn:"):
        raise err.CloudTrailARNInvalidException(f"{arn[:256]} is not a valid ARN: name the trail by its ARN.")
    trail = common.find(call, arn)
    if trail is None:
        raise err.ResourceNotFoundException(f"Resource {arn[:256]} not found.")
    return common.TAG_TYPE, trail.trail_id


@action("cloudtrail", "AddTags")
def add_tags(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    rtype, rid = _resource(call, p["ResourceId"])
    tags = p["TagsList"]
    check_tags(tags)
    if tag_store.merged_count(call.conn, rtype, rid, tags) > MAX_TAGS:
        raise err.TagsLimitExceededException(f"The number of tags exceeds the limit of {MAX_TAGS}.")
    tag_store.put_tags(call.conn, rtype, rid, tags)
    return {}


@action("cloudtrail", "RemoveTags")
def remove_tags(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    rtype, rid = _resource(call, p["ResourceId"])
    check_tags(p["TagsList"])
    tag_store.remove_tags(call.conn, rtype, rid, [t["Key"] for t in p["TagsList"]])
    return {}


@action("cloudtrail", "ListTags")
def list_tags(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    if p.get("NextToken"):
        raise err.InvalidTokenException("Invalid NextToken: ListTags answers in one page.")
    ids = p["ResourceIdList"]
    if len(ids) > 20:
        raise err.InvalidParameterException("ResourceIdList can name at most 20 resources.")
    out = []
    for arn in ids:
        rtype, rid = _resource(call, arn)
        out.append({"ResourceId": arn, "TagsList": tag_store.list_tags(call.conn, rtype, rid)})
    return {"ResourceTagList": out}
