"""Secrets at rest: sealing, binding to a row, and the master key's life."""

from __future__ import annotations

import base64
import logging
import os
import stat
import threading

import pytest

from iamd.auth.secretbox import (
    MASTER_KEY_ENV,
    NEXT_MASTER_KEYS_ENV,
    SecretBox,
    SecretBoxError,
    derive_key,
    fingerprint,
    is_legacy,
    load_or_create_master_key,
    master_key_from_env_or_file,
    next_master_keys_from_env,
)

MASTER = bytes(range(32))
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
ROW = "AKIAIOSFODNN7EXAMPLE"


def test_round_trip():
    box = SecretBox(MASTER)
    blob = box.seal(SECRET, ROW)
    assert blob[0] == 2 and len(blob) == 1 + 12 + len(SECRET) + 16
    assert SECRET.encode() not in blob
    assert box.open(blob, ROW) == SECRET


def test_nonces_are_fresh():
    box = SecretBox(MASTER)
    assert box.seal(SECRET, ROW) != box.seal(SECRET, ROW)


def test_wrong_aad_fails():
    box = SecretBox(MASTER)
    with pytest.raises(SecretBoxError):
        box.open(box.seal(SECRET, ROW), "AKIAOTHERROW00000000")


def test_wrong_key_fails():
    blob = SecretBox(MASTER).seal(SECRET, ROW)
    with pytest.raises(SecretBoxError):
        SecretBox(bytes(32)).open(blob, ROW)


@pytest.mark.parametrize("index", [0, 1, 12, 13, -1])
def test_tampering_fails(index):
    blob = bytearray(SecretBox(MASTER).seal(SECRET, ROW))
    blob[index] ^= 0x01
    with pytest.raises(SecretBoxError):
        SecretBox(MASTER).open(bytes(blob), ROW)


def test_truncation_fails():
    blob = SecretBox(MASTER).seal(SECRET, ROW)
    for cut in (0, 5, 28, len(blob) - 1):
        with pytest.raises(SecretBoxError):
            SecretBox(MASTER).open(blob[:cut], ROW)


def test_purposes_give_independent_boxes_and_keys():
    assert derive_key(MASTER, "sessions") != derive_key(MASTER, "audit")
    assert len(derive_key(MASTER, "sessions")) == 32
    with pytest.raises(SecretBoxError):
        SecretBox(MASTER, purpose="other").open(SecretBox(MASTER).seal(SECRET, ROW), ROW)


@pytest.mark.parametrize("bad", [b"", bytes(31), bytes(33)])
def test_master_key_must_be_32_bytes(bad):
    with pytest.raises(SecretBoxError):
        SecretBox(bad)


def test_repr_hides_the_key():
    assert MASTER.hex() not in repr(SecretBox(MASTER))


def test_key_file_is_created_private_and_reused(tmp_path, caplog):
    path = tmp_path / "state" / "master.key"
    with caplog.at_level(logging.DEBUG):
        key = load_or_create_master_key(path)
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_master_key(path) == key
    assert base64.b64encode(key).decode() not in caplog.text
    assert [p.name for p in path.parent.iterdir()] == ["master.key"]


def test_concurrent_creation_agrees(tmp_path):
    path = tmp_path / "master.key"
    keys: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: keys.append(load_or_create_master_key(path))) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(keys)) == 1


def test_loose_permissions_warn(tmp_path, caplog):
    path = tmp_path / "master.key"
    load_or_create_master_key(path)
    os.chmod(path, 0o644)
    with caplog.at_level(logging.WARNING):
        load_or_create_master_key(path)
    assert "readable by others" in caplog.text


def test_corrupt_key_file(tmp_path):
    path = tmp_path / "master.key"
    path.write_text("not base64!!")
    with pytest.raises(SecretBoxError, match="not base64"):
        load_or_create_master_key(path)
    path.write_text(base64.b64encode(bytes(16)).decode())
    with pytest.raises(SecretBoxError, match="not 32 bytes"):
        load_or_create_master_key(path)


