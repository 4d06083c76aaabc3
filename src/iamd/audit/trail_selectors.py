"""Which events a trail's event selectors select: basic selectors (ReadWriteType,
IncludeManagementEvents, DataResources) or advanced ones (field selectors ANDed, selectors ORed).

Every event iamd records is a management event (eventCategory ``Management``): iamd has no data
events, network activity events or Insights events, so data resources and advanced selectors on
other categories select nothing here, as on AWS they select nothing of IAM's.

A trail without selectors logs every management event, read and write (CloudTrail's default).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

DEFAULT_SELECTORS = [
    {"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": [], "ExcludeManagementEventSources": []}
]
_OPS = ("Equals", "StartsWith", "EndsWith", "NotEquals", "NotStartsWith", "NotEndsWith")


@dataclass(frozen=True)
class EventFacts:
    """What a selector can test of one recorded event."""

    event_source: str
    event_name: str
    read_only: bool
    error_code: str | None
    user_arn: str | None
    resource_arns: tuple[str, ...] = ()
    event_category: str = "Management"

    @classmethod
    def of_record(cls, record: dict[str, Any]) -> EventFacts:
        ident = record.get("userIdentity") or {}
        arns = tuple(r.get("ARN", "") for r in record.get("resources") or [] if isinstance(r, dict))
        return cls(
            event_source=str(record.get("eventSource", "")),
            event_name=str(record.get("eventName", "")),
            read_only=bool(record.get("readOnly", False)),
            error_code=record.get("errorCode"),
            user_arn=ident.get("arn") if isinstance(ident, dict) else None,
            resource_arns=arns,
        )

    def field(self, name: str) -> list[str]:
        values: dict[str, list[str]] = {
            "eventCategory": [self.event_category],
            "eventSource": [self.event_source],
            "eventName": [self.event_name],
            "readOnly": ["true" if self.read_only else "false"],
            "errorCode": [self.error_code] if self.error_code else [],
            "userIdentity.arn": [self.user_arn] if self.user_arn else [],
            "resources.ARN": list(self.resource_arns),
        }
        return values.get(name, [])


class Selection:
    """A trail's stored selectors, compiled once per delivery batch."""

    def __init__(self, basic_json: str | None, advanced_json: str | None) -> None:
        self.basic = json.loads(basic_json) if basic_json else None
        self.advanced = json.loads(advanced_json) if advanced_json else None
        if self.basic is None and self.advanced is None:
            self.basic = DEFAULT_SELECTORS

    def selects(self, e: EventFacts) -> bool:
        if self.advanced is not None:
            return any(_advanced_matches(s, e) for s in self.advanced)
        return any(_basic_matches(s, e) for s in self.basic or [])


def _basic_matches(s: dict[str, Any], e: EventFacts) -> bool:
    if e.event_category != "Management" or not s.get("IncludeManagementEvents", True):
        return False
    if e.event_source in (s.get("ExcludeManagementEventSources") or []):
        return False
    rw = s.get("ReadWriteType", "All")
    return bool(rw == "All" or (rw == "ReadOnly") == e.read_only)


def _advanced_matches(s: dict[str, Any], e: EventFacts) -> bool:
    return all(_field_matches(f, e.field(f["Field"])) for f in s.get("FieldSelectors") or [])


def _field_matches(f: dict[str, Any], values: list[str]) -> bool:
    """Each operator given must hold; a positive one (Equals…) of any of its values, a negative
    one (NotEquals…) of none. A field the event lacks matches only negative operators."""
    for op in _OPS:
        wanted = f.get(op)
        if not wanted:
            continue
        hits = any(_test(op.removeprefix("Not"), v, w) for v in values for w in wanted)
        if op.startswith("Not") == hits:
            return False
    return True


def _test(op: str, value: str, wanted: str) -> bool:
    if op == "Equals":
        return value == wanted
    if op == "StartsWith":
        return value.startswith(wanted)
    return value.endswith(wanted)
