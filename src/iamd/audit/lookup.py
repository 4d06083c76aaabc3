"""Reading the trail: one account's events newest first (LookupEvents), and the export stream.

Every lookup query is a range scan of one ``(account_id, <attribute>, event_time)`` index read
backwards from the keyset position ``(event_time, seq)`` of the previous page, so the cost of a
page does not grow with the trail. Resource lookups go through ``audit_event_resources`` (an event
names several resources) and fetch the page's events by position.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, or_, select

from iamd.store.audit_schema import audit_event_resources, audit_events

E, R = audit_events, audit_event_resources

_EVENT_COLUMNS = {
    "EventId": E.c.event_id,
    "EventName": E.c.event_name,
    "Username": E.c.username,
    "EventSource": E.c.event_source,
    "AccessKeyId": E.c.access_key_id,
}
_RESOURCE_COLUMNS = {"ResourceType": R.c.resource_type, "ResourceName": R.c.resource_name}
ATTRIBUTES = frozenset({*_EVENT_COLUMNS, *_RESOURCE_COLUMNS, "ReadOnly"})


def _window(
    table: Any, start: datetime | None, end: datetime | None, after: tuple[datetime, int] | None
) -> list[Any]:
    conds: list[ColumnElement[bool]] = []
    if start is not None:
        conds.append(table.c.event_time >= start)
    if end is not None:
        conds.append(table.c.event_time <= end)
    if after is not None:
        t, s = after
        conds.append(or_(table.c.event_time < t, and_(table.c.event_time == t, table.c.seq < s)))
    return conds


def lookup(
    conn: Connection,
    account_id: str,
    attribute: tuple[str, str] | None,
    start: datetime | None,
    end: datetime | None,
    limit: int,
    after: tuple[datetime, int] | None = None,
) -> list[Any]:
    """Up to ``limit`` events, newest first (ties: latest position first)."""
    if attribute is not None and attribute[0] in _RESOURCE_COLUMNS:
        key, value = attribute
        seqs = conn.execute(
            select(R.c.seq, R.c.event_time)
            .where(
                R.c.account_id == account_id, _RESOURCE_COLUMNS[key] == value, *_window(R, start, end, after)
            )
            .distinct()
            .order_by(R.c.event_time.desc(), R.c.seq.desc())
            .limit(limit)
        ).all()
        if not seqs:
            return []
        rows = conn.execute(select(E).where(E.c.seq.in_([s.seq for s in seqs]))).all()
        return sorted(rows, key=lambda r: (r.event_time, r.seq), reverse=True)
    conds = [E.c.account_id == account_id, *_window(E, start, end, after)]
    if attribute is not None:
        key, value = attribute
        if key == "ReadOnly":
            conds.append(E.c.read_only == (value.lower() == "true"))
        else:
            conds.append(_EVENT_COLUMNS[key] == value)
    return list(
        conn.execute(
            select(E).where(*conds).order_by(E.c.event_time.desc(), E.c.seq.desc()).limit(limit)
        ).all()
    )


def resources_of(conn: Connection, seqs: list[int]) -> dict[int, list[tuple[str, str]]]:
    out: dict[int, list[tuple[str, str]]] = {}
    if seqs:
        for r in conn.execute(select(R).where(R.c.seq.in_(seqs)).order_by(R.c.seq, R.c.position)):
            out.setdefault(r.seq, []).append((r.resource_type, r.resource_name))
    return out


def export(
    conn: Connection, account_id: str | None = None, since: datetime | None = None, chunk: int = 5000
) -> Iterator[str]:
    """Every stored record (CloudTrail JSON), oldest position first, read in chunks."""
    last = None
    while True:
        conds: list[ColumnElement[bool]] = []
        if last is not None:
            conds.append(E.c.seq > last)
        if account_id is not None:
            conds.append(E.c.account_id == account_id)
        if since is not None:
            conds.append(E.c.event_time >= since)
        rows = conn.execute(select(E.c.seq, E.c.record).where(*conds).order_by(E.c.seq).limit(chunk)).all()
        if not rows:
            return
        for row in rows:
            yield row.record
        last = rows[-1].seq
