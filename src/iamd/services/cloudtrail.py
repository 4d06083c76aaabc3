"""CloudTrail ``LookupEvents``: the caller's account's management events, newest first; and
``ListPublicKeys``: the keys that verify the trail's digests.

As AWS documents it: at most one lookup attribute (EventId, EventName, ReadOnly, Username,
ResourceType, ResourceName, EventSource, AccessKeyId); an optional time window; ``MaxResults``
1–50, default 50; ``NextToken`` to continue. The token is opaque to clients: the keyset position
``(event_time, position)`` of the page's last event plus a digest of the query, authenticated with
a key derived from the master key (``services/page_tokens.py``, shared with Organizations), so a forged token, or one replayed with other parameters, is
``InvalidNextTokenException`` rather than a page of something else. Pages stay stable while new
events arrive: they only ever add to the front.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from iamd.audit.keys import public_keys
from iamd.audit.lookup import ATTRIBUTES, lookup, resources_of
from iamd.audit.signing import PublicKey
from iamd.services.cloudtrail_errors import (
    InvalidEventCategoryException,
    InvalidLookupAttributesException,
    InvalidMaxResultsException,
    InvalidNextTokenException,
    InvalidTimeRangeException,
)
from iamd.services.context import Call
from iamd.services.page_tokens import TokenSealer, sealer
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
    query = [call.account_id, attribute, str(start), str(end)]
    tokens = sealer(call.runtime.master_key, _TOKEN_PURPOSE)
    after = _read_token(tokens, p["NextToken"], query) if p.get("NextToken") else None
    rows = lookup(call.conn, call.account_id, attribute, start, end, limit + 1, after)
    more = len(rows) > limit
    rows = rows[:limit]
    resources = resources_of(call.conn, [r.seq for r in rows])
    out: dict[str, Any] = {"Events": [_event(r, resources.get(r.seq, [])) for r in rows]}
    if more:
        out["NextToken"] = tokens.seal([rows[-1].event_time.isoformat(), rows[-1].seq], query)
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


def _read_token(tokens: TokenSealer, token: str, query: list[Any]) -> tuple[datetime, int]:
    opened = tokens.open(token, query)
    if opened is None:
        raise InvalidNextTokenException("Invalid NextToken.")
    position, same_query = opened
    try:
        stamp, seq = position
        when = datetime.fromisoformat(stamp)
        seq = int(seq)
    except (ValueError, TypeError):
        raise InvalidNextTokenException("Invalid NextToken.") from None
    if not same_query:
        raise InvalidNextTokenException("The NextToken was issued for a request with other parameters.")
    return when, seq


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
import iamd.services.trails  # noqa: E402, F401  (the rest of CloudTrail registers with it)
