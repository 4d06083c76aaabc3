"""Unused-access findings of the ``ACCOUNT_UNUSED_ACCESS`` / ``ORGANIZATION_UNUSED_ACCESS``
analyzers, from iamd's own trail and last-used data.

"Unused access analyzers … report unused roles, unused access keys for IAM users, unused passwords
for IAM users, and unused services and actions for active IAM roles and users" within the
analyzer's ``unusedAccessAge`` (IAM User Guide, "Findings for unused access"). An entity is judged
once it has existed for the whole window (``created_at`` before its start):

- ``UnusedIAMRole``: no session of the role called anything in the window, and it was not assumed
  (``roles.last_used_at``). Service-linked roles are not reported.
- ``UnusedIAMUserPassword``: the user's console password was not used in the window.
- ``UnusedIAMUserAccessKey``: an active key not used in the window (``access_keys.last_used_at``).
- ``UnusedPermission``: for a role or user that is not itself unused, each service its policies
  grant (``analysis/granted``: the engine decides) that it did not call in the window, with the
  granted actions of the services iamd serves in ``actions``.

Every read of an unused analyzer's findings recomputes them (``sync.current``), under the
account's lock: a finding appears once the window passes without use and is ``RESOLVED`` once the
access is used or removed (role, key, password or grant deleted); the same access unused again is
the same finding, active again. Archive rules apply to new findings as to external ones.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Row, select

from iamd.analysis.activity import every_use
from iamd.analysis.granted import granted
from iamd.authz.organizations import is_service_linked
from iamd.policy import RequestPrincipal
from iamd.policy.principal import PrincipalType
from iamd.services.accessanalyzer import views
from iamd.services.accessanalyzer.common import dumps, loads, zone_of
from iamd.services.context import Call
from iamd.services.iam.policy_sources import policy_sets
from iamd.services.registry import ACTIONS
from iamd.store import aa_repo, schema
from iamd.store.locks import lock_account

ROLE, USER = "AWS::IAM::Role", "AWS::IAM::User"
DEFAULT_AGE = 90
# How far back ``lastAccessed`` looks: IAM's tracking period for last-accessed data (400 days).
LOOKBACK = timedelta(days=400)


def age_of(row: Row[Any]) -> int:
    return int((loads(row.configuration, {}).get("unusedAccess") or {}).get("unusedAccessAge") or DEFAULT_AGE)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _latest(*values: datetime | None) -> datetime | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


class _Wanted:
    """The findings the current state calls for: (resource ARN, key) → values."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, Any]] = {}

    def add(self, arn: str, key: str, kind: str, rtype: str, owner: str, details: dict[str, Any]) -> None:
        self.items[(arn, hashlib.sha256(key.encode()).hexdigest())] = {
            "finding_type": kind, "resource_type": rtype, "resource_owner_account": owner,
            "details": dumps(details)}


def _permissions(wanted: _Wanted, arn: str, rtype: str, owner: str, services: dict[str, set[str]],
                 used: dict[str, datetime], actions_used: dict[str, datetime], start: datetime) -> None:
    for prefix, names in sorted(services.items()):
        last = used.get(prefix)
        if last is not None and last >= start:
            continue
        detail: dict[str, Any] = {"serviceNamespace": prefix}
        if last is not None:
            detail["lastAccessed"] = last.isoformat()
        if prefix in ACTIONS:
            served = {n.lower() for n in ACTIONS[prefix]}
            detail["actions"] = [
                {"action": n.partition(":")[2], **({"lastAccessed": _iso(actions_used[n])} if n in actions_used else {})}
                for n in sorted(names) if n.partition(":")[2].lower() in served]
        wanted.add(arn, f"service:{prefix}", "UnusedPermission", rtype, owner, {"unusedPermissionDetails": detail})


