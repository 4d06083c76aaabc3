"""Authorizing one API call: gather the caller's policies, build the context, ask the engine.

The order is AWS's: authorization happens before the action looks at the store for its own
purposes, so a caller without permission gets AccessDenied even for an entity that does not exist.
Authorization never raises for a policy problem; a denial becomes ``AccessDenied`` with AWS's
message and an encoded authorization message.

Organizations (``authz/organizations.py``): the caller's SCPs come with its policy set; the RCPs
of the resource's account are added per request (same account: the placement the principal was
built with; another account: that account's, read under its own generation); a caller whose
account was closed is refused before anything else. A member's Organizations call may be granted
by the organization's resource-based delegation policy (``authz/org_delegation.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from iamd.auth.caller import Caller
from iamd.auth.session_claims import FEDERATED_USER, SESSION_TOKEN
from iamd.authz import catalogue, denials, org_delegation
from iamd.authz import organizations as orgs
from iamd.authz.context import RequestInfo, build_context
from iamd.authz.org_resources import TAGGED_ON_CREATE
from iamd.authz.policy_sets import PolicySets, Principal, compile_document
from iamd.authz.resources import Resource, resolve
from iamd.errors import AccessDenied, InvalidClientTokenId
from iamd.policy import EXPLICIT_DENY, Decision, Policy, PolicyType, Request, keys_read, reads_resource_tags
from iamd.store import policy_docs

# Calls that need no permission (AWS: "No permissions are required to perform this operation").
NO_PERMISSION_NEEDED = frozenset({"sts:GetCallerIdentity", "sts:GetSessionToken"})
BOUNDARY_KEY = "iam:PermissionsBoundary"
# Actions whose resource-based policy is the role's trust policy.
TRUST_ACTIONS = frozenset({"sts:assumerole", "sts:tagsession", "sts:setsourceidentity"})
# What temporary credentials of each kind may call of STS (IAM User Guide, "Comparing the AWS
# STS API operations"): GetSessionToken's AssumeRole and GetCallerIdentity; GetFederationToken's
# GetCallerIdentity only. Neither calls IAM (GetSessionToken's may with MFA).
# GetScopedCredentials: "If you want to scope down IAM user credentials, first call
# GetSessionToken … and then call GetScopedCredentials with those credentials"; it takes
# "credentials from an assumed role or a federated session" too.
SESSION_TOKEN_STS = frozenset({"sts:AssumeRole", "sts:GetCallerIdentity", "sts:GetScopedCredentials"})
FEDERATED_USER_STS = frozenset({"sts:GetCallerIdentity", "sts:GetScopedCredentials"})


class Authorizer:
    def __init__(self, master_key: bytes, previous_master_keys: Sequence[bytes] = ()) -> None:
        self.policy_sets = PolicySets()
        self.messages = denials.MessageSealer(master_key, previous_master_keys)

    def authorize(
        self,
        conn: Connection,
        caller: Caller,
        info: RequestInfo,
        params: Mapping[str, Any],
        now: datetime,
        generation: int | None = None,
    ) -> bool:
        """``generation``: the caller's account policy generation, if already read in ``conn``.

        Returns whether the organization's delegation policy granted the call (every action it
        implies): the Organizations action then accepts a member caller (``org_delegation.py``)."""
        action = catalogue.permission_of(f"{info.service}:{info.operation}")
        if generation is None:
            generation = policy_docs.generation(conn, caller.account_id)
        placement = self.policy_sets.organizations.placement(conn, caller.account_id, generation)
        if placement is not None and placement.closed:
            # A closed account "can no longer be used for any AWS activity": its credentials
            # are refused as credentials nobody recognises (docs/organizations.md, Enforcement).
            raise InvalidClientTokenId()
        if action in NO_PERMISSION_NEEDED:
            return False
        principal = self.policy_sets.principal(conn, caller, generation)
        _temporary_credential_limits(caller, action)
        org_keys = orgs.organizations_keys(conn, placement, params) if info.service == "organizations" else None
        generations: dict[str, int] = {caller.account_id: generation}
        delegated: list[bool] = []
        for implied in _actions_of(action, params):
            delegation = org_delegation.policy_for(placement, implied) if info.service == "organizations" else None
            if delegation is not None and self._delegated(
                conn, caller, principal, info, params, now, implied, delegation, org_keys, generations
            ):
                delegated.append(True)
                continue
            delegated.append(False)
            for resource in self._resources(conn, caller, implied, params, principal, generations, info.region):
                boundary = resource.permissions_boundary if _takes_boundary_key(implied) else None
                resource_policy = _resource_policy(implied, resource)
                owner = self._resource_placement(conn, principal, implied, resource, resource_policy, generations)
                context = build_context(
                    caller, principal, info, params, now, resource.account_id, resource.tags, boundary,
                    resource_org=owner, extra=org_keys,
                )
                if owner is not None and owner.closed and owner.account_id != caller.account_id:
                    # The resources of a closed account are out of use too (a role of it cannot
                    # be assumed); the sentence gives no reason, as for any cross-account denial.
                    raise AccessDenied(denials.sentence(caller.arn, implied, resource.arn, None, True))
                rcps = orgs.rcps_for(owner, implied, resource.arn, principal.service_linked)
                request = Request(principal.request_principal, implied, resource.arn, context, resource.account_id)
                decision = principal.policies.evaluate(request, resource_policy, rcps)
                if not decision.allowed:
                    self._deny(caller, implied, resource, decision, context, principal.organization, owner)
        return bool(delegated) and all(delegated)

    def _delegated(
        self,
        conn: Connection,
        caller: Caller,
        principal: Principal,
        info: RequestInfo,
        params: Mapping[str, Any],
        now: datetime,
        action: str,
        delegation: Policy,
        org_keys: dict[str, Any] | None,
        generations: dict[str, int],
    ) -> bool:
        """Whether the delegation policy and the caller's own policies allow ``action`` on every
        resource, as a request on the management account's resources; an explicit Deny refuses
        the call here (``org_delegation.py``)."""
        placement = principal.organization
        assert placement is not None  # INVARIANT: policy_for() gave a member's delegation policy
        with_tags = principal.needs_resource_tags or reads_resource_tags((delegation,))
        for found in resolve(conn, caller, action, params, with_tags=with_tags, region=info.region):
            resource = org_delegation.on_management(placement, action, params, found)
            owner = self._resource_placement(conn, principal, action, resource, delegation, generations)
            context = build_context(
                caller, principal, info, params, now, resource.account_id, resource.tags, None,
                resource_org=owner, extra=org_keys,
            )
            request = Request(principal.request_principal, action, resource.arn, context, resource.account_id)
            decision = principal.policies.evaluate(request, delegation, None)
            if decision.effect == EXPLICIT_DENY:
                self._deny(caller, action, resource, decision, context, placement, owner)
            if not decision.allowed:
                return False
        return True

    def _resource_placement(
        self,
        conn: Connection,
        principal: Principal,
        action: str,
        resource: Resource,
        resource_policy: Policy | None,
        generations: dict[str, int],
    ) -> orgs.Placement | None:
        """The organization placement of the resource's account: the principal's own for its
        account (no query); another account's when its RCPs may apply (an RCP service) or a
        policy of the decision reads ``aws:ResourceOrgID``/``aws:ResourceOrgPaths`` — read under
        that account's generation, so a change there is enforced on the next request too."""
        account = resource.account_id
        if account is None:
            return None
        if account == principal.request_principal.account:
            return principal.organization
        reads = principal.reads_resource_org or (
            resource_policy is not None and bool(orgs.ORG_KEYS & keys_read(resource_policy))
        )
        if not reads and action.split(":", 1)[0].lower() not in orgs.RCP_SERVICES:
            return None
        generation = generations.get(account)
        if generation is None:
            generation = generations[account] = policy_docs.generation(conn, account)
        return self.policy_sets.organizations.placement(conn, account, generation)

    def _resources(
        self,
        conn: Connection,
        caller: Caller,
        action: str,
        params: Mapping[str, Any],
        principal: Principal,
        generations: dict[str, int],
        region: str,
    ) -> list[Resource]:
        found = _resources(conn, caller, action, params, principal, region)
        if principal.needs_resource_tags or not any(r.account_id for r in found):
            return found
        # The resource account's RCPs take part in the decision: if one reads resource tags,
        # the resources are read with their tags.
        for resource in found:
            owner = self._resource_placement(conn, principal, action, resource, None, generations)
            rcps = orgs.rcps_for(owner, action, resource.arn, principal.service_linked)
            if rcps is not None and reads_resource_tags(rcps.policies()) and not resource.tags:
                return resolve(conn, caller, action, params, with_tags=True, region=region)
        return found

    def _deny(
        self,
        caller: Caller,
        action: str,
        resource: Resource,
        decision: Decision,
        context: Any,
        placement: orgs.Placement | None = None,
        owner: orgs.Placement | None = None,
    ) -> None:
        cross = resource.account_id is not None and resource.account_id != caller.account_id
        text = denials.sentence(caller.arn, action, resource.arn, decision, cross)
        # The target's permissions boundary is the other account's to know.
        from_resource = frozenset({BOUNDARY_KEY.lower()} if resource.permissions_boundary else ())
        payload = denials.details(
            caller, action, resource.arn, decision, context, decision.reason,
            cross_account=cross, resource_keys=from_resource,
            levels={PolicyType.SCP: placement, PolicyType.RCP: owner},
        )
        encoded = self.messages.encode(caller.account_id, payload)
        raise AccessDenied(f"{text}. Encoded authorization failure message: {encoded}")


