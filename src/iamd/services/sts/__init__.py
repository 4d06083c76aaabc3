"""STS actions: identity, and temporary credentials sealed by ``auth/sessions``.

One module per concern: ``identity`` (GetCallerIdentity, GetAccessKeyInfo), ``assume_role``,
``assume_root`` (AssumeRoot), ``tokens`` (GetSessionToken, GetFederationToken), ``web_identity``
(AssumeRoleWithWebIdentity), ``web_identity_token`` (GetWebIdentityToken), ``saml`` (AssumeRoleWithSAML), ``messages``
(DecodeAuthorizationMessage), ``scoped_credentials`` (GetScopedCredentials), ``delegated_access``
(GetDelegatedAccessToken); ``credentials`` and ``session_policies`` hold the rules they share.
Importing this package registers every action.
"""

from iamd.services.sts import (
    assume_role,
    assume_root,
    delegated_access,
    identity,
    messages,
    saml,
    scoped_credentials,
    tokens,
    web_identity,
    web_identity_token,
)

__all__ = [
    "assume_role",
    "assume_root",
    "delegated_access",
    "identity",
    "messages",
    "saml",
    "scoped_credentials",
    "tokens",
    "web_identity",
    "web_identity_token",
]
