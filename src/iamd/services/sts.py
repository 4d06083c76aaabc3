"""STS actions. Temporary credentials arrive with the enforcement work; identity is here."""

from __future__ import annotations

from typing import Any

from iamd.services.context import Call
from iamd.services.registry import action


@action("sts", "GetCallerIdentity")
def get_caller_identity(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    c = call.caller
    return {"UserId": c.user_id, "Account": c.account_id, "Arn": c.arn}