def _temporary_credential_limits(caller: Caller, action: str) -> None:
    """What GetSessionToken and GetFederationToken credentials can never call, whatever their
    policies allow ("Comparing the AWS STS API operations"; GetFederationToken: "You cannot call
    any IAM operations using the CLI or the Amazon Web Services API", "You cannot call any STS
    operations except GetCallerIdentity"). IAM refuses such a token outright: AWS answers
    ``InvalidClientTokenId`` to IAM calls with GetSessionToken credentials that lack MFA (as SDK
    and tool issues record it); STS answers AccessDenied."""
    session = caller.session
    if session is None or session.kind not in (SESSION_TOKEN, FEDERATED_USER):
        return
    federated = session.kind == FEDERATED_USER
    if action.startswith("iam:") and (federated or not session.mfa_authenticated):
        raise InvalidClientTokenId()
    if action == "sts:GetFederationToken":
        raise AccessDenied("Cannot call GetFederationToken with session credentials")  # AWS's words
    allowed, operation = (FEDERATED_USER_STS, "GetFederationToken") if federated else (SESSION_TOKEN_STS, "GetSessionToken")
    if action.startswith("sts:") and action not in allowed:
        *others, last = (a.removeprefix("sts:") for a in sorted(allowed))
        names = f"{', '.join(others)} and {last}" if others else last
        raise AccessDenied(
            f"User: {caller.arn} is not authorized to perform: {action} because credentials from "
            f"{operation} can call only {names} of STS"
        )


