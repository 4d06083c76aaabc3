"""The audit checklist's "CloudTrail enabled": the account has a trail that records every region's
management events, read and write, is logging, and validates its log files (CIS AWS Foundations
3.1 and 3.2: "Ensure CloudTrail is enabled in all regions", "Ensure CloudTrail log file
validation is enabled"). Read through the API (DescribeTrails, GetTrailStatus,
GetEventSelectors) or from the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from iamd.audit.trail_selectors import EventFacts, Selection

_READ = EventFacts("iam.amazonaws.com", "ListUsers", True, None, None)
_WRITE = EventFacts("iam.amazonaws.com", "CreateUser", False, None, None)


@dataclass(frozen=True)
class TrailFacts:
    name: str
    multi_region: bool
    logging: bool
    management_events: bool  # read and write
    validation: bool

    def missing(self) -> list[str]:
        return [what for what, ok in (
            ("multi-region", self.multi_region), ("logging", self.logging),
            ("read and write management events", self.management_events),
            ("log file validation", self.validation)) if not ok]


def selects_management(basic_json: str | None, advanced_json: str | None) -> bool:
    s = Selection(basic_json, advanced_json)
    return s.selects(_READ) and s.selects(_WRITE)


def problem(trails: list[TrailFacts]) -> str | None:
    """None when some trail passes; else why none does."""
    if not trails:
        return "the account has no trail"
    if any(not t.missing() for t in trails):
        return None
    best = min(trails, key=lambda t: len(t.missing()))
    return f"no trail is multi-region, logging, with management events and validation (trail {best.name} lacks: {', '.join(best.missing())})"


def from_client(ct: Any) -> list[TrailFacts]:
    """The trails of the caller's account, as the API shows them."""
    import json

    out = []
    for t in ct.describe_trails()["trailList"]:
        arn = t["TrailARN"]
        status = ct.get_trail_status(Name=arn)
        sel = ct.get_event_selectors(TrailName=arn)
        basic = json.dumps(sel["EventSelectors"]) if "EventSelectors" in sel else None
        advanced = json.dumps(sel["AdvancedEventSelectors"]) if "AdvancedEventSelectors" in sel else None
        out.append(TrailFacts(t["Name"], bool(t.get("IsMultiRegionTrail")), bool(status.get("IsLogging")),
                              selects_management(basic, advanced), bool(t.get("LogFileValidationEnabled"))))
    return out


def from_rows(rows: list[Any]) -> list[TrailFacts]:
    return [TrailFacts(r.name, bool(r.multi_region), bool(r.is_logging),
                       selects_management(r.event_selectors, r.advanced_selectors), bool(r.validation)) for r in rows]