def _compute(call: Call, accounts: list[str], start: datetime) -> _Wanted:
    conn, sets = call.conn, policy_sets(call)
    call.runtime.key_usage.flush(conn)
    services_used: dict[str, dict[str, datetime]] = {}
    actions_used: dict[str, dict[str, datetime]] = {}
    for account in accounts:
        for use in every_use(conn, call.runtime, account, call.now - LOOKBACK, call.now):
            who = use.principal_arn.lower()
            prefix = use.action.partition(":")[0]
            for table, name in ((services_used, prefix), (actions_used, use.action)):
                seen = table.setdefault(who, {}).get(name)
                if seen is None or use.time > seen:
                    table[who][name] = use.time
    wanted = _Wanted()
    r, u, k, lp = schema.roles, schema.users, schema.access_keys, schema.login_profiles
    for role in conn.execute(select(r).where(r.c.account_id.in_(accounts)).order_by(r.c.role_id)).all():
        if role.service_linked or is_service_linked(role.path) or role.created_at > start:
            continue
        arn = f"arn:aws:iam::{role.account_id}:role{role.path}{role.name}"
        used = services_used.get(arn.lower(), {})
        last = _latest(role.last_used_at, *used.values())
        if last is None or last < start:
            details = {"lastAccessed": last.isoformat()} if last is not None else {}
            wanted.add(arn, "role", "UnusedIAMRole", ROLE, role.account_id, {"unusedIamRoleDetails": details})
            continue
        identity, boundary = sets.entity_policies(conn, "role", role)
        principal = RequestPrincipal(arn, role.account_id, PrincipalType.ROLE_SESSION, source_arn=arn)
        _permissions(wanted, arn, ROLE, role.account_id, granted(identity, boundary, principal), used,
                     actions_used.get(arn.lower(), {}), start)
    profiles = {p.user_id: p for p in conn.execute(select(lp)).all()}
    for user in conn.execute(select(u).where(u.c.account_id.in_(accounts)).order_by(u.c.user_id)).all():
        arn = f"arn:aws:iam::{user.account_id}:user{user.path}{user.name}"
        profile = profiles.get(user.user_id)
        if profile is not None and profile.created_at <= start and (
                user.password_last_used is None or user.password_last_used < start):
            details = {"lastAccessed": user.password_last_used.isoformat()} if user.password_last_used else {}
            wanted.add(arn, "password", "UnusedIAMUserPassword", USER, user.account_id,
                       {"unusedIamUserPasswordDetails": details})
        for key in conn.execute(select(k).where(k.c.user_id == user.user_id, k.c.status == "Active")).all():
            if key.created_at <= start and (key.last_used_at is None or key.last_used_at < start):
                detail: dict[str, Any] = {"accessKeyId": key.access_key_id}
                if key.last_used_at is not None:
                    detail["lastAccessed"] = key.last_used_at.isoformat()
                wanted.add(arn, f"key:{key.access_key_id}", "UnusedIAMUserAccessKey", USER, user.account_id,
                           {"unusedIamUserAccessKeyDetails": detail})
        if user.created_at > start:
            continue
        used = services_used.get(arn.lower(), {})
        identity, boundary = sets.entity_policies(conn, "user", user)
        principal = RequestPrincipal(arn, user.account_id, PrincipalType.USER, id=user.user_id)
        _permissions(wanted, arn, USER, user.account_id, granted(identity, boundary, principal), used,
                     actions_used.get(arn.lower(), {}), start)
    return wanted


def current(call: Call, row: Row[Any]) -> Row[Any]:
    """The unused analyzer after making its findings say what the trail and last-used data say now."""
    from iamd.services.accessanalyzer.sync import archived_by  # late: sync dispatches here

    lock_account(call.conn, row.account_id)
    zone = zone_of(call, row)
    accounts = sorted(zone.org_accounts) if zone.organization else [row.account_id]
    start = call.now - timedelta(days=age_of(row))
    wanted = _compute(call, accounts, start).items
    rules = [loads(r.filter, {}) for r in aa_repo.rules(call.conn, row.analyzer_id)]
    existing = {(f.resource_arn, f.finding_key): f for f in aa_repo.findings(call.conn, row.analyzer_id)
                if f.finding_type != "ExternalAccess"}
    for (arn, key), values in wanted.items():
        old = existing.pop((arn, key), None)
        if old is None:
            new = {"finding_id": str(uuid.uuid4()), "analyzer_id": row.analyzer_id, "finding_key": key,
                   "resource_arn": arn, "status": "ACTIVE", "created_at": call.now, "updated_at": call.now,
                   "analyzed_at": call.now, **values}
            shown = SimpleNamespace(**new, principal=None, actions=None, condition=None, is_public=None,
                                    sources=None, error=None)
            if rules and archived_by(rules, views.finding(shown)):
                new["status"] = "ARCHIVED"
            aa_repo.add_finding(call.conn, new)
            continue
        changes: dict[str, Any] = {"analyzed_at": call.now}
        if old.status == "RESOLVED":
            changes.update(status="ACTIVE", updated_at=call.now)
        if old.details != values["details"]:
            changes.update(details=values["details"], updated_at=call.now)
        aa_repo.update_finding(call.conn, old.finding_id, **changes)
    for gone in existing.values():
        if gone.status != "RESOLVED":
            aa_repo.update_finding(call.conn, gone.finding_id, status="RESOLVED", updated_at=call.now,
                                   analyzed_at=call.now)
    aa_repo.update_analyzer(call.conn, row.analyzer_id, last_resource_analyzed_at=call.now)
    refreshed = aa_repo.analyzer_by_arn(call.conn, row.arn)
    return refreshed if refreshed is not None else row
