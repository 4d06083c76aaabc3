"""Secrets at rest: AES-256-GCM under a key derived from the server's master key.

Secret access keys must be stored recoverable (SigV4 verification needs the plaintext secret), so
they are encrypted, not hashed. A sealed blob is::

    version (1 byte) | nonce (12 bytes, random) | ciphertext | GCM tag (16 bytes)

The associated data is the version byte plus the caller's ``aad``, an encryption context naming the
table, account, owner and id of the row (``sealed_context``): a ciphertext copied into another row,
or a row moved to another user or account, does not open there, and a blob cannot be relabelled with
another version. Version 1 blobs were bound to the row's id alone; they open only when the caller
passes that ``legacy_aad`` (the start-up upgrade, ``services/rotation.upgrade_legacy``, which
re-seals them as version 2). Random 96-bit nonces are safe for well under 2**32 seals per key (NIST SP 800-38D
section 8.3), far beyond the number of secrets one server stores.

Several master keys may open a blob (``previous``: the keys deployed ahead of a promotion,
``IAMD_NEXT_MASTER_KEYS``, and the retired ones, ``IAMD_PREVIOUS_MASTER_KEYS``); only the current
one seals. The master key is never used directly: ``derive_key`` (HKDF-SHA256, RFC 5869) gives each purpose
(this box, session tokens, audit digests) its own independent key. Nothing here logs a key.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = [
    "NEXT_MASTER_KEYS_ENV",
    "PREVIOUS_MASTER_KEYS_ENV",
    "KEY_BYTES",
    "MASTER_KEY_ENV",
    "SecretBox",
    "SecretBoxError",
    "derive_key",
    "fingerprint",
    "load_or_create_master_key",
    "is_legacy",
    "master_key_from_env_or_file",
    "next_master_keys_from_env",
    "previous_master_keys_from_env",
]

logger = logging.getLogger(__name__)

KEY_BYTES = 32
MASTER_KEY_ENV = "IAMD_MASTER_KEY"
_VERSION = 2
_LEGACY_VERSION = 1
_NONCE_BYTES = 12
_TAG_BYTES = 16


class SecretBoxError(Exception):
    """A blob did not open (wrong key, wrong aad, tampered or truncated) or a key is unusable."""


def derive_key(master: bytes, purpose: str, length: int = KEY_BYTES) -> bytes:
    """An independent key for one ``purpose`` (HKDF-SHA256 expand with info ``iamd:<purpose>``)."""
    _check_key(master)
    if not purpose:
        raise ValueError("a derived key needs a purpose")
    hkdf = HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=f"iamd:{purpose}".encode())
    return hkdf.derive(master)


class SecretBox:
    """Seal and open short secrets, each bound to the row it belongs to by ``aad``."""

    __slots__ = ("_aead", "_previous")

    def __init__(self, master_key: bytes, purpose: str = "secretbox", previous: Sequence[bytes] = ()) -> None:
        self._aead = AESGCM(derive_key(master_key, purpose))
        # After a master-key rotation, secrets sealed under earlier keys still open; they are
        # sealed anew under the current key whenever they are written again.
        self._previous = tuple(AESGCM(derive_key(key, purpose)) for key in previous)

    def __repr__(self) -> str:
        return "SecretBox(<key hidden>)"

    def seal(self, plaintext: str, aad: str) -> bytes:
        nonce = secrets.token_bytes(_NONCE_BYTES)
        header = bytes([_VERSION])
        sealed = self._aead.encrypt(nonce, plaintext.encode("utf-8"), header + aad.encode("utf-8"))
        return header + nonce + sealed

    def open(self, blob: bytes, aad: str, legacy_aad: str | None = None) -> str:
        """The plaintext of a version-2 blob sealed for ``aad``; a version-1 blob only with its
        ``legacy_aad`` (what it was bound to before encryption contexts)."""
        if len(blob) < 1 + _NONCE_BYTES + _TAG_BYTES:
            raise SecretBoxError("sealed secret is truncated")
        if blob[0] == _LEGACY_VERSION and legacy_aad is not None:
            aad = legacy_aad
        elif blob[0] != _VERSION:
            raise SecretBoxError(f"sealed secret has version {blob[0]}, not {_VERSION}")
        nonce = blob[1 : 1 + _NONCE_BYTES]
        for aead in (self._aead, *self._previous):
            try:
                plaintext = aead.decrypt(nonce, blob[1 + _NONCE_BYTES :], blob[:1] + aad.encode("utf-8"))
            except InvalidTag:
                continue
            return plaintext.decode("utf-8")
        raise SecretBoxError("sealed secret does not open: wrong key, wrong row or tampered")


def is_legacy(blob: bytes) -> bool:
    """A version-1 blob: bound to the row's id only, to be re-sealed with its full context."""
    return bool(blob) and blob[0] == _LEGACY_VERSION


