"""Sealed secrets are bound to their owner: a database edit that moves a row proves nothing.

An attacker with write access to the database (but not the master key) moves an access key's row
to another user, to the account's root or to another account, or an MFA device's row to another
user. The sealed secret no longer opens for the new owner, so the key authenticates as nobody
(InvalidClientTokenId, the answer for any unknown key) and the device's codes prove nothing
(AccessDenied, the answer for a wrong code). Moved back, both work again: it is the binding that
refuses them, not a damaged row.
"""

from __future__ import annotations

import base64
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from functional_helpers import as_creds, error

from iamd.testing import IamdServer


def code_at(seed: str, offset_seconds: float = 0) -> str:
    return pyotp.TOTP(seed).at(time.time() + offset_seconds)


def consecutive(seed: str, offset_seconds: float = 0) -> dict[str, str]:
    now = time.time() + offset_seconds  # one reading: two could straddle a step boundary
    return {"AuthenticationCode1": pyotp.TOTP(seed).at(now - 30), "AuthenticationCode2": pyotp.TOTP(seed).at(now)}


@pytest.fixture(autouse=True)
def _clean() -> None:
    """These tests run their own server on a data folder whose database they edit."""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[IamdServer]:
    with IamdServer(extra_args=["--data-dir", str(tmp_path / "data")], log_path=tmp_path / "iamd.log") as srv:
        yield srv


def _db(tmp_path: Path, sql: str, *args: object) -> None:
    with sqlite3.connect(tmp_path / "data" / "iamd.db") as conn:
        assert conn.execute(sql, args).rowcount == 1


def _identity(server: IamdServer, key: dict[str, Any]) -> Any:
    return as_creds(server, "sts", key).get_caller_identity()


def test_an_access_key_moved_to_another_owner_authenticates_as_nobody(server: IamdServer, tmp_path: Path) -> None:
    iam = server.client("iam")
    alice = iam.create_user(UserName="alice")["User"]
    bob = iam.create_user(UserName="bob")["User"]
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    assert _identity(server, key)["Arn"].endswith(":user/alice")
    out = subprocess.run([sys.executable, "-m", "iamd.cli", "account", "create", "--data-dir", str(tmp_path / "data"),
                          "--new-account-id", "210987654321"], capture_output=True, text=True, check=True)
    assert "account: 210987654321" in out.stdout
    moves = {
        "another user": ("user_id", bob["UserId"]),
        "the account's root": ("user_id", None),
        "another account": ("account_id", "210987654321"),
    }
    for what, (column, value) in moves.items():
        _db(tmp_path, f"UPDATE access_keys SET {column} = ? WHERE access_key_id = ?", value, key["AccessKeyId"])
        err = error(_identity, server=server, key=key)
        assert err["Code"] == "InvalidClientTokenId", (what, err)
        # And back: the row itself is intact.
        _db(tmp_path, "UPDATE access_keys SET user_id = ?, account_id = ? WHERE access_key_id = ?",
            alice["UserId"], server.account_id, key["AccessKeyId"])
        assert _identity(server, key)["Arn"].endswith(":user/alice")


def test_an_mfa_device_moved_to_another_user_proves_nothing(server: IamdServer, tmp_path: Path) -> None:
    iam = server.client("iam")
    alice = iam.create_user(UserName="alice")["User"]
    bob = iam.create_user(UserName="bob")["User"]
    for name in ("alice", "bob"):
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument='{"Version":"2012-10-17","Statement":'
                            '[{"Effect":"Allow","Action":"*","Resource":"*"}]}')
    alice_key = iam.create_access_key(UserName="alice")["AccessKey"]
    bob_key = iam.create_access_key(UserName="bob")["AccessKey"]
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice")["VirtualMFADevice"]
    serial, seed = device["SerialNumber"], device["Base32StringSeed"].decode()
    iam.enable_mfa_device(UserName="alice", SerialNumber=serial, **consecutive(seed))

    _db(tmp_path, "UPDATE mfa_devices SET user_id = ? WHERE serial_number = ?", bob["UserId"], serial)
    bob_sts = as_creds(server, "sts", bob_key)
    err = error(bob_sts.get_session_token, SerialNumber=serial, TokenCode=code_at(seed, 30))
    assert err["Code"] == "AccessDenied", err
    # Nor can bob deactivate it and take it over: deactivation keeps the unusable seed.
    as_creds(server, "iam", bob_key).deactivate_mfa_device(UserName="bob", SerialNumber=serial)
    err = error(as_creds(server, "iam", bob_key).enable_mfa_device, UserName="bob", SerialNumber=serial,
                **consecutive(seed, 60))
    assert err["Code"] == "InvalidAuthenticationCode", err

    # The real holder's device, untouched, still works after being moved back.
    device2 = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice2")["VirtualMFADevice"]
    seed2 = device2["Base32StringSeed"].decode()
    iam.enable_mfa_device(UserName="alice", SerialNumber=device2["SerialNumber"], **consecutive(seed2))
    _db(tmp_path, "UPDATE mfa_devices SET user_id = ? WHERE serial_number = ?", bob["UserId"], device2["SerialNumber"])
    _db(tmp_path, "UPDATE mfa_devices SET user_id = ? WHERE serial_number = ?", alice["UserId"], device2["SerialNumber"])
    creds = as_creds(server, "sts", alice_key).get_session_token(
        SerialNumber=device2["SerialNumber"], TokenCode=code_at(seed2, 30)
    )["Credentials"]
    assert creds["SessionToken"]


def test_secrets_sealed_before_encryption_contexts_are_upgraded_at_start(server: IamdServer, tmp_path: Path) -> None:
    """A data folder from an earlier version: version-1 blobs, bound to the key id only. The first
    start re-seals them with their context, so the keys keep working and are bound from then on."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from iamd.auth.secretbox import derive_key

    iam = server.client("iam")
    iam.create_user(UserName="alice")
    bob = iam.create_user(UserName="bob")["User"]
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    server.stop()
    master = base64.b64decode((tmp_path / "data" / "master.key").read_text())
    nonce = os.urandom(12)
    legacy = b"\x01" + nonce + AESGCM(derive_key(master, "secretbox")).encrypt(
        nonce, key["SecretAccessKey"].encode(), b"\x01" + key["AccessKeyId"].encode()
    )
    _db(tmp_path, "UPDATE access_keys SET secret_sealed = ? WHERE access_key_id = ?", legacy, key["AccessKeyId"])
    server.start()
    assert _identity(server, key)["Arn"].endswith(":user/alice")
    _db(tmp_path, "UPDATE access_keys SET user_id = ? WHERE access_key_id = ?", bob["UserId"], key["AccessKeyId"])
    assert error(_identity, server=server, key=key)["Code"] == "InvalidClientTokenId"
