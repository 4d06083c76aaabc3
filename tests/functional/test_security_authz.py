"""Security: the resource authorized is the entity the action touches."""

from __future__ import annotations

import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from functional_helpers import allow, as_creds, denied, new_user

from iamd.testing import IamdServer

OWN = "arn:aws:iam::*:user/${aws:username}"


def test_get_access_key_last_used_is_authorized_on_the_keys_owner(server: IamdServer, iam: Any) -> None:
    """AWS authorizes GetAccessKeyLastUsed against the user who owns the key: a self-service
    policy on ``user/${aws:username}`` reads the caller's own keys only."""
    _, bob_key = new_user(iam, "bob")
    _, alice_key = new_user(iam, "alice", allow("iam:GetAccessKeyLastUsed", OWN))
    alice = as_creds(server, "iam", alice_key)
    assert alice.get_access_key_last_used(AccessKeyId=alice_key["AccessKeyId"])["UserName"] == "alice"
    message = denied(alice.get_access_key_last_used, AccessKeyId=bob_key["AccessKeyId"])
    assert "user/bob" in message
    message = denied(alice.get_access_key_last_used, AccessKeyId=server.access_key_id)
    assert ":root" in message


def test_get_access_key_last_used_of_an_unknown_key_is_no_such_entity_when_allowed(iam: Any) -> None:
    err = iam.exceptions.NoSuchEntityException
    try:
        iam.get_access_key_last_used(AccessKeyId="AKIAIOSFODNN7EXAMPLE")
    except err:
        return
    raise AssertionError("expected NoSuchEntity")


def test_moving_a_user_needs_permission_on_the_new_path(server: IamdServer, iam: Any) -> None:
    """UpdateUser: "the requester must have appropriate permissions on both the source object and
    the target object" (IAM API Reference). Otherwise a sandbox admin could move a user under a
    path that trust policies and conditions on aws:PrincipalArn single out."""
    iam.create_user(UserName="carol", Path="/sandbox/")
    _, key = new_user(iam, "dave", allow("iam:UpdateUser", "arn:aws:iam::*:user/sandbox/*"))
    dave = as_creds(server, "iam", key)
    message = denied(dave.update_user, UserName="carol", NewPath="/admins/")
    assert "user/admins/carol" in message
    message = denied(dave.update_user, UserName="carol", NewUserName="root-admin", NewPath="/admins/")
    assert "user/admins/root-admin" in message
    assert iam.get_user(UserName="carol")["User"]["Arn"].endswith(":user/sandbox/carol")
    dave.update_user(UserName="carol", NewUserName="carol2")
    assert iam.get_user(UserName="carol2")["User"]["Path"] == "/sandbox/"


def test_moving_a_group_needs_permission_on_the_new_path(server: IamdServer, iam: Any) -> None:
    iam.create_group(GroupName="devs", Path="/sandbox/")
    _, key = new_user(iam, "dave", allow("iam:UpdateGroup", "arn:aws:iam::*:group/sandbox/*"))
    dave = as_creds(server, "iam", key)
    message = denied(dave.update_group, GroupName="devs", NewPath="/admins/")
    assert "group/admins/devs" in message
    dave.update_group(GroupName="devs", NewGroupName="developers")
    assert iam.get_group(GroupName="developers")["Group"]["Path"] == "/sandbox/"


def _certificate() -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "example.com")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    pem_key = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode(), pem_key.decode()


def test_server_certificates_are_authorized_with_their_path(server: IamdServer, iam: Any) -> None:
    """A server certificate's ARN carries its path; a Deny on ``server-certificate/prod/*`` holds."""
    body, private_key = _certificate()
    iam.upload_server_certificate(
        ServerCertificateName="web", Path="/prod/", CertificateBody=body, PrivateKey=private_key
    )
    deny = {"Effect": "Deny", "Action": "iam:*", "Resource": "arn:aws:iam::*:server-certificate/prod/*"}
    _, key = new_user(iam, "erin", allow("iam:*ServerCertificate*"), deny)
    erin = as_creds(server, "iam", key)
    message = denied(erin.get_server_certificate, ServerCertificateName="web")
    assert "server-certificate/prod/web" in message
    denied(erin.delete_server_certificate, ServerCertificateName="web")
    denied(erin.update_server_certificate, ServerCertificateName="web", NewPath="/dev/")
    assert iam.get_server_certificate(ServerCertificateName="web")["ServerCertificate"]


def test_renaming_a_server_certificate_needs_permission_on_the_target(server: IamdServer, iam: Any) -> None:
    body, private_key = _certificate()
    iam.upload_server_certificate(
        ServerCertificateName="web", Path="/dev/", CertificateBody=body, PrivateKey=private_key
    )
    _, key = new_user(iam, "erin", allow("iam:UpdateServerCertificate", "arn:aws:iam::*:server-certificate/dev/*"))
    erin = as_creds(server, "iam", key)
    message = denied(erin.update_server_certificate, ServerCertificateName="web", NewPath="/prod/")
    assert "server-certificate/prod/web" in message
    erin.update_server_certificate(ServerCertificateName="web", NewServerCertificateName="web2")
