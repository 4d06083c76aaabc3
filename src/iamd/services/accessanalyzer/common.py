"""What every Access Analyzer operation shares: analyzers named by name or ARN in the caller's
account and region, the zone of trust, pages, and the JSON columns.

An analyzer of another account or region is "not found" (AWS's wording: ``Analyzer not found``),
never shown: authorization has already refused a cross-account ARN (analyzers have no
resource-based policy), and this keeps an allowed-by-wildcard caller inside its own account too.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row

from iamd.analysis.external_access import Zone
from iamd.services.accessanalyzer.errors import AaValidation, ResourceNotFound
from iamd.services.context import Call
from iamd.services.page_tokens import sealer
from iamd.store import aa_repo, orgs
from iamd.store.locks import lock_account

ACCOUNT_TYPES = frozenset({"ACCOUNT", "ACCOUNT_UNUSED_ACCESS"})
ORGANIZATION_TYPES = frozenset({"ORGANIZATION", "ORGANIZATION_UNUSED_ACCESS"})
EXTERNAL_TYPES = frozenset({"ACCOUNT", "ORGANIZATION"})
UNUSED_TYPES = frozenset({"ACCOUNT_UNUSED_ACCESS", "ORGANIZATION_UNUSED_ACCESS"})
ANALYZER = "AWS::AccessAnalyzer::Analyzer"
TAG_TYPE = "aa-analyzer"
PAGE_PURPOSE = "access-analyzer-next-token"
DEFAULT_PAGE = 100
MAX_PAGE = 1000


def lock(call: Call) -> None:
    """Hold the caller's account lock for the rest of the call (``store/locks.py``): a change's
    checks (a quota, a name, the findings it reads) and its writes see one state, on SQLite and
    across the processes of a PostgreSQL fleet."""
    lock_account(call.conn, call.account_id)


def analyzer_arn(call: Call, name: str) -> str:
    return f"arn:aws:access-analyzer:{call.region}:{call.account_id}:analyzer/{name}"


def analyzer_named(call: Call, name: str) -> Row[Any]:
    row = aa_repo.analyzer_named(call.conn, call.account_id, call.region, name)
    if row is None:
        raise ResourceNotFound("Analyzer not found", name, ANALYZER)
    return row


def analyzer_at(call: Call, arn: str) -> Row[Any]:
    row = aa_repo.analyzer_by_arn(call.conn, arn)
    if row is None or row.account_id != call.account_id or row.region != call.region:
        raise ResourceNotFound("Analyzer not found", arn, ANALYZER)
    return row


def external(row: Row[Any]) -> bool:
    return str(row.type) in EXTERNAL_TYPES


def zone_of(call: Call, row: Row[Any]) -> Zone:
    """The analyzer's zone of trust: its account, or its account's organization (every account
    of it, the management account included)."""
    org = orgs.org_of_account(call.conn, row.account_id)
    if org is None:
        return Zone(row.account_id)
    members = frozenset(m.account_id for m in orgs.members(call.conn, org.org_id)) | {org.management_account_id}
    return Zone(row.account_id, org.org_id, members, organization=str(row.type) in ORGANIZATION_TYPES)


def loads(text: str | None, default: Any = None) -> Any:
    return json.loads(text) if text else default


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def page(call: Call, items: Sequence[Any], params: dict[str, Any], query: Any) -> tuple[list[Any], str | None]:
    """One page of ``items`` (already in their order) and the token of the next, if any. A token
    is bound to the account and the query: another's, an edited or a forged one is refused."""
    limit = params.get("maxResults")
    if limit is None:
        limit = DEFAULT_PAGE
    if limit < 1 or limit > MAX_PAGE:
        raise AaValidation(f"maxResults must be between 1 and {MAX_PAGE}.", "fieldValidationFailed", "maxResults")
    tokens = sealer(call.runtime.master_key, PAGE_PURPOSE)
    bound = [call.account_id, call.region, query]
    start = 0
    token = params.get("nextToken")
    if token is not None:
        opened = tokens.open(str(token), bound)
        if opened is None or not opened[1] or not isinstance(opened[0], int) or opened[0] < 0:
            raise AaValidation("Invalid pagination token.", "fieldValidationFailed", "nextToken")
        start = opened[0]
    end = start + int(limit)
    return list(items[start:end]), (tokens.seal(end, bound) if end < len(items) else None)
