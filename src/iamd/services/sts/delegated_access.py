"""GetDelegatedAccessToken: trade in the token of an accepted IAM delegation request.

STS API Reference: it "exchanges a trade-in token for temporary AWS credentials with the
permissions associated with the assumed principal"; the trade-in token is what IAM's
``SendDelegationToken`` delivers to the partner once the customer accepted the delegation request
(IAM User Guide, "IAM temporary delegation"). Delegation requests "can only be created by Amazon
products and qualified AWS Partners that have completed the feature onboarding process"; iamd has
no onboarded partner, so no request is ever accepted and no trade-in token ever issued
(``services/iam/delegation_requests.py``, docs/federation.md).

Every token presented is therefore one this server cannot exchange: the answer is the model's
error for a token that "can no longer be exchanged for credentials",
``ExpiredTradeInTokenException``, after authorization (``sts:GetDelegatedAccessToken``) — never
credentials. The token itself is never logged or echoed (the model marks it sensitive, so the
audit trail hides it).
"""

from __future__ import annotations

from typing import Any

from iamd.services.context import Call
from iamd.services.outbound.errors import ExpiredTradeInToken
from iamd.services.registry import action

NOT_EXCHANGEABLE = (
    "The trade-in token cannot be exchanged for credentials: iamd issues trade-in tokens only for "
    "accepted delegation requests, and it has no onboarded partner to accept one from."
)


@action("sts", "GetDelegatedAccessToken")
def get_delegated_access_token(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    raise ExpiredTradeInToken(NOT_EXCHANGEABLE)
