"""GetSessionToken and GetFederationToken: temporary credentials from an IAM user's (or root's) keys.

Both need long-term credentials: called with temporary ones, AWS answers AccessDenied "Cannot call
GetSessionToken with session credentials" (likewise for GetFederationToken). Sessions last 900 to
129,600 seconds (43,200 by default); root's are cut to one hour: "If the duration is longer than
one hour, the session for Amazon Web Services account owners defaults to one hour" (the model's
DurationSeconds documentation, the same for both operations).

What the credentials may then do is authorization's business: GetSessionToken credentials act as
the user itself (no IAM calls without MFA, no STS calls but AssumeRole and GetCallerIdentity);
a federated user calls no IAM operation and of STS only GetCallerIdentity, and its permissions
are the intersection of the user's and the session policies — none at all if no session policy
was passed (``id_credentials_temp_request.md``). Session tags need ``sts:TagSession`` on the
user, and then override the user's tags of the same key, regardless of case.
"""

from __future__ import annotations

from typing import Any

from iamd.auth.session_claims import FEDERATED_USER, SESSION_TOKEN
from iamd.services.context import Call
from iamd.services.registry import action
from iamd.services.sts import credentials, session_policies

DEFAULT_SECONDS = 43200
MAX_SECONDS = 129600
ROOT_MAX_SECONDS = 3600


def _max_seconds(call: Call) -> int:
    return ROOT_MAX_SECONDS if call.caller.is_root else MAX_SECONDS


@action("sts", "GetSessionToken")
def get_session_token(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    credentials.require_long_term_credentials(call, "GetSessionToken")
    mfa = credentials.verify_mfa(call, p.get("SerialNumber"), p.get("TokenCode"))
    c = call.caller
    _, creds = credentials.new_credentials(
        call,
        credentials.duration(p.get("DurationSeconds"), DEFAULT_SECONDS, _max_seconds(call)),
        kind=SESSION_TOKEN,
        account_id=c.account_id,
        arn=c.arn,
        principal_id=c.user_id,
        source_arn=c.arn,
        source_id=c.user_id,
        mfa_authenticated=mfa,
        mfa_auth_time=call.now if mfa else None,
    )
    return {"Credentials": creds}


@action("sts", "GetFederationToken")
def get_federation_token(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    credentials.require_long_term_credentials(call, "GetFederationToken")
    c = call.caller
    policies = session_policies.check_session_policies(call, p, c.account_id)
    tags = session_policies.check_session_tags(p)
    packed = session_policies.packed_policy_size(policies, tags)
    name = p["Name"]
    arn = f"arn:aws:sts::{c.account_id}:federated-user/{name}"
    federated_id = f"{c.account_id}:{name}"
    _, creds = credentials.new_credentials(
        call,
        credentials.duration(p.get("DurationSeconds"), DEFAULT_SECONDS, _max_seconds(call)),
        kind=FEDERATED_USER,
        account_id=c.account_id,
        arn=arn,
        principal_id=federated_id,
        source_arn=c.arn,
        source_id=c.user_id,
        session_name=name,
        policy=policies.policy,
        policy_arns=policies.policy_arns,
        tags=tags,
    )
    out: dict[str, Any] = {
        "Credentials": creds,
        "FederatedUser": {"FederatedUserId": federated_id, "Arn": arn},
    }
    if packed is not None:
        out["PackedPolicySize"] = packed
    return out