def _actions_of(action: str, params: Mapping[str, Any]) -> list[str]:
    """AssumeRole with session tags or a source identity also needs sts:TagSession /
    sts:SetSourceIdentity on the role, GetFederationToken with session tags sts:TagSession on
    the user being federated (IAM User Guide, "Passing session tags in AWS STS").
    AddRoleToInstanceProfile hands the role to EC2: "The caller of this operation must be granted
    the PassRole permission on the IAM role" (IAM API Reference; the SAR's dependent action).
    Organizations' creates with tags need organizations:TagResource (authz/org_resources.py)."""
    actions = [action]
    if action in TAGGED_ON_CREATE and params.get("Tags"):
        actions.append("organizations:TagResource")
    if action == "iam:AddRoleToInstanceProfile":
        actions.append("iam:PassRole")
    if action == "sts:GetFederationToken" and params.get("Tags"):
        actions.append("sts:TagSession")
    if action == "sts:GetWebIdentityToken" and params.get("Tags"):
        # "Tag actions" of the SAR: request tags of a web identity token need this action too.
        actions.append("sts:TagGetWebIdentityToken")
    if action == "sts:AssumeRole":
        if params.get("Tags") or params.get("TransitiveTagKeys"):
            actions.append("sts:TagSession")
        if params.get("SourceIdentity"):
            actions.append("sts:SetSourceIdentity")
    return actions


def _resources(
    conn: Connection, caller: Caller, action: str, params: Mapping[str, Any], principal: Principal, region: str
) -> list[Resource]:
    """The resources of ``action``, with their tags when any policy of the decision may read them:
    the caller's (identity, boundary, session, SCPs) or the resource's own (a role's trust
    policy). The resource-based policy comes with the resource, so a resource whose policy reads
    tags is read again with them — never decided on the caller's policies alone."""
    if action == "sts:TagSession" and not params.get("RoleArn"):
        # GetFederationToken's session tags: the SAR's ``user`` resource type of sts:TagSession,
        # the user being federated (the caller), whose tags the principal already holds.
        return [Resource(caller.arn, caller.account_id, dict(principal.tags))]
    if principal.needs_resource_tags:
        return resolve(conn, caller, action, params, with_tags=True, region=region)
    found = resolve(conn, caller, action, params, with_tags=False, region=region)
    if reads_resource_tags(_resource_policy(action, resource) for resource in found):
        return resolve(conn, caller, action, params, with_tags=True, region=region)
    return found


def _takes_boundary_key(action: str) -> bool:
    """Whether the SAR lists ``iam:PermissionsBoundary`` for the action: "Filters access if the
    specified policy is set as the permissions boundary on the IAM entity (user or role)"."""
    info = catalogue.action(action)
    return info is not None and BOUNDARY_KEY in info.condition_keys


def _resource_policy(action: str, resource: Resource) -> Policy | None:
    if action.lower() in TRUST_ACTIONS and resource.trust_policy:
        return compile_document(resource.trust_policy, PolicyType.TRUST, resource.arn)
    return None
