"""X.509 signing certificates of IAM users and of the root user (user_id NULL).

The body is parsed and checked before it is stored: a body that is not one PEM certificate is
MalformedCertificate, as is one that has expired (the model: "malformed or expired"); one whose
validity has not started yet is InvalidCertificate. The same certificate may belong to only one
user of an account (DuplicateCertificate). The credential report's cert_N columns read this table.

The certificate id is derived from the account and the certificate's DER bytes, so a duplicate is
a primary-key lookup rather than a parse of every certificate in the account. A certificate is
public: the id reveals nothing.
"""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import Row, func, insert, select

from iamd.services.context import Call
from iamd.services.iam import user_credentials
from iamd.services.iam.common import paginate
from iamd.services.iam.errors import (
    DuplicateCertificate,
    InvalidCertificate,
    LimitExceeded,
    MalformedCertificate,
    NoSuchEntity,
)
from iamd.services.iam.users import user_or_root
from iamd.services.registry import action
from iamd.store import schema

CERTIFICATES_PER_USER = 2

certs = schema.signing_certificates


# AWS's wording (UploadServerCertificate with a body that is not PEM).
UNPARSEABLE = "Unable to parse certificate. Please ensure the certificate is in PEM format."

_PEM_CERT = re.compile(rb"-----BEGIN CERTIFICATE-----\s.*?-----END CERTIFICATE-----", re.DOTALL)


def load_certificates(text: str) -> list[x509.Certificate]:
    """Every PEM certificate in ``text`` (a chain); anything else in it is MalformedCertificate."""
    data = text.strip().encode("latin-1")
    blocks = _PEM_CERT.findall(data)
    if not blocks or _PEM_CERT.sub(b"", data).strip():
        raise MalformedCertificate(UNPARSEABLE)
    try:
        return [x509.load_pem_x509_certificate(block) for block in blocks]
    except ValueError:
        raise MalformedCertificate(UNPARSEABLE) from None


def load_certificate(text: str, now: datetime, *, check_start: bool = True) -> x509.Certificate:
    """Exactly one PEM certificate, not expired at ``now`` (nor, with ``check_start``, not yet valid)."""
    found = load_certificates(text)
    if len(found) != 1:
        raise MalformedCertificate(UNPARSEABLE)
    cert = found[0]
    try:
        cert.public_key()
    except (ValueError, UnsupportedAlgorithm):
        raise InvalidCertificate("The certificate's public key is not supported.") from None
    if now >= cert.not_valid_after_utc:
        raise MalformedCertificate(f"The certificate expired on {cert.not_valid_after_utc:%Y-%m-%dT%H:%M:%SZ}.")
    if check_start and now < cert.not_valid_before_utc:
        raise InvalidCertificate(f"The certificate is not valid before {cert.not_valid_before_utc:%Y-%m-%dT%H:%M:%SZ}.")
    return cert


def certificate_id(account_id: str, cert: x509.Certificate) -> str:
    """32 characters of base32: ``[\\w]+`` and at least 24 long, as the model requires."""
    digest = hashlib.sha256(account_id.encode() + b"\0" + cert.public_bytes(Encoding.DER)).digest()
    return base64.b32encode(digest).decode()[:32]


def _owner(call: Call, p: dict[str, Any]) -> tuple[str | None, str | None]:
    """(user_id, user_name) the request is about; (None, None) is the root user."""
    user = user_or_root(call, p)
    return (None, None) if user is None else (user.user_id, user.name)


def _owner_filter(call: Call, user_id: str | None) -> Any:
    if user_id is None:
        return (certs.c.account_id == call.account_id) & certs.c.user_id.is_(None)
    return certs.c.user_id == user_id


def _shape(row: Row[Any], user_name: str | None) -> dict[str, Any]:
    out = {
        "CertificateId": row.certificate_id,
        "CertificateBody": row.body,
        "Status": row.status,
        "UploadDate": row.uploaded_at,
    }
    return ({"UserName": user_name} if user_name else {}) | out


def _get(call: Call, p: dict[str, Any]) -> Row[Any]:
    user_id, _ = _owner(call, p)
    cert_id = p["CertificateId"]
    row = call.conn.execute(select(certs).where(_owner_filter(call, user_id), certs.c.certificate_id == cert_id)).first()
    if row is None:
        raise NoSuchEntity(f"The Certificate with id {cert_id} cannot be found.")
    return row


@action("iam", "UploadSigningCertificate")
def upload_signing_certificate(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    user_id, user_name = _owner(call, p)
    cert = load_certificate(p["CertificateBody"], call.now)
    cert_id = certificate_id(call.account_id, cert)
    if call.conn.execute(select(certs.c.certificate_id).where(certs.c.certificate_id == cert_id)).first():
        raise DuplicateCertificate("The same certificate is already associated with a user in this account.")
    count = call.conn.execute(select(func.count()).select_from(certs).where(_owner_filter(call, user_id))).scalar_one()
    if count >= CERTIFICATES_PER_USER:
        raise LimitExceeded(f"Cannot exceed quota for CertificatesPerUser: {CERTIFICATES_PER_USER}")
    call.conn.execute(
        insert(certs).values(
            certificate_id=cert_id,
            account_id=call.account_id,
            user_id=user_id,
            body=p["CertificateBody"],
            status="Active",
            uploaded_at=call.now,
        )
    )
    row = call.conn.execute(select(certs).where(certs.c.certificate_id == cert_id)).one()
    return {"Certificate": _shape(row, user_name)}


user_credentials.register("SigningCertificate", certs, "certificate_id", _get)


@action("iam", "ListSigningCertificates")
def list_signing_certificates(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    user_id, user_name = _owner(call, p)
    query = select(certs).where(_owner_filter(call, user_id))
    rows, page = paginate(call.conn, query, certs.c.certificate_id, p)
    return {"Certificates": [_shape(r, user_name) for r in rows], **page}
