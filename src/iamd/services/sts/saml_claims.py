"""What AWS requires of a verified SAML assertion, and what the trust policy may test of it.

The rules are the IAM User Guide's ("Configuring SAML assertions for the authentication
response", ``id_roles_providers_create_saml_assertions.md``; "Troubleshooting SAML 2.0
federation", ``troubleshoot_saml.md``) with AWS's messages where it documents them:

- exactly one ``SubjectConfirmationData`` with ``NotOnOrAfter`` and a ``Recipient`` that is the
  AWS sign-in endpoint (``https://signin.aws.amazon.com/saml`` or a regional
  ``https://REGION.signin.aws.amazon.com/saml``), and the response's ``Destination``, if any,
  one of them too;
- an ``Audience`` that is the endpoint or ``urn:amazon:webservices``;
- the assertion is current: ``Conditions`` ``NotBefore``/``NotOnOrAfter`` and the confirmation's
  ``NotOnOrAfter``, within ``CLOCK_SKEW``; and "Token must be redeemed within 5 minutes of
  issuance" (AWS's ExpiredTokenException, from ``IssueInstant``);
- the ``Role`` attribute holds the pair of the request (role ARN and provider ARN, either order);
- ``RoleSessionName`` is present and matches ``[a-zA-Z_0-9+=,.@-]{2,64}``; ``SourceIdentity`` the
  same and not ``aws:…``; ``SessionDuration`` 900–43200 seconds, which only shortens the session;
- ``PrincipalTag:KEY`` attributes are session tags, ``TransitiveTagKeys`` names the transitive ones.

Replay: AWS accepts the same assertion again while it is valid (one sign-in, many roles: tools
such as gimme-aws-creds assume each role of a user with one assertion, until AWS answers "Token
must be redeemed within 5 minutes of issuance"), so iamd does as AWS does: the five minutes
from issuance bound what a captured assertion is worth.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from iamd.auth.saml_verify import Assertion

AWS_SIGNIN = "https://signin.aws.amazon.com/saml"
_REGIONAL = re.compile(r"https://[a-z]{2}(?:-[a-z]+)+-\d\.signin\.aws\.amazon\.com/saml")
AUDIENCES = frozenset({AWS_SIGNIN, "urn:amazon:webservices"})
CLOCK_SKEW = timedelta(minutes=5)
REDEEM_WITHIN = timedelta(minutes=5)
ATTRIBUTES = "https://aws.amazon.com/SAML/Attributes/"
ROLE = ATTRIBUTES + "Role"
SESSION_NAME = ATTRIBUTES + "RoleSessionName"
SESSION_DURATION = ATTRIBUTES + "SessionDuration"
SOURCE_IDENTITY = ATTRIBUTES + "SourceIdentity"
TRANSITIVE = ATTRIBUTES + "TransitiveTagKeys"
PRINCIPAL_TAG = ATTRIBUTES + "PrincipalTag:"
NAMEID_PREFIX = "urn:oasis:names:tc:SAML:2.0:nameid-format:"
_NAME = re.compile(r"[a-zA-Z_0-9+=,.@-]{2,64}")

# SAML attribute Name -> the trust-policy key it maps to (``saml-attribute-mapping`` tables and
# the Service Authorization Reference's list for sts:AssumeRoleWithSAML).
ATTRIBUTE_KEYS: dict[str, str] = {
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.1": "saml:edupersonaffiliation",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.2": "saml:edupersonnickname",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.3": "saml:edupersonorgdn",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.4": "saml:edupersonorgunitdn",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.5": "saml:edupersonprimaryaffiliation",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.6": "saml:edupersonprincipalname",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.7": "saml:edupersonentitlement",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.8": "saml:edupersonprimaryorgunitdn",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.9": "saml:edupersonscopedaffiliation",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.10": "saml:edupersontargetedid",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.11": "saml:edupersonassurance",
    "urn:oid:1.3.6.1.4.1.5923.1.2.1.2": "saml:eduorghomepageuri",
    "urn:oid:1.3.6.1.4.1.5923.1.2.1.3": "saml:eduorgidentityauthnpolicyuri",
    "urn:oid:1.3.6.1.4.1.5923.1.2.1.4": "saml:eduorglegalname",
    "urn:oid:1.3.6.1.4.1.5923.1.2.1.5": "saml:eduorgsuperioruri",
    "urn:oid:1.3.6.1.4.1.5923.1.2.1.6": "saml:eduorgwhitepagesuri",
    "urn:oid:2.5.4.3": "saml:cn",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name": "saml:name",
    "http://schemas.xmlsoap.org/claims/CommonName": "saml:commonName",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname": "saml:givenName",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname": "saml:surname",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": "saml:mail",
    "http://schemas.microsoft.com/ws/2008/06/identity/claims/primarygroupsid": "saml:primaryGroupSID",
    "urn:oid:2.5.4.4": "saml:surname",
    "urn:oid:2.5.4.42": "saml:givenName",
    "urn:oid:2.5.4.45": "saml:x500UniqueIdentifier",
    "urn:oid:0.9.2342.19200300100.1.1": "saml:uid",
    "urn:oid:0.9.2342.19200300100.1.3": "saml:mail",
    "urn:oid:0.9.2342.19200300.100.1.45": "saml:organizationStatus",
}
# Keys whose attribute is a list of strings (the tables' "List of strings").
MULTI_VALUED = frozenset(
    k for n, k in ATTRIBUTE_KEYS.items()
    if n.startswith("urn:oid:1.3.6.1.4.1.5923.") and n.rsplit(".", 1)[-1] not in ("3", "5", "6", "8")
    or n.startswith("urn:oid:1.3.6.1.4.1.5923.1.2.") or n == "urn:oid:2.5.4.3"
)


class Refused(Exception):
    """``kind``: ``invalid`` (InvalidIdentityToken), ``expired`` (ExpiredTokenException) or
    ``denied`` (AccessDenied, "Not authorized to perform sts:AssumeRoleWithSAML")."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass(frozen=True)
