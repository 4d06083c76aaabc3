"""SetSecurityTokenServicePreferences: the version of the session tokens STS's global endpoint
issues, as ``GetAccountSummary`` reports it (``GlobalEndpointTokenVersion``: 1 or 2).

IAM API Reference: "Version 1 tokens are valid only in AWS Regions that are available by default
... Version 2 tokens are valid in all Regions. However, version 2 tokens are longer". AWS's
default is version 1. iamd has one endpoint for every Region and one token format (self-contained
and sealed, valid wherever iamd serves), so the preference is recorded and reported as AWS
reports it, and changes no token: docs/aws-fidelity.md.
"""

from __future__ import annotations

from typing import Any

from iamd.services.context import Call
from iamd.services.registry import action
from iamd.store import account_settings

SETTING = "GlobalEndpointTokenVersion"
VERSIONS = {"v1Token": 1, "v2Token": 2}
DEFAULT = 1


def token_version(call: Call) -> int:
    """The account's ``GlobalEndpointTokenVersion`` as GetAccountSummary's SummaryMap gives it."""
    value = account_settings.get(call.conn, call.account_id, SETTING)
    return VERSIONS.get(value or "", DEFAULT)


@action("iam", "SetSecurityTokenServicePreferences")
def set_security_token_service_preferences(call: Call, p: dict[str, Any]) -> None:
    # The model's enum (v1Token, v2Token) is checked by api/ before the action runs.
    account_settings.put(call.conn, call.account_id, SETTING, p["GlobalEndpointTokenVersion"], call.now)
    return None
