"""SSH public keys, signing certificates, server certificates and service-specific credentials
through boto3 and the aws CLI; a server certificate's private key never leaves the server, and is
not on disk in the clear."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

from iamd.testing import IamdServer


@cache
def rsa_key(index: int) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def openssh(key: Any) -> str:
    return key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


def issue(cn: str, issuer: tuple[Any, x509.Certificate] | None = None, days: int = 90) -> tuple[Any, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer[1].subject if issuer else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
        .sign(issuer[0] if issuer else key, hashes.SHA256())
    )
    return key, cert


def cert_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def key_pem(key: Any) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def key_body(pem: str) -> str:
    """The base64 lines of a PEM block: what must not appear anywhere."""
    return "".join(pem.strip().splitlines()[1:-1])


@pytest.fixture
def raw_bodies(iam) -> list[bytes]:
    """Every raw HTTP response body the client receives, errors included."""
    bodies: list[bytes] = []
    iam.meta.events.register("after-call.iam", lambda http_response, **_: bodies.append(http_response.content))
    return bodies


def test_ssh_public_keys(iam, error_of) -> None:
    iam.create_user(UserName="dev")
    body = openssh(rsa_key(0))
    key = iam.upload_ssh_public_key(UserName="dev", SSHPublicKeyBody=body)["SSHPublicKey"]
    blob_md5 = hashlib.md5(base64.b64decode(body.split()[1]), usedforsecurity=False).hexdigest()
    assert key["Fingerprint"].replace(":", "") == blob_md5
    assert key["SSHPublicKeyId"].startswith("APKA") and key["Status"] == "Active"
    key_id = key["SSHPublicKeyId"]
    as_pem = iam.get_ssh_public_key(UserName="dev", SSHPublicKeyId=key_id, Encoding="PEM")["SSHPublicKey"]
    assert as_pem["SSHPublicKeyBody"].startswith("-----BEGIN PUBLIC KEY-----")
    assert iam.get_ssh_public_key(UserName="dev", SSHPublicKeyId=key_id, Encoding="SSH")["SSHPublicKey"][
        "SSHPublicKeyBody"
    ] == body
    iam.update_ssh_public_key(UserName="dev", SSHPublicKeyId=key_id, Status="Inactive")
    listed = iam.list_ssh_public_keys(UserName="dev")["SSHPublicKeys"]
    assert [(k["SSHPublicKeyId"], k["Status"]) for k in listed] == [(key_id, "Inactive")]

    err = error_of(iam.upload_ssh_public_key, UserName="dev", SSHPublicKeyBody=body)
    assert (err["Code"], err["HTTPStatus"]) == ("DuplicateSSHPublicKey", 400)
    err = error_of(iam.upload_ssh_public_key, UserName="dev", SSHPublicKeyBody="ssh-rsa AAAAB3Nza!")
    assert (err["Code"], err["HTTPStatus"]) == ("InvalidPublicKey", 400)
    err = error_of(iam.upload_ssh_public_key, UserName="dev", SSHPublicKeyBody=openssh(ed25519.Ed25519PrivateKey.generate()))
    assert (err["Code"], err["HTTPStatus"]) == ("UnrecognizedPublicKeyEncoding", 400)
    err = error_of(iam.get_ssh_public_key, UserName="dev", SSHPublicKeyId="APKA" + "A" * 16, Encoding="SSH")
    assert (err["Code"], err["HTTPStatus"]) == ("NoSuchEntity", 404)
    assert error_of(iam.delete_user, UserName="dev")["Code"] == "DeleteConflict"
    iam.delete_ssh_public_key(UserName="dev", SSHPublicKeyId=key_id)
    assert iam.list_ssh_public_keys(UserName="dev")["SSHPublicKeys"] == []


def test_signing_certificates(iam, error_of) -> None:
    iam.create_user(UserName="signer")
    _, cert = issue("signer")
    body = cert_pem(cert)
    uploaded = iam.upload_signing_certificate(UserName="signer", CertificateBody=body)["Certificate"]
    cert_id = uploaded["CertificateId"]
    assert uploaded["Status"] == "Active" and uploaded["CertificateBody"] == body
    iam.update_signing_certificate(UserName="signer", CertificateId=cert_id, Status="Inactive")
    assert [(c["CertificateId"], c["Status"]) for c in iam.list_signing_certificates(UserName="signer")["Certificates"]] == [
        (cert_id, "Inactive")
    ]
    err = error_of(iam.upload_signing_certificate, UserName="signer", CertificateBody=body)
    assert (err["Code"], err["HTTPStatus"]) == ("DuplicateCertificate", 409)
    err = error_of(iam.upload_signing_certificate, UserName="signer", CertificateBody="nope")
    assert (err["Code"], err["HTTPStatus"]) == ("MalformedCertificate", 400)
    iam.upload_signing_certificate(UserName="signer", CertificateBody=cert_pem(issue("second")[1]))
    err = error_of(iam.upload_signing_certificate, UserName="signer", CertificateBody=cert_pem(issue("third")[1]))
    assert (err["Code"], err["HTTPStatus"]) == ("LimitExceeded", 409)
    root_cert = iam.upload_signing_certificate(CertificateBody=cert_pem(issue("root")[1]))["Certificate"]
    assert [c["CertificateId"] for c in iam.list_signing_certificates()["Certificates"]] == [root_cert["CertificateId"]]
    iam.delete_signing_certificate(UserName="signer", CertificateId=cert_id)
    err = error_of(iam.delete_signing_certificate, UserName="signer", CertificateId=cert_id)
    assert (err["Code"], err["HTTPStatus"]) == ("NoSuchEntity", 404)


def test_server_certificates_never_return_the_private_key(iam, error_of, raw_bodies, server) -> None:
    ca = issue("Functional CA")
    leaf_key, leaf = issue("www.example.com", ca)
    private_pem = key_pem(leaf_key)
    meta = iam.upload_server_certificate(
        ServerCertificateName="web", Path="/cloudfront/test/", CertificateBody=cert_pem(leaf),
        PrivateKey=private_pem, CertificateChain=cert_pem(ca[1]), Tags=[{"Key": "env", "Value": "test"}],
    )["ServerCertificateMetadata"]
    assert meta["Arn"] == f"arn:aws:iam::{server.account_id}:server-certificate/cloudfront/test/web"
    assert meta["ServerCertificateId"].startswith("ASCA")
    assert meta["Expiration"] == leaf.not_valid_after_utc.replace(microsecond=0)
    got = iam.get_server_certificate(ServerCertificateName="web")["ServerCertificate"]
    assert got["CertificateBody"] == cert_pem(leaf) and got["CertificateChain"] == cert_pem(ca[1])
    assert got["Tags"] == [{"Key": "env", "Value": "test"}]
    iam.tag_server_certificate(ServerCertificateName="web", Tags=[{"Key": "team", "Value": "edge"}])
    iam.untag_server_certificate(ServerCertificateName="web", TagKeys=["env"])
    assert iam.list_server_certificate_tags(ServerCertificateName="web")["Tags"] == [{"Key": "team", "Value": "edge"}]
    iam.update_server_certificate(ServerCertificateName="web", NewServerCertificateName="web2", NewPath="/other/")
    listed = iam.list_server_certificates(PathPrefix="/other/")["ServerCertificateMetadataList"]
    assert [m["ServerCertificateName"] for m in listed] == ["web2"]

    other_key, _ = issue("other")
    err = error_of(iam.upload_server_certificate, ServerCertificateName="bad", CertificateBody=cert_pem(leaf),
                   PrivateKey=key_pem(other_key))
    assert (err["Code"], err["HTTPStatus"]) == ("KeyPairMismatch", 400)
    err = error_of(iam.upload_server_certificate, ServerCertificateName="bad", CertificateBody="garbage",
                   PrivateKey=private_pem)
    assert (err["Code"], err["Message"]) == (
        "MalformedCertificate", "Unable to parse certificate. Please ensure the certificate is in PEM format."
    )
    err = error_of(iam.upload_server_certificate, ServerCertificateName="bad", CertificateBody=cert_pem(leaf),
                   PrivateKey=private_pem, CertificateChain=cert_pem(leaf))
    assert err["Code"] == "MalformedCertificate" and err["Message"].endswith("invalid certificate is: 1")
    err = error_of(iam.upload_server_certificate, ServerCertificateName="WEB2", CertificateBody=cert_pem(leaf),
                   PrivateKey=private_pem)
    assert (err["Code"], err["HTTPStatus"]) == ("EntityAlreadyExists", 409)
    err = error_of(iam.get_server_certificate, ServerCertificateName="web")
    assert (err["Code"], err["HTTPStatus"]) == ("NoSuchEntity", 404)
    iam.delete_server_certificate(ServerCertificateName="web2")
    assert iam.list_server_certificates()["ServerCertificateMetadataList"] == []

    secret = key_body(private_pem)
    assert raw_bodies and not [b for b in raw_bodies if secret.encode() in b or b"PRIVATE KEY" in b]


def test_service_specific_credentials(iam, error_of, server) -> None:
    iam.create_user(UserName="git")
    cred = iam.create_service_specific_credential(UserName="git", ServiceName="codecommit.amazonaws.com")[
        "ServiceSpecificCredential"
    ]
    cred_id = cred["ServiceSpecificCredentialId"]
    assert cred["ServiceUserName"] == f"git-at-{server.account_id}" and cred["ServicePassword"]
    listed = iam.list_service_specific_credentials(UserName="git")["ServiceSpecificCredentials"]
    assert [c["ServiceSpecificCredentialId"] for c in listed] == [cred_id]
    assert "ServicePassword" not in listed[0]
    reset = iam.reset_service_specific_credential(UserName="git", ServiceSpecificCredentialId=cred_id)
    assert reset["ServiceSpecificCredential"]["ServicePassword"] not in ("", cred["ServicePassword"])
    iam.update_service_specific_credential(UserName="git", ServiceSpecificCredentialId=cred_id, Status="Inactive")
    assert iam.list_service_specific_credentials(UserName="git")["ServiceSpecificCredentials"][0]["Status"] == "Inactive"

    err = error_of(iam.create_service_specific_credential, UserName="git", ServiceName="s3.amazonaws.com")
    assert (err["Code"], err["HTTPStatus"]) == ("NotSupportedService", 404)
    iam.create_service_specific_credential(UserName="git", ServiceName="codecommit.amazonaws.com")
    err = error_of(iam.create_service_specific_credential, UserName="git", ServiceName="codecommit.amazonaws.com")
    assert (err["Code"], err["HTTPStatus"]) == ("LimitExceeded", 409)
    iam.delete_service_specific_credential(UserName="git", ServiceSpecificCredentialId=cred_id)
    err = error_of(iam.delete_service_specific_credential, UserName="git", ServiceSpecificCredentialId=cred_id)
    assert (err["Code"], err["HTTPStatus"]) == ("NoSuchEntity", 404)


def test_aws_cli_upload(aws, tmp_path: Path) -> None:
    key, cert = issue("cli.example.com")
    (tmp_path / "cert.pem").write_text(cert_pem(cert))
    (tmp_path / "key.pem").write_text(key_pem(key))
    out = aws("iam", "upload-server-certificate", "--server-certificate-name", "cli", "--certificate-body",
              "file://cert.pem", "--private-key", "file://key.pem", "--output", "json")
    assert out["ServerCertificateMetadata"]["ServerCertificateName"] == "cli"
    assert key_body(key_pem(key)) not in str(out)
    aws("iam", "create-user", "--user-name", "cli-user")
    (tmp_path / "id_rsa.pub").write_text(openssh(rsa_key(0)) + " cli@test\n")
    ssh = aws("iam", "upload-ssh-public-key", "--user-name", "cli-user", "--ssh-public-key-body", "file://id_rsa.pub",
              "--output", "json")
    assert ssh["SSHPublicKey"]["SSHPublicKeyId"].startswith("APKA")


def test_private_key_is_not_on_disk_in_the_clear(tmp_path: Path) -> None:
    data = tmp_path / "data"
    key, cert = issue("disk.example.com")
    private_pem = key_pem(key)
    with IamdServer(extra_args=["--data-dir", str(data)], log_path=tmp_path / "iamd.log") as srv:
        srv.client("iam").upload_server_certificate(
            ServerCertificateName="disk", CertificateBody=cert_pem(cert), PrivateKey=private_pem
        )
        on_disk = b"".join(p.read_bytes() for p in data.rglob("*") if p.is_file())
    on_disk += b"".join(p.read_bytes() for p in data.rglob("*") if p.is_file())
    assert cert_pem(cert).splitlines()[1].encode() in on_disk  # the certificate itself is stored
    secret = key_body(private_pem)
    for chunk in (secret[:64], secret[64:128], secret[-64:]):
        assert chunk.encode() not in on_disk
    assert secret[:64].encode() not in (tmp_path / "iamd.log").read_bytes()
