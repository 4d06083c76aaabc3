"""Server certificates on both store backends: certificate, chain and key checked together; the
private key sealed at rest and never returned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

import botocore.session
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import select

from iamd.auth import sealed_context
from iamd.services.iam import server_certificates
from iamd.services.iam.errors import EntityAlreadyExists, LimitExceeded, NoSuchEntity
from iamd.services.iam.server_certificates import KeyPairMismatch
from iamd.services.iam.signing_certificates import MalformedCertificate
from iamd.store import schema

MODEL = botocore.session.get_session().get_service_model("iam")


@dataclass(frozen=True)
class Issued:
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate

    @property
    def pem(self) -> str:
        return self.cert.public_bytes(serialization.Encoding.PEM).decode()

    def key_pem(self, password: bytes | None = None) -> str:
        crypt = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, crypt).decode()


def issue(cn: str, issuer: Issued | None = None, *, days: int = 90, ca: bool = False) -> Issued:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = datetime.now(UTC).replace(microsecond=0)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.cert.subject if issuer else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(issuer.key if issuer else key, hashes.SHA256())
    )
    return Issued(key, cert)


@cache
def pki() -> tuple[Issued, Issued, Issued]:
    root = issue("Test Root CA", ca=True, days=3650)
    intermediate = issue("Test Intermediate CA", root, ca=True, days=1000)
    return root, intermediate, issue("www.example.com", intermediate)


def upload(invoke, name: str = "web", **extra):
    root, intermediate, leaf = pki()
    params = {
        "ServerCertificateName": name,
        "CertificateBody": leaf.pem,
        "PrivateKey": leaf.key_pem(),
        "CertificateChain": intermediate.pem + root.pem,
    } | extra
    return invoke("iam", "UploadServerCertificate", params)


def test_error_matches_model() -> None:
    meta = MODEL.shape_for("KeyPairMismatchException").metadata["error"]
    assert (KeyPairMismatch.code, KeyPairMismatch.status, KeyPairMismatch.sender_fault) == (
        meta["code"], meta["httpStatusCode"], meta["senderFault"],
    )


def test_upload_get_and_the_key_never_comes_back(invoke, account, runtime) -> None:
    root, intermediate, leaf = pki()
    tags = [{"Key": "env", "Value": "prod"}]
    out = upload(invoke, Path="/cloudfront/prod/", Tags=tags)
    meta = out["ServerCertificateMetadata"]
    assert meta["ServerCertificateId"].startswith("ASCA") and len(meta["ServerCertificateId"]) == 21
    assert meta["Arn"] == f"arn:aws:iam::{account}:server-certificate/cloudfront/prod/web"
    assert meta["Expiration"] == leaf.cert.not_valid_after_utc
    assert out["Tags"] == tags
    got = invoke("iam", "GetServerCertificate", {"ServerCertificateName": "WEB"})["ServerCertificate"]
    assert got["ServerCertificateMetadata"] == meta
    assert got["CertificateBody"] == leaf.pem
    assert got["CertificateChain"] == intermediate.pem + root.pem
    assert got["Tags"] == tags
    secret = leaf.key_pem().strip().splitlines()[1]
    listed = invoke("iam", "ListServerCertificates")
    for response in (out, got, listed):
        assert secret not in repr(response) and "PRIVATE KEY" not in repr(response)
    with runtime.store.begin() as conn:
        row = conn.execute(
            select(schema.server_certificates).where(
                schema.server_certificates.c.server_certificate_id == meta["ServerCertificateId"]
            )
        ).one()
    assert secret.encode() not in bytes(row.private_key_sealed)
    context = sealed_context.server_certificate_key(row.account_id, meta["ServerCertificateId"])
    assert runtime.secretbox.open(bytes(row.private_key_sealed), context) == leaf.key_pem()


def test_without_chain(invoke) -> None:
    alone = issue("alone.example.com")
    invoke("iam", "UploadServerCertificate", {
        "ServerCertificateName": "alone", "CertificateBody": alone.pem, "PrivateKey": alone.key_pem(),
    })
    got = invoke("iam", "GetServerCertificate", {"ServerCertificateName": "alone"})["ServerCertificate"]
    assert "CertificateChain" not in got and "Tags" not in got
    assert got["ServerCertificateMetadata"]["Path"] == "/"


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        pytest.param(lambda p: {"PrivateKey": issue("other").key_pem()}, KeyPairMismatch, "do not match", id="mismatch"),
        pytest.param(lambda p: {"PrivateKey": p[2].key_pem(b"secret")}, MalformedCertificate, "encrypted",
                     id="encrypted-key"),
        pytest.param(lambda p: {"PrivateKey": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"},
                     MalformedCertificate, "parse key", id="garbage-key"),
        pytest.param(lambda p: {"CertificateBody": "garbage"}, MalformedCertificate,
                     "Unable to parse certificate. Please ensure the certificate is in PEM format.", id="body"),
        pytest.param(lambda p: {"CertificateChain": p[0].pem + p[1].pem}, MalformedCertificate,
                     "The index within the chain of the invalid certificate is: 1$", id="chain-reversed"),
        pytest.param(lambda p: {"CertificateChain": p[2].pem + p[1].pem}, MalformedCertificate,
                     "invalid certificate is: 1$", id="chain-with-leaf"),
        pytest.param(lambda p: {"CertificateChain": p[1].pem + issue("Test Root CA", ca=True).pem},
                     MalformedCertificate, "invalid certificate is: 2$", id="chain-wrong-root"),
        pytest.param(lambda p: {"CertificateChain": "junk"}, MalformedCertificate, "PEM format", id="chain-junk"),
    ],
)
def test_refused_uploads(invoke, change, error, message) -> None:
    with pytest.raises(error, match=message):
        upload(invoke, **change(pki()))
    assert invoke("iam", "ListServerCertificates")["ServerCertificateMetadataList"] == []


def test_expired_certificate(invoke) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "old")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(1).not_valid_before(now - timedelta(days=10)).not_valid_after(now - timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    old = Issued(key, cert)
    with pytest.raises(MalformedCertificate, match="expired"):
        invoke("iam", "UploadServerCertificate", {
            "ServerCertificateName": "old", "CertificateBody": old.pem, "PrivateKey": old.key_pem(),
        })


def test_names_quota_update_list_delete(invoke, monkeypatch) -> None:
    monkeypatch.setattr(server_certificates, "SERVER_CERTIFICATES_QUOTA", 3)
    upload(invoke, "a", Path="/x/")
    upload(invoke, "b")
    with pytest.raises(EntityAlreadyExists, match="The Server Certificate with name A already exists."):
        upload(invoke, "A")
    upload(invoke, "c", Path="/x/y/")
    with pytest.raises(LimitExceeded, match="ServerCertificatesPerAccount: 3"):
        upload(invoke, "d")

    with pytest.raises(EntityAlreadyExists):
        invoke("iam", "UpdateServerCertificate", {"ServerCertificateName": "a", "NewServerCertificateName": "B"})
    invoke("iam", "UpdateServerCertificate", {"ServerCertificateName": "a", "NewServerCertificateName": "a2"})
    invoke("iam", "UpdateServerCertificate", {"ServerCertificateName": "b", "NewPath": "/x/z/"})
    with pytest.raises(NoSuchEntity, match="The Server Certificate with name a cannot be found."):
        invoke("iam", "GetServerCertificate", {"ServerCertificateName": "a"})

    under_x = invoke("iam", "ListServerCertificates", {"PathPrefix": "/x/"})["ServerCertificateMetadataList"]
    assert [(m["ServerCertificateName"], m["Path"]) for m in under_x] == [("a2", "/x/"), ("b", "/x/z/"), ("c", "/x/y/")]
    first = invoke("iam", "ListServerCertificates", {"MaxItems": 2})
    assert first["IsTruncated"] is True and len(first["ServerCertificateMetadataList"]) == 2
    rest = invoke("iam", "ListServerCertificates", {"Marker": first["Marker"]})
    assert [m["ServerCertificateName"] for m in rest["ServerCertificateMetadataList"]] == ["c"]
    assert rest["IsTruncated"] is False

    invoke("iam", "DeleteServerCertificate", {"ServerCertificateName": "C"})
    with pytest.raises(NoSuchEntity):
        invoke("iam", "DeleteServerCertificate", {"ServerCertificateName": "c"})
    upload(invoke, "d")


def test_tags(invoke) -> None:
    upload(invoke, "t", Tags=[{"Key": "a", "Value": "1"}])
    invoke("iam", "TagServerCertificate", {"ServerCertificateName": "t", "Tags": [{"Key": "b", "Value": "2"}]})
    invoke("iam", "UntagServerCertificate", {"ServerCertificateName": "t", "TagKeys": ["a"]})
    assert invoke("iam", "ListServerCertificateTags", {"ServerCertificateName": "t"})["Tags"] == [
        {"Key": "b", "Value": "2"}
    ]
    with pytest.raises(NoSuchEntity):
        invoke("iam", "TagServerCertificate", {"ServerCertificateName": "nope", "Tags": [{"Key": "b", "Value": "2"}]})
    invoke("iam", "DeleteServerCertificate", {"ServerCertificateName": "t"})
    upload(invoke, "t")
    assert invoke("iam", "ListServerCertificateTags", {"ServerCertificateName": "t"})["Tags"] == []
