"""Keeping an external-access analyzer's findings current: re-analysed when its zone changed.

Every change to a role (create, trust-policy update, delete) bumps its account's policy
generation in the change's transaction (``api/app.py``), and Organizations changes bump every
account they touch. An analyzer records the generations of its zone it last analysed (its
``fingerprint``); every Access Analyzer call that reads findings or resources first compares it
with the zone's current state and, if it moved, re-analyses — so a finding is visible on the
next ListFindings after the change, on every node of a fleet, with no background job. The
re-analysis is incremental: a role whose shown trust policy and zone are unchanged keeps its
findings untouched (``policy_digest``); the others are decided again by the engine
(``analysis/external_access``). StartResourceScan forces one resource.

Lifecycle (IAM User Guide, "Review findings"): new access is an ``ACTIVE`` finding, or
``ARCHIVED`` when an archive rule matches it; access that is no longer granted makes its finding
``RESOLVED``; the same access granted again is the same finding, active again.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from functools import cache
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Row

from iamd.analysis.external_access import Access, Zone, role_access
from iamd.services.accessanalyzer import filters, views
from iamd.services.accessanalyzer.common import dumps, external, loads, zone_of
from iamd.services.context import Call
from iamd.services.iam import principal_binding
from iamd.store import aa_repo, orgs
from iamd.store.locks import lock_account

ROLE = "AWS::IAM::Role"


def current(call: Call, row: Row[Any], force: Iterable[str] = ()) -> Row[Any]:
    """The analyzer after bringing its findings up to date (``force``: resource ARNs to re-analyse
    whatever their digest)."""
    forced = frozenset(force)
    if not external(row):
        from iamd.services.accessanalyzer import unused  # the unused-access analyzers' findings

        return unused.current(call, row)
    zone = zone_of(call, row)
    accounts = sorted(zone.org_accounts) if zone.organization else [row.account_id]
    fingerprint = dumps({"org": zone.org_id, "members": sorted(zone.org_accounts),
                         "generations": aa_repo.generations(call.conn, accounts)})
    if fingerprint == row.fingerprint and not forced:
        return row
    # Re-analysis writes: under the account's lock, the analyzer read again (another call may
    # have brought it up to date while this one waited).
    lock_account(call.conn, row.account_id)
    locked = aa_repo.analyzer_by_arn(call.conn, row.arn)
    if locked is None:
        return row
    if locked.fingerprint == fingerprint and not forced:
        return locked
    _analyse(call, locked, zone, accounts, forced)
    aa_repo.update_analyzer(call.conn, row.analyzer_id, fingerprint=fingerprint)
    refreshed = aa_repo.analyzer_by_arn(call.conn, row.arn)
    return refreshed if refreshed is not None else row


def _analyse(call: Call, row: Row[Any], zone: Zone, accounts: list[str], forced: frozenset[str]) -> None:
    conn = call.conn
    roles = aa_repo.roles_of(conn, accounts)
    shown = principal_binding.shown(conn, (r.assume_role_policy for r in roles))
    existing = {r.resource_arn: r for r in aa_repo.resources(conn, row.analyzer_id)}
    rules = [loads(r.filter, {}) for r in aa_repo.rules(conn, row.analyzer_id)]
    zone_text = dumps([row.type, zone.org_id, sorted(zone.org_accounts)])

    @cache
    def org_of(account: str) -> str | None:
        org = orgs.org_of_account(conn, account)
        return None if org is None else str(org.org_id)

    last: str | None = None
    for role in roles:
        arn = f"arn:aws:iam::{role.account_id}:role{role.path}{role.name}"
        document = shown.get(role.assume_role_policy, role.assume_role_policy)
        digest = hashlib.sha256((zone_text + "\n" + document).encode()).hexdigest()
        before = existing.pop(arn, None)
        if before is not None and before.policy_digest == digest and arn not in forced:
            continue
        accesses = role_access(document, arn, role.account_id, zone, org_of)
        record(call, row.analyzer_id, arn, ROLE, role.account_id, accesses, rules)
        aa_repo.put_resource(conn, row.analyzer_id, arn, {
            "resource_type": ROLE, "resource_owner_account": role.account_id, "policy_digest": digest,
            "is_public": any(a.is_public for a in accesses),
            "actions": dumps(sorted({x for a in accesses for x in a.actions})),
            "updated_at": call.now, "analyzed_at": call.now,
        })
        last = arn
    for arn in existing:  # roles deleted since the last analysis
        record(call, row.analyzer_id, arn, ROLE, existing[arn].resource_owner_account, [], rules)
        aa_repo.delete_resource(conn, row.analyzer_id, arn)
    if last is not None:
        aa_repo.update_analyzer(conn, row.analyzer_id, last_resource_analyzed=last, last_resource_analyzed_at=call.now)


def finding_key(access: Access) -> str:
    return hashlib.sha256(dumps({"principal": access.principal, "condition": access.condition}).encode()).hexdigest()


def archived_by(rules: list[dict[str, Any]], finding: dict[str, Any]) -> bool:
    return any(filters.matches(rule, finding) for rule in rules)


def record(
    call: Call, analyzer_id: str, arn: str, resource_type: str, owner: str, accesses: list[Access],
    rules: list[dict[str, Any]],
) -> None:
    """Make the findings of one resource say ``accesses``: new ones, changed ones, resolved ones."""
    conn = call.conn
    before = {f.finding_key: f for f in aa_repo.findings(conn, analyzer_id, arn) if f.finding_type == "ExternalAccess"}
    for access in accesses:
        key = finding_key(access)
        values: dict[str, Any] = {"principal": dumps(access.principal), "actions": dumps(list(access.actions)),
                  "condition": dumps(access.condition), "is_public": access.is_public}
        old = before.pop(key, None)
        if old is None:
            finding_id = str(uuid.uuid4())
            new = {"finding_id": finding_id, "analyzer_id": analyzer_id, "finding_type": "ExternalAccess",
                   "finding_key": key, "resource_arn": arn, "resource_type": resource_type,
                   "resource_owner_account": owner, "status": "ACTIVE", "created_at": call.now,
                   "updated_at": call.now, "analyzed_at": call.now, **values}
            if rules and archived_by(rules, views.finding(SimpleNamespace(**new, sources=None, details=None, error=None))):
                new["status"] = "ARCHIVED"
            aa_repo.add_finding(conn, new)
            continue
        changes: dict[str, Any] = {"analyzed_at": call.now}
        if old.status == "RESOLVED":
            changes["status"] = "ACTIVE"
        if old.actions != values["actions"] or old.is_public != access.is_public or changes.get("status"):
            changes.update(values, updated_at=call.now)
        aa_repo.update_finding(conn, old.finding_id, **changes)
        if changes.get("status") == "ACTIVE":
            row = aa_repo.finding(conn, analyzer_id, old.finding_id)
            if row is not None and archived_by(rules, views.finding(row)):
                aa_repo.update_finding(conn, old.finding_id, status="ARCHIVED")
    for gone in before.values():
        if gone.status != "RESOLVED":
            aa_repo.update_finding(conn, gone.finding_id, status="RESOLVED", updated_at=call.now, analyzed_at=call.now)
