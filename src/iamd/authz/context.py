"""The request context: every condition key the server knows for a call, built once per request.

Global keys follow AWS's "AWS global condition context keys" reference: which keys are present
depends on the caller (``aws:username`` only for IAM users; ``aws:MultiFactorAuthPresent`` and
``aws:TokenIssueTime`` only for temporary credentials; ``aws:PrincipalArn`` of a role session is
the role's ARN). Service keys come from request parameters (``REQUEST_KEYS``) and from the tags of
the request and of the resource. Policy variables resolve from this same context.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from iamd.auth.caller import Caller
from iamd.authz import organizations as orgs
from iamd.authz.policy_sets import Principal
from iamd.policy import Context, PrincipalType
from iamd.policy.context import ContextValue

# Service condition keys whose value is a request member (the key applies where the member is sent).
REQUEST_KEYS: Mapping[str, str] = {
    "iam:PolicyARN": "PolicyArn",
    "iam:PermissionsBoundary": "PermissionsBoundary",
    "iam:AWSServiceName": "AWSServiceName",
    "iam:PassedToService": "PassedToService",
    "sts:ExternalId": "ExternalId",
    "sts:RoleSessionName": "RoleSessionName",
    "sts:SourceIdentity": "SourceIdentity",
    "sts:TransitiveTagKeys": "TransitiveTagKeys",
    "sts:DurationSeconds": "DurationSeconds",
    # GetWebIdentityToken: the requested audiences (multivalued) and algorithm.
    "sts:IdentityTokenAudience": "Audience",
    "sts:SigningAlgorithm": "SigningAlgorithm",
    # "Filters access by the name of the service principal" (Enable/DisableAWSServiceAccess,
    # Register/DeregisterDelegatedAdministrator, ListDelegatedAdministrators).
    "organizations:ServicePrincipal": "ServicePrincipal",
}


class RequestContext(Context):
    """The engine's ``Context`` (keys folded to lower case) that also remembers how each key was
    spelt, so the decoded authorization message names ``aws:SourceIp`` and
    ``aws:PrincipalTag/CostCenter`` as AWS writes them, not their folded form."""

    __slots__ = ("spelt",)

    def __init__(self) -> None:
        super().__init__()
        self.spelt: list[str] = []

    def set(self, key: str, value: ContextValue) -> None:
        super().set(key, value)
        self.spelt.append(key)

    def spellings(self) -> dict[str, str]:
        """Folded key → the spelling it was set with (read only when a request is denied)."""
        return {key.lower(): key for key in self.spelt}


@dataclass(frozen=True)
class RequestInfo:
    """What the wire tells about a call, besides its parameters."""

    service: str
    operation: str
    region: str
    source_ip: str
    secure_transport: bool
    user_agent: str


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def build_context(
    caller: Caller,
    principal: Principal,
    info: RequestInfo,
    params: Mapping[str, Any],
    now: datetime,
    resource_account: str | None,
    resource_tags: Mapping[str, str] | None,
    resource_boundary: str | None = None,
    *,
    resource_org: orgs.Placement | None = None,
    extra: Mapping[str, ContextValue] | None = None,
) -> RequestContext:
    """``resource_boundary``: the target entity's permissions boundary, for actions whose
    ``iam:PermissionsBoundary`` key describes the entity acted on (AttachUserPolicy,
    DeleteUserPermissionsBoundary…) rather than a request member (CreateUser,
    PutUserPermissionsBoundary), which takes precedence. ``resource_org``: the organization
    placement of the resource's account (``aws:ResourceOrgID``, ``aws:ResourceOrgPaths``);
    ``extra``: service keys the authorizer read for this call (``organizations:PolicyType``)."""
    ctx = RequestContext()
    ctx.set("aws:CurrentTime", _iso(now))
    ctx.set("aws:EpochTime", str(int(now.timestamp())))
    ctx.set("aws:SourceIp", info.source_ip)
    ctx.set("aws:SecureTransport", info.secure_transport)
    ctx.set("aws:UserAgent", info.user_agent)
    ctx.set("aws:RequestedRegion", info.region)
    ctx.set("aws:ViaAWSService", False)
    ctx.set("aws:PrincipalIsAWSService", False)
    rp = principal.request_principal
    ctx.set("aws:PrincipalAccount", caller.account_id)
    ctx.set("aws:PrincipalType", rp.type.value)
    ctx.set("aws:userid", caller.user_id)
    ctx.set("aws:PrincipalArn", rp.source_arn if rp.type is PrincipalType.ROLE_SESSION and rp.source_arn else rp.arn)
    if rp.type is PrincipalType.USER and principal.user_name:
        ctx.set("aws:username", principal.user_name)
    for key, value in principal.tags.items():
        ctx.set(f"aws:PrincipalTag/{key}", value)
    if resource_account:
        ctx.set("aws:ResourceAccount", resource_account)
    # Present only for an account in an organization, as on AWS ("This key is included in the
    # request context only if the principal is a member of an organization").
    org_keys = {**orgs.principal_keys(principal.organization), **orgs.resource_keys(resource_org), **(extra or {})}
    for org_key, org_value in org_keys.items():
        ctx.set(org_key, org_value)
    _session_keys(ctx, caller, now)
    _request_keys(ctx, params)
    if resource_boundary and "iam:permissionsboundary" not in ctx:
        ctx.set("iam:PermissionsBoundary", resource_boundary)
    for key, value in (resource_tags or {}).items():
        ctx.set(f"aws:ResourceTag/{key}", value)
        ctx.set(f"iam:ResourceTag/{key}", value)
    return ctx


def _session_keys(ctx: Context, caller: Caller, now: datetime) -> None:
    """Keys AWS sets only for temporary credentials."""
    session = caller.session
    if session is None:
        return
    ctx.set("aws:TokenIssueTime", _iso(session.issued_at))
    ctx.set("aws:MultiFactorAuthPresent", session.mfa_authenticated)
    if session.mfa_authenticated and session.mfa_auth_time is not None:
        ctx.set("aws:MultiFactorAuthAge", str(max(0, int((now - session.mfa_auth_time).total_seconds()))))
    if session.source_identity:
        ctx.set("aws:SourceIdentity", session.source_identity)
    if session.session_name and session.kind == "assumed-role":
        ctx.set("aws:RoleSessionName", session.session_name)
    for key, value in session.extra.items():
        if key.startswith("saml:"):
            # A SAML session's ``saml:sub``, ``saml:sub_type``, ``saml:namequalifier`` (FederatedIdentity.session_keys).
            ctx.set(key, value)
    provider = session.extra.get("federated_provider")
    if provider:
        # "the principal's issuing identity provider": the OIDC or SAML provider behind the session.
        ctx.set("aws:FederatedProvider", provider)


def _request_keys(ctx: Context, params: Mapping[str, Any]) -> None:
    for key, member in REQUEST_KEYS.items():
        value = params.get(member)
        if value is None:
            continue
        ctx.set(key, [str(v) for v in value] if isinstance(value, list) else str(value))
    task_policy = params.get("TaskPolicyArn")
    if isinstance(task_policy, Mapping) and task_policy.get("arn"):
        # AssumeRoot's PolicyDescriptorType: the key is its ARN.
        ctx.set("sts:TaskPolicyArn", str(task_policy["arn"]))
    request_tags = params.get("Tags")
    if request_tags:
        for tag in request_tags:
            # CloudTrail's Tag.Value is optional (IAM's is required): a tag without one is "".
            ctx.set(f"aws:RequestTag/{tag['Key']}", tag.get("Value", ""))
        ctx.set("aws:TagKeys", [t["Key"] for t in request_tags])
    elif params.get("TagKeys") is not None:
        ctx.set("aws:TagKeys", list(params["TagKeys"]))