class Claims:
    session_name: str
    subject: str
    subject_type: str | None
    issuer: str
    audience: str
    name_qualifier: str
    source_identity: str | None
    max_session_seconds: int | None
    tags: tuple[tuple[str, str], ...]
    transitive_tag_keys: tuple[str, ...]
    condition_keys: dict[str, str | list[str]]


def is_signin_endpoint(url: str) -> bool:
    return url == AWS_SIGNIN or bool(_REGIONAL.fullmatch(url))


def name_qualifier(issuer: str, account_id: str, provider_name: str) -> str:
    """``BASE64 ( SHA1 ( "https://example.com/saml" + "123456789012" + "/MySAMLIdP" ) )``
    (AssumeRoleWithSAML's ``NameQualifier``, STS API Reference)."""
    return base64.b64encode(hashlib.sha1(f"{issuer}{account_id}/{provider_name}".encode()).digest()).decode()


def subject_type(name_format: str | None) -> str | None:
    """``SubjectType``: the NameID Format without AWS's stripped prefix."""
    if name_format is None:
        return None
    return name_format.removeprefix(NAMEID_PREFIX)


def _one(a: Assertion, name: str) -> str | None:
    values = a.attributes.get(name)
    return values[0] if values else None


def check(a: Assertion, *, role_arn: str, provider_arn: str, account_id: str, provider_name: str,
          now: datetime) -> Claims:
    """The assertion's claims for this request; raises ``Refused``."""
    _check_times(a, now)
    if len(a.recipients) != 1 or not is_signin_endpoint(a.recipients[0]) or a.confirmation_not_on_or_after[0] is None:
        raise Refused("invalid", "Invalid SAML response: the SubjectConfirmationData Recipient must be "
                      f"{AWS_SIGNIN}, with a NotOnOrAfter")
    if a.destination is not None and not is_signin_endpoint(a.destination):
        raise Refused("invalid", f"Invalid SAML response: the Destination must be {AWS_SIGNIN}")
    if not any(aud in AUDIENCES or is_signin_endpoint(aud) for aud in a.audiences):
        raise Refused("invalid", f"Invalid SAML response: the Audience must be {AWS_SIGNIN} or urn:amazon:webservices")
    if not _names_pair(a, role_arn, provider_arn):
        raise Refused("denied", "Not authorized to perform sts:AssumeRoleWithSAML")
    if not a.name_id:
        raise Refused("denied", "Not authorized to perform sts:AssumeRoleWithSAML")
    session_name = _one(a, SESSION_NAME)
    if session_name is None:
        raise Refused("invalid", "RoleSessionName is required in AuthnResponse")
    if not _NAME.fullmatch(session_name):
        raise Refused("invalid", "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}")
    source = _one(a, SOURCE_IDENTITY)
    if source is not None and (not _NAME.fullmatch(source) or source.lower().startswith("aws:")):
        raise Refused("invalid", 'Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"')
    tags = tuple((name[len(PRINCIPAL_TAG):], values[0] if values else "")
                 for name, values in a.attributes.items() if name.startswith(PRINCIPAL_TAG))
    qualifier = name_qualifier(a.issuer, account_id, provider_name)
    kind = subject_type(a.name_id_format)
    keys: dict[str, str | list[str]] = {
        "saml:aud": a.recipients[0],
        "saml:iss": a.issuer,
        "saml:sub": a.name_id,
        "saml:namequalifier": qualifier,
        "saml:doc": f"{account_id}/{provider_name}",
    }
    if kind is not None:
        keys["saml:sub_type"] = kind
    for name, key in ATTRIBUTE_KEYS.items():
        values = a.attributes.get(name)
        if values and key not in keys:
            keys[key] = list(values) if key in MULTI_VALUED else values[0]
    return Claims(
        session_name=session_name,
        subject=a.name_id,
        subject_type=kind,
        issuer=a.issuer,
        audience=a.recipients[0],
        name_qualifier=qualifier,
        source_identity=source,
        max_session_seconds=_session_limit(a, now),
        tags=tags,
        transitive_tag_keys=tuple(a.attributes.get(TRANSITIVE, [])),
        condition_keys=keys,
    )


