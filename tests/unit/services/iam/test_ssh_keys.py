"""SSH public keys on both store backends: parsing, encodings, fingerprint, quota, status."""

from __future__ import annotations

import base64
import hashlib
from functools import cache

import botocore.session
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from services_helpers import pages

from iamd.auth.caller import Caller
from iamd.services.iam import ssh_keys
from iamd.services.iam.errors import DeleteConflict, InvalidInput, LimitExceeded, NoSuchEntity
from iamd.services.iam.ssh_keys import DuplicateSSHPublicKey, InvalidPublicKey, UnrecognizedPublicKeyEncoding

MODEL = botocore.session.get_session().get_service_model("iam")


@cache
def rsa_key(index: int, bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def openssh(key: object, comment: str = "") -> str:
    line = key.public_key().public_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    ).decode()
    return f"{line} {comment}".strip()


def pem(key: object) -> str:
    return key.public_key().public_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def md5_fingerprint(line: str) -> str:
    digest = hashlib.md5(base64.b64decode(line.split()[1]), usedforsecurity=False).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, 32, 2))


def test_upload_openssh_and_read_back_in_both_encodings(invoke) -> None:
    invoke("iam", "CreateUser", {"UserName": "dev"})
    body = openssh(rsa_key(0), "dev@laptop")
    key = invoke("iam", "UploadSSHPublicKey", {"UserName": "dev", "SSHPublicKeyBody": body})["SSHPublicKey"]
    assert key["SSHPublicKeyId"].startswith("APKA") and len(key["SSHPublicKeyId"]) == 20
    assert key["Fingerprint"] == md5_fingerprint(body)
    assert (key["UserName"], key["Status"], key["SSHPublicKeyBody"]) == ("dev", "Active", body)
    got = invoke("iam", "GetSSHPublicKey", {"UserName": "dev", "SSHPublicKeyId": key["SSHPublicKeyId"], "Encoding": "SSH"})
    assert got["SSHPublicKey"]["SSHPublicKeyBody"] == openssh(rsa_key(0))
    as_pem = invoke("iam", "GetSSHPublicKey", {
        "UserName": "dev", "SSHPublicKeyId": key["SSHPublicKeyId"], "Encoding": "PEM",
    })["SSHPublicKey"]
    assert as_pem["SSHPublicKeyBody"] == pem(rsa_key(0))
    assert as_pem["Fingerprint"] == key["Fingerprint"]


def test_upload_pem(invoke) -> None:
    invoke("iam", "CreateUser", {"UserName": "dev"})
    key = invoke("iam", "UploadSSHPublicKey", {"UserName": "dev", "SSHPublicKeyBody": pem(rsa_key(1))})["SSHPublicKey"]
    assert key["Fingerprint"] == md5_fingerprint(openssh(rsa_key(1)))
    got = invoke("iam", "GetSSHPublicKey", {"UserName": "dev", "SSHPublicKeyId": key["SSHPublicKeyId"], "Encoding": "SSH"})
    assert got["SSHPublicKey"]["SSHPublicKeyBody"] == openssh(rsa_key(1))


