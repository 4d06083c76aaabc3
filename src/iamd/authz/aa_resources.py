"""The resources an ``access-analyzer:*`` call acts on, as the Service Authorization Reference
names them: ``arn:aws:access-analyzer:REGION:ID:analyzer/NAME`` and
``…:analyzer/NAME/archive-rule/RULE``.

A request names its analyzer by ``analyzerName`` (in the caller's account and the request's
Region: the ARN is built from them), by ``analyzerArn``, or — the tagging operations — by
``resourceArn``; an archive-rule action by ``analyzerName`` and ``ruleName``. The analyzer's tags
are read for ``aws:ResourceTag`` when it exists. An ARN of another account is that account's
resource: analyzers have no resource-based policy, so the engine refuses the cross-account call
before the action can say whether it exists. Actions the SAR gives no resource type
(ListAnalyzers, ValidatePolicy, the policy checks and generations) are authorized on ``*``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from iamd.auth.caller import Caller
from iamd.authz import catalogue
from iamd.authz.resources import ANY, Resource
from iamd.store import aa_repo
from iamd.store import tags as tag_store

TAG_TYPE = "aa-analyzer"


def resolve(
    conn: Connection, caller: Caller, action: str, params: Mapping[str, Any], with_tags: bool, region: str
) -> list[Resource]:
    info = catalogue.action(action)
    if info is None or not info.resource_types:
        return [ANY]
    kinds = {ref.name for ref in info.resource_types}
    name = params.get("analyzerName")
    arn = params.get("analyzerArn") or params.get("resourceArn") if name is None else None
    if name is not None:
        arn = f"arn:aws:access-analyzer:{region}:{caller.account_id}:analyzer/{name}"
    if not isinstance(arn, str) or not arn:
        return [ANY]
    account = _account_of(arn)
    if "ArchiveRule" in kinds and params.get("ruleName") is not None and "Analyzer" not in kinds:
        return [Resource(f"{arn}/archive-rule/{params['ruleName']}", account)]
    tags: dict[str, str] = {}
    if with_tags:
        row = aa_repo.analyzer_by_arn(conn, arn)
        if row is not None:
            tags = {t["Key"]: t["Value"] for t in tag_store.list_tags(conn, TAG_TYPE, row.analyzer_id)}
    return [Resource(arn, account, tags)]


def _account_of(arn: str) -> str | None:
    parts = arn.split(":", 5)
    return parts[4] if len(parts) == 6 and parts[4] else None
