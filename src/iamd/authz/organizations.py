"""An account's place in AWS Organizations, as authorization needs it, cached per generation.

For an account: its organization, management account, the path ``o-…/r-…/ou-…/`` that
``aws:PrincipalOrgPaths`` / ``aws:ResourceOrgPaths`` carry, its status, and the SCPs and RCPs
attached at each level — the root, each OU on the path, the account itself — for the policy
types enabled on the root ("Enabling a policy type"; a type that is not enabled applies nowhere),
and, for a member, the organization's resource-based delegation policy (PutResourcePolicy bumps
every account's generation, so a Put or Delete is enforced on the next request).

The rules of who is governed (AWS Organizations User Guide, "Service control policies" and
"Resource control policies"):

- SCPs limit the principals of member accounts, the root user included; never the management
  account's, never service-linked roles ("SCPs don't affect service-linked roles").
- RCPs limit requests on the resources of member accounts, whoever asks (inside the
  organization or not); never the management account's resources, never requests made by
  service-linked roles, and only for the services that support RCPs (``RCP_SERVICES``; of
  iamd's services, STS: ``sts:AssumeRole`` and the other role actions).

A ``Placement`` is built on a cache miss (``store/org_placement.py``: one query for an account
outside any organization; for a member, one per OU level of its path, the enabled types and the
attached policies) and cached under (account, generation). Every change of an organization's tree, policies,
attachments or policy types bumps the generation of every account below the changed target in
its transaction, so the next request — on any server sharing the database — misses and reads
the new state; a request on an unchanged account costs no query here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from iamd.authz.compiled import LruCache, compile_document
from iamd.policy import Policy, PolicyType, ResourceControls
from iamd.policy.context import ContextValue
from iamd.policy.rcp import SUPPORTED_SERVICES
from iamd.store import org_placement

SCP_TYPE = "SERVICE_CONTROL_POLICY"
RCP_TYPE = "RESOURCE_CONTROL_POLICY"
# "List of AWS services that support RCPs" (AWS Organizations User Guide), by action prefix.
RCP_SERVICES = SUPPORTED_SERVICES
SERVICE_LINKED_PATH = "/aws-service-role/"
# CloseAccount: PENDING_CLOSURE, then SUSPENDED. "Immediately, the account can no longer be used
# for any AWS activity" ("Closing a member account in your organization").
CLOSED = frozenset({"PENDING_CLOSURE", "SUSPENDED"})
ORG_KEYS = frozenset({"aws:resourceorgid", "aws:resourceorgpaths"})


@dataclass(frozen=True)
class Level:
    """One level of an account's organization path: a root, an OU or the account."""

    target_id: str
    kind: str  # ROOT, ORGANIZATIONAL_UNIT, ACCOUNT (Organizations' TargetType)


@dataclass(frozen=True)
class Placement:
    org_id: str
    management_account_id: str
    account_id: str
    path: str
    status: str
    levels: tuple[Level, ...]
    # Per level, root first; None when the policy type is not enabled on the root, and always
    # None for the management account (it is governed by neither).
    scps: tuple[tuple[Policy, ...], ...] | None
    rcps: ResourceControls | None
    # The organization's resource-based delegation policy, for a member account's principals
    # (``authz/org_delegation.py``); None for the management account or when there is none.
    delegation: Policy | None = None

    @property
    def is_management(self) -> bool:
        return self.account_id == self.management_account_id

    @property
    def closed(self) -> bool:
        return self.status in CLOSED

    def level_of(self, index: int | None) -> Level | None:
        """The level a matched SCP or RCP statement sits at (``MatchedStatement.scp_level``)."""
        if index is None or not 0 <= index < len(self.levels):
            return None
        return self.levels[index]


_OUTSIDE = object()  # cached "belongs to no organization" (LruCache returns None when absent)


def policy_arn(management_account_id: str, org_id: str, policy_type: str, policy_id: str, aws_managed: bool) -> str:
    """The policy's ARN as Organizations writes it (``Policy.PolicySummary.Arn``) and AWS's
    AccessDenied messages name it."""
    kind = policy_type.lower()
    if aws_managed:
        return f"arn:aws:organizations::aws:policy/{kind}/{policy_id}"
    return f"arn:aws:organizations::{management_account_id}:policy/{org_id}/{kind}/{policy_id}"


class Organizations:
    """Placements of accounts, cached per (account, generation); one per ``PolicySets``."""

    def __init__(self, maxsize: int = 10_000) -> None:
        self._cache = LruCache(maxsize)

    def clear(self) -> None:
        self._cache.clear()

    def placement(self, conn: Connection, account_id: str, generation: int) -> Placement | None:
        key = (account_id, generation)
        cached = self._cache.get(key)
        if cached is None:
            cached = _build(conn, account_id) or _OUTSIDE
            self._cache.put(key, cached)
        return None if cached is _OUTSIDE else cached  # type: ignore[return-value]


