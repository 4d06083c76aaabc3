"""Naming and finding trails as CloudTrail does.

A trail is named by its name or its ARN (``arn:aws:cloudtrail:REGION:ACCOUNT:trail/NAME``) in
every operation. A name is looked up in the caller's account, in the request's region: the trail
whose home region that is, or a multi-region trail of another home region (its "shadow" in this
region, as AWS shows it). An ARN of another account is not this account's trail: AWS answers
``TrailNotFoundException`` (iamd has no organization trails to share), so one account can
neither read nor change another's trails, whatever its policies say.

Name rules (CloudTrail User Guide, "Naming requirements for CloudTrail resources"): ASCII
letters, digits, periods, underscores and dashes; starts and ends with a letter or digit; 3–128
characters; no two adjacent periods, underscores or dashes; not an IP address.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, or_, select

from iamd.services import cloudtrail_errors as err
from iamd.services.context import Call
from iamd.store.cloudtrail_schema import ct_trails

MAX_TRAILS_PER_REGION = 5
_ALLOWED = re.compile(r"[A-Za-z0-9._-]+")
_IP = re.compile(r"\d{1,3}(\.\d{1,3}){3}")
_ADJACENT = re.compile(r"[._-]{2}")
_ARN = re.compile(r"arn:aws[a-z-]*:cloudtrail:([a-z0-9-]+):(\d{12}):trail/(.+)")
TAG_TYPE = "ct-trail"


def trail_arn(region: str, account_id: str, name: str) -> str:
    return f"arn:aws:cloudtrail:{region}:{account_id}:trail/{name}"


def check_name(name: str) -> None:
    """Raises InvalidTrailNameException with AWS's reason when ``name`` is not a trail name."""
    if len(name) < 3:
        raise err.InvalidTrailNameException(
            f"Trail name too short. Minimum allowed length: 3 characters. Specified name length: {len(name)} characters."
        )
    if len(name) > 128:
        raise err.InvalidTrailNameException(
            f"Trail name too long. Maximum allowed length: 128 characters. Specified name length: {len(name)} characters."
        )
    if not _ALLOWED.fullmatch(name):
        raise err.InvalidTrailNameException(
            "Trail name must contain only ASCII letters (a-z, A-Z), numbers (0-9), periods (.), underscores (_), or dashes (-)."
        )
    if not (name[0].isalnum() and name[-1].isalnum()):
        raise err.InvalidTrailNameException("Trail name must starts with a letter or number.")
    if _ADJACENT.search(name):
        raise err.InvalidTrailNameException("Trail name or ARN can only contain uppercase letters, lowercase letters, "
                                            "numbers, periods (.), hyphens (-), and underscores (_), and must not "
                                            "have adjacent periods, hyphens or underscores.")
    if _IP.fullmatch(name):
        raise err.InvalidTrailNameException("Trail name cannot be formatted as an IP address.")


def parse_ref(call: Call, ref: str) -> tuple[str | None, str | None, str]:
    """(region or None, account or None, name) of a name-or-ARN; raises for a malformed one."""
    if ref.startswith("arn:"):
        m = _ARN.fullmatch(ref)
        if m is None:
            raise err.CloudTrailARNInvalidException(
                f"Invalid trail ARN: {ref[:256]}. The ARN must be of the form arn:aws:cloudtrail:REGION:ACCOUNT:trail/NAME."
            )
        check_name(m.group(3))
        return m.group(1), m.group(2), m.group(3)
    check_name(ref)
    return None, None, ref


def find(call: Call, ref: str, *, lock: bool = False) -> Any | None:
    """The caller's trail ``ref`` visible from the request's region, or None."""
    region, account, name = parse_ref(call, ref)
    if account is not None and account != call.account_id:
        return None
    q = select(ct_trails).where(ct_trails.c.account_id == call.account_id, ct_trails.c.name == name)
    if region is not None:
        q = q.where(ct_trails.c.home_region == region)
        if region != call.region:
            q = q.where(ct_trails.c.multi_region.is_(True))
    else:
        q = q.where(or_(ct_trails.c.home_region == call.region, ct_trails.c.multi_region.is_(True)))
    if lock:
        q = q.with_for_update()
    return call.conn.execute(q.order_by(ct_trails.c.home_region != call.region)).first()


def get(call: Call, ref: str, *, lock: bool = False) -> Any:
    row = find(call, ref, lock=lock)
    if row is None:
        raise err.TrailNotFoundException(f"Unknown trail: {_shown(call, ref)} for the user: {call.account_id}")
    return row


def get_home(call: Call, ref: str) -> Any:
    """The trail, for a change: only from its home region (``InvalidHomeRegionException``)."""
    row = get(call, ref, lock=True)
    if row.home_region != call.region:
        raise err.InvalidHomeRegionException(
            f"This operation must be called from the trail's home region, {row.home_region}."
        )
    return row


def _shown(call: Call, ref: str) -> str:
    return ref if ref.startswith("arn:") else trail_arn(call.region, call.account_id, ref)


def visible(conn: Connection, account_id: str, region: str) -> list[Any]:
    """The account's trails seen from ``region``: its own and other regions' multi-region trails."""
    return list(
        conn.execute(
            select(ct_trails)
            .where(ct_trails.c.account_id == account_id,
                   or_(ct_trails.c.home_region == region, ct_trails.c.multi_region.is_(True)))
            .order_by(ct_trails.c.created_at, ct_trails.c.name)
        )
    )
