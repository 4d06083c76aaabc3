"""What principals did, as the audit trail records it: the actions each IAM role and user called.

One reading of the trail for every feature that turns activity into least privilege (policy
generation, last-accessed reports): an event counts for the principal that made it — an IAM user
(``userIdentity.type`` ``IAMUser``), or a role through any of its sessions (``AssumedRole``,
``sessionContext.sessionIssuer.arn``) — and names the action it was authorized as
(``eventSource`` prefix and ``eventName``, as ``authz/catalogue`` spells it). Calls that
authorization refused are not uses: the principal did not get the access. The copy of a
cross-account call recorded in the resource's account (``AWSAccount``) is not the caller's
activity there either.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, or_, select

from iamd.audit.identity import user_identity
from iamd.authz import catalogue
from iamd.store.audit_schema import audit_events as E

DENIED = ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "InvalidClientTokenId",
          "SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException")
_CHUNK = 2000


@dataclass(frozen=True, slots=True)
class Use:
    principal_arn: str  # the user, or the role (not the session)
    action: str  # "iam:ListUsers", catalogue spelling when the catalogue knows it
    time: datetime
    region: str


def principal_of(identity: dict[str, Any]) -> str | None:
    kind = identity.get("type")
    if kind == "IAMUser":
        arn = identity.get("arn")
        return str(arn) if arn else None
    if kind == "AssumedRole":
        issuer = (identity.get("sessionContext") or {}).get("sessionIssuer") or {}
        arn = issuer.get("arn")
        return str(arn) if arn else None
    return None


def action_of(source: str, name: str) -> str:
    prefix = source.removesuffix(".amazonaws.com")
    spelled = catalogue.permission_of(f"{prefix}:{name}")
    info = catalogue.action(spelled)
    return info.full_name if info is not None else spelled


def uses(conn: Connection, account_id: str, start: datetime | None, end: datetime | None) -> Iterator[Use]:
    """Every use recorded in ``account_id`` between ``start`` and ``end`` (inclusive), oldest
    first, read in chunks by trail position."""
    last = -1
    while True:
        q = select(E.c.seq, E.c.event_time, E.c.record).where(
            E.c.account_id == account_id, E.c.seq > last,
            or_(E.c.error_code.is_(None), E.c.error_code.notin_(DENIED)))
        if start is not None:
            q = q.where(E.c.event_time >= start)
        if end is not None:
            q = q.where(E.c.event_time <= end)
        rows = conn.execute(q.order_by(E.c.seq).limit(_CHUNK)).all()
        if not rows:
            return
        for row in rows:
            event = json.loads(row.record)
            principal = principal_of(event.get("userIdentity") or {})
            if principal is None:
                continue
            yield Use(principal, action_of(str(event.get("eventSource", "")), str(event.get("eventName", ""))),
                      row.event_time, str(event.get("awsRegion", "")))
        last = rows[-1].seq


def queued_uses(runtime: Any, account_id: str, start: datetime | None, end: datetime | None) -> Iterator[Use]:
    """Uses in the recorder's queue (read-only calls are written in batches): the stored trail
    does not hold them yet, and a job must see them."""
    recorder = getattr(runtime, "audit", None)
    if recorder is None:
        return
    for record in recorder.queued():
        if record.caller is None or record.account_id != account_id or record.error_code in DENIED:
            continue
        if (start is not None and record.event_time < start) or (end is not None and record.event_time > end):
            continue
        principal = principal_of(user_identity(record.caller))
        if principal is not None:
            yield Use(principal, action_of(f"{record.service}.amazonaws.com", record.operation or ""),
                      record.event_time, record.region)


def every_use(conn: Connection, runtime: Any, account_id: str, start: datetime | None,
              end: datetime | None) -> Iterator[Use]:
    """The stored trail's uses, then the queued ones."""
    yield from uses(conn, account_id, start, end)
    yield from queued_uses(runtime, account_id, start, end)


def same_principal(a: str, b: str) -> bool:
    """ARNs of one principal: IAM names compare case-insensitively; a role's path is part of its ARN
    in the trail exactly as IAM shows it."""
    return a.lower() == b.lower()
