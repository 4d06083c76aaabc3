"""Verifying a SAML response: whose signature, over which element, and what that element says.

The XML signature is checked with signxml (``XMLVerifier``) against the provider's signing
certificates — any of them, so an IdP rotating its key keeps working while both are in the
metadata. Only what the verifier returns as signed (``VerifyResult.signed_xml``, re-parsed from
the canonical bytes that were digested) is read afterwards: never the element found in the
document that was posted. That is what defeats XML signature wrapping (a signed assertion moved
aside and an unsigned one put where a naive reader looks), together with two structural rules:

- the document holds exactly one assertion (``Assertion`` or ``EncryptedAssertion``), anywhere;
- the signature sits directly in the ``Response`` or in the ``Assertion`` it signs, and the
  signed element is a ``Response`` (whose one assertion is then covered) or an ``Assertion``.

Text is read whole from the signed element (``saml_xml.text_of``), so a comment inserted into
a signed NameID cannot shorten it. Encrypted assertions (``saml_decrypt``) are opened with the
provider's private keys, inside a signed response or before the assertion's own signature is
checked. The checks after the signature are AWS's (``id_roles_providers_create_saml_assertions.md``)
and are made by ``services/sts/saml.py``; this module only reports what the assertion states.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cryptography import x509
from lxml import etree
from signxml.exceptions import InvalidInput, SignXMLException
from signxml.verifier import SignatureConfiguration, XMLVerifier

from iamd.auth import saml_decrypt
from iamd.auth.saml_xml import NS, UnsafeXml, parse, text_of

MAX_RESPONSE_BYTES = 100_000  # the model's SAMLAssertion limit, base64 decoded is less
_ASSERTION = f"{{{NS['saml']}}}Assertion"
_ENCRYPTED = f"{{{NS['saml']}}}EncryptedAssertion"
_RESPONSE = f"{{{NS['samlp']}}}Response"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"


class SamlRejected(Exception):
    """The response is refused; ``expired`` tells ExpiredTokenException from InvalidIdentityToken."""

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.expired = expired


SIGNATURE_INVALID = "Response signature invalid"  # AWS's words (troubleshoot_saml.md)


@dataclass(frozen=True)
class Assertion:
    """What a verified assertion states (all of it from signed XML)."""

    issuer: str
    assertion_id: str
    issue_instant: datetime | None
    name_id: str | None
    name_id_format: str | None
    recipients: tuple[str, ...]
    confirmation_not_on_or_after: tuple[datetime | None, ...]
    not_before: datetime | None
    not_on_or_after: datetime | None
    audiences: tuple[str, ...]
    session_not_on_or_after: datetime | None
    destination: str | None
    attributes: dict[str, list[str]] = field(default_factory=dict)
    encrypted: bool = False


def decode(saml_response: str) -> etree._Element:
    """The posted response, base64-decoded and parsed hardened; raises ``SamlRejected``."""
    try:
        data = base64.b64decode("".join(saml_response.split()), validate=True)
    except (binascii.Error, ValueError):
        raise SamlRejected("Invalid SAML response: not base64") from None
    try:
        root = parse(data, MAX_RESPONSE_BYTES)
    except UnsafeXml as err:
        raise SamlRejected(f"Invalid SAML response: {err}") from None
    if root.tag != _RESPONSE:
        raise SamlRejected("Invalid SAML response: the document is not a SAML 2.0 Response")
    return root


def verify(
    root: etree._Element,
    certificates: list[x509.Certificate],
    private_keys: list[str],
    *,
    require_encryption: bool,
) -> Assertion:
    """Check the signature of ``root`` (from ``decode``) and return its one assertion, signed."""
    if sum(1 for _ in root.iter(_ASSERTION, _ENCRYPTED)) != 1:
        raise SamlRejected("Invalid SAML response: a response must contain exactly one assertion")
    if not certificates:
        raise SamlRejected(SIGNATURE_INVALID)
    response = root
    response_signed = root.find("ds:Signature", NS) is not None
    if response_signed:
        response = _signed(root, certificates, _RESPONSE)
    candidates = [c for c in response if c.tag in (_ASSERTION, _ENCRYPTED)]
    if len(candidates) != 1:
        raise SamlRejected("Invalid SAML response: a response must contain exactly one assertion")
    element, encrypted = candidates[0], candidates[0].tag == _ENCRYPTED
    if require_encryption and not encrypted:
        raise SamlRejected("Invalid SAML response: the provider requires encrypted assertions")
    if encrypted:
        if not private_keys:
            raise SamlRejected("Invalid SAML response: the provider has no key to decrypt the assertion")
        try:
            element = saml_decrypt.decrypt_assertion(element, private_keys)
        except saml_decrypt.DecryptionFailed as err:
            raise SamlRejected(f"Invalid SAML response: {err}") from None
    if element.find("ds:Signature", NS) is not None or not response_signed:
        element = _signed(element, certificates, _ASSERTION)
    status = response.find("samlp:Status/samlp:StatusCode", NS)
    if status is None or status.get("Value") != SUCCESS:
        raise SamlRejected("Invalid SAML response: the status is not Success")
    return _read(response, element, encrypted)


def _signed(element: etree._Element, certificates: list[x509.Certificate], tag: str) -> etree._Element:
    """The element ``element``'s own signature covers, as signxml returns it, verified with one
    of ``certificates``; its tag must be ``tag``."""
    for cert in certificates:
        # The metadata is the trust anchor and its validUntil the expiry that applies; a
        # certificate's own dates are not checked (IdPs' self-signed certificates outlive them).
        moment = cert.not_valid_before_utc + (cert.not_valid_after_utc - cert.not_valid_before_utc) / 2
        config = SignatureConfiguration(location="./", expect_references=1, verification_time=moment)
        try:
            result = XMLVerifier().verify(element, x509_cert=cert, expect_config=config)
        except InvalidInput:
            raise SamlRejected(SIGNATURE_INVALID) from None
        except (SignXMLException, etree.LxmlError, ValueError, TypeError):
            continue
        signed = result.signed_xml if not isinstance(result, list) else None
        if signed is None or signed.tag != tag:
            raise SamlRejected(SIGNATURE_INVALID)
        return signed
    raise SamlRejected(SIGNATURE_INVALID)


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise SamlRejected(f"Invalid SAML response: bad time {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _read(response: etree._Element, assertion: etree._Element, encrypted: bool) -> Assertion:
    issuer = text_of(assertion.find("saml:Issuer", NS))
    name_id = assertion.find("saml:Subject/saml:NameID", NS)
    confirmations = assertion.findall("saml:Subject/saml:SubjectConfirmation/saml:SubjectConfirmationData", NS)
    conditions = assertion.find("saml:Conditions", NS)
    audiences = tuple(
        text_of(a) for a in assertion.iterfind("saml:Conditions/saml:AudienceRestriction/saml:Audience", NS)
    )
    authn = assertion.find("saml:AuthnStatement", NS)
    attributes: dict[str, list[str]] = {}
    for attribute in assertion.iterfind("saml:AttributeStatement/saml:Attribute", NS):
        name = attribute.get("Name") or ""
        values = attributes.setdefault(name, [])
        values.extend(text_of(v) for v in attribute.iterfind("saml:AttributeValue", NS))
    return Assertion(
        issuer=issuer,
        assertion_id=assertion.get("ID") or "",
        issue_instant=_time(assertion.get("IssueInstant")),
        name_id=text_of(name_id) if name_id is not None else None,
        name_id_format=name_id.get("Format") if name_id is not None else None,
        recipients=tuple(c.get("Recipient") or "" for c in confirmations),
        confirmation_not_on_or_after=tuple(_time(c.get("NotOnOrAfter")) for c in confirmations),
        not_before=_time(conditions.get("NotBefore")) if conditions is not None else None,
        not_on_or_after=_time(conditions.get("NotOnOrAfter")) if conditions is not None else None,
        audiences=audiences,
        session_not_on_or_after=_time(authn.get("SessionNotOnOrAfter")) if authn is not None else None,
        destination=response.get("Destination"),
        attributes=attributes,
        encrypted=encrypted,
    )
