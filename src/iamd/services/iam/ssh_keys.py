"""SSH public keys of IAM users (the keys CodeCommit authenticates Git over SSH with).

AWS accepts an RSA key of at least 2048 bits, "encoded in ssh-rsa format or PEM format"
(UploadSSHPublicKey, SSHPublicKeyBody). Other key types (ecdsa-sha2-*, ssh-ed25519) are parsed so
the refusal is precise: they are well-formed keys AWS does not accept, hence
UnrecognizedPublicKeyEncoding, while a body that does not parse at all is InvalidPublicKey.

The body is kept as uploaded; GetSSHPublicKey renders it in the requested encoding. The
fingerprint is what ``ssh-keygen -l -E md5`` prints: MD5 of the OpenSSH key blob, colon hex.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import Row, insert, select

from iamd.auth.ids import new_access_key_id
from iamd.services.context import Call
from iamd.services.iam import user_credentials
from iamd.services.iam.common import paginate
from iamd.services.iam.errors import (
    DuplicateSSHPublicKey,
    InvalidPublicKey,
    LimitExceeded,
    NoSuchEntity,
    UnrecognizedPublicKeyEncoding,
)
from iamd.services.iam.users import get_user_row, user_or_root
from iamd.services.registry import action
from iamd.store import schema

KEYS_PER_USER = 5
MIN_RSA_BITS = 2048

keys = schema.ssh_public_keys


_KNOWN_SSH_TYPES = frozenset(
    {"ssh-rsa", "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-dss"}
)

_INVALID = "The public key is malformed or otherwise invalid."
_UNRECOGNIZED = "The public key encoding format is unsupported or unrecognized."


def parse_public_key(body: str) -> rsa.RSAPublicKey:
    """The RSA key in ``body`` (one OpenSSH line or a PEM ``PUBLIC KEY``/``RSA PUBLIC KEY`` block)."""
    text = body.strip()
    data = text.encode("latin-1")
    try:
        if text.startswith("-----BEGIN"):
            key: Any = serialization.load_pem_public_key(data)
        else:
            key = serialization.load_ssh_public_key(data)
    except UnsupportedAlgorithm:
        raise UnrecognizedPublicKeyEncoding(_UNRECOGNIZED) from None
    except (ValueError, binascii.Error):
        if not text.startswith("-----BEGIN") and text.split(" ", 1)[0] not in _KNOWN_SSH_TYPES:
            raise UnrecognizedPublicKeyEncoding(_UNRECOGNIZED) from None
        raise InvalidPublicKey(_INVALID) from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise UnrecognizedPublicKeyEncoding(_UNRECOGNIZED)
    if key.key_size < MIN_RSA_BITS:
        raise InvalidPublicKey(f"The public key must be at least {MIN_RSA_BITS} bits long.")
    return key


def openssh_line(key: rsa.RSAPublicKey) -> str:
    return key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


def pem_block(key: rsa.RSAPublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def fingerprint(key: rsa.RSAPublicKey) -> str:
    blob = base64.b64decode(openssh_line(key).split(" ")[1])
    return ":".join(f"{b:02x}" for b in hashlib.md5(blob, usedforsecurity=False).digest())


def _shape(row: Row[Any], user_name: str, body: str | None = None) -> dict[str, Any]:
    return {
        "UserName": user_name,
        "SSHPublicKeyId": row.ssh_public_key_id,
        "Fingerprint": row.fingerprint,
        "SSHPublicKeyBody": row.body if body is None else body,
        "Status": row.status,
        "UploadDate": row.uploaded_at,
    }


def _get(call: Call, p: dict[str, Any]) -> tuple[Row[Any], str]:
    user = get_user_row(call, p["UserName"])
    key_id = p["SSHPublicKeyId"]
    row = call.conn.execute(
        select(keys).where(keys.c.user_id == user.user_id, keys.c.ssh_public_key_id == key_id)
    ).first()
    if row is None:
        raise NoSuchEntity(f"The Public Key with id {key_id} cannot be found.")
    return row, user.name


@action("iam", "UploadSSHPublicKey")
def upload_ssh_public_key(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    user = get_user_row(call, p["UserName"])
    key = parse_public_key(p["SSHPublicKeyBody"])
    print_ = fingerprint(key)
    existing = list(call.conn.execute(select(keys.c.fingerprint).where(keys.c.user_id == user.user_id)).scalars())
    if print_ in existing:
        raise DuplicateSSHPublicKey("The SSH public key is already associated with the specified user.")
    if len(existing) >= KEYS_PER_USER:
        raise LimitExceeded(f"Cannot exceed quota for SSHPublicKeysPerUser: {KEYS_PER_USER}")
    key_id = new_access_key_id("APKA")
    call.conn.execute(
        insert(keys).values(
            ssh_public_key_id=key_id,
            user_id=user.user_id,
            body=p["SSHPublicKeyBody"],
            fingerprint=print_,
            status="Active",
            uploaded_at=call.now,
        )
    )
    row = call.conn.execute(select(keys).where(keys.c.ssh_public_key_id == key_id)).one()
    return {"SSHPublicKey": _shape(row, user.name)}


@action("iam", "GetSSHPublicKey")
def get_ssh_public_key(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    row, user_name = _get(call, p)
    key = parse_public_key(row.body)
    body = pem_block(key) if p["Encoding"] == "PEM" else openssh_line(key)
    return {"SSHPublicKey": _shape(row, user_name, body)}


user_credentials.register("SSHPublicKey", keys, "ssh_public_key_id", lambda call, p: _get(call, p)[0])


@action("iam", "ListSSHPublicKeys")
def list_ssh_public_keys(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    user = user_or_root(call, p)
    if user is None:  # the root user has no SSH public keys
        return {"SSHPublicKeys": [], "IsTruncated": False}
    query = select(keys).where(keys.c.user_id == user.user_id)
    rows, page = paginate(call.conn, query, keys.c.ssh_public_key_id, p)
    listed = [
        {"UserName": user.name, "SSHPublicKeyId": r.ssh_public_key_id, "Status": r.status, "UploadDate": r.uploaded_at}
        for r in rows
    ]
    return {"SSHPublicKeys": listed, **page}
