"""A caller's complete, compiled policy set, cached until the account changes.

What applies to whom (IAM User Guide, "Policy evaluation logic"):

- an IAM user: its inline and attached policies plus those of every group it is in; the user's
  permissions boundary;
- a role session: the role's inline and attached policies; the role's boundary; the session
  policies passed to AssumeRole (inline ``Policy`` and ``PolicyArns``);
- a federated-user session (GetFederationToken): the issuing user's policies and boundary,
  intersected with the session policies passed to GetFederationToken;
- GetSessionToken credentials: the user's own policies (no session policy);
- the root user: full access to its own account (the engine's rule), so no policies are read;
- a root session (AssumeRoot): the member's root user, with the root-task policy as its session
  policy; those are deny-only, and the engine applies a session policy's denies to root too;
- in a member account of an organization, all of them limited by the SCPs of every level of the
  account's path (root user included; not service-linked roles, not the management account):
  ``authz/organizations.py``.

Documents are parsed once per distinct text (``_compiled``) and a principal's ``PolicySet`` is
cached under the account's generation number, which every IAM write bumps in its transaction: a
change is enforced on the next request, on every server sharing the database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from sqlalchemy import Connection

from iamd.auth.caller import Caller
from iamd.auth.session_claims import (
    ASSUMED_ROLE,
    FEDERATED_USER,
    ROOT_SESSION,
    SCOPED_POLICIES,
    scoped_policies,
)
from iamd.authz.compiled import ALLOW_ALL, LruCache, compile_document
from iamd.authz.organizations import ORG_KEYS, Organizations, Placement, is_service_linked, scps_for
from iamd.errors import InvalidClientTokenId
from iamd.policy import (
    Policy,
    PolicySet,
    PolicyType,
    PrincipalType,
    RequestPrincipal,
    keys_read,
    reads_resource_tags,
)
from iamd.services.iam import aws_managed
from iamd.services.sts import root_tasks
from iamd.store import policy_docs, tags
from iamd.store.repos import roles, users

__all__ = ["ALLOW_ALL", "LruCache", "Principal", "PolicySets", "compile_document"]


@dataclass(frozen=True)
class Principal:
    """The caller as the engine and the request context see it."""

    request_principal: RequestPrincipal
    policies: PolicySet
    tags: dict[str, str] = field(default_factory=dict)
    user_name: str | None = None
    # The issuing role or user's row id (for aws:userid-style keys and revocation).
    source_id: str | None = None
    # Whether any of the principal's policies reads resource tags; the authorizer adds the
    # resource-based policy of each request before it skips reading the target's tags.
    needs_resource_tags: bool = False
    # The principal's account in its organization (aws:PrincipalOrgID…), None outside one.
    organization: Placement | None = None
    # Whether a policy of the principal reads aws:ResourceOrgID / aws:ResourceOrgPaths, which
    # then are looked up for another account's resources too.
    reads_resource_org: bool = False
    service_linked: bool = False

    def __post_init__(self) -> None:
        p = self.policies
        indexes = [p.identity, *(p.scps or ()), *([p.boundary] if p.boundary else []), *([p.session] if p.session else []),
                   *p.scoped]
        policies = [policy for index in indexes for policy in index.policies]
        object.__setattr__(self, "needs_resource_tags", reads_resource_tags(policies))
        object.__setattr__(self, "reads_resource_org", any(ORG_KEYS & keys_read(policy) for policy in policies))


class PolicySets:
    """Builds and caches ``Principal``s; one per runtime."""

    def __init__(self, maxsize: int = 10_000) -> None:
        self._cache = LruCache(maxsize)
        self.organizations = Organizations(maxsize)

    def clear(self) -> None:
        self._cache.clear()
        self.organizations.clear()

    def principal(self, conn: Connection, caller: Caller, generation: int | None = None) -> Principal:
        """``generation``: the account's, when the caller already read it in this transaction."""
        if generation is None:
            generation = policy_docs.generation(conn, caller.account_id)
        session = caller.session
        if session is not None and session.kind == ROOT_SESSION and not root_tasks.still_stands(conn, session):
            # Checked on every request, before the cache: the grounds live in the organization,
            # not in the member account's generation.
            raise InvalidClientTokenId()
        key = (caller.account_id, caller.arn, caller.user_id, generation, _session_fingerprint(caller))
        cached = self._cache.get(key)
        if cached is not None:
            return cached  # type: ignore[return-value]
        # The organization is read under the same generation: a change of its policies or tree
        # bumps it, so this principal is rebuilt with the new SCPs on the next request.
        org = self.organizations.placement(conn, caller.account_id, generation)
        if caller.is_root and session is None:
            built = Principal(
                RequestPrincipal(caller.arn, caller.account_id, PrincipalType.ROOT),
                PolicySet(scps=scps_for(org)),
                organization=org,
            )
        elif session is not None and session.kind == ASSUMED_ROLE:
            built = self._role_session(conn, caller, org)
        elif session is not None and session.kind == FEDERATED_USER:
            built = self._federated_user(conn, caller, org)
        elif session is not None and session.kind == ROOT_SESSION:
            built = self._root_session(conn, caller, org)
        else:
            built = self._user(conn, caller, org)
        if session is not None and session.extra:
            built = _scoped(built, scoped_policies(session))
        self._cache.put(key, built)
        return built

    # --- principals -------------------------------------------------------------------------

    def _user(self, conn: Connection, caller: Caller, org: Placement | None = None) -> Principal:
        """An IAM user (long-term key or GetSessionToken), or root with GetSessionToken credentials."""
        if caller.is_root:
            return Principal(
                RequestPrincipal(caller.arn, caller.account_id, PrincipalType.ROOT),
                PolicySet(scps=scps_for(org)),
                organization=org,
            )
        row = users.get_by_id(conn, _source_id(caller))
        if row is None:
            raise InvalidClientTokenId()
        identity, boundary = self._user_policies(conn, row)
        principal = RequestPrincipal(caller.arn, caller.account_id, PrincipalType.USER, id=row.user_id)
        return Principal(
            principal,
            PolicySet(identity=identity, boundary=boundary, scps=scps_for(org)),
            tags=_tag_map(conn, "user", row.user_id),
            user_name=row.name,
            source_id=row.user_id,
            organization=org,
        )

    def _role_session(self, conn: Connection, caller: Caller, org: Placement | None = None) -> Principal:
        session = caller.session
        assert session is not None
        role = roles.get_by_id(conn, session.source_id)
        if role is None or role.account_id != caller.account_id:
            # Deleting the role ends its sessions on the next request.
            raise InvalidClientTokenId()
        identity = self._entity_policies(conn, role.account_id, "role", role.role_id, f"role/{role.name}")
        boundary = self._boundary(conn, caller.account_id, role.permissions_boundary)
        role_arn = f"arn:aws:iam::{role.account_id}:role{role.path}{role.name}"
        principal = RequestPrincipal(
            caller.arn, caller.account_id, PrincipalType.ROLE_SESSION, source_arn=role_arn, source_id=role.role_id
        )
        principal_tags = _with_session_tags(_tag_map(conn, "role", role.role_id), session.tags)
        # "SCPs don't affect service-linked roles"; nor do RCPs restrict their requests.
        linked = bool(getattr(role, "service_linked", False)) or is_service_linked(role.path)
        return Principal(
            principal,
            PolicySet(
                identity=identity,
                boundary=boundary,
                session=self._session_policies(conn, caller),
                scps=None if linked else scps_for(org),
            ),
            tags=principal_tags,
            source_id=role.role_id,
            organization=org,
            service_linked=linked,
        )

    def _federated_user(self, conn: Connection, caller: Caller, org: Placement | None = None) -> Principal:
        session = caller.session
        assert session is not None
        principal = RequestPrincipal(
            caller.arn, caller.account_id, PrincipalType.FEDERATED_USER, source_arn=session.source_arn,
            source_id=session.source_id,
        )
        if session.source_id == caller.account_id:
            # Issued to the root user: root's permissions (everything in the account) intersected
            # with the session policy passed to GetFederationToken.
            everything = compile_document(ALLOW_ALL, PolicyType.IDENTITY, f"arn:aws:iam::{caller.account_id}:root")
            return Principal(
                principal,
                PolicySet(
                    identity=[everything] if everything else [],
                    session=self._session_policies(conn, caller) or [],
                    scps=scps_for(org),
                ),
                tags=dict(session.tags),
                source_id=caller.account_id,
                organization=org,
            )
        row = users.get_by_id(conn, session.source_id)
        if row is None:
            raise InvalidClientTokenId()
        identity, boundary = self._user_policies(conn, row)
        principal_tags = _with_session_tags(_tag_map(conn, "user", row.user_id), session.tags)
        return Principal(
            principal,
            # "If you do not pass a policy to this operation, the resulting federated user session
            # has no permissions" (GetFederationToken): no session policy means an empty one.
            PolicySet(
                identity=identity, boundary=boundary, session=self._session_policies(conn, caller) or [], scps=scps_for(org)
            ),
            tags=principal_tags,
            source_id=row.user_id,
            organization=org,
        )

    def _root_session(self, conn: Connection, caller: Caller, org: Placement | None = None) -> Principal:
        """The member's root user scoped by the task policy; the SCPs above the member apply as
        they do to its root user."""
        session = caller.session
        assert session is not None
        task = self._session_policies(conn, caller) or []
        if len(task) != len(session.policy_arns) or not task:
            # INVARIANT: a root session never runs without its task policy; root unscoped is
            # exactly what AssumeRoot must not hand out.
            raise InvalidClientTokenId()
        principal = RequestPrincipal(caller.arn, caller.account_id, PrincipalType.ROOT)
        return Principal(
            principal, PolicySet(session=task, scps=scps_for(org)), source_id=caller.account_id, organization=org
        )

    # --- an entity's policies, for the simulator ----------------------------------------------

    def entity_policies(self, conn: Connection, kind: str, row: object) -> tuple[list[Policy], Policy | None]:
        """The identity-based policies and permissions boundary of a user (with its groups'), a
        group or a role, gathered and compiled exactly as for that entity's own requests, so the
        policy simulator decides on the very objects the authorizer uses. Labels: inline policies
        ``user/NAME/POLICY`` (``group/…``, ``role/…``), managed policies and the boundary by ARN."""
        if kind == "user":
            return self._user_policies(conn, row)
        entity_id = getattr(row, f"{kind}_id")
        account_id, name = row.account_id, row.name  # type: ignore[attr-defined]
        identity = self._entity_policies(conn, account_id, kind, entity_id, f"{kind}/{name}")
        boundary = self._boundary(conn, account_id, getattr(row, "permissions_boundary", None))
        return identity, boundary

    # --- documents --------------------------------------------------------------------------

    def _user_policies(self, conn: Connection, row: object) -> tuple[list[Policy], Policy | None]:
        user_id, name, account_id = row.user_id, row.name, row.account_id  # type: ignore[attr-defined]
        identity = self._entity_policies(conn, account_id, "user", user_id, f"user/{name}")
        for group_id, group_name in policy_docs.groups_of(conn, user_id):
            identity += self._entity_policies(conn, account_id, "group", group_id, f"group/{group_name}")
        boundary = self._boundary(conn, account_id, row.permissions_boundary)  # type: ignore[attr-defined]
        return identity, boundary

    def _entity_policies(
        self, conn: Connection, account_id: str, ptype: str, entity_id: str, label: str
    ) -> list[Policy]:
        """Inline then attached policies of one user, group or role, labelled for explanations."""
        out: list[Policy] = []
        for _pid, name, document in policy_docs.inline_documents(conn, ptype, [entity_id]):
            policy = compile_document(document, PolicyType.IDENTITY, f"{label}/{name}")
            if policy is not None:
                out.append(policy)
        arns = policy_docs.attached_arns(conn, ptype, [entity_id])
        out += self._managed(conn, account_id, arns, PolicyType.IDENTITY)
        return out

    def _managed(self, conn: Connection, account_id: str, arns: list[str], ptype: PolicyType) -> list[Policy]:
        local = policy_docs.local_managed_documents(conn, account_id, arns)
        out: list[Policy] = []
        for arn in arns:
            document = local.get(arn)
            if document is None:
                aws = aws_managed.get(arn)
                document = aws.document if aws else None
            if document is None:
                continue
            policy = compile_document(document, ptype, arn)
            if policy is not None:
                out.append(policy)
        return out

    def _boundary(self, conn: Connection, account_id: str, arn: str | None) -> Policy | None:
        if not arn:
            return None
        found = self._managed(conn, account_id, [arn], PolicyType.BOUNDARY)
        if found:
            return found[0]
        # A boundary whose policy is gone allows nothing (it cannot widen permissions).
        return compile_document('{"Version":"2012-10-17","Statement":[]}', PolicyType.BOUNDARY, arn) or None

    def _session_policies(self, conn: Connection, caller: Caller) -> list[Policy] | None:
        session = caller.session
        if session is None or (session.policy is None and not session.policy_arns):
            return None
        out: list[Policy] = []
        if session.policy is not None:
            policy = compile_document(session.policy, PolicyType.SESSION, "session policy")
            if policy is not None:
                out.append(policy)
        out += self._managed(conn, caller.account_id, list(session.policy_arns), PolicyType.SESSION)
        return out