def fingerprint(master: bytes) -> str:
    """A public name for a master key (16 hex digits of a derived value): what the database
    records about keys (promotion, retirement, which servers know it), never the key."""
    return derive_key(master, "fingerprint", 8).hex()


def _check_key(key: bytes) -> None:
    if not isinstance(key, bytes) or len(key) != KEY_BYTES:
        raise SecretBoxError(f"a master key is {KEY_BYTES} bytes")


def _decode_key(text: str | bytes, where: str) -> bytes:
    """Base64 of 32 bytes; the message names where the key came from, never its value."""
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise SecretBoxError(f"master key in {where} is not base64") from None
    if len(key) != KEY_BYTES:
        raise SecretBoxError(f"master key in {where} is not {KEY_BYTES} bytes")
    return key


def load_or_create_master_key(path: Path) -> bytes:
    """Read the master key file (base64 text), creating it with mode 0600 if missing.

    Creation is atomic and race-free: the key is written and fsynced to a private temporary file,
    then hard-linked into place, which fails if another process got there first (its key wins).
    """
    path = Path(path)
    if not path.exists():
        _create_key_file(path)
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        logger.warning("master key file %s is readable by others (mode %o); chmod 600 it", path, mode)
    return _decode_key(path.read_bytes(), str(path))


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(base64.b64encode(secrets.token_bytes(KEY_BYTES)) + b"\n")
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        logger.info("created master key file %s", path)
    finally:
        tmp.unlink(missing_ok=True)


def master_key_from_env_or_file(path: Path, environ: Mapping[str, str] | None = None) -> bytes:
    """``IAMD_MASTER_KEY`` (base64 of 32 bytes) if set, else the key file at ``path``."""
    env = os.environ if environ is None else environ
    value = env.get(MASTER_KEY_ENV)
    if value:
        return _decode_key(value, MASTER_KEY_ENV)
    return load_or_create_master_key(path)


def existing_master_key(path: Path) -> bytes:
    """For the offline commands: ``IAMD_MASTER_KEY`` or the key file at ``path``, never a new one
    (``OSError`` when neither is there: a command must not mint a key for a data folder)."""
    if not os.environ.get(MASTER_KEY_ENV) and not path.exists():
        raise OSError(f"no master key: set {MASTER_KEY_ENV} or provide {path}")
    return master_key_from_env_or_file(path)


PREVIOUS_MASTER_KEYS_ENV = "IAMD_PREVIOUS_MASTER_KEYS"
NEXT_MASTER_KEYS_ENV = "IAMD_NEXT_MASTER_KEYS"


def _keys_from_env(name: str, environ: Mapping[str, str] | None) -> list[bytes]:
    env = os.environ if environ is None else environ
    keys = []
    for n, text in enumerate(env.get(name, "").split(","), start=1):
        if text.strip():
            keys.append(_decode_key(text.strip(), f"key {n} of {name}"))
    return keys


def previous_master_keys_from_env(environ: Mapping[str, str] | None = None) -> list[bytes]:
    """Earlier master keys (``IAMD_PREVIOUS_MASTER_KEYS``: comma-separated base64), decrypt-only."""
    return _keys_from_env(PREVIOUS_MASTER_KEYS_ENV, environ)


def next_master_keys_from_env(environ: Mapping[str, str] | None = None) -> list[bytes]:
    """Keys deployed ahead of their promotion (``IAMD_NEXT_MASTER_KEYS``), decrypt-only: a rolling
    rotation first gives every server the new key this way, so that whatever a promoted server
    seals under it opens everywhere."""
    return _keys_from_env(NEXT_MASTER_KEYS_ENV, environ)


def opening_master_keys(environ: Mapping[str, str] | None = None) -> list[bytes]:
    """Keys that open but never seal: the next keys deployed ahead of their promotion, then the
    retired ones (README, "Rotating the master key")."""
    return [*next_master_keys_from_env(environ), *previous_master_keys_from_env(environ)]
