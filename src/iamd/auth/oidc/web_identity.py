"""Authenticating AssumeRoleWithWebIdentity: who the ID token says the caller is, once it holds up.

In order (STS API Reference, AssumeRoleWithWebIdentity; IAM User Guide, "Create an OpenID Connect
(OIDC) identity provider in IAM", "Available keys for AWS web identity federation",
"Passing session tags using AssumeRoleWithWebIdentity"):

1. the token is a JWT signed with an accepted algorithm (``jwt_verify.unverified``);
2. its ``iss`` names an IAM OIDC provider of the *role's* account (``https://HOST/PATH`` →
   ``arn:aws:iam::ROLE-ACCOUNT:oidc-provider/HOST/PATH``), or one of the issuers AWS trusts
   without one (``accounts.google.com``, ``cognito-identity.amazonaws.com``); else
   InvalidIdentityToken "No OpenIDConnect provider found in your account for ISS". Looking the
   provider up in the role's account is what keeps another account's provider out of a role's
   trust: a trust policy naming it can never match;
3. the signature verifies with the issuer's key (``jwks``: registered, or discovered and cached);
4. ``exp``/``nbf``/``iat`` hold (``jwt_verify.check_times``);
5. the audience: for an IAM provider, ``azp`` or one of ``aud`` must be a registered client id
   ("Incorrect token audience"); AWS's built-in issuers have no list, the trust policy's
   ``…:aud`` condition decides;
6. session tags (``https://aws.amazon.com/tags``: ``principal_tags`` with one value each,
   ``transitive_tag_keys``) and a source identity (``https://aws.amazon.com/source_identity``)
   must be well formed, else IDPRejectedClaim.

The condition keys for the trust policy are ``PROVIDER:aud`` (``azp`` when the token has one,
else the audience), ``PROVIDER:oaud`` (the token's ``aud``), ``PROVIDER:sub`` and, when the token
has one, ``PROVIDER:amr``, where PROVIDER is ``HOST/PATH`` (``token.actions.githubusercontent.com``)
or the built-in issuer's name (``accounts.google.com``, ``cognito-identity.amazonaws.com``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from iamd.auth.federated import WEB_IDENTITY_USER, FederatedIdentity, role_account
from iamd.auth.federation_errors import IDPRejectedClaim, InvalidIdentityToken
from iamd.auth.oidc import jwt_verify
from iamd.auth.oidc.jwks import REGISTERED, JwksCache, load_registered
from iamd.errors import InvalidParameterValue
from iamd.policy.context import ContextValue
from iamd.store import oidc_providers as providers

__all__ = ["BUILT_IN", "authenticate", "jwks_cache"]

# Issuers AWS trusts without an IAM provider (IAM User Guide, "About web identity federation").
BUILT_IN: Mapping[str, str] = {
    "accounts.google.com": "accounts.google.com",
    "https://accounts.google.com": "accounts.google.com",
    "https://cognito-identity.amazonaws.com": "cognito-identity.amazonaws.com",
}
TAGS_CLAIM = "https://aws.amazon.com/tags"
SOURCE_IDENTITY_CLAIM = "https://aws.amazon.com/source_identity"
MAX_TAGS = 50
_TAG_KEY = re.compile(r"[\w\s.:/=+\-@]{1,128}")
_TAG_VALUE = re.compile(r"[\w\s.:/=+\-@]{0,256}")
_SOURCE_IDENTITY = re.compile(r"[\w+=,.@-]{2,64}")
CACHE = "oidc_jwks"


def jwks_cache(runtime: Any) -> JwksCache:
    """The runtime's key cache, made on first use from its settings (``--oidc-ca-bundle``,
    ``--oidc-jwks``)."""
    cache = runtime.caches.get(CACHE)
    if cache is None:
        cache = runtime.caches[CACHE] = JwksCache(
            ca_bundle=getattr(runtime, "oidc_ca_bundle", "") or None,
            registered=load_registered(getattr(runtime, "oidc_jwks", {}) or {}),
            # The server's clock, so that an ephemeral server's time travel ages the cache too.
            clock=lambda: float(runtime.clock().timestamp()),
        )
    assert isinstance(cache, JwksCache)
    return cache


def _provider(runtime: Any, account: str | None, iss: str) -> tuple[str, str, str | None, list[str] | None, tuple[str, ...]]:
    """(key prefix and issuer name ``HOST/PATH``, provider as trust policies name it, its account,
    registered client ids or None for a built-in issuer, thumbprints)."""
    if iss.startswith("https://") and account is not None:
        url = iss.removeprefix("https://").rstrip("/")
        with runtime.store.connect() as conn:
            row = providers.get(conn, account, url) if url and "https://" + url in (iss, iss.rstrip("/")) else None
        if row is not None:
            arn = f"arn:aws:iam::{account}:oidc-provider/{row.url}"
            return row.url, arn, account, providers.client_ids(row), tuple(providers.thumbprints(row))
    name = BUILT_IN.get(iss)
    if name is not None:
        return name, name, None, None, ()
    raise InvalidIdentityToken(f"No OpenIDConnect provider found in your account for {iss[:300]}")


def _audiences(claims: Mapping[str, Any]) -> list[str]:
    aud = claims.get("aud")
    values = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else None
    if not values or not all(isinstance(a, str) for a in values):
        raise InvalidIdentityToken("Incorrect token audience")
    return values


def _audience(claims: Mapping[str, Any], client_ids: list[str] | None) -> str:
    auds = _audiences(claims)
    raw_azp = claims.get("azp")
    azp = raw_azp if isinstance(raw_azp, str) else None
    if client_ids is None:
        return azp or auds[0]
    for candidate in ([azp] if azp else []) + auds:
        if candidate in client_ids:
            return candidate
    raise InvalidIdentityToken("Incorrect token audience")


def _session_tags(claims: Mapping[str, Any]) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """``{"principal_tags": {"K": ["V"]}, "transitive_tag_keys": ["K"]}`` ("Passing session tags
    using AssumeRoleWithWebIdentity": each tag has one value)."""
    claim = claims.get(TAGS_CLAIM)
    if claim is None:
        return (), ()
    rejected = IDPRejectedClaim(f"The token's {TAGS_CLAIM} claim is not valid session tags.")
    if not isinstance(claim, dict):
        raise rejected
    raw = claim.get("principal_tags", {})
    transitive = claim.get("transitive_tag_keys", [])
    if not isinstance(raw, dict) or not isinstance(transitive, list) or len(raw) > MAX_TAGS:
        raise rejected
    tags: list[tuple[str, str]] = []
    for key, value in raw.items():
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if not isinstance(value, str) or not _TAG_KEY.fullmatch(key) or not _TAG_VALUE.fullmatch(value):
            raise rejected
        tags.append((key, value))
    if not all(isinstance(k, str) for k in transitive):
        raise rejected
    return tuple(tags), tuple(transitive)


def _source_identity(claims: Mapping[str, Any]) -> str | None:
    value = claims.get(SOURCE_IDENTITY_CLAIM)
    if value is None:
        return None
    if not isinstance(value, str) or not _SOURCE_IDENTITY.fullmatch(value):
        raise IDPRejectedClaim(f"The token's {SOURCE_IDENTITY_CLAIM} claim is not a valid source identity.")
    return value


def authenticate(runtime: Any, inputs: Mapping[str, Any], now: datetime) -> FederatedIdentity:
    if inputs.get("ProviderId") is not None:
        raise InvalidParameterValue(
            "iamd verifies OpenID Connect ID tokens only; OAuth 2.0 access tokens (ProviderId www.amazon.com, "
            "graph.facebook.com) are not supported."
        )
    token = str(inputs["WebIdentityToken"])
    header, unverified = jwt_verify.unverified(token)
    iss = unverified.get("iss")
    if not isinstance(iss, str) or not iss:
        raise InvalidIdentityToken("The token has no iss claim.")
    name, provider, account, client_ids, thumbprints = _provider(runtime, role_account(inputs), iss)
    cache = jwks_cache(runtime)
    keys = cache.keys(name, thumbprints, header.get("kid"))
    claims = jwt_verify.verify(token, header, keys)
    jwt_verify.check_times(claims, now)
    audience = _audience(claims, client_ids)
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise InvalidIdentityToken("The token has no sub claim.")
    tags, transitive = _session_tags(claims)
    keys_for_policy: dict[str, ContextValue] = {
        f"{name}:aud": audience if client_ids is not None or "azp" in claims else _audiences(claims),
        f"{name}:oaud": _audiences(claims),
        f"{name}:sub": sub,
    }
    amr = claims.get("amr")
    if isinstance(amr, list) and all(isinstance(a, str) for a in amr):
        keys_for_policy[f"{name}:amr"] = amr
    elif isinstance(amr, str):
        keys_for_policy[f"{name}:amr"] = [amr]
    return FederatedIdentity(
        trail_type=WEB_IDENTITY_USER,
        provider=provider,
        provider_account=account,
        principal_id=f"{provider}:{audience}:{sub}",
        user_name=sub,
        identity_provider=provider,
        condition_keys=keys_for_policy,
        session_tags=tags,
        transitive_tag_keys=transitive,
        source_identity=_source_identity(claims),
        response={"SubjectFromWebIdentityToken": sub, "Provider": provider, "Audience": audience},
        trail_data={} if keys.method == REGISTERED else {"identityProviderConnectionVerificationMethod": keys.method},
    )
