"""Authorizing a federated caller: the role's trust policy, with the provider as the principal.

A web-identity or SAML caller has no identity-based policies; AssumeRoleWithWebIdentity and
AssumeRoleWithSAML are allowed exactly when the role's trust policy allows them for
``"Principal": {"Federated": PROVIDER}`` under the conditions the provider's keys meet
(``HOST/PATH:aud``, ``:sub``…, ``saml:aud``…; IAM User Guide, "Available keys for AWS web
identity federation" and "Available keys for SAML-based federation"). Session tags from the
voucher also need ``sts:TagSession``, a source identity ``sts:SetSourceIdentity``, in the same
trust policy ("Passing session tags in AWS STS"; "Monitor and control actions taken with assumed
roles"). The engine decides (``policy/``); nothing here evaluates a policy itself.

Any refusal is AWS's "Not authorized to perform sts:AssumeRoleWith…" AccessDenied, with no
encoded message: the caller is no principal of any account that could decode one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from iamd.auth.caller import Caller
from iamd.auth.federated import SAML_USER, FederatedIdentity
from iamd.authz import organizations as orgs
from iamd.authz.context import RequestInfo, build_context
from iamd.authz.policy_sets import Principal, compile_document
from iamd.authz.resources import resolve
from iamd.errors import AccessDenied
from iamd.policy import PolicySet, PolicyType, PrincipalType, Request, RequestPrincipal
from iamd.store import policy_docs

__all__ = ["authorize_federated", "federated_caller"]

_EMPTY = PolicySet()


def federated_caller(identity: FederatedIdentity, role_account: str) -> Caller:
    """The Caller of an unsigned call: recorded in the role's account, as CloudTrail does."""
    kind = "saml" if identity.trail_type == SAML_USER else "web-identity"
    return Caller(
        account_id=identity.provider_account or role_account,
        arn=identity.provider,
        user_id=identity.principal_id,
        kind=kind,
        access_key_id="",
        user_name=identity.user_name,
        federation=identity,
    )


def _effective_params(identity: FederatedIdentity, params: Mapping[str, Any]) -> dict[str, Any]:
    """The request as the trust policy's conditions see it: tags, transitive keys and source
    identity come from the voucher, not from request members (these operations have none)."""
    out = dict(params)
    if identity.session_tags:
        out["Tags"] = [{"Key": k, "Value": v} for k, v in identity.session_tags]
    if identity.transitive_tag_keys:
        out["TransitiveTagKeys"] = list(identity.transitive_tag_keys)
    if identity.source_identity is not None:
        out["SourceIdentity"] = identity.source_identity
    if identity.session_name is not None:
        out["RoleSessionName"] = identity.session_name
    return out


def authorize_federated(
    conn: Connection,
    caller: Caller,
    info: RequestInfo,
    params: Mapping[str, Any],
    now: datetime,
    organizations: orgs.Organizations,
) -> None:
    """``organizations``: the authorizer's cache of placements, so that the role's account's RCPs
    (which cover STS's AssumeRoleWithWebIdentity and AssumeRoleWithSAML on its roles as they cover
    AssumeRole: "Resource control policies", supported services) and ``aws:ResourceOrgID`` take part, and a closed account's roles
    cannot be assumed."""
    identity = caller.federation
    assert identity is not None
    action = identity.operation_action
    kind = PrincipalType.SAML if identity.trail_type == SAML_USER else PrincipalType.WEB_IDENTITY
    rp = RequestPrincipal(identity.provider, identity.provider_account or "", kind)
    principal = Principal(rp, _EMPTY)
    effective = _effective_params(identity, params)
    actions = [action]
    if identity.session_tags or identity.transitive_tag_keys:
        actions.append("sts:TagSession")
    if identity.source_identity is not None:
        actions.append("sts:SetSourceIdentity")
    for implied in actions:
        for resource in resolve(conn, caller, implied, effective, with_tags=True):
            owner = _placement(conn, organizations, resource.account_id)
            if owner is not None and owner.closed:
                raise AccessDenied(f"Not authorized to perform {action}")
            context = build_context(
                caller, principal, info, effective, now, resource.account_id, resource.tags, resource_org=owner
            )
            if not identity.provider_account:
                context.pop("aws:principalaccount", None)
            context.set("aws:FederatedProvider", identity.provider)
            for key, value in identity.condition_keys.items():
                context.set(key, value)
            trust = (
                compile_document(resource.trust_policy, PolicyType.TRUST, resource.arn) if resource.trust_policy else None
            )
            rcps = orgs.rcps_for(owner, implied, resource.arn, False)
            decision = _EMPTY.evaluate(Request(rp, implied, resource.arn, context, resource.account_id), trust, rcps)
            if not decision.allowed:
                raise AccessDenied(f"Not authorized to perform {action}")


def _placement(conn: Connection, organizations: orgs.Organizations, account_id: str | None) -> orgs.Placement | None:
    if account_id is None:
        return None
    return organizations.placement(conn, account_id, policy_docs.generation(conn, account_id))
