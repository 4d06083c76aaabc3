"""Who an unsigned STS call is: a federated identity proven by a token or an assertion.

AssumeRoleWithWebIdentity and AssumeRoleWithSAML are the only calls AWS accepts without SigV4
("Calling AssumeRoleWithWebIdentity does not require the use of AWS security credentials", STS
API Reference; likewise AssumeRoleWithSAML): the caller is whoever the identity provider vouches
for. Verifying that voucher (a JWT against the issuer's keys, a SAML response against the
provider's certificates) is authentication, so it lives here in ``auth/``; each verifier returns
a ``FederatedIdentity``, the one shape the API layer, authorization and the trail work from.

An ``Authenticate`` function is registered per operation (``register``) by the module that
implements it; the API layer looks it up by operation name and never knows which kind it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from iamd.policy.context import ContextValue

__all__ = [
    "WEB_IDENTITY_USER", "SAML_USER", "FederatedIdentity", "Authenticate", "register", "AUTHENTICATORS", "role_account",
]

# CloudTrail's userIdentity types for the two calls (CloudTrail userIdentity element reference).
WEB_IDENTITY_USER = "WebIdentityUser"
SAML_USER = "SAMLUser"


@dataclass(frozen=True)
class FederatedIdentity:
    """A verified federated caller, before any role is assumed.

    ``trail_type``: ``WebIdentityUser`` or ``SAMLUser``. ``provider``: what a trust policy's
    ``"Principal": {"Federated": …}`` names — an IAM provider's ARN
    (``arn:aws:iam::ID:oidc-provider/HOST/PATH``, ``…:saml-provider/NAME``) or a built-in issuer
    (``accounts.google.com``, ``cognito-identity.amazonaws.com``). ``provider_account``: the
    account owning an IAM provider, None for a built-in one. ``principal_id``, ``user_name`` and
    ``identity_provider`` are CloudTrail's fields for the caller. ``condition_keys``: the
    provider's keys for the trust policy (``HOST/PATH:aud``, ``saml:sub``…), spelt as AWS spells
    them. ``session_tags`` / ``transitive_tag_keys`` / ``source_identity``: what the token or
    assertion asks the session to carry. ``response``: the provider-specific members of the
    operation's result (``SubjectFromWebIdentityToken``, ``Provider``, ``Audience``; SAML's
    ``Subject``, ``Issuer``…). ``max_session_seconds``: a cap the voucher sets itself (SAML's
    ``SessionDuration``, the assertion's ``NotOnOrAfter``), None when it sets none.
    """

    trail_type: str
    provider: str
    provider_account: str | None
    principal_id: str
    user_name: str
    identity_provider: str
    condition_keys: Mapping[str, ContextValue] = field(default_factory=dict)
    session_tags: tuple[tuple[str, str], ...] = ()
    transitive_tag_keys: tuple[str, ...] = ()
    source_identity: str | None = None
    response: Mapping[str, Any] = field(default_factory=dict)
    max_session_seconds: int | None = None
    # The session name the voucher sets (SAML's ``RoleSessionName`` attribute); web identity
    # takes it from the request.
    session_name: str | None = None
    # Trail extras (``additionalEventData``), e.g. how the issuer's connection was verified.
    trail_data: Mapping[str, str] = field(default_factory=dict)
    # Keys the session carries into the role's permission policies (``${saml:sub}``…; the IAM
    # User Guide's "Uniquely identifying users in SAML-based federation"), sealed in the token.
    session_keys: Mapping[str, str] = field(default_factory=dict)

    @property
    def operation_action(self) -> str:
        return "sts:AssumeRoleWithSAML" if self.trail_type == SAML_USER else "sts:AssumeRoleWithWebIdentity"


# (runtime, the operation's decoded input, now) -> the verified identity, or an AWS error
# (InvalidIdentityToken, ExpiredTokenException, IDPRejectedClaim, IDPCommunicationError,
# InvalidIdentityToken for SAML's assertion…). ``runtime`` is ``services.runtime.Runtime``; typed
# loosely so that ``auth`` does not import ``services``. It opens its own short read
# transactions: a verifier may wait on the network, which no call's transaction should.
Authenticate = Callable[[Any, Mapping[str, Any], datetime], FederatedIdentity]

AUTHENTICATORS: dict[tuple[str, str], Authenticate] = {}


def register(service: str, operation: str, authenticate: Authenticate) -> None:
    """Make ``service:operation`` callable unsigned, authenticated by ``authenticate``."""
    key = (service, operation)
    if key in AUTHENTICATORS:
        raise RuntimeError(f"{service}:{operation} has an authenticator already")
    AUTHENTICATORS[key] = authenticate


def role_account(inputs: Mapping[str, Any]) -> str | None:
    """The account of the request's ``RoleArn``, if it names one: where an unsigned call's
    provider is looked up and its event recorded, read from the raw parameters so that a request
    the model refuses is still recorded there."""
    parts = str(inputs.get("RoleArn", "")).split(":", 5)
    return parts[4] if len(parts) == 6 and parts[4].isdigit() and len(parts[4]) == 12 else None
