"""A SAML 2.0 identity provider for tests: its key, metadata and signed responses, made here.

``SamlIdp()`` generates an RSA key and a self-signed certificate; ``metadata()`` is the document
CreateSAMLProvider takes; ``response(...)`` builds a SAML Response for AWS (Destination and
Recipient ``https://signin.aws.amazon.com/saml``, the Role and RoleSessionName attributes, any
others) and signs the assertion, the response, or both, with signxml — base64, as a browser
posts it and as AssumeRoleWithSAML takes it. ``encrypt_for`` wraps the assertion for a provider's
private key. Forgeries are made by editing the XML these return (``xml()``/``b64()``).
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import XMLSigner

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
XENC = "http://www.w3.org/2001/04/xmlenc#"
XENC11 = "http://www.w3.org/2009/xmlenc11#"
AWS_SAML = "https://signin.aws.amazon.com/saml"
ROLE = "https://aws.amazon.com/SAML/Attributes/Role"
SESSION_NAME = "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"


def rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def certificate(key: Any, name: str = "test-idp") -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )


def pem_key(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _cert_b64(cert: x509.Certificate) -> str:
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class SamlIdp:
    entity_id: str = "https://idp.example.test/saml"
    key: rsa.RSAPrivateKey = field(default_factory=rsa_key)
    extra_certs: list[x509.Certificate] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.cert = certificate(self.key)

    def metadata(self, *, valid_until: datetime | None = None, certs: list[x509.Certificate] | None = None) -> str:
        """The IdP's metadata; padded past the model's 1,000-character minimum by its endpoints."""
        keys = "".join(
            f'<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{_cert_b64(c)}'
            "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
            for c in (certs if certs is not None else [self.cert, *self.extra_certs])
        )
        until = f' validUntil="{iso(valid_until)}"' if valid_until else ""
        return (
            f'<?xml version="1.0" encoding="UTF-8"?><md:EntityDescriptor xmlns:md="{MD}" xmlns:ds="{DS}" '
            f'entityID="{self.entity_id}"{until}><md:IDPSSODescriptor '
            f'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">{keys}'
            f"<md:NameIDFormat>{PERSISTENT}</md:NameIDFormat>"
            '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
            f'Location="{self.entity_id}/sso/redirect"/>'
            '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" '
            f'Location="{self.entity_id}/sso/post"/></md:IDPSSODescriptor></md:EntityDescriptor>'
        )

    def response(
        self,
        role_arn: str,
        provider_arn: str,
        *,
        session_name: str | None = "alice",
        name_id: str = "alice@example.test",
        name_id_format: str = PERSISTENT,
        attributes: dict[str, list[str]] | None = None,
        audience: str = AWS_SAML,
        recipient: str = AWS_SAML,
        issuer: str | None = None,
        issued: datetime | None = None,
        lifetime: dt.timedelta = dt.timedelta(minutes=5),
        sign: str = "assertion",
        key: rsa.RSAPrivateKey | None = None,
        role_value: str | None = None,
        encrypt_to: Any = None,
        gcm: bool = True,
    ) -> SamlResponse:
        """A Response; ``sign`` is ``assertion``, ``response``, ``both`` or ``none``; the assertion
        is encrypted for ``encrypt_to`` (an RSA public key) after it is signed, before the response is."""
        now = issued or datetime.now(UTC)
        attrs: dict[str, list[str]] = {ROLE: [role_value or f"{role_arn},{provider_arn}"]}
        if session_name is not None:
            attrs[SESSION_NAME] = [session_name]
        attrs.update(attributes or {})
        assertion = self._assertion(now, lifetime, issuer or self.entity_id, name_id, name_id_format,
                                    audience, recipient, attrs)
        signer_key = key or self.key
        if sign in ("assertion", "both"):
            assertion = sign_element(assertion, signer_key, self.cert)
        response = etree.Element(f"{{{SAMLP}}}Response", nsmap={"samlp": SAMLP, "saml": SAML})
        response.set("ID", "_" + uuid.uuid4().hex)
        response.set("Version", "2.0")
        response.set("IssueInstant", iso(now))
        response.set("Destination", recipient)
        etree.SubElement(response, f"{{{SAML}}}Issuer").text = issuer or self.entity_id
        status = etree.SubElement(response, f"{{{SAMLP}}}Status")
        etree.SubElement(status, f"{{{SAMLP}}}StatusCode").set("Value", "urn:oasis:names:tc:SAML:2.0:status:Success")
        response.append(assertion)
        if encrypt_to is not None:
            SamlResponse(response).encrypt_for(encrypt_to, gcm=gcm)
        if sign in ("response", "both"):
            response = sign_element(response, signer_key, self.cert)
        return SamlResponse(response)

    def _assertion(self, now: datetime, lifetime: dt.timedelta, issuer: str, name_id: str, name_id_format: str,
                   audience: str, recipient: str, attrs: dict[str, list[str]]) -> etree._Element:
        until = iso(now + lifetime)
        a = etree.Element(f"{{{SAML}}}Assertion", nsmap={"saml": SAML})
        a.set("ID", "_" + uuid.uuid4().hex)
        a.set("Version", "2.0")
        a.set("IssueInstant", iso(now))
        etree.SubElement(a, f"{{{SAML}}}Issuer").text = issuer
        subject = etree.SubElement(a, f"{{{SAML}}}Subject")
        nid = etree.SubElement(subject, f"{{{SAML}}}NameID")
        nid.set("Format", name_id_format)
        nid.text = name_id
        conf = etree.SubElement(subject, f"{{{SAML}}}SubjectConfirmation")
        conf.set("Method", "urn:oasis:names:tc:SAML:2.0:cm:bearer")
        data = etree.SubElement(conf, f"{{{SAML}}}SubjectConfirmationData")
        data.set("NotOnOrAfter", until)
        data.set("Recipient", recipient)
        cond = etree.SubElement(a, f"{{{SAML}}}Conditions")
        cond.set("NotBefore", iso(now - dt.timedelta(seconds=5)))
        cond.set("NotOnOrAfter", until)
        etree.SubElement(etree.SubElement(cond, f"{{{SAML}}}AudienceRestriction"), f"{{{SAML}}}Audience").text = audience
        authn = etree.SubElement(a, f"{{{SAML}}}AuthnStatement")
        authn.set("AuthnInstant", iso(now))
        authn.set("SessionIndex", "_s1")
        ctx = etree.SubElement(authn, f"{{{SAML}}}AuthnContext")
        etree.SubElement(ctx, f"{{{SAML}}}AuthnContextClassRef").text = (
            "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
        )
        statement = etree.SubElement(a, f"{{{SAML}}}AttributeStatement")
        for name, values in attrs.items():
            attribute = etree.SubElement(statement, f"{{{SAML}}}Attribute")
            attribute.set("Name", name)
            for value in values:
                etree.SubElement(attribute, f"{{{SAML}}}AttributeValue").text = value
        return a


def sign_element(element: etree._Element, key: rsa.RSAPrivateKey, cert: x509.Certificate) -> etree._Element:
    """``element`` with an enveloped signature placed after its Issuer, as SAML requires."""
    signer = XMLSigner(c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#")
    signed = signer.sign(element, key=pem_key(key).encode(), cert=[cert], reference_uri=element.get("ID"),
                         always_add_key_value=False)
    signature = signed.find(f"{{{DS}}}Signature")
    issuer = signed.find(f"{{{SAML}}}Issuer")
    if signature is not None and issuer is not None:
        signed.remove(signature)
        issuer.addnext(signature)
    return signed


@dataclass
class SamlResponse:
    root: etree._Element

    def xml(self) -> bytes:
        return etree.tostring(self.root)

    def b64(self) -> str:
        return base64.b64encode(self.xml()).decode()

    def assertion(self) -> etree._Element:
        found = self.root.find(f"{{{SAML}}}Assertion")
        assert found is not None
        return found

    def encrypt_for(self, public_key: Any, *, gcm: bool = True) -> SamlResponse:
        """Replace the assertion by an EncryptedAssertion for ``public_key`` (RSA-OAEP + AES)."""
        assertion = self.assertion()
        plaintext = etree.tostring(assertion)
        aes = os.urandom(32)
        if gcm:
            iv = os.urandom(12)
            cipher = iv + AESGCM(aes).encrypt(iv, plaintext, None)
            algorithm = f"{XENC11}aes256-gcm"
        else:
            from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

            iv = os.urandom(16)
            pad = 16 - len(plaintext) % 16
            enc = Cipher(algorithms.AES(aes), modes.CBC(iv)).encryptor()
            cipher = iv + enc.update(plaintext + bytes([pad]) * pad) + enc.finalize()
            algorithm = f"{XENC}aes256-cbc"
        wrapped = public_key.encrypt(aes, padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None))
        enc_assertion = etree.Element(f"{{{SAML}}}EncryptedAssertion", nsmap={"saml": SAML, "xenc": XENC, "ds": DS})
        data = etree.SubElement(enc_assertion, f"{{{XENC}}}EncryptedData")
        data.set("Type", f"{XENC}Element")
        etree.SubElement(data, f"{{{XENC}}}EncryptionMethod").set("Algorithm", algorithm)
        key_info = etree.SubElement(data, f"{{{DS}}}KeyInfo")
        ek = etree.SubElement(key_info, f"{{{XENC}}}EncryptedKey")
        etree.SubElement(ek, f"{{{XENC}}}EncryptionMethod").set("Algorithm", f"{XENC}rsa-oaep-mgf1p")
        etree.SubElement(etree.SubElement(ek, f"{{{XENC}}}CipherData"), f"{{{XENC}}}CipherValue").text = (
            base64.b64encode(wrapped).decode()
        )
        etree.SubElement(etree.SubElement(data, f"{{{XENC}}}CipherData"), f"{{{XENC}}}CipherValue").text = (
            base64.b64encode(cipher).decode()
        )
        assertion.getparent().replace(assertion, enc_assertion)
        return self
