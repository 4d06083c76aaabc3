"""GetScopedCredentials: the caller's own session, narrowed, and perhaps shorter.

STS API Reference: it "returns a set of temporary security credentials that are scoped down from
the caller's existing temporary security credentials", preserving "the caller's identity while
narrowing the permissions and optionally shortening the session lifetime". What that means here:

- only temporary credentials may call it (an assumed role, a federated user, GetSessionToken's);
  long-term keys, root's and AssumeRoot's sessions are ``InvalidSubjectCredentials``;
- ``Policy`` or ``DurationSeconds``, at least one (``ValidationError`` otherwise);
- ``Policy`` is one more scope-down layer: every later request must also be allowed by it
  (``policy/evaluator``, ``PolicySet.scoped``); "a maximum of 3 scope down policy layers are
  allowed per session", a fourth is denied (``AccessDenied``); invalid JSON policy is
  ``MalformedPolicyDocument``, one too large packed ``PackedPolicyTooLarge``;
- ``DurationSeconds`` may not outlast the calling session (``InsufficientSessionLifetime``);
  without it the new credentials expire with the caller's;
- ``MinimumSessionTokenSize`` pads the token to at least that many bytes;
- the identity — ARN, session name, source identity, tags, MFA, session policies — carries over
  unchanged; ``SessionInfo`` names it (``ScopedSessionId`` is the principal's unique id).

``ScopedSessionDescription`` is only recorded, in the request parameters of the audit trail.
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from typing import Any

from iamd.auth.session_claims import ROOT_SESSION, SCOPED_POLICIES, scoped_policies
from iamd.auth.sessions import MAX_TOKEN_CHARS
from iamd.errors import AccessDenied, ValidationError
from iamd.services.context import Call
from iamd.services.outbound.errors import InsufficientSessionLifetime, InvalidSubjectCredentials
from iamd.services.registry import action
from iamd.services.sts import credentials, session_policies

MAX_LAYERS = 3
PADDING = "pad"


def _subject(call: Call) -> Any:
    session = call.caller.session
    if session is None or call.caller.is_root or session.kind == ROOT_SESSION:
        raise InvalidSubjectCredentials(
            "GetScopedCredentials needs temporary security credentials of a role, federated user or "
            "GetSessionToken session; to scope down IAM user credentials, call GetSessionToken first."
        )
    return session


@action("sts", "GetScopedCredentials")
def get_scoped_credentials(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    session = _subject(call)
    if p.get("Policy") is None and p.get("DurationSeconds") is None:
        raise ValidationError("A request must provide at least one of Policy or DurationSeconds.")
    layers = scoped_policies(session)
    if p.get("Policy") is not None:
        if len(layers) >= MAX_LAYERS:
            raise AccessDenied(
                f"User: {call.caller.arn} is not authorized to perform: sts:GetScopedCredentials because the session "
                f"already has {MAX_LAYERS} GetScopedCredentials scope-down policies"
            )
        checked = session_policies.check_session_policies(call, {"Policy": p["Policy"]}, call.account_id)
        session_policies.packed_policy_size(checked, session.tags)
        layers = [*layers, str(checked.policy)]
    remaining = int((session.expires_at - call.now).total_seconds())
    requested = p.get("DurationSeconds")
    if requested is not None and requested > remaining:
        raise InsufficientSessionLifetime(requested=requested, remaining=max(remaining, 0))
    expires_at = call.now + timedelta(seconds=requested) if requested is not None else session.expires_at
    extra = {k: v for k, v in session.extra.items() if k != PADDING}
    if layers:
        extra[SCOPED_POLICIES] = json.dumps(layers)
    fields = {
        "kind": session.kind, "account_id": session.account_id, "arn": session.arn,
        "principal_id": session.principal_id, "source_arn": session.source_arn, "source_id": session.source_id,
        "session_name": session.session_name, "policy": session.policy, "policy_arns": session.policy_arns,
        "tags": session.tags, "transitive_tag_keys": session.transitive_tag_keys,
        "source_identity": session.source_identity, "mfa_authenticated": session.mfa_authenticated,
        "mfa_auth_time": session.mfa_auth_time, "chained": session.chained,
    }
    lifetime = expires_at - call.now
    _, creds = credentials.new_credentials(call, lifetime, extra=extra, **fields)
    minimum = p.get("MinimumSessionTokenSize") or 0
    while len(creds["SessionToken"]) < minimum:
        # Random padding: the token is compressed before it is sealed, so filler must not compress.
        extra[PADDING] = extra.get(PADDING, "") + secrets.token_urlsafe(minimum - len(creds["SessionToken"]))
        _, creds = credentials.new_credentials(call, lifetime, extra=extra, **fields)
    size = len(creds["SessionToken"])
    out: dict[str, Any] = {
        "Credentials": creds,
        "SessionInfo": {"ScopedSessionId": session.principal_id, "Arn": session.arn},
        "SessionTokenSize": size,
        "SessionTokenUtilization": min(100, size * 100 // MAX_TOKEN_CHARS),
        "ScopedPoliciesCount": len(layers),
    }
    if session.source_identity:
        out["SourceIdentity"] = session.source_identity
    return out
