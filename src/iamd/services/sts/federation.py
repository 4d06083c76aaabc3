"""AssumeRoleWithWebIdentity and AssumeRoleWithSAML after authentication and the trust policy.

The caller is a ``FederatedIdentity`` (``auth/federated.py``): the API layer authenticated the
token or assertion and authorization evaluated the role's trust policy with the provider as the
``Federated`` principal before this runs. What is left is what STS checks besides, the same for
both operations (STS API Reference; ``id_session-tags.md``; ``id_credentials_temp_control-access_monitor.md``):

- the role exists (else AccessDenied, revealing nothing — authorization already refused a role
  without a trust policy, so this is only a race with its deletion);
- ``DurationSeconds`` within the role's ``MaxSessionDuration`` (no role chaining here: the
  caller has no session), cut to what the voucher allows (SAML's ``SessionDuration``);
- session policies checked against the role's account;
- session tags from the voucher (the ``https://aws.amazon.com/tags`` claim, SAML's
  ``PrincipalTag:`` attributes): unique keys, transitive keys among them, within the packed
  budget;
- a source identity from the voucher must not use the reserved ``aws:`` prefix.
"""

from __future__ import annotations

from typing import Any

from iamd.auth.federated import FederatedIdentity
from iamd.errors import AccessDenied, InternalFailure, ValidationError
from iamd.services.context import Call
from iamd.services.sts import role_sessions, session_policies
from iamd.services.sts.assume_role import find_role

__all__ = ["assume_role_federated", "federated_identity", "not_authorized"]


def not_authorized(identity: FederatedIdentity) -> AccessDenied:
    """AWS's refusal of a federated caller: "Not authorized to perform sts:AssumeRoleWithWebIdentity"."""
    return AccessDenied(f"Not authorized to perform {identity.operation_action}")


def federated_identity(call: Call) -> FederatedIdentity:
    identity = call.caller.federation
    if identity is None:
        # The API layer runs these operations only for a federated caller.
        raise InternalFailure()
    return identity


def assume_role_federated(call: Call, p: dict[str, Any], session_name: str) -> dict[str, Any]:
    """The session of ``p["RoleArn"]`` for the federated caller; the operation adds its own
    response members (``identity.response``) to what is returned."""
    identity = federated_identity(call)
    row = find_role(call, p["RoleArn"])
    if row is None:
        raise not_authorized(identity)
    seconds = role_sessions.session_seconds(p.get("DurationSeconds"), row, chained=False)
    if identity.max_session_seconds is not None:
        seconds = max(1, min(seconds, identity.max_session_seconds))
    policies = session_policies.check_session_policies(call, p, row.account_id)
    tag_input = {"Tags": [{"Key": k, "Value": v} for k, v in identity.session_tags]}
    tags = session_policies.check_session_tags(tag_input)
    transitive = session_policies.check_transitive_keys({"TransitiveTagKeys": list(identity.transitive_tag_keys)}, tags)
    packed = session_policies.packed_policy_size(policies, tags)
    source_identity = identity.source_identity
    if source_identity is not None and source_identity.lower().startswith("aws:"):
        raise ValidationError("SourceIdentity cannot begin with the reserved prefix aws:")
    out = role_sessions.issue_role_session(
        call,
        role_sessions.RoleSession(
            row=row,
            session_name=session_name,
            seconds=seconds,
            policies=policies,
            tags=tags,
            transitive_tag_keys=transitive,
            source_identity=source_identity,
            packed=packed,
            extra={
                role_sessions.FEDERATED_PROVIDER: identity.provider,
                role_sessions.FEDERATION_TYPE: identity.trail_type,
                **identity.session_keys,
            },
        ),
    )
    out.update(identity.response)
    return out