def _scoped(principal: Principal, documents: list[str]) -> Principal:
    """The principal with GetScopedCredentials' scope-down layers, each one more intersection."""
    if not documents:
        return principal
    layers = [[p] if (p := compile_document(doc, PolicyType.SESSION, f"scope-down policy {i + 1}")) else []
              for i, doc in enumerate(documents)]
    ps = principal.policies
    scoped = PolicySet(
        identity=ps.identity.policies,
        boundary=None if ps.boundary is None else ps.boundary.policies,
        scps=[index.policies for index in ps.scps],
        session=None if ps.session is None else ps.session.policies,
        scoped=layers,
    )
    return replace(principal, policies=scoped)


def _source_id(caller: Caller) -> str:
    return caller.session.source_id if caller.session is not None else caller.user_id


def _tag_map(conn: Connection, resource_type: str, resource_id: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in tags.list_tags(conn, resource_type, resource_id)}


def _with_session_tags(entity_tags: dict[str, str], session_tags: Iterable[tuple[str, str]]) -> dict[str, str]:
    """"New session tags override existing assumed role or federated user tags with the same tag
    key, regardless of case" (IAM User Guide, "Things to know about session tags"): the entity's
    tag of that key is dropped, whatever its case, so one value reaches ``aws:PrincipalTag``."""
    session = dict(session_tags)
    overridden = {key.lower() for key in session}
    merged = {k: v for k, v in entity_tags.items() if k.lower() not in overridden}
    merged.update(session)
    return merged


def _session_fingerprint(caller: Caller) -> bytes | None:
    """Sessions of the same role differ in session policies and tags; key the cache by them."""
    session = caller.session
    if session is None:
        return None
    material = repr((session.kind, session.source_id, session.policy, session.policy_arns, session.tags,
                     session.extra.get(SCOPED_POLICIES)))
    return hashlib.sha256(material.encode()).digest()
