"""What the API layer hands to the audit trail about one call (the contract between them).

``api/app.py`` fills one ``ApiCallRecord`` per request — successful, failed, denied, or failed
authentication — and gives it to the audit recorder: inside the call's own transaction when the
call changed something (so no change exists without its event and no event without its change),
otherwise to a bounded batch written off the hot path. Redaction of secrets is the audit layer's
job, driven by the service model's ``sensitive`` marks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from iamd.auth.caller import Caller


@dataclass(frozen=True)
class ApiCallRecord:
    request_id: str
    event_time: datetime
    service: str  # "iam", "sts", "cloudtrail", … (the SigV4 scope's service)
    operation: str | None  # None when the request failed before its operation was known
    region: str
    source_ip: str
    user_agent: str
    # The authenticated caller; None when authentication failed.
    caller: Caller | None
    # The access key id as presented (also for failed authentication), if any.
    access_key_id: str | None
    # The account the event belongs to: the caller's, or for a failed authentication the account
    # owning the presented key when it can be told; None when it cannot.
    account_id: str | None
    params: dict[str, Any] | None  # the decoded request, members as the model names them
    response: dict[str, Any] | None  # the result dict, for successful calls
    error_code: str | None = None
    error_message: str | None = None
    read_only: bool = True
    # Other accounts whose resources the call touched (AssumeRole of a role in another account):
    # as on AWS, the event is recorded in those accounts too.
    resource_accounts: tuple[str, ...] = field(default_factory=tuple)
    # An unsigned federation call that failed before its token or assertion was verified:
    # CloudTrail's type for the caller (``WebIdentityUser``, ``SAMLUser``); None otherwise.
    federated_type: str | None = None
    # Failed calls from the same source address not recorded since the previous recorded one
    # (the audit throttle's count); 0 for most events.
    suppressed_events: int = 0
    # A failed authentication with a long-term key iamd knows: the key's owner, whom CloudTrail
    # names in userIdentity (the call was not authenticated; ``caller`` stays None).
    key_owner: Caller | None = None
