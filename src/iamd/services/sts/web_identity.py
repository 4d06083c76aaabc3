"""AssumeRoleWithWebIdentity: a role session for whoever an OpenID Connect ID token vouches for.

The call is unsigned (``api/unsigned.py``); ``auth/oidc/web_identity.authenticate`` verifies the
token and names the caller, authorization evaluates the role's trust policy with the provider as
``Federated`` principal (``authz/federation.py``), and the session is issued by the step every
role-assuming operation shares (``federation.assume_role_federated``). The result adds what the
token said: ``SubjectFromWebIdentityToken`` (its ``sub``), ``Provider`` (the provider's ARN, or
the built-in issuer) and ``Audience``.

Tokens may be presented again until they expire, as on AWS (docs/security.md, "Token replay").
"""

from __future__ import annotations

from typing import Any

from iamd.auth import federated
from iamd.auth.oidc.web_identity import authenticate
from iamd.services.context import Call
from iamd.services.registry import action
from iamd.services.sts.federation import assume_role_federated

federated.register("sts", "AssumeRoleWithWebIdentity", authenticate)


@action("sts", "AssumeRoleWithWebIdentity")
def assume_role_with_web_identity(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    return assume_role_federated(call, p, p["RoleSessionName"])
