"""AssumeRole: temporary credentials of a role, possibly in another account of this iamd.

Whether the caller may assume the role — the role's trust policy, the caller's identity policies,
``sts:ExternalId``, ``sts:RoleSessionName``, ``sts:SourceIdentity``, ``sts:TagSession`` and
``aws:RequestTag`` conditions — is decided by authorization before this runs. What is left is what
STS checks besides (``id_roles_use.md``, ``id_session-tags.md``,
``id_credentials_temp_control-access_monitor.md``):

- the caller is not an account's root user: "Roles may not be assumed by root accounts" (AWS's
  AccessDenied, also for root's GetSessionToken credentials and whatever the trust policy says);
- the role exists; if not, AWS answers AccessDenied, revealing nothing about the role;
- ``DurationSeconds`` is at most the role's ``MaxSessionDuration``, and at most one hour when the
  caller is itself a role session (role chaining);
- session policies are valid and fit; policy ARNs exist in the role's account;
- session tags: unique keys, transitive keys among them; the caller's transitive tags carry over
  and cannot be overridden;
- a source identity, once set in a chain, cannot change.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from iamd.errors import AccessDenied, ValidationError
from iamd.services.context import Call
from iamd.services.iam.roles import role_arn
from iamd.services.registry import action
from iamd.services.sts import credentials, role_sessions, session_policies
from iamd.services.sts.role_sessions import CHAINED_MAX_SECONDS
from iamd.store.repos import roles

__all__ = ["CHAINED_MAX_SECONDS", "ROOT_CANNOT_ASSUME", "assume_role", "find_role"]
ROOT_CANNOT_ASSUME = "Roles may not be assumed by root accounts."


def _denied(call: Call, arn: str) -> AccessDenied:
    return AccessDenied(
        f"User: {call.caller.arn} is not authorized to perform: sts:AssumeRole on resource: {arn}"
    )


def find_role(call: Call, arn: str) -> Row[Any] | None:
    """The role an ARN names, in whichever account of this iamd; path and name must both match."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[:4] != ["arn", "aws", "iam", ""] or not parts[5].startswith("role/"):
        return None
    row = roles.get_by_name(call.conn, parts[4], parts[5].rsplit("/", 1)[-1])
    if row is None or role_arn(row) != arn:
        return None
    return row


def _source_identity(call: Call, p: dict[str, Any]) -> str | None:
    requested = p.get("SourceIdentity")
    if requested is not None and requested.lower().startswith("aws:"):
        raise ValidationError("SourceIdentity cannot begin with the reserved prefix aws:")
    session = credentials.caller_session(call)
    inherited = session.source_identity if session else None
    if inherited is not None and requested is not None and requested != inherited:
        raise AccessDenied("SourceIdentity cannot be changed once it is set in a role session.")
    return inherited if inherited is not None else requested


def _inherited_tags(call: Call) -> tuple[list[tuple[str, str]], list[str]]:
    """The caller's transitive session tags, which stay transitive in the new session."""
    session = credentials.caller_session(call)
    if session is None:
        return [], []
    keys = {k.lower() for k in session.transitive_tag_keys}
    tags = [(k, v) for k, v in session.tags if k.lower() in keys]
    return tags, [k for k, _ in tags]


@action("sts", "AssumeRole")
def assume_role(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    arn = p["RoleArn"]
    if call.caller.is_root:
        raise AccessDenied(ROOT_CANNOT_ASSUME)
    if credentials.is_federated_user(call):
        raise _denied(call, arn)
    row = find_role(call, arn)
    if row is None:
        raise _denied(call, arn)
    seconds = role_sessions.session_seconds(p.get("DurationSeconds"), row, chained=credentials.is_role_session(call))
    policies = session_policies.check_session_policies(call, p, row.account_id)
    inherited, inherited_keys = _inherited_tags(call)
    tags = session_policies.check_session_tags(p, inherited)
    transitive = session_policies.check_transitive_keys(p, tags)
    all_tags = inherited + tags
    packed = session_policies.packed_policy_size(policies, all_tags)
    source_identity = _source_identity(call, p)
    mfa = credentials.verify_mfa(call, p.get("SerialNumber"), p.get("TokenCode"))
    # MFA proven earlier in the chain (GetSessionToken with MFA, or an MFA role session) carries over.
    session = credentials.caller_session(call)
    inherited_mfa = session is not None and session.mfa_authenticated
    return role_sessions.issue_role_session(
        call,
        role_sessions.RoleSession(
            row=row,
            session_name=p["RoleSessionName"],
            seconds=seconds,
            policies=policies,
            tags=all_tags,
            transitive_tag_keys=inherited_keys + transitive,
            source_identity=source_identity,
            packed=packed,
            mfa_authenticated=mfa or inherited_mfa,
            mfa_auth_time=(call.now if mfa else session.mfa_auth_time if session and inherited_mfa else None),
            chained=credentials.is_role_session(call),
            # A session chained from a federated one keeps naming its provider.
            extra=_federation_extra(session.extra if session else {}),
        ),
    )


def _federation_extra(extra: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in extra.items() if k in role_sessions.FEDERATION_EXTRA}
