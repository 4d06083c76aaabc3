"""CloudTrail's ``userIdentity`` element, from the authenticated caller.

Types as CloudTrail records them (CloudTrail userIdentity element reference): ``Root``,
``IAMUser``, ``AssumedRole`` (with ``sessionContext.sessionIssuer`` the role), ``FederatedUser``
(issuer the IAM user or root that called GetFederationToken), ``WebIdentityUser`` and ``SAMLUser``
for the unsigned AssumeRoleWithWebIdentity / AssumeRoleWithSAML calls themselves (their role
sessions are ``AssumedRole``, a web identity's with ``webIdFederationData``), ``AWSAccount`` for the copy of a
cross-account event recorded in the resource's account. When authentication fails, CloudTrail
names the owner of a long-term key it knows (``IAMUser`` or ``Root``, with the key id), and
otherwise records ``Unknown`` (only the presented access key id and, when it can be told, the
account are known).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from iamd.auth.caller import Caller
from iamd.auth.session_claims import ASSUMED_ROLE, FEDERATED_USER, ROOT_SESSION, SessionClaims

_TYPES = {"root": "Root", "user": "IAMUser", ASSUMED_ROLE: "AssumedRole", FEDERATED_USER: "FederatedUser"}


def iso_z(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def user_identity(caller: Caller) -> dict[str, Any]:
    federation = caller.federation
    if federation is not None:
        # AssumeRoleWithWebIdentity / AssumeRoleWithSAML: no account principal yet, no key.
        return {
            "type": federation.trail_type,
            "principalId": federation.principal_id,
            "userName": federation.user_name,
            "identityProvider": federation.identity_provider,
        }
    out: dict[str, Any] = {
        "type": _TYPES.get(caller.kind, "Unknown"),
        "principalId": caller.user_id,
        "arn": caller.arn,
        "accountId": caller.account_id,
        "accessKeyId": caller.access_key_id,
    }
    if caller.kind == "user" and caller.user_name:
        out["userName"] = caller.user_name
    if caller.session is not None:
        out["sessionContext"] = session_context(caller.session)
        if caller.session.kind == ROOT_SESSION:
            out["inScopeOf"] = root_session_scope(caller.session)
    return out


def root_session_scope(claims: SessionClaims) -> dict[str, Any]:
    """Who holds a root session: CloudTrail records a call of an AssumeRoot session with type
    ``Root`` and ``inScopeOf`` naming the issuing account and principal (IAM User Guide, "Track
    privileged tasks in AWS CloudTrail")."""
    return {
        "issuerAccountId": claims.extra.get("issuer_account", ""),
        "issuerType": "AWS::STS::AssumeRoot",
        "credentialsIssuedTo": claims.source_arn,
    }


def session_context(claims: SessionClaims) -> dict[str, Any]:
    ctx: dict[str, Any] = {}
    if claims.kind == ASSUMED_ROLE:
        ctx["sessionIssuer"] = _issuer("Role", claims)
        provider = claims.extra.get("federated_provider")
        web_identity = provider is not None and claims.extra.get("federation_type") == "WebIdentityUser"
        ctx["webIdFederationData"] = {"federatedProvider": provider, "attributes": {}} if web_identity else {}
    elif claims.kind == FEDERATED_USER:
        is_root = claims.source_id == claims.account_id
        ctx["sessionIssuer"] = _issuer("Root" if is_root else "IAMUser", claims)
        ctx["webIdFederationData"] = {}
    ctx["attributes"] = {
        "creationDate": iso_z(claims.issued_at),
        "mfaAuthenticated": "true" if claims.mfa_authenticated else "false",
    }
    if claims.source_identity:
        ctx["sourceIdentity"] = claims.source_identity
    return ctx


def _issuer(kind: str, claims: SessionClaims) -> dict[str, Any]:
    out = {
        "type": kind,
        "principalId": claims.source_id,
        "arn": claims.source_arn,
        "accountId": claims.account_id,
    }
    if kind != "Root":
        out["userName"] = claims.source_arn.rsplit("/", 1)[-1]
    return out


def other_account_identity(caller: Caller | None, account_id: str | None) -> dict[str, Any]:
    """The caller as the resource's account sees a cross-account call."""
    out: dict[str, Any] = {"type": "AWSAccount"}
    if caller is not None:
        out["principalId"] = caller.user_id
        out["accountId"] = caller.account_id
    elif account_id:
        out["accountId"] = account_id
    return out


def unauthenticated_identity(access_key_id: str | None, account_id: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "Unknown"}
    if account_id:
        out["accountId"] = account_id
    if access_key_id:
        out["accessKeyId"] = access_key_id
    return out
