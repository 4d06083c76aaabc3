"""Signing certificates on both store backends: X.509 validation, duplicates, quota, root's own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import botocore.session
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from iamd.auth.caller import Caller
from iamd.services.iam import signing_certificates
from iamd.services.iam.errors import DeleteConflict, InvalidInput, LimitExceeded, NoSuchEntity
from iamd.services.iam.signing_certificates import (
    DuplicateCertificate,
    InvalidCertificate,
    MalformedCertificate,
)

MODEL = botocore.session.get_session().get_service_model("iam")


def self_signed(cn: str = "signer", *, start: timedelta = timedelta(days=-1), days: int = 365) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + start)
        .not_valid_after(now + start + timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def test_upload_list_update_delete(invoke) -> None:
    invoke("iam", "CreateUser", {"UserName": "signer"})
    body = self_signed()
    cert = invoke("iam", "UploadSigningCertificate", {"UserName": "signer", "CertificateBody": body})["Certificate"]
    assert (cert["UserName"], cert["Status"], cert["CertificateBody"]) == ("signer", "Active", body)
    assert len(cert["CertificateId"]) >= 24 and cert["CertificateId"].isalnum()
    invoke("iam", "UpdateSigningCertificate", {
        "UserName": "signer", "CertificateId": cert["CertificateId"], "Status": "Inactive",
    })
    with pytest.raises(InvalidInput):
        invoke("iam", "UpdateSigningCertificate", {
            "UserName": "signer", "CertificateId": cert["CertificateId"], "Status": "Expired",
        })
    listed = invoke("iam", "ListSigningCertificates", {"UserName": "signer"})
    assert listed["IsTruncated"] is False
    assert [(c["CertificateId"], c["Status"]) for c in listed["Certificates"]] == [(cert["CertificateId"], "Inactive")]
    with pytest.raises(DeleteConflict, match="signing certificate"):
        invoke("iam", "DeleteUser", {"UserName": "signer"})
    invoke("iam", "DeleteSigningCertificate", {"UserName": "signer", "CertificateId": cert["CertificateId"]})
    with pytest.raises(NoSuchEntity, match=cert["CertificateId"]):
        invoke("iam", "DeleteSigningCertificate", {"UserName": "signer", "CertificateId": cert["CertificateId"]})
    invoke("iam", "DeleteUser", {"UserName": "signer"})


@pytest.mark.parametrize(
    ("body", "error", "message"),
    [
        pytest.param(lambda: "not a certificate", MalformedCertificate, "PEM format", id="text"),
        pytest.param(
            lambda: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", MalformedCertificate, "PEM", id="der"
        ),
        pytest.param(lambda: self_signed() + self_signed(), MalformedCertificate, "PEM", id="two-certs"),
        pytest.param(lambda: self_signed(start=timedelta(days=-30), days=10), MalformedCertificate, "expired",
                     id="expired"),
        pytest.param(lambda: self_signed(start=timedelta(days=3)), InvalidCertificate, "not valid before",
                     id="not-yet-valid"),
    ],
)
def test_refused_bodies(invoke, body, error, message) -> None:
    invoke("iam", "CreateUser", {"UserName": "signer"})
    with pytest.raises(error, match=message):
        invoke("iam", "UploadSigningCertificate", {"UserName": "signer", "CertificateBody": body()})


def test_duplicates_and_quota(invoke, monkeypatch) -> None:
    monkeypatch.setattr(signing_certificates, "CERTIFICATES_PER_USER", 1)
    for user in ("a", "b"):
        invoke("iam", "CreateUser", {"UserName": user})
    body = self_signed()
    invoke("iam", "UploadSigningCertificate", {"UserName": "a", "CertificateBody": body})
    for user in ("a", "b"):
        with pytest.raises(DuplicateCertificate):
            invoke("iam", "UploadSigningCertificate", {"UserName": user, "CertificateBody": body})
    with pytest.raises(LimitExceeded, match="CertificatesPerUser: 1"):
        invoke("iam", "UploadSigningCertificate", {"UserName": "a", "CertificateBody": self_signed()})
    with pytest.raises(NoSuchEntity):
        invoke("iam", "UploadSigningCertificate", {"UserName": "nobody", "CertificateBody": self_signed()})


def test_root_and_caller_defaults(invoke, account) -> None:
    """Without UserName the certificate is the caller's: the root user's, or the calling user's."""
    root_cert = invoke("iam", "UploadSigningCertificate", {"CertificateBody": self_signed()})["Certificate"]
    assert "UserName" not in root_cert
    invoke("iam", "CreateUser", {"UserName": "u"})
    user = invoke("iam", "GetUser", {"UserName": "u"})["User"]
    as_u = Caller(account, user["Arn"], user["UserId"], "user", "AKIAEXAMPLE", user_name="u")
    own = invoke("iam", "UploadSigningCertificate", {"CertificateBody": self_signed()}, caller=as_u)["Certificate"]
    assert own["UserName"] == "u"
    assert [c["CertificateId"] for c in invoke("iam", "ListSigningCertificates")["Certificates"]] == [
        root_cert["CertificateId"]
    ]
    assert [c["CertificateId"] for c in invoke("iam", "ListSigningCertificates", {}, caller=as_u)["Certificates"]] == [
        own["CertificateId"]
    ]
    with pytest.raises(NoSuchEntity):  # the root's certificate is not the user's
        invoke("iam", "DeleteSigningCertificate", {"CertificateId": root_cert["CertificateId"]}, caller=as_u)
    invoke("iam", "DeleteSigningCertificate", {"CertificateId": root_cert["CertificateId"]})
    assert invoke("iam", "ListSigningCertificates")["Certificates"] == []


def test_credential_report_cert_columns(invoke) -> None:
    import csv
    import io

    invoke("iam", "CreateUser", {"UserName": "signer"})
    first = invoke("iam", "UploadSigningCertificate", {"UserName": "signer", "CertificateBody": self_signed()})
    second = invoke("iam", "UploadSigningCertificate", {"UserName": "signer", "CertificateBody": self_signed()})
    invoke("iam", "UpdateSigningCertificate", {
        "UserName": "signer", "CertificateId": second["Certificate"]["CertificateId"], "Status": "Inactive",
    })
    invoke("iam", "UploadSigningCertificate", {"CertificateBody": self_signed()})
    invoke("iam", "GenerateCredentialReport")
    text = invoke("iam", "GetCredentialReport")["Content"].decode()
    rows = {r["user"]: r for r in csv.DictReader(io.StringIO(text))}
    signer = rows["signer"]
    assert (signer["cert_1_active"], signer["cert_2_active"]) == ("true", "false")
    assert signer["cert_1_last_rotated"].startswith(str(first["Certificate"]["UploadDate"].year))
    assert rows["<root_account>"]["cert_1_active"] == "true"
