"""AssumeRoleWithSAML: a role session for the user a SAML identity provider vouches for.

An unsigned call (``api/unsigned.py``): the caller is who the SAML response says, once
``authenticate`` has verified it against the provider named by ``PrincipalArn``
(``auth/saml_verify``: the XML signature with the metadata's certificates, only the signed
element read, encrypted assertions opened with the provider's keys) and checked what AWS
requires of it (``saml_claims``). Authorization then evaluates the role's trust policy with
``"Principal": {"Federated": "arn:aws:iam::ID:saml-provider/NAME"}`` and the ``saml:`` keys
(``authz/federation.py``); the session is issued by the step every role-assuming call shares
(``federation.assume_role_federated``), capped by the assertion's ``SessionDuration`` and
``SessionNotOnOrAfter``.

Errors (STS API Reference, ``troubleshoot_saml.md``): a response that does not verify or breaks
AWS's rules is ``InvalidIdentityToken`` ("Response signature invalid", "RoleSessionName is
required in AuthnResponse", …); one past its time ``ExpiredTokenException`` ("Token must be
redeemed within 5 minutes of issuance"); a provider that does not exist ``InvalidIdentityToken``
("Specified provider doesn't exist"); a role pair the assertion does not grant, or a trust policy
that does not allow it, ``AccessDenied`` ("Not authorized to perform sts:AssumeRoleWithSAML").
CloudTrail records the caller as ``SAMLUser``: principal ``NAMEQUALIFIER:SUBJECT``, user name
the subject, identity provider the name qualifier.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select

from iamd.auth import federated, sealed_context
from iamd.auth.federated import SAML_USER, FederatedIdentity
from iamd.auth.federation_errors import ExpiredTokenException, InvalidIdentityToken
from iamd.auth.saml_metadata import certificates
from iamd.auth.saml_verify import SIGNATURE_INVALID, Assertion, SamlRejected, decode, verify
from iamd.auth.secretbox import SecretBoxError
from iamd.errors import AccessDenied, AwsError
from iamd.services.context import Call
from iamd.services.iam import saml_providers
from iamd.services.registry import action
from iamd.services.sts import saml_claims
from iamd.services.sts.federation import assume_role_federated, federated_identity
from iamd.store.saml_schema import saml_private_keys
from iamd.store.saml_schema import saml_providers as providers_table

log = logging.getLogger("iamd.sts.saml")

# What a SAML session's permission policies may read (``${saml:namequalifier}/${saml:sub}``,
# "Uniquely identifying users in SAML-based federation", IAM User Guide).
SESSION_KEYS = ("saml:sub", "saml:sub_type", "saml:namequalifier")
NO_PROVIDER = "Specified provider doesn't exist."
ISSUER_MISMATCH = "Issuer not present in specified provider"
METADATA_EXPIRED = "The SAML provider's metadata has expired (validUntil)."
NOT_AUTHORIZED = "Not authorized to perform sts:AssumeRoleWithSAML"


def _refused(err: saml_claims.Refused) -> AwsError:
    if err.kind == "expired":
        return ExpiredTokenException(err.message)
    if err.kind == "denied":
        return AccessDenied(err.message)
    return InvalidIdentityToken(err.message)


def _provider(runtime: Any, provider_arn: str) -> tuple[Any, list[str]]:
    """The provider row and its opened decryption keys, read in a short transaction of their own."""
    parsed = saml_providers.parse_arn(provider_arn)
    if parsed is None:
        raise InvalidIdentityToken(NO_PROVIDER)
    account, name = parsed
    t, k = providers_table, saml_private_keys
    with runtime.store.connect() as conn:
        row = conn.execute(select(t).where(t.c.account_id == account, t.c.name_lower == name.lower())).first()
        if row is None or row.name != name:
            raise InvalidIdentityToken(NO_PROVIDER)
        keys = conn.execute(select(k).where(k.c.provider_id == row.provider_id).order_by(k.c.uploaded_at)).all()
    opened = []
    for r in keys:
        try:
            opened.append(runtime.secretbox.open(
                bytes(r.private_key_sealed), sealed_context.saml_private_key(r.account_id, r.provider_id, r.key_id)))
        except SecretBoxError:
            # Sealed under a master key this server no longer has (rotation without the re-seal):
            # the key is unusable, as if it were not there.
            log.warning("SAML provider %s: a private key does not open with this server's master keys", r.provider_id)
    return row, opened


def _verified(root: Any, row: Any, keys: list[str]) -> Assertion:
    """The assertion, verified with the certificates of the issuer it claims to be.

    Each IdP of the metadata is tried with its own certificates, and the verified assertion's
    Issuer must be that IdP: one IdP of a multi-IdP document cannot speak for another.
    """
    signing = saml_providers.signing_of(row)
    required = row.assertion_encryption_mode == "Required"
    last: SamlRejected | None = None
    for issuer in signing:
        try:
            assertion = verify(root, certificates(signing, issuer), keys, require_encryption=required)
        except SamlRejected as err:
            if err.message != SIGNATURE_INVALID:
                raise
            last = err
            continue
        if assertion.issuer != issuer:
            raise SamlRejected(ISSUER_MISMATCH)
        return assertion
    raise last or SamlRejected(SIGNATURE_INVALID)


def authenticate(runtime: Any, params: Mapping[str, Any], now: datetime) -> FederatedIdentity:
    """The SAMLUser the response vouches for; raises InvalidIdentityToken, ExpiredTokenException
    or AccessDenied."""
    provider_arn, role_arn = str(params["PrincipalArn"]), str(params["RoleArn"])
    try:
        root = decode(str(params["SAMLAssertion"]))
    except SamlRejected as err:
        raise InvalidIdentityToken(err.message) from None
    row, keys = _provider(runtime, provider_arn)
    if row.valid_until is not None and now >= row.valid_until:
        # The metadata's validUntil: past it, SAML metadata is not to be relied on (SAML 2.0 Metadata 2.2.1).
        raise InvalidIdentityToken(METADATA_EXPIRED)
    if role_arn.split(":")[4:5] != [row.account_id]:
        # A provider vouches for sign-ins to its own account's roles only: the Role attribute's
        # pair names a role and a provider of one account (id_roles_providers_create_saml_assertions.md).
        raise AccessDenied(NOT_AUTHORIZED)
    try:
        assertion = _verified(root, row, keys)
        claims = saml_claims.check(assertion, role_arn=role_arn, provider_arn=provider_arn,
                                   account_id=row.account_id, provider_name=row.name, now=now)
    except SamlRejected as err:
        raise InvalidIdentityToken(err.message) from None
    except saml_claims.Refused as err:
        raise _refused(err) from None
    response: dict[str, Any] = {
        "Subject": claims.subject,
        "Issuer": claims.issuer,
        "Audience": claims.audience,
        "NameQualifier": claims.name_qualifier,
    }
    if claims.subject_type is not None:
        response["SubjectType"] = claims.subject_type
    return FederatedIdentity(
        trail_type=SAML_USER,
        provider=provider_arn,
        provider_account=row.account_id,
        principal_id=f"{claims.name_qualifier}:{claims.subject}",
        user_name=claims.subject,
        identity_provider=claims.name_qualifier,
        condition_keys=claims.condition_keys,
        session_tags=claims.tags,
        transitive_tag_keys=claims.transitive_tag_keys,
        source_identity=claims.source_identity,
        response=response,
        max_session_seconds=claims.max_session_seconds,
        session_name=claims.session_name,
        session_keys={k: str(claims.condition_keys[k]) for k in SESSION_KEYS if k in claims.condition_keys},
    )


federated.register("sts", "AssumeRoleWithSAML", authenticate)


@action("sts", "AssumeRoleWithSAML")
def assume_role_with_saml(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    identity = federated_identity(call)
    assert identity.session_name is not None  # authenticate() requires the RoleSessionName attribute
    return assume_role_federated(call, p, identity.session_name)
