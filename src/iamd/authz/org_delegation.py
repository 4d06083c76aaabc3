"""The organization's resource-based delegation policy in a member account's decision.

AWS Organizations User Guide, "Delegated administrator for AWS Organizations": from the
management account, a resource-based delegation policy "specifies which member accounts can
perform actions on policies", and "you must grant roles and users in the delegated administrator
account the corresponding IAM permissions to the required actions. Without IAM permissions, it is
assumed that the calling principal doesn't have the required permissions". The organization's
resources belong to its management account, so a member's principal acting on them is a
cross-account request: the engine allows it only when the caller's own policies (identity, and
the SCPs of its account) allow it AND the delegation policy allows it to that principal — the
rule of any resource-based policy across accounts. Only the actions AWS lists under "Supported
delegation policy actions" (``DELEGABLE``) can be granted this way; everything else stays the
management account's (and, for reads, a delegated administrator's of a service).

How the two paths meet (``authorizer.py``): for a delegable action of a member with a delegation
policy, the request is evaluated against it on the management account's resources. Allowed: the
call is *delegated* and the action accepts the caller as it accepts the management account
(``services/organizations/common.managed_org``). An explicit Deny (the delegation policy's, the
caller's or an SCP's) refuses the call. Otherwise the call is decided as it was without the
policy: the caller's own policies, then the action's rule of who may call (a member's own
DescribeOrganization, a delegated administrator's reads), so the delegation policy only ever
widens what it names, and its Deny statements narrow it.

The ARNs are those of ``org_resources.py`` with the management account as owner. CreatePolicy
names no resource in the Service Authorization Reference; AWS's example delegation policies grant
it with ``policy/o-…/backup_policy/*``, so in the delegated decision it is authorized on the policy
it makes, of its ``Type``, with the id a wildcard (``policy/o-…/TYPE/p-*``), as the TagResource of
a create with tags is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from iamd.authz.organizations import Placement
from iamd.authz.resources import Resource
from iamd.policy import Policy

# "Supported delegation policy actions" (AWS Organizations User Guide).
DELEGABLE = frozenset(f"organizations:{name}".lower() for name in (
    "AttachPolicy", "CreatePolicy", "DeletePolicy", "DescribeAccount", "DescribeCreateAccountStatus",
    "DescribeEffectivePolicy", "DescribeHandshake", "DescribeOrganization", "DescribeOrganizationalUnit",
    "DescribePolicy", "DescribeResourcePolicy", "DetachPolicy", "DisablePolicyType", "EnablePolicyType",
    "ListAccounts", "ListAccountsForParent", "ListAWSServiceAccessForOrganization", "ListChildren",
    "ListCreateAccountStatus", "ListDelegatedAdministrators", "ListDelegatedServicesForAccount",
    "ListHandshakesForAccount", "ListHandshakesForOrganization", "ListOrganizationalUnitsForParent",
    "ListParents", "ListPolicies", "ListPoliciesForTarget", "ListRoots", "ListTagsForResource",
    "ListTargetsForPolicy", "TagResource", "UntagResource", "UpdatePolicy",
))


def policy_for(placement: Placement | None, action: str) -> Policy | None:
    """The delegation policy that takes part in this member's request for ``action``, or None:
    the management account needs none, an account outside the organization has none, and an
    action AWS does not list cannot be delegated."""
    if placement is None or placement.is_management or placement.delegation is None:
        return None
    if action.lower() not in DELEGABLE:
        return None
    return placement.delegation


def on_management(placement: Placement, action: str, params: Mapping[str, Any], resource: Resource) -> Resource:
    """``resource`` as the management account's, which owns every resource of the organization."""
    arn = resource.arn
    if arn == "*" and action.lower() == "organizations:createpolicy" and isinstance(params.get("Type"), str):
        arn = (f"arn:aws:organizations::{placement.management_account_id}:policy/{placement.org_id}/"
               f"{params['Type'].lower()}/p-*")
    return replace(resource, arn=arn, account_id=placement.management_account_id)
