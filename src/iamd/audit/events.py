"""CloudTrail records (eventVersion 1.08) from the API layer's ``ApiCallRecord``.

One call gives one record per account that sees it: the caller's account and, for a call on a
resource of another account (AssumeRole of a role there), that account too, as AWS records it in
both. The copies have their own ``eventID`` and share ``sharedEventID``; the resource account's
copy names the caller as ``AWSAccount``.

Following CloudTrail: IAM is global and its events carry ``awsRegion`` us-east-1; read-only calls
carry ``responseElements`` null (STS's credential-issuing calls keep theirs: they identify the
session); ``errorCode``/``errorMessage`` appear only on failures; every secret is
``HIDDEN_DUE_TO_SECURITY_REASONS`` (``redaction.py``).

``AuditEvent`` also carries the lookup columns. ``lookup_columns`` computes them from the record
alone, so verification recomputes exactly what was indexed.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from iamd.audit.identity import iso_z, other_account_identity, unauthenticated_identity, user_identity
from iamd.audit.record import ApiCallRecord
from iamd.audit.redaction import request_parameters, response_elements
from iamd.audit.resources import resources

EVENT_VERSION = "1.08"
GLOBAL_REGION = "us-east-1"
UNKNOWN_ACCOUNT = ""  # failed authentication with a key no account owns
# What one event keeps of strings the client chose (characters): an event must not grow with
# whatever a caller sends. Request parameters larger than the limit are dropped whole (a cut JSON
# document would mislead); a failed call's get a smaller limit, since anyone can make one.
MAX_USER_AGENT = 1024
MAX_SOURCE_IP = 128
MAX_ERROR_MESSAGE = 4096
MAX_PARAMETERS = 128 * 1024
MAX_FAILED_PARAMETERS = 8 * 1024
# Services whose responses CloudTrail keeps even for read-only calls.
_RESPONSES_ALWAYS = frozenset({"sts"})


@dataclass(frozen=True, slots=True)
class LookupColumns:
    account_id: str
    event_id: str
    event_time: datetime
    event_name: str
    event_source: str
    read_only: bool
    username: str | None
    access_key_id: str | None
    error_code: str | None
    resources: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class AuditEvent:
    columns: LookupColumns
    record: str  # the CloudTrail JSON, exactly as stored and hashed


def dumps(event: dict[str, Any]) -> str:
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False, default=str)


def build_events(record: ApiCallRecord) -> list[AuditEvent]:
    """The record's events: the caller's account first, then each other resource account."""
    home = record.account_id or (record.caller.account_id if record.caller else None) or UNKNOWN_ACCOUNT
    others = [a for a in dict.fromkeys(record.resource_accounts) if a and a != home]
    shared = str(uuid.uuid4()) if others else None
    base = _base(record)
    out = []
    for account in (home, *others):
        event = dict(base)
        if account != home:
            event["userIdentity"] = other_account_identity(record.caller, home or None)
        event["eventID"] = str(uuid.uuid4())
        event["readOnly"] = record.read_only
        event["eventType"] = "AwsApiCall"
        event["managementEvent"] = True
        event["recipientAccountId"] = account
        if shared:
            event["sharedEventID"] = shared
        event["eventCategory"] = "Management"
        out.append(AuditEvent(lookup_columns(event), dumps(event)))
    return out


def _base(record: ApiCallRecord) -> dict[str, Any]:
    service = record.service
    if record.caller is not None:
        identity = user_identity(record.caller)
        if record.operation == "AssumeRoot" and "sessionContext" in identity:
            # CloudTrail marks the session that called AssumeRoot ("Track privileged tasks in AWS
            # CloudTrail": ``"assumedRoot": "true"`` in the caller's sessionContext).
            identity["sessionContext"] = {**identity["sessionContext"], "assumedRoot": "true"}
    elif record.federated_type is not None:
        # Nothing the unverified token or assertion claims is trusted into the trail.
        identity = {"type": record.federated_type}
    elif record.key_owner is not None:
        identity = user_identity(record.key_owner)
    else:
        identity = unauthenticated_identity(record.access_key_id, record.account_id)
    cut = _Truncation()
    event: dict[str, Any] = {
        "eventVersion": EVENT_VERSION,
        "userIdentity": identity,
        "eventTime": iso_z(record.event_time.astimezone(UTC)),
        "eventSource": f"{service}.amazonaws.com",
        "eventName": record.operation or "Unknown",
        "awsRegion": GLOBAL_REGION if service == "iam" else record.region,
        "sourceIPAddress": cut.text(record.source_ip, MAX_SOURCE_IP),
        "userAgent": cut.text(record.user_agent, MAX_USER_AGENT),
    }
    if record.error_code:
        event["errorCode"] = record.error_code
        event["errorMessage"] = cut.text(record.error_message or "", MAX_ERROR_MESSAGE)
    params = request_parameters(service, record.operation, record.params)
    limit = MAX_PARAMETERS if record.error_code is None else MAX_FAILED_PARAMETERS
    event["requestParameters"] = cut.document(params, limit)
    keep_response = record.error_code is None and (not record.read_only or service in _RESPONSES_ALWAYS)
    event["responseElements"] = (
        response_elements(service, record.operation, record.response) if keep_response else None
    )
    event["requestID"] = record.request_id
    additional: dict[str, Any] = {}
    federation = record.caller.federation if record.caller is not None else None
    if federation is not None and federation.trail_data:
        additional.update(federation.trail_data)
    if record.suppressed_events:
        additional["suppressedEvents"] = record.suppressed_events
    if additional:
        event["additionalEventData"] = additional
    if cut.omitted:
        event["omitted"] = True
    return event


class _Truncation:
    """Bounds what a client controls; ``omitted`` records that something was cut, as CloudTrail
    marks a field it truncated (``"omitted": true``)."""

    def __init__(self) -> None:
        self.omitted = False

    def text(self, value: str, limit: int) -> str:
        if len(value) <= limit:
            return value
        self.omitted = True
        return value[:limit]

    def document(self, value: Any, limit: int) -> Any:
        if value is None or len(dumps(value)) <= limit:
            return value
        self.omitted = True
        return None


def lookup_columns(event: dict[str, Any]) -> LookupColumns:
    identity = event.get("userIdentity") or {}
    return LookupColumns(
        account_id=str(event.get("recipientAccountId", "")),
        event_id=str(event.get("eventID", "")),
        event_time=datetime.strptime(event["eventTime"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC),
        event_name=str(event.get("eventName", "")),
        event_source=str(event.get("eventSource", "")),
        read_only=bool(event.get("readOnly")),
        username=_username(identity),
        access_key_id=identity.get("accessKeyId") or None,
        error_code=event.get("errorCode") or None,
        resources=tuple(resources(event)),
    )


def _username(identity: dict[str, Any]) -> str | None:
    """LookupEvents' ``Username``: ``root``, the IAM user, or the session / federated name."""
    kind = identity.get("type")
    if kind == "Root":
        return "root"
    if kind == "IAMUser":
        return identity.get("userName")
    if kind in ("WebIdentityUser", "SAMLUser"):
        return identity.get("userName")
    if kind in ("AssumedRole", "FederatedUser") and identity.get("arn"):
        return str(identity["arn"]).rsplit("/", 1)[-1]
    return None
