"""Enable/DisableOutboundWebIdentityFederation and GetOutboundWebIdentityFederationInfo.

IAM API Reference: enabling lets "IAM principals in your account … use the GetWebIdentityToken
API to obtain JSON Web Tokens (JWTs)" and "generates a unique issuer URL for your AWS account";
enabling twice is ``FeatureEnabled`` (409), disabling twice ``FeatureDisabled`` (404). Disabling
"does not affect tokens that were issued before the feature was disabled": the issuer keeps
publishing its keys. ``GetOutboundWebIdentityFederationInfo`` lists only ``FeatureDisabled`` as
its error; iamd answers it for an account that never enabled the feature (there is no issuer to
report yet) and, once an issuer exists, reports it with ``JwtVendingEnabled`` true or false.

These calls change the account (IAM takes its lock before they run, ``store/locks``), so the key
creation on enable never races another.
"""

from __future__ import annotations

from typing import Any

from iamd.services.context import Call
from iamd.services.outbound import federation, keys
from iamd.services.outbound.errors import FeatureDisabled, FeatureEnabled
from iamd.services.registry import action


def _issuer(call: Call, issuer_id: str) -> str:
    return federation.issuer_url(call.runtime.public_url, issuer_id)


@action("iam", "EnableOutboundWebIdentityFederation")
def enable_outbound_web_identity_federation(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    current = federation.of_account(call.conn, call.account_id)
    if current is not None and current.enabled:
        raise FeatureEnabled()
    state = federation.set_enabled(call.conn, call.account_id, True, call.now)
    keys.ensure(call.conn, call.runtime.secretbox, call.account_id, call.now)
    return {"IssuerIdentifier": _issuer(call, state.issuer_id)}


@action("iam", "DisableOutboundWebIdentityFederation")
def disable_outbound_web_identity_federation(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    current = federation.of_account(call.conn, call.account_id)
    if current is None or not current.enabled:
        raise FeatureDisabled()
    federation.set_enabled(call.conn, call.account_id, False, call.now)
    return {}


@action("iam", "GetOutboundWebIdentityFederationInfo")
def get_outbound_web_identity_federation_info(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    current = federation.of_account(call.conn, call.account_id)
    if current is None:
        raise FeatureDisabled()
    return {"IssuerIdentifier": _issuer(call, current.issuer_id), "JwtVendingEnabled": current.enabled}
