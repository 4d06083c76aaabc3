"""CloudTrail ``LookupEvents``: the caller's account's management events, newest first; and
``ListPublicKeys``: the keys that verify the trail's digests.

As AWS documents it: at most one lookup attribute (EventId, EventName, ReadOnly, Username,
ResourceType, ResourceName, EventSource, AccessKeyId); an optional time window; ``MaxResults``
1–50, default 50; ``NextToken`` to continue. The token is opaque to clients: the keyset position
``(event_time, position)`` of the page's last event plus a digest of the query, authenticated with
a key derived from the master key, so a forged token, or one replayed with other parameters, is
``InvalidNextTokenException`` rather than a page of something else. Pages stay stable while new
events arrive: they only ever add to the front.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from iamd.audit.keys import public_keys
from iamd.audit.lookup import ATTRIBUTES, lookup, resources_of
from iamd.audit.signing import PublicKey
from iamd.auth.secretbox import derive_key
from iamd.services.cloudtrail_errors import (
    InvalidEventCategoryException,
    InvalidLookupAttributesException,
    InvalidMaxResultsException,
    InvalidNextTokenException,
    InvalidTimeRangeException,
)
from iamd.services.context import Call
from iamd.services.registry import action

DEFAULT_MAX_RESULTS = 50
_TOKEN_PURPOSE = "cloudtrail-next-token"


@action("cloudtrail", "LookupEvents")
def lookup_events(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    attribute = _attribute(p.get("LookupAttributes") or [])
    start, end = _aware(p.get("StartTime")), _aware(p.get("EndTime"))
    if start is not None and end is not None and start > end:
        raise InvalidTimeRangeException("Start time must be before end time.")
    category = p.get("EventCategory")
    if category is not None and category != "insight":
        raise InvalidEventCategoryException(f"Event category {category} is not valid.")
    limit = p.get("MaxResults")
    if limit is None:
        limit = DEFAULT_MAX_RESULTS
    if not 1 <= limit <= DEFAULT_MAX_RESULTS:
        raise InvalidMaxResultsException("Value for MaxResults must be between 1 and 50.")
    if category == "insight":
        return {"Events": []}  # iamd records no Insights events
    query = _query_digest(call.account_id, attribute, start, end)
    key = derive_key(call.runtime.master_key, _TOKEN_PURPOSE)
    after = _read_token(p["NextToken"], key, query) if p.get("NextToken") else None
    rows = lookup(call.conn, call.account_id, attribute, start, end, limit + 1, after)
    more = len(rows) > limit
    rows = rows[:limit]
    resources = resources_of(call.conn, [r.seq for r in rows])
    out: dict[str, Any] = {"Events": [_event(r, resources.get(r.seq, [])) for r in rows]}
    if more:
        out["NextToken"] = _make_token(rows[-1].event_time, rows[-1].seq, key, query)
    return out


def _attribute(attributes: list[dict[str, Any]]) -> tuple[str, str] | None:
    if len(attributes) > 1:
        raise InvalidLookupAttributesException("You cannot specify more than one lookup attribute.")
    if not attributes:
        return None
    key, value = attributes[0].get("AttributeKey"), attributes[0].get("AttributeValue")
    if key not in ATTRIBUTES:
        raise InvalidLookupAttributesException(f"Lookup attribute key {key} is not valid.")
    if not isinstance(value, str) or not value:
        raise InvalidLookupAttributesException("Lookup attribute value cannot be empty.")
    return key, value


def _event(row: Any, resources: list[tuple[str, str]]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "EventId": row.event_id,
        "EventName": row.event_name,
        "ReadOnly": "true" if row.read_only else "false",
    }
    if row.access_key_id:
        out["AccessKeyId"] = row.access_key_id
    out["EventTime"] = row.event_time
    out["EventSource"] = row.event_source
    if row.username:
        out["Username"] = row.username
    out["Resources"] = [{"ResourceType": t, "ResourceName": n} for t, n in resources]
    out["CloudTrailEvent"] = row.record
    return out


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _query_digest(account_id: str, attribute: tuple[str, str] | None, start: Any, end: Any) -> str:
    text = json.dumps([account_id, attribute, str(start), str(end)])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _make_token(event_time: datetime, seq: int, key: bytes, query: str) -> str:
    body = base64.urlsafe_b64encode(json.dumps([event_time.isoformat(), seq, query]).encode()).decode()
    mac = hmac.new(key, body.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{body}.{mac}"


def _read_token(token: str, key: bytes, query: str) -> tuple[datetime, int]:
    body, _, mac = token.rpartition(".")
    expected = hmac.new(key, body.encode(), hashlib.sha256).hexdigest()[:32]
    if not body or not hmac.compare_digest(mac, expected):
        raise InvalidNextTokenException("Invalid NextToken.")
    try:
        stamp, seq, bound = json.loads(base64.urlsafe_b64decode(body.encode()))
        when = datetime.fromisoformat(stamp)
    except (ValueError, TypeError):
        raise InvalidNextTokenException("Invalid NextToken.") from None
    if bound != query:
        raise InvalidNextTokenException("The NextToken was issued for a request with other parameters.")
    return when, int(seq)


@action("cloudtrail", "ListPublicKeys")
def list_public_keys(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    """The trail's digest-signing public keys (``audit/keys.py``) valid in the window, as CloudTrail
    publishes its own: DER ``Value``, validity, and the ``Fingerprint`` digests name as key id.
    Without a window, the key in use now; one trail per database, so every account sees the same
    keys (they are public: verifying needs them, signing does not)."""
    start, end = _aware(p.get("StartTime")), _aware(p.get("EndTime"))
    if start is not None and end is not None and start > end:
        raise InvalidTimeRangeException("Start time must be before end time.")
    now = call.runtime.clock()
    start = start or now
    end = end or now
    out = []
    for row in public_keys(call.conn):
        if row.valid_from > end or (row.valid_until is not None and row.valid_until < start):
            continue
        key = PublicKey.from_hex(row.public_key).public
        item: dict[str, Any] = {
            "Value": key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo),
            "ValidityStartTime": row.valid_from,
            "Fingerprint": row.key_id,
        }
        if row.valid_until is not None:
            item["ValidityEndTime"] = row.valid_until
        out.append(item)
    return {"PublicKeyList": out}
