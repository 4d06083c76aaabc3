"""Managed policies attached to users, groups and roles, and the reverse view per policy.

AWS gives each principal kind its own Attach/Detach/ListAttached…Policies action with identical
rules; ``Principal`` describes a kind once and ``_register`` builds the three actions from it, so
the rules cannot drift between users, groups and roles. Inline policies reuse the same table.

Quotas (IAM and AWS STS quotas, "Managed policies attached to an IAM user/group/role": 10 by
default) live in ``ATTACHED_QUOTA`` so tests can lower them.

AWS-managed policies under ``/aws-service-role/`` belong to service-linked roles: the model's
PolicyNotAttachableException says they "can only be attached to the service-linked role for that
service", and IAM refuses them on users, groups and customer roles.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, Select, delete, exists, func, insert, or_, select

from iamd.errors import ValidationError
from iamd.services.context import Call
from iamd.services.iam import groups, policy_refs, roles, service_linked_roles, users
from iamd.services.iam.common import DEFAULT_MAX_ITEMS, decode_marker, encode_marker, paginate_list
from iamd.services.iam.errors import InvalidInput, LimitExceeded, NoSuchEntity, PolicyNotAttachable
from iamd.services.registry import action
from iamd.store import repos, schema
from iamd.store.named import NamedRepo

ATTACHED_QUOTA = {"user": 10, "group": 10, "role": 10}
SERVICE_ROLE_POLICY_PATH = "/aws-service-role/"

pa = schema.policy_attachments


@dataclass(frozen=True)
class Principal:
    """One kind of policy holder: ``type`` is the ``principal_type`` column and the ARN kind."""

    entity: str
    type: str
    repo: NamedRepo
    find: Callable[[Call, str], Row[Any]]
    # Service-linked roles refuse changes to their policies (UnmodifiableEntity).
    guard: Callable[[Row[Any]], None] | None = None

    @property
    def name_param(self) -> str:
        return f"{self.entity}Name"

    def id_of(self, row: Row[Any]) -> str:
        return str(row._mapping[self.repo.id.name])

    def lookup(self, call: Call, p: dict[str, Any], *, modify: bool = False) -> Row[Any]:
        row = self.find(call, p[self.name_param])
        if modify and self.guard is not None:
            self.guard(row)
        return row


def _modifiable_role(row: Row[Any]) -> None:
    service_linked_roles.ensure_modifiable_role(row)


USER = Principal("User", "user", repos.users, users.get_user_row)
GROUP = Principal("Group", "group", repos.groups, groups.get_group_row)
ROLE = Principal("Role", "role", repos.roles, roles.get_role_row, _modifiable_role)
PRINCIPALS = (USER, GROUP, ROLE)


def policy_name(policy_arn: str) -> str:
    return policy_arn.rsplit("/", 1)[-1]


def policy_path(policy_arn: str) -> str:
    """``arn:…:policy/a/b/Name`` → ``/a/b/``: the ARN carries the path, no lookup needed."""
    resource = policy_arn.split(":", 5)[-1]
    return resource[len("policy") :].rsplit("/", 1)[0] + "/"


def attached_arns(call: Call, kind: Principal, principal_id: str) -> list[str]:
    q = select(pa.c.policy_arn).where(pa.c.principal_type == kind.type, pa.c.principal_id == principal_id)
    return sorted(call.conn.execute(q).scalars())


def usage_counts(call: Call, policy_arn: str | None = None) -> tuple[dict[str, int], dict[str, int]]:
    """Per policy ARN in the caller's account: (attachments, uses as a permissions boundary)."""
    q = select(pa.c.policy_arn, func.count()).where(pa.c.account_id == call.account_id)
    if policy_arn is not None:
        q = q.where(pa.c.policy_arn == policy_arn)
    attached = {a: n for a, n in call.conn.execute(q.group_by(pa.c.policy_arn))}
    boundaries: dict[str, int] = {}
    for table in (schema.users, schema.roles):
        col = table.c.permissions_boundary
        bq = select(col, func.count()).where(table.c.account_id == call.account_id, col.is_not(None))
        if policy_arn is not None:
            bq = bq.where(col == policy_arn)
        for a, n in call.conn.execute(bq.group_by(col)):
            boundaries[a] = boundaries.get(a, 0) + n
    return attached, boundaries


