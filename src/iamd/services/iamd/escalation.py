"""``ListEscalationPaths``: the privilege-escalation paths of the caller's account
(``analysis/escalation.py``), optionally of one user or role, paged.

Authorized as ``iamd:ListEscalationPaths`` on the named principal's ARN (``*`` for the whole
account) before anything runs, like every action. Only the caller's account is analysed: a
``PrincipalArn`` of another account is a ``ValidationException``, never an analysis of it. The
paths are computed afresh for each page (the store is the truth; nothing is cached between
pages); ``NextToken`` is an authenticated position bound to the request's account and filter
(``services/page_tokens.py``), so a forged or replayed token is ``InvalidNextTokenException``.
"""

from __future__ import annotations

from typing import Any

from iamd.analysis.escalation import analyse
from iamd.errors import ValidationException
from iamd.services.cloudtrail_errors import InvalidNextTokenException
from iamd.services.context import Call
from iamd.services.iam.policy_sources import policy_sets
from iamd.services.page_tokens import sealer
from iamd.services.registry import action

DEFAULT_MAX_RESULTS = 20
# One request holds a worker for a few seconds at most (each page is computed afresh); the
# offline command's bound is larger (``analysis.escalation.MAX_EVALUATIONS``).
API_MAX_EVALUATIONS = 400_000
_TOKEN_PURPOSE = "iamd-escalation-next-token"


@action("iamd", "ListEscalationPaths")
def list_escalation_paths(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    principal = p.get("PrincipalArn")
    if principal is not None and principal.split(":")[4] != call.account_id:
        raise ValidationException("PrincipalArn must name a user or role of the caller's account.")
    limit = p.get("MaxResults") or DEFAULT_MAX_RESULTS
    query = [call.account_id, principal or ""]
    tokens = sealer(call.runtime.master_key, _TOKEN_PURPOSE)
    start = 0
    if p.get("NextToken"):
        opened = tokens.open(p["NextToken"], query)
        if opened is None or not opened[1] or not isinstance(opened[0], int) or opened[0] < 0:
            raise InvalidNextTokenException("Invalid NextToken.")
        start = opened[0]
    report = analyse(call.conn, call.account_id, call.now, principal, policy_sets(call), API_MAX_EVALUATIONS)
    page = report.paths[start:start + limit]
    out: dict[str, Any] = {"EscalationPaths": [path.as_dict() for path in page], "Truncated": report.truncated}
    if start + limit < len(report.paths):
        out["NextToken"] = tokens.seal(start + limit, query)
    return out