def _build(conn: Connection, account_id: str) -> Placement | None:
    member = org_placement.membership(conn, account_id)
    if member is None:
        return None
    ous = org_placement.ancestors(conn, member.parent_id, member.root_id)
    levels = (
        Level(member.root_id, "ROOT"),
        *(Level(ou, "ORGANIZATIONAL_UNIT") for ou in ous),
        Level(account_id, "ACCOUNT"),
    )
    path = f"{member.org_id}/{member.root_id}/" + "".join(f"{ou}/" for ou in ous)
    scps: tuple[tuple[Policy, ...], ...] | None = None
    rcps: ResourceControls | None = None
    if account_id != member.management_account_id and member.feature_set == "ALL":
        enabled = org_placement.enabled_types(conn, member.org_id) & {SCP_TYPE, RCP_TYPE}
        rows = org_placement.attached(conn, member.org_id, [lv.target_id for lv in levels], sorted(enabled))
        by_level: dict[tuple[str, str], list[Policy]] = {}
        for row in rows:
            ptype = PolicyType.SCP if row.policy_type == SCP_TYPE else PolicyType.RCP
            arn = policy_arn(member.management_account_id, member.org_id, row.policy_type, row.policy_id, row.aws_managed)
            compiled = compile_document(row.content, ptype, arn)
            if compiled is not None:
                by_level.setdefault((row.target_id, row.policy_type), []).append(compiled)
        # A level with nothing attached allows nothing ("If any level has no SCP attached
        # that allows the action, the action is denied").
        if SCP_TYPE in enabled:
            scps = tuple(tuple(by_level.get((lv.target_id, SCP_TYPE), ())) for lv in levels)
        if RCP_TYPE in enabled:
            rcps = ResourceControls([by_level.get((lv.target_id, RCP_TYPE), []) for lv in levels])
    delegation: Policy | None = None
    if account_id != member.management_account_id:
        stored = org_placement.resource_policy(conn, member.org_id)
        if stored is not None:
            label = f"arn:aws:organizations::{member.management_account_id}:resourcepolicy/{member.org_id}/{stored[0]}"
            delegation = compile_document(stored[1], PolicyType.RESOURCE, label)
    return Placement(
        member.org_id, member.management_account_id, account_id, path, member.status, levels, scps, rcps, delegation
    )


def is_service_linked(role_path: str | None) -> bool:
    """Service-linked roles live under ``/aws-service-role/`` (IAM User Guide)."""
    return bool(role_path) and role_path.startswith(SERVICE_LINKED_PATH)  # type: ignore[union-attr]


def scps_for(placement: Placement | None) -> tuple[tuple[Policy, ...], ...] | None:
    """The SCP levels that limit a principal of ``placement``'s account (the caller leaves out
    service-linked roles), or None."""
    if placement is None or placement.scps is None or placement.is_management:
        return None
    return placement.scps


def rcps_for(placement: Placement | None, action: str, resource_arn: str, principal_is_service_linked: bool) -> ResourceControls | None:
    """The RCPs that limit this request on a resource of ``placement``'s account, or None."""
    if placement is None or placement.rcps is None or placement.is_management or principal_is_service_linked:
        return None
    service = action.split(":", 1)[0].lower()
    if service not in RCP_SERVICES:
        return None
    if service == "sts" and ":role/" not in resource_arn:
        # STS's resources are roles (AssumeRole, TagSession, SetSourceIdentity…); the
        # federated user of GetFederationToken is the caller's own session, not a resource.
        return None
    return placement.rcps


def principal_keys(placement: Placement | None) -> dict[str, ContextValue]:
    if placement is None:
        return {}
    return {"aws:PrincipalOrgID": placement.org_id, "aws:PrincipalOrgPaths": [placement.path]}


def resource_keys(placement: Placement | None) -> dict[str, ContextValue]:
    if placement is None:
        return {}
    return {"aws:ResourceOrgID": placement.org_id, "aws:ResourceOrgPaths": [placement.path]}


# Organizations' own keys: which request member carries them ("Actions, resources, and
# condition keys for AWS Organizations").
_POLICY_TYPE_MEMBERS = ("PolicyType", "Type", "Filter")


def organizations_keys(
    conn: Connection, placement: Placement | None, params: Mapping[str, Any]
) -> dict[str, ContextValue]:
    """``organizations:PolicyType`` of an Organizations request: from the member that names it,
    or for a call naming a policy (AttachPolicy, DescribePolicy, TagResource on ``p-…``) the type
    of that policy of the caller's organization. (``organizations:ServicePrincipal`` is a request
    member: ``authz/context.py``'s ``REQUEST_KEYS``.)"""
    out: dict[str, ContextValue] = {}
    for member in _POLICY_TYPE_MEMBERS:
        if params.get(member):
            out["organizations:PolicyType"] = str(params[member])
            return out
    policy_id = params.get("PolicyId") or params.get("ResourceId")
    if placement is not None and isinstance(policy_id, str) and policy_id.startswith("p-"):
        found = org_placement.policy_type(conn, placement.org_id, policy_id)
        if found is not None:
            out["organizations:PolicyType"] = found
    return out