def _check_times(a: Assertion, now: datetime) -> None:
    if a.issue_instant is None or now > a.issue_instant + REDEEM_WITHIN + CLOCK_SKEW:
        raise Refused("expired", "Token must be redeemed within 5 minutes of issuance")
    if a.issue_instant > now + CLOCK_SKEW or (a.not_before is not None and a.not_before > now + CLOCK_SKEW):
        raise Refused("invalid", "Invalid SAML response: the assertion is not yet valid")
    ends = [t for t in (a.not_on_or_after, *a.confirmation_not_on_or_after) if t is not None]
    if any(now >= end + CLOCK_SKEW for end in ends):
        raise Refused("expired", "Token must be redeemed within 5 minutes of issuance")


def _names_pair(a: Assertion, role_arn: str, provider_arn: str) -> bool:
    for value in a.attributes.get(ROLE, []):
        parts = [p.strip() for p in value.split(",")]
        if len(parts) == 2 and sorted(parts) == sorted([role_arn, provider_arn]):
            return True
    return False


def _session_limit(a: Assertion, now: datetime) -> int | None:
    """The session may not outlast ``SessionDuration`` or ``SessionNotOnOrAfter``."""
    limits: list[int] = []
    duration = _one(a, SESSION_DURATION)
    if duration is not None:
        if not duration.isdigit() or not 900 <= int(duration) <= 43200:
            raise Refused("invalid", "SessionDuration in AuthnResponse must be between 900 and 43200 seconds")
        limits.append(int(duration))
    if a.session_not_on_or_after is not None:
        limits.append(max(1, int((a.session_not_on_or_after - now).total_seconds())))
    return min(limits) if limits else None