def _register(kind: Principal) -> None:
    quota_name = f"PoliciesPer{kind.entity}"

    def attach(call: Call, p: dict[str, Any]) -> None:
        row = kind.lookup(call, p, modify=True)
        policy = policy_refs.resolve(call, p["PolicyArn"])
        if policy["aws"] and policy["policy"].path.startswith(SERVICE_ROLE_POLICY_PATH):
            raise PolicyNotAttachable("Cannot attach a Service Role Policy to a Customer Role.")
        pid = kind.id_of(row)
        current = attached_arns(call, kind, pid)
        if policy["arn"] in current:
            return None
        if len(current) >= ATTACHED_QUOTA[kind.type]:
            raise LimitExceeded(f"Cannot exceed quota for {quota_name}: {ATTACHED_QUOTA[kind.type]}")
        call.conn.execute(
            insert(pa).values(
                account_id=call.account_id,
                principal_type=kind.type,
                principal_id=pid,
                policy_arn=policy["arn"],
                attached_at=call.now,
            )
        )
        return None

    def detach(call: Call, p: dict[str, Any]) -> None:
        row = kind.lookup(call, p, modify=True)
        policy_arn = p["PolicyArn"]
        if not policy_arn.startswith("arn:"):
            raise InvalidInput(f"ARN {policy_arn} is not valid.")
        where = (
            pa.c.principal_type == kind.type,
            pa.c.principal_id == kind.id_of(row),
            pa.c.policy_arn == policy_arn,
        )
        if not call.conn.execute(delete(pa).where(*where)).rowcount:
            raise NoSuchEntity(f"Policy {policy_arn} was not found.")
        return None

    def list_attached(call: Call, p: dict[str, Any]) -> dict[str, Any]:
        row = kind.lookup(call, p)
        prefix = p.get("PathPrefix") or "/"
        items = [
            {"PolicyName": policy_name(a), "PolicyArn": a}
            for a in attached_arns(call, kind, kind.id_of(row))
            if policy_path(a).startswith(prefix)
        ]
        page, meta = paginate_list(items, "PolicyArn", p)
        return {"AttachedPolicies": page, **meta}

    action("iam", f"Attach{kind.entity}Policy")(attach)
    action("iam", f"Detach{kind.entity}Policy")(detach)
    action("iam", f"ListAttached{kind.entity}Policies")(list_attached)


for _kind in PRINCIPALS:
    _register(_kind)


# --- pagination over several lists ---------------------------------------------------------

# (after key or None, how many) -> [(unique key, item)] in key order.
Fetch = Callable[[str | None, int], list[tuple[str, Any]]]


def paginate_sections(
    sections: list[tuple[str, Fetch]], p: dict[str, Any]
) -> tuple[dict[str, list[Any]], dict[str, Any]]:
    """Keyset pagination over lists returned one after the other in one response.

    ListEntitiesForPolicy and GetAccountAuthorizationDetails fill several lists (groups, users,
    roles, …) from one ``MaxItems``. The marker is (section index, last key); each section pages
    on its own unique key, so a page never skips or repeats an item while others write.
    """
    limit = p.get("MaxItems") or DEFAULT_MAX_ITEMS
    start, after = 0, None
    if p.get("Marker") is not None:
        index, sep, after = decode_marker(p["Marker"]).partition(":")
        if not sep or not index.isdigit():
            raise ValidationError("Invalid Marker.")
        start = int(index)
    out: dict[str, list[Any]] = {name: [] for name, _ in sections}
    remaining, last = limit, f"{start}:{after or ''}"
    for i, (name, fetch) in enumerate(sections):
        if i < start:
            continue
        rows = fetch(after if i == start else None, remaining + 1)
        taken = rows[:remaining]
        out[name].extend(item for _, item in taken)
        remaining -= len(taken)
        if taken:
            last = f"{i}:{taken[-1][0]}"
        if len(rows) > len(taken):
            return out, {"IsTruncated": True, "Marker": encode_marker(last)}
    return out, {"IsTruncated": False}


def named_section(repo: NamedRepo, query: Select[Any], shape: Callable[[Row[Any]], Any], call: Call) -> Fetch:
    """A section over a named table, keyed by ``name_lower`` (unique per account)."""
    key = repo.table.c.name_lower

    def fetch(after: str | None, n: int) -> list[tuple[str, Any]]:
        q = query if after is None else query.where(key > after)
        return [(r.name_lower, shape(r)) for r in call.conn.execute(q.order_by(key).limit(n))]

    return fetch


# --- ListEntitiesForPolicy ------------------------------------------------------------------

_ENTITY_LISTS = ((GROUP, "PolicyGroups"), (USER, "PolicyUsers"), (ROLE, "PolicyRoles"))


@action("iam", "ListEntitiesForPolicy")
def list_entities_for_policy(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    """Who uses the policy: attached (PermissionsPolicy) or as boundary (PermissionsBoundary); both by default."""
    policy_arn = policy_refs.resolve(call, p["PolicyArn"], message=f"Policy {p['PolicyArn']} was not found.")[
        "arn"
    ]
    usage, wanted = p.get("PolicyUsageFilter"), p.get("EntityFilter")
    sections: list[tuple[str, Fetch]] = []
    for kind, member in _ENTITY_LISTS:
        t = kind.repo.table
        uses = []
        if usage != "PermissionsBoundary":
            uses.append(
                exists().where(
                    pa.c.principal_type == kind.type,
                    pa.c.principal_id == kind.repo.id,
                    pa.c.policy_arn == policy_arn,
                )
            )
        if usage != "PermissionsPolicy" and "permissions_boundary" in t.c:
            uses.append(t.c.permissions_boundary == policy_arn)
        if wanted not in (None, kind.entity) or not uses:
            sections.append((member, lambda after, n: []))
            continue
        query = kind.repo.list_query(call.account_id, p.get("PathPrefix")).where(or_(*uses))
        sections.append((member, named_section(kind.repo, query, _entity_item(kind), call)))
    lists, meta = paginate_sections(sections, p)
    return {**lists, **meta}


def _entity_item(kind: Principal) -> Callable[[Row[Any]], dict[str, str]]:
    return lambda row: {f"{kind.entity}Name": row.name, f"{kind.entity}Id": kind.id_of(row)}
