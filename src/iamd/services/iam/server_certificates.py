"""Server certificates: a TLS certificate, its chain and its private key, for ELB and CloudFront.

Before anything is stored the three are checked to belong together: the private key's public
half is the certificate's (KeyPairMismatch), and each certificate of the chain signed the one
before it, starting with the body (AWS's "Unable to validate certificate chain" with the index of
the first certificate that did not). The private key is sealed with the server's secret box,
bound to the certificate's id, and no action ever returns it.
"""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from sqlalchemy import Row

from iamd.auth import sealed_context
from iamd.auth.ids import new_unique_id
from iamd.services.context import Call
from iamd.services.iam import tagging
from iamd.services.iam.common import arn, check_new_tags, paginate
from iamd.services.iam.errors import (
    EntityAlreadyExists,
    KeyPairMismatch,
    LimitExceeded,
    MalformedCertificate,
    NoSuchEntity,
)
from iamd.services.iam.signing_certificates import load_certificate, load_certificates
from iamd.services.registry import action
from iamd.store import schema
from iamd.store import tags as tag_store
from iamd.store.named import NamedRepo

SERVER_CERTIFICATES_QUOTA = 20
TAG_TYPE = "server-cert"

repo = NamedRepo(schema.server_certificates, "server_certificate_id")


_CHAIN_ORDER = (
    "Unable to validate certificate chain. The certificate chain must start with the immediate signing "
    "certificate, followed by any intermediaries in order. The index within the chain of the invalid "
    "certificate is: {index}"
)


def _spki(key: Any) -> bytes:
    return bytes(key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))


def check_private_key(text: str, cert: x509.Certificate) -> None:
    """The key parses, is not encrypted, and is the other half of the certificate's public key."""
    try:
        key = serialization.load_pem_private_key(text.strip().encode("latin-1"), password=None)
    except TypeError:
        raise MalformedCertificate("Unable to parse key; the body is encrypted.") from None
    except (ValueError, UnsupportedAlgorithm):
        raise MalformedCertificate("Unable to parse key. Please ensure the private key is in PEM format.") from None
    if _spki(key.public_key()) != _spki(cert.public_key()):
        raise KeyPairMismatch("The public key certificate and the private key do not match.")


def check_chain(cert: x509.Certificate, chain: list[x509.Certificate]) -> None:
    """Each certificate of ``[cert, *chain]`` is directly issued by the next one."""
    path = [cert, *chain]
    for index in range(1, len(path)):
        try:
            path[index - 1].verify_directly_issued_by(path[index])
        except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
            raise MalformedCertificate(_CHAIN_ORDER.format(index=index)) from None


def server_certificate_arn(row: Row[Any]) -> str:
    return arn(row.account_id, "server-certificate", row.path, row.name)


def metadata(row: Row[Any]) -> dict[str, Any]:
    return {
        "Path": row.path,
        "ServerCertificateName": row.name,
        "ServerCertificateId": row.server_certificate_id,
        "Arn": server_certificate_arn(row),
        "UploadDate": row.uploaded_at,
        "Expiration": row.expiration,
    }


def get_row(call: Call, name: str) -> Row[Any]:
    row = repo.get_by_name(call.conn, call.account_id, name)
    if row is None:
        raise NoSuchEntity(f"The Server Certificate with name {name} cannot be found.")
    return row


@action("iam", "UploadServerCertificate")
def upload_server_certificate(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    name, path = p["ServerCertificateName"], p.get("Path") or "/"
    new_tags = check_new_tags(p.get("Tags"))
    cert = load_certificate(p["CertificateBody"], call.now, check_start=False)
    chain_text = p.get("CertificateChain")
    check_chain(cert, load_certificates(chain_text) if chain_text else [])
    check_private_key(p["PrivateKey"], cert)
    if repo.get_by_name(call.conn, call.account_id, name) is not None:
        raise EntityAlreadyExists(f"The Server Certificate with name {name} already exists.")
    if repo.count(call.conn, call.account_id) >= SERVER_CERTIFICATES_QUOTA:
        raise LimitExceeded(f"Cannot exceed quota for ServerCertificatesPerAccount: {SERVER_CERTIFICATES_QUOTA}")
    cert_id = new_unique_id("ASCA")
    repo.insert(
        call.conn,
        server_certificate_id=cert_id,
        account_id=call.account_id,
        name=name,
        path=path,
        body=p["CertificateBody"],
        chain=chain_text,
        # INVARIANT: the private key is stored sealed and bound to this row, and never read back by any action.
        private_key_sealed=call.runtime.secretbox.seal(
            p["PrivateKey"], sealed_context.server_certificate_key(call.account_id, cert_id)
        ),
        expiration=cert.not_valid_after_utc,
        uploaded_at=call.now,
    )
    tag_store.put_tags(call.conn, TAG_TYPE, cert_id, new_tags)
    row = repo.get_by_id(call.conn, cert_id)
    assert row is not None
    out: dict[str, Any] = {"ServerCertificateMetadata": metadata(row)}
    if new_tags:
        out["Tags"] = new_tags
    return out


@action("iam", "GetServerCertificate")
def get_server_certificate(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    row = get_row(call, p["ServerCertificateName"])
    out: dict[str, Any] = {"ServerCertificateMetadata": metadata(row), "CertificateBody": row.body}
    if row.chain:
        out["CertificateChain"] = row.chain
    tags = tag_store.list_tags(call.conn, TAG_TYPE, row.server_certificate_id)
    if tags:
        out["Tags"] = tags
    return {"ServerCertificate": out}


@action("iam", "UpdateServerCertificate")
def update_server_certificate(call: Call, p: dict[str, Any]) -> None:
    row = get_row(call, p["ServerCertificateName"])
    changes: dict[str, Any] = {}
    new_name = p.get("NewServerCertificateName")
    if new_name is not None and new_name != row.name:
        clash = repo.get_by_name(call.conn, call.account_id, new_name)
        if clash is not None and clash.server_certificate_id != row.server_certificate_id:
            raise EntityAlreadyExists(f"The Server Certificate with name {new_name} already exists.")
        changes["name"] = new_name
    if p.get("NewPath") is not None:
        changes["path"] = p["NewPath"]
    if changes:
        repo.update(call.conn, row.server_certificate_id, **changes)
    return None


@action("iam", "DeleteServerCertificate")
def delete_server_certificate(call: Call, p: dict[str, Any]) -> None:
    row = get_row(call, p["ServerCertificateName"])
    tag_store.drop_all(call.conn, TAG_TYPE, row.server_certificate_id)
    repo.delete(call.conn, row.server_certificate_id)
    return None


@action("iam", "ListServerCertificates")
def list_server_certificates(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    query = repo.list_query(call.account_id, p.get("PathPrefix"))
    rows, page = paginate(call.conn, query, schema.server_certificates.c.name_lower, p)
    return {"ServerCertificateMetadataList": [metadata(r) for r in rows], **page}


tagging.register(
    "ServerCertificate",
    TAG_TYPE,
    lambda call, p: get_row(call, p["ServerCertificateName"]).server_certificate_id,
)