@pytest.mark.parametrize(
    ("body", "error"),
    [
        pytest.param(lambda: openssh(ed25519.Ed25519PrivateKey.generate()), UnrecognizedPublicKeyEncoding, id="ed25519"),
        pytest.param(lambda: openssh(ec.generate_private_key(ec.SECP256R1())), UnrecognizedPublicKeyEncoding, id="p256"),
        pytest.param(lambda: openssh(ec.generate_private_key(ec.SECP384R1())), UnrecognizedPublicKeyEncoding, id="p384"),
        pytest.param(lambda: pem(ec.generate_private_key(ec.SECP521R1())), UnrecognizedPublicKeyEncoding, id="pem-ec"),
        pytest.param(lambda: "hello world", UnrecognizedPublicKeyEncoding, id="not-a-key"),
        pytest.param(lambda: "ssh-rsa AAAA!!!notbase64", InvalidPublicKey, id="bad-base64"),
        pytest.param(lambda: "ssh-rsa " + base64.b64encode(b"junk").decode(), InvalidPublicKey, id="bad-blob"),
        pytest.param(lambda: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", InvalidPublicKey, id="bad-pem"),
        pytest.param(lambda: openssh(rsa_key(9, 1024)), InvalidPublicKey, id="rsa-1024"),
    ],
)
def test_refused_keys(invoke, body, error) -> None:
    invoke("iam", "CreateUser", {"UserName": "dev"})
    with pytest.raises(error):
        invoke("iam", "UploadSSHPublicKey", {"UserName": "dev", "SSHPublicKeyBody": body()})
    assert invoke("iam", "ListSSHPublicKeys", {"UserName": "dev"})["SSHPublicKeys"] == []


def test_duplicate_and_quota(invoke, monkeypatch) -> None:
    monkeypatch.setattr(ssh_keys, "KEYS_PER_USER", 2)
    for user in ("a", "b"):
        invoke("iam", "CreateUser", {"UserName": user})
    invoke("iam", "UploadSSHPublicKey", {"UserName": "a", "SSHPublicKeyBody": openssh(rsa_key(0))})
    with pytest.raises(DuplicateSSHPublicKey):
        invoke("iam", "UploadSSHPublicKey", {"UserName": "a", "SSHPublicKeyBody": pem(rsa_key(0))})
    invoke("iam", "UploadSSHPublicKey", {"UserName": "b", "SSHPublicKeyBody": openssh(rsa_key(0))})
    invoke("iam", "UploadSSHPublicKey", {"UserName": "a", "SSHPublicKeyBody": openssh(rsa_key(1))})
    with pytest.raises(LimitExceeded, match="SSHPublicKeysPerUser: 2"):
        invoke("iam", "UploadSSHPublicKey", {"UserName": "a", "SSHPublicKeyBody": openssh(rsa_key(2))})
    with pytest.raises(NoSuchEntity):
        invoke("iam", "UploadSSHPublicKey", {"UserName": "nobody", "SSHPublicKeyBody": openssh(rsa_key(2))})


def test_status_delete_list_and_ownership(invoke, account) -> None:
    for user in ("a", "b"):
        invoke("iam", "CreateUser", {"UserName": user})
    ids = [
        invoke("iam", "UploadSSHPublicKey", {"UserName": "a", "SSHPublicKeyBody": openssh(rsa_key(i))})["SSHPublicKey"][
            "SSHPublicKeyId"
        ]
        for i in range(3)
    ]
    invoke("iam", "UpdateSSHPublicKey", {"UserName": "a", "SSHPublicKeyId": ids[0], "Status": "Inactive"})
    with pytest.raises(InvalidInput):
        invoke("iam", "UpdateSSHPublicKey", {"UserName": "a", "SSHPublicKeyId": ids[0], "Status": "Expired"})
    with pytest.raises(NoSuchEntity, match=ids[0]):
        invoke("iam", "UpdateSSHPublicKey", {"UserName": "b", "SSHPublicKeyId": ids[0], "Status": "Active"})
    with pytest.raises(NoSuchEntity):
        invoke("iam", "GetSSHPublicKey", {"UserName": "b", "SSHPublicKeyId": ids[0], "Encoding": "SSH"})

    seen = [k for page in pages(invoke, "ListSSHPublicKeys", {"UserName": "a", "MaxItems": 2}) for k in page["SSHPublicKeys"]]
    assert sorted(k["SSHPublicKeyId"] for k in seen) == sorted(ids)
    assert {k["SSHPublicKeyId"]: k["Status"] for k in seen}[ids[0]] == "Inactive"
    assert set(seen[0]) == {"UserName", "SSHPublicKeyId", "Status", "UploadDate"}

    with pytest.raises(DeleteConflict, match="SSH public key"):
        invoke("iam", "DeleteUser", {"UserName": "a"})
    user = invoke("iam", "GetUser", {"UserName": "a"})["User"]
    as_a = Caller(account, user["Arn"], user["UserId"], "user", "AKIAEXAMPLE", user_name="a")
    assert len(invoke("iam", "ListSSHPublicKeys", {}, caller=as_a)["SSHPublicKeys"]) == 3
    assert invoke("iam", "ListSSHPublicKeys")["SSHPublicKeys"] == []  # root has none
    for key_id in ids:
        invoke("iam", "DeleteSSHPublicKey", {"UserName": "a", "SSHPublicKeyId": key_id})
    with pytest.raises(NoSuchEntity):
        invoke("iam", "DeleteSSHPublicKey", {"UserName": "a", "SSHPublicKeyId": ids[0]})
    invoke("iam", "DeleteUser", {"UserName": "a"})
