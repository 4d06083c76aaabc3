"""An IdP's SAML 2.0 metadata, read for what verifying its assertions needs.

What AWS reads from the document CreateSAMLProvider uploads ("the issuer's name, expiration
information, and keys that can be used to validate the SAML authentication response", IAM API
Reference): each ``EntityDescriptor``'s ``entityID`` that has an ``IDPSSODescriptor``, its signing
certificates (``KeyDescriptor`` with ``use="signing"`` or no ``use``), and ``validUntil``.

Rules, as the IAM User Guide states them (``troubleshoot_saml.md``, ``reference_iam-quotas.md``):
the document is UTF-8 without a byte-order mark; certificates' keys are at least 1,024 bits;
at most 10 IdPs and 10 keys per provider. A document breaking any of them, or with no signing
certificate, is refused with AWS's "Could not parse metadata".
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from iamd.auth.saml_xml import NS, UnsafeXml, parse, text_of

MAX_IDPS = 10
MAX_KEYS = 10
MIN_RSA_BITS = 1024
MAX_METADATA_BYTES = 10_000_000
COULD_NOT_PARSE = "Could not parse metadata"


class BadMetadata(ValueError):
    """The document is not metadata AWS would accept; ``str()`` is AWS's message."""


@dataclass(frozen=True)
class IdpMetadata:
    # entityID -> the DER certificates whose keys may sign its responses (rotation: any of them).
    signing: dict[str, list[bytes]]
    valid_until: datetime | None

    def key_hashes(self) -> list[dict[str, object]]:
        """GetSAMLProvider's ``SAMLKeyHashes``: per issuer, the SHA-256 of each certificate."""
        return [
            {"IssuerURL": issuer, "KeyHashes": [hashlib.sha256(der).hexdigest() for der in certs]}
            for issuer, certs in self.signing.items()
        ]


def read(document: str) -> IdpMetadata:
    """Parse and check ``document``; raises ``BadMetadata``."""
    if document.startswith("\ufeff"):
        raise BadMetadata(COULD_NOT_PARSE)
    try:
        root = parse(document.encode("utf-8"), MAX_METADATA_BYTES)
    except (UnsafeXml, UnicodeEncodeError):
        raise BadMetadata(COULD_NOT_PARSE) from None
    if root.tag == f"{{{NS['md']}}}EntityDescriptor":
        entities = [root]
    elif root.tag == f"{{{NS['md']}}}EntitiesDescriptor":
        entities = list(root.iterfind(".//md:EntityDescriptor", NS))
    else:
        raise BadMetadata(COULD_NOT_PARSE)
    signing: dict[str, list[bytes]] = {}
    for entity in entities:
        idp = entity.find("md:IDPSSODescriptor", NS)
        entity_id = (entity.get("entityID") or "").strip()
        if idp is None:
            continue
        if not entity_id or len(entity_id) > 1024:
            raise BadMetadata(COULD_NOT_PARSE)
        certs = signing.setdefault(entity_id, [])
        for descriptor in idp.iterfind("md:KeyDescriptor", NS):
            if descriptor.get("use", "signing") != "signing":
                continue
            for element in descriptor.iterfind("ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS):
                der = _certificate(text_of(element))
                if der not in certs:
                    certs.append(der)
    if not signing or len(signing) > MAX_IDPS:
        raise BadMetadata(COULD_NOT_PARSE)
    if not any(signing.values()) or sum(len(c) for c in signing.values()) > MAX_KEYS:
        raise BadMetadata(COULD_NOT_PARSE)
    return IdpMetadata({k: v for k, v in signing.items() if v}, _valid_until(root.get("validUntil")))


def _certificate(text: str) -> bytes:
    try:
        der = base64.b64decode("".join(text.split()), validate=True)
        cert = x509.load_der_x509_certificate(der)
        key = cert.public_key()
    except (binascii.Error, ValueError):
        raise BadMetadata(COULD_NOT_PARSE) from None
    if isinstance(key, rsa.RSAPublicKey) and key.key_size < MIN_RSA_BITS:
        raise BadMetadata(COULD_NOT_PARSE)
    if not isinstance(key, (rsa.RSAPublicKey, ec.EllipticCurvePublicKey)):
        raise BadMetadata(COULD_NOT_PARSE)
    return der


def _valid_until(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadMetadata(COULD_NOT_PARSE) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def certificates(signing: dict[str, list[bytes]], issuer: str) -> list[x509.Certificate]:
    """The issuer's signing certificates (empty for an issuer the metadata does not name)."""
    return [x509.load_der_x509_certificate(der) for der in signing.get(issuer, [])]
