"""The resources a ``cloudtrail:*`` call acts on, as the Service Authorization Reference names
them: ``arn:aws:cloudtrail:REGION:ACCOUNT:trail/NAME``, ``…:eventdatastore/ID``,
``…:channel/ID``, ``…:dashboard/NAME``.

A trail named by name is the caller's trail of that name seen from the request's region (its
ARN carries its home region, as AWS authorizes a multi-region trail's shadow on the trail's own
ARN); a name no trail has yet (CreateTrail, or a missing trail, which AWS authorizes before
answering TrailNotFoundException) takes the request's region. An ARN is taken as given: another
account's ARN is that account's resource, so only a resource policy could allow it (iamd's
CloudTrail resource policies allow nothing), and the action answers not-found in any case.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, or_, select

from iamd.auth.caller import Caller
from iamd.authz import catalogue
from iamd.authz.resources import ANY, Resource
from iamd.store import tags as tag_store
from iamd.store.cloudtrail_schema import ct_trails

_ARN = re.compile(r"arn:aws[a-z-]*:cloudtrail:([a-z0-9-]+):(\d{12}):(trail|eventdatastore|channel|dashboard)/(.+)")
_MEMBERS = {
    "trail": ("Name", "TrailName", "InsightSource"),
    "eventdatastore": ("EventDataStore",),
    "channel": ("Channel",),
    "dashboard": ("DashboardId",),
}


def resolve(
    conn: Connection, caller: Caller, action: str, params: Mapping[str, Any], with_tags: bool, region: str
) -> list[Resource]:
    """``region``: the request's, which names a trail seen from it."""
    info = catalogue.action(action)
    if info is None or not info.resource_types:
        return [ANY]
    kinds = {ref.name for ref in info.resource_types}
    found: list[Resource] = []
    arns = [params[m] for m in ("ResourceId", "ResourceArn") if isinstance(params.get(m), str)]
    arns += [a for a in params.get("ResourceIdList") or [] if isinstance(a, str)]
    arns += [a for a in params.get("EventDataStores") or [] if isinstance(a, str)]
    arns += [d.get("Location") for d in params.get("Destinations") or []
             if isinstance(d, dict) and isinstance(d.get("Location"), str)]
    for arn in arns:
        m = _ARN.fullmatch(arn)
        if m is not None and m.group(3) in kinds:
            found.append(_resource(conn, caller, m.group(3), arn, with_tags))
    for kind in kinds:
        for member in _MEMBERS.get(kind, ()):
            value = params.get(member)
            if isinstance(value, str) and value:
                found.append(_named(conn, caller, kind, value, region, with_tags))
    if action.lower() == "cloudtrail:createdashboard" and isinstance(params.get("Name"), str):
        found.append(Resource(f"arn:aws:cloudtrail:{region}:{caller.account_id}:dashboard/{params['Name']}",
                              caller.account_id))
    named = {r.arn.split(":", 5)[5].split("/", 1)[0] for r in found}
    for ref in info.resource_types:
        # A resource the request does not name (a new event data store or channel, a query's
        # store): its type's ARN in this account and region, any id.
        if ref.required and ref.name not in named:
            found.append(Resource(f"arn:aws:cloudtrail:{region}:{caller.account_id}:{ref.name}/*", caller.account_id))
    return found or [ANY]


def _named(conn: Connection, caller: Caller, kind: str, value: str, region: str, with_tags: bool) -> Resource:
    if value.startswith("arn:"):
        if not _ARN.fullmatch(value):  # malformed: the action answers its ARN error
            return Resource(f"arn:aws:cloudtrail:{region}:{caller.account_id}:{kind}/*", caller.account_id)
        return _resource(conn, caller, kind, value, with_tags)
    if kind == "trail":
        t = ct_trails.c
        row = conn.execute(
            select(t.home_region, t.trail_id).where(
                t.account_id == caller.account_id, t.name == value,
                or_(t.home_region == region, t.multi_region.is_(True)),
            ).order_by(t.home_region != region)
        ).first()
        home = row.home_region if row is not None else region
        arn = f"arn:aws:cloudtrail:{home}:{caller.account_id}:trail/{value}"
        tags = _tags(conn, "ct-trail", row.trail_id) if row is not None and with_tags else {}
        return Resource(arn, caller.account_id, tags)
    return Resource(f"arn:aws:cloudtrail:{region}:{caller.account_id}:{kind}/{value}", caller.account_id)


def _resource(conn: Connection, caller: Caller, kind: str, arn: str, with_tags: bool) -> Resource:
    m = _ARN.fullmatch(arn)
    assert m is not None
    account = m.group(2)
    tags: dict[str, str] = {}
    if with_tags and account == caller.account_id and kind == "trail":
        t = ct_trails.c
        trail_id = conn.execute(
            select(t.trail_id).where(t.account_id == account, t.home_region == m.group(1), t.name == m.group(4))
        ).scalar()
        if trail_id is not None:
            tags = _tags(conn, "ct-trail", trail_id)
    elif with_tags and account == caller.account_id and kind == "eventdatastore":
        tags = _tags(conn, "ct-eds", m.group(4).replace("-", ""))
    return Resource(arn, account, tags)


def _tags(conn: Connection, rtype: str, rid: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in tag_store.list_tags(conn, rtype, rid)}
