"""Issuing a role session: the part every role-assuming STS call shares after the trust policy.

AssumeRole, AssumeRoleWithWebIdentity and AssumeRoleWithSAML differ in who may ask (an IAM
principal signing with its keys, or a federated identity vouched for by a token or an
assertion) and in what the request carries; once authorization has let the caller through the
role's trust policy they end the same way (STS API Reference, each operation's description):

- the session lasts ``DurationSeconds`` (one hour by default), at most the role's
  ``MaxSessionDuration``, at most one hour for role chaining; a federated voucher may cut it
  shorter (SAML's ``SessionDuration``);
- session policies are checked against the role's account, and with the session tags they must
  fit the packed budget (``PackedPolicySize``);
- the credentials act as ``arn:aws:sts::ACCT:assumed-role/ROLE/SESSION`` with the unique id
  ``AROA…:SESSION`` (``aws:userid``), and the role's last use is recorded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row

from iamd.auth.session_claims import ASSUMED_ROLE
from iamd.errors import ValidationError
from iamd.services.context import Call
from iamd.services.iam.roles import DEFAULT_MAX_SESSION_DURATION, role_arn
from iamd.services.sts import credentials
from iamd.services.sts.session_policies import SessionPolicies
from iamd.store.repos import roles

__all__ = ["CHAINED_MAX_SECONDS", "FEDERATED_PROVIDER", "FEDERATION_EXTRA", "FEDERATION_TYPE", "RoleSession", "issue_role_session", "session_seconds"]

CHAINED_MAX_SECONDS = 3600
# ``SessionClaims.extra`` keys a federated session carries (and a session chained from it keeps):
# the provider that vouched for the first caller, and CloudTrail's type of that caller.
FEDERATED_PROVIDER = "federated_provider"
FEDERATION_TYPE = "federation_type"
FEDERATION_EXTRA = frozenset({FEDERATED_PROVIDER, FEDERATION_TYPE})


def session_seconds(requested: int | None, row: Row[Any], *, chained: bool) -> int:
    """``DurationSeconds`` or the one-hour default, refused (not shortened) past the limits."""
    seconds = requested or DEFAULT_MAX_SESSION_DURATION
    if chained and seconds > CHAINED_MAX_SECONDS:
        raise ValidationError(
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
        )
    if seconds > row.max_session_duration:
        raise ValidationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
    return int(seconds)


@dataclass(frozen=True)
class RoleSession:
    """A checked request for a session of ``row`` (the role), ready to issue."""

    row: Row[Any]
    session_name: str
    seconds: int
    policies: SessionPolicies
    tags: Sequence[tuple[str, str]] = ()
    transitive_tag_keys: Sequence[str] = ()
    source_identity: str | None = None
    packed: int | None = None
    mfa_authenticated: bool = False
    mfa_auth_time: datetime | None = None
    chained: bool = False
    # Sealed into the session (``SessionClaims.extra``): e.g. the federated provider, for
    # ``aws:FederatedProvider`` and the trail's ``webIdFederationData``.
    extra: Mapping[str, str] = field(default_factory=dict)


def issue_role_session(call: Call, s: RoleSession) -> dict[str, Any]:
    """The credentials and the members every role-assuming operation returns alike."""
    row = s.row
    assumed_arn = f"arn:aws:sts::{row.account_id}:assumed-role/{row.name}/{s.session_name}"
    assumed_id = f"{row.role_id}:{s.session_name}"
    _, creds = credentials.new_credentials(
        call,
        timedelta(seconds=s.seconds),
        kind=ASSUMED_ROLE,
        account_id=row.account_id,
        arn=assumed_arn,
        principal_id=assumed_id,
        source_arn=role_arn(row),
        source_id=row.role_id,
        session_name=s.session_name,
        policy=s.policies.policy,
        policy_arns=s.policies.policy_arns,
        tags=list(s.tags),
        transitive_tag_keys=list(s.transitive_tag_keys),
        source_identity=s.source_identity,
        mfa_authenticated=s.mfa_authenticated,
        mfa_auth_time=s.mfa_auth_time,
        chained=s.chained,
        extra=dict(s.extra),
    )
    roles.update(call.conn, row.role_id, last_used_at=call.now, last_used_region=call.region)
    out: dict[str, Any] = {
        "Credentials": creds,
        "AssumedRoleUser": {"AssumedRoleId": assumed_id, "Arn": assumed_arn},
    }
    if s.packed is not None:
        out["PackedPolicySize"] = s.packed
    if s.source_identity is not None:
        out["SourceIdentity"] = s.source_identity
    return out