def test_env_wins_over_file(tmp_path):
    env = {MASTER_KEY_ENV: base64.b64encode(MASTER).decode()}
    assert master_key_from_env_or_file(tmp_path / "master.key", env) == MASTER
    assert not (tmp_path / "master.key").exists()


def test_env_missing_falls_back_to_file(tmp_path):
    key = master_key_from_env_or_file(tmp_path / "master.key", {})
    assert key == load_or_create_master_key(tmp_path / "master.key")


def test_bad_env_key_does_not_echo_it(tmp_path):
    value = base64.b64encode(bytes(20)).decode()
    with pytest.raises(SecretBoxError) as err:
        master_key_from_env_or_file(tmp_path / "master.key", {MASTER_KEY_ENV: value})
    assert value not in str(err.value) and MASTER_KEY_ENV in str(err.value)


def test_previous_master_keys_still_open_after_rotation() -> None:
    import os as _os

    from iamd.auth.secretbox import SecretBox as Box
    from iamd.auth.secretbox import previous_master_keys_from_env

    old, new = _os.urandom(32), _os.urandom(32)
    sealed = Box(old).seal("secret", aad="AKIA1")
    env = {"IAMD_PREVIOUS_MASTER_KEYS": __import__("base64").b64encode(old).decode()}
    rotated = Box(new, previous=previous_master_keys_from_env(env))
    assert rotated.open(sealed, aad="AKIA1") == "secret"
    resealed = rotated.seal("secret", aad="AKIA1")
    assert Box(new).open(resealed, aad="AKIA1") == "secret"


# --- versions, fingerprints, next keys ---------------------------------------------------------


def _legacy_blob(master: bytes, plaintext: str, aad: str) -> bytes:
    """A version-1 blob, as servers sealed before encryption contexts."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    return b"\x01" + nonce + AESGCM(derive_key(master, "secretbox")).encrypt(nonce, plaintext.encode(), b"\x01" + aad.encode())


def test_a_version_1_blob_opens_only_with_its_legacy_binding():
    blob = _legacy_blob(MASTER, SECRET, ROW)
    assert is_legacy(blob) and not is_legacy(SecretBox(MASTER).seal(SECRET, ROW))
    with pytest.raises(SecretBoxError):
        SecretBox(MASTER).open(blob, aad=ROW)  # the normal path refuses version 1
    assert SecretBox(MASTER).open(blob, aad="context", legacy_aad=ROW) == SECRET
    with pytest.raises(SecretBoxError):
        SecretBox(MASTER).open(blob, aad="context", legacy_aad="AKIAOTHERROW00000000")


def test_a_version_2_blob_cannot_be_relabelled_version_1():
    blob = bytearray(SecretBox(MASTER).seal(SECRET, ROW))
    blob[0] = 1
    with pytest.raises(SecretBoxError):
        SecretBox(MASTER).open(bytes(blob), aad=ROW, legacy_aad=ROW)


def test_fingerprints_name_keys_without_revealing_them():
    other = os.urandom(32)
    assert fingerprint(MASTER) == fingerprint(MASTER) != fingerprint(other)
    assert len(fingerprint(MASTER)) == 16 and MASTER.hex()[:16] not in fingerprint(MASTER)


def test_next_keys_are_read_like_previous_ones_without_echoing_them():
    key = base64.b64encode(os.urandom(32)).decode()
    assert next_master_keys_from_env({NEXT_MASTER_KEYS_ENV: f" {key}, "}) == [base64.b64decode(key)]
    with pytest.raises(SecretBoxError) as err:
        next_master_keys_from_env({NEXT_MASTER_KEYS_ENV: "c2hvcnQ="})
    assert "c2hvcnQ" not in str(err.value) and NEXT_MASTER_KEYS_ENV in str(err.value)
