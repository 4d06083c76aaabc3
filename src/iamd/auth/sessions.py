"""Temporary credentials that any node verifies from the token alone, without a database read.

A session token is the session's claims, sealed (AES-256-GCM) under a key derived from the
master key (``derive_key(master, "session-token")``)::

    token = base64( version (1) | key id (4) | nonce (12) | ciphertext | GCM tag (16) )
    plaintext = zlib( JSON of the claims, short keys, datetimes as epoch seconds )
    associated data = version | key id | the ASIA access key id

The access key id is associated data, not payload: a token opens only together with the key id it
was issued with, so it cannot be replayed under another. The key id (first 4 bytes of SHA-256 of
the derived key) names the master key that sealed the token, which makes the master key
rotatable (README, "Rotating the master key"): new tokens are sealed with the current key
(``IAMD_MASTER_KEY``); tokens sealed with a key in ``IAMD_NEXT_MASTER_KEYS`` (deployed ahead of its
promotion) or ``IAMD_PREVIOUS_MASTER_KEYS`` (retired) open too. What an old key can no longer do —
mint a long, future-dated or post-retirement token — is ``session_keyring``'s.

Compressing before encrypting can leak plaintext through the ciphertext's length (CRIME), but only
secrets the observer does not know are at risk, and everything in a token — the secret access key
included — is handed to whoever receives the token anyway.

``open_session`` raises exactly two errors, as AWS does: ``InvalidClientTokenId`` for anything that
is not a token this server sealed for that access key id (garbage, truncated, tampered, unknown
key id, wrong access key id), and ``ExpiredToken`` once the session has expired.

Access key ids of sessions carry the owning account the way AWS's do (40 bits of the base32 body,
the rest random), so ``GetAccessKeyInfo`` answers for an ``ASIA`` key with nothing stored.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import zlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidTag

from iamd.auth.caller import Caller
from iamd.auth.ids import new_secret_access_key
from iamd.auth.secretbox import (
    PREVIOUS_MASTER_KEYS_ENV,
    next_master_keys_from_env,
    previous_master_keys_from_env,
)
from iamd.auth.session_claims import ASSUMED_ROLE, FEDERATED_USER, ROOT_SESSION, SESSION_TOKEN, SessionClaims
from iamd.auth.session_keyring import KEY_ID_BYTES, SessionKeyring
from iamd.errors import ExpiredToken, InvalidClientTokenId

__all__ = [
    "PREVIOUS_MASTER_KEYS_ENV",
    "SessionKeyring",
    "account_of_access_key_id",
    "caller_from_claims",
    "issue",
    "keyring_from_env",
    "new_session_access_key_id",
    "open_session",
    "seal",
]

_VERSION = 1
_KEY_ID_BYTES = KEY_ID_BYTES
_NONCE_BYTES = 12
_TAG_BYTES = 16
_HEADER_BYTES = 1 + _KEY_ID_BYTES
_MIN_BYTES = _HEADER_BYTES + _NONCE_BYTES + _TAG_BYTES
# Far above any token issue() makes (a 2,048-character policy and 50 full-size tags seal to a few
# KB); refusing longer input up front bounds the work an unauthenticated request can cause.
MAX_TOKEN_CHARS = 16384
_MAX_PLAINTEXT = 65536
# Appended only: a token stores the index of its kind.
_KINDS = (ASSUMED_ROLE, FEDERATED_USER, SESSION_TOKEN, ROOT_SESSION)


def keyring_from_env(master: bytes, environ: Mapping[str, str]) -> SessionKeyring:
    """The current master key plus ``IAMD_NEXT_MASTER_KEYS`` and ``IAMD_PREVIOUS_MASTER_KEYS``."""
    return SessionKeyring(master, [*next_master_keys_from_env(environ), *previous_master_keys_from_env(environ)])


# --- access key ids ---------------------------------------------------------------------------

_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_ACCOUNT_MASK = (1 << 40) - 1


def new_session_access_key_id(account_id: str) -> str:
    """``ASIA`` + 16 base32 characters whose bits 8..47 hold the account id, as in AWS's key ids."""
    account = int(account_id) & _ACCOUNT_MASK
    head = (secrets.randbits(1) << 47) | (account << 7) | secrets.randbits(7)
    body = head.to_bytes(6, "big") + secrets.token_bytes(4)
    return "ASIA" + base64.b32encode(body).decode()


def account_of_access_key_id(access_key_id: str) -> str | None:
    """The account id an AWS-format key id encodes, or None if it is not one (AWS's layout)."""
    body = access_key_id[4:]
    prefix = access_key_id[:4]
    if (
        len(access_key_id) != 20
        or not (prefix.isascii() and prefix.isalpha() and prefix.isupper())
        or any(c not in _B32 for c in body)
    ):
        return None
    head = int.from_bytes(base64.b32decode(body)[:6], "big")
    return f"{(head >> 7) & _ACCOUNT_MASK:012d}"


# --- sealing ----------------------------------------------------------------------------------


def _epoch(when: datetime) -> int:
    return int(when.timestamp())


def _from_epoch(value: Any) -> datetime:
    if type(value) is not int:
        raise ValueError("not an epoch")
    return datetime.fromtimestamp(value, UTC)


def _pack(c: SessionClaims) -> bytes:
    out: dict[str, Any] = {
        "k": _KINDS.index(c.kind),
        "a": c.account_id,
        "s": c.secret_access_key,
        "i": _epoch(c.issued_at),
        "e": _epoch(c.expires_at),
        "n": c.arn,
        "p": c.principal_id,
        "sa": c.source_arn,
        "si": c.source_id,
    }
    optional: dict[str, Any] = {
        "sn": c.session_name,
        "po": c.policy,
        "pa": list(c.policy_arns),
        "t": [list(t) for t in c.tags],
        "tt": list(c.transitive_tag_keys),
        "id": c.source_identity,
        "m": c.mfa_authenticated,
        "mt": _epoch(c.mfa_auth_time) if c.mfa_auth_time else None,
        "c": c.chained,
        "x": dict(c.extra),
    }
    # Leave out what is absent (None, empty, False); "" is a value and is kept.
    out.update(
        (k, v) for k, v in optional.items() if v is not None and v is not False and v != [] and v != {}
    )
    return zlib.compress(json.dumps(out, separators=(",", ":"), ensure_ascii=False).encode(), 9)


def _str(d: dict[str, Any], key: str, required: bool = True) -> Any:
    value = d.get(key)
    if value is None and not required:
        return None
    if type(value) is not str:
        raise ValueError(key)
    return value


def _strs(d: dict[str, Any], key: str) -> tuple[str, ...]:
    value = d.get(key, [])
    if type(value) is not list or any(type(v) is not str for v in value):
        raise ValueError(key)
    return tuple(value)


def _unpack(plaintext: bytes, access_key_id: str) -> SessionClaims:
    inflater = zlib.decompressobj()
    raw = inflater.decompress(plaintext, _MAX_PLAINTEXT)
    if inflater.unconsumed_tail or not inflater.eof:
        raise ValueError("claims too large or incomplete")
    d = json.loads(raw)
    if type(d) is not dict:
        raise ValueError("claims")
    kind = d.get("k")
    if type(kind) is not int or not 0 <= kind < len(_KINDS):
        raise ValueError("kind")
    tags = d.get("t", [])
    if type(tags) is not list or any(
        type(t) is not list or len(t) != 2 or any(type(v) is not str for v in t) for t in tags
    ):
        raise ValueError("tags")
    extra = d.get("x", {})
    if type(extra) is not dict or any(type(v) is not str for v in extra.values()):
        raise ValueError("extra")
    flags = [d.get("m", False), d.get("c", False)]
    if any(type(f) is not bool for f in flags):
        raise ValueError("flags")
    return SessionClaims(
        kind=_KINDS[kind],
        account_id=_str(d, "a"),
        access_key_id=access_key_id,
        secret_access_key=_str(d, "s"),
        issued_at=_from_epoch(d.get("i")),
        expires_at=_from_epoch(d.get("e")),
        arn=_str(d, "n"),
        principal_id=_str(d, "p"),
        source_arn=_str(d, "sa"),
        source_id=_str(d, "si"),
        session_name=_str(d, "sn", required=False),
        policy=_str(d, "po", required=False),
        policy_arns=_strs(d, "pa"),
        tags=tuple((k, v) for k, v in tags),
        transitive_tag_keys=_strs(d, "tt"),
        source_identity=_str(d, "id", required=False),
        mfa_authenticated=flags[0],
        mfa_auth_time=_from_epoch(d["mt"]) if "mt" in d else None,
        chained=flags[1],
        extra=dict(extra),
    )


def _aad(header: bytes, access_key_id: str) -> bytes:
    return header + access_key_id.encode("utf-8")


def seal(keyring: SessionKeyring, claims: SessionClaims) -> str:
    """The session token for ``claims``, sealed with the keyring's current key."""
    key_id, aead = keyring.current()
    header = bytes([_VERSION]) + key_id
    nonce = secrets.token_bytes(_NONCE_BYTES)
    sealed = aead.encrypt(nonce, _pack(claims), _aad(header, claims.access_key_id))
    return base64.b64encode(header + nonce + sealed).decode("ascii")


def _whole_seconds(when: datetime) -> datetime:
    return when.astimezone(UTC).replace(microsecond=0)


def issue(
    keyring: SessionKeyring,
    *,
    kind: str,
    account_id: str,
    issued_at: datetime,
    expires_at: datetime,
    arn: str,
    principal_id: str,
    source_arn: str,
    source_id: str,
    session_name: str | None = None,
    policy: str | None = None,
    policy_arns: Sequence[str] = (),
    tags: Sequence[tuple[str, str]] = (),
    transitive_tag_keys: Sequence[str] = (),
    source_identity: str | None = None,
    mfa_authenticated: bool = False,
    mfa_auth_time: datetime | None = None,
    chained: bool = False,
    extra: Mapping[str, str] | None = None,
) -> tuple[SessionClaims, str]:
    """New credentials: an ``ASIA`` key id of ``account_id``, a secret, and the sealed token.

    Times are kept to whole seconds (the token stores epoch seconds), so the claims returned are
    exactly what ``open_session`` gives back.
    """
    if kind not in _KINDS:
        raise ValueError(f"unknown session kind {kind!r}")
    claims = SessionClaims(
        kind=kind,
        account_id=account_id,
        access_key_id=new_session_access_key_id(account_id),
        secret_access_key=new_secret_access_key(),
        issued_at=_whole_seconds(issued_at),
        expires_at=_whole_seconds(expires_at),
        arn=arn,
        principal_id=principal_id,
        source_arn=source_arn,
        source_id=source_id,
        session_name=session_name,
        policy=policy,
        policy_arns=tuple(policy_arns),
        tags=tuple((k, v) for k, v in tags),
        transitive_tag_keys=tuple(transitive_tag_keys),
        source_identity=source_identity,
        mfa_authenticated=mfa_authenticated,
        mfa_auth_time=_whole_seconds(mfa_auth_time) if mfa_auth_time else None,
        chained=chained,
        extra=dict(extra or {}),
    )
    return claims, seal(keyring, claims)


def open_session(token: str, access_key_id: str, keyring: SessionKeyring, now: datetime) -> SessionClaims:
    """The claims of a token this server sealed for ``access_key_id``; AWS's two errors otherwise.

    A token that opens but whose claims no server seals — longer than AWS allows, issued in the
    future, or sealed under a retired key after its retirement (``session_keyring``) — is a
    forgery by someone holding an old key: InvalidClientTokenId, like any other forgery."""
    opened = _open(token, access_key_id, keyring)
    if opened is None or not keyring.acceptable(opened[0], opened[1], now):
        raise InvalidClientTokenId()
    claims = opened[1]
    if now >= claims.expires_at:
        raise ExpiredToken()
    return claims


def _open(token: Any, access_key_id: Any, keyring: SessionKeyring) -> tuple[bytes, SessionClaims] | None:
    # INVARIANT: returns None (never raises) for every input that is not an intact token.
    if type(token) is not str or type(access_key_id) is not str or len(token) > MAX_TOKEN_CHARS:
        return None
    try:
        blob = base64.b64decode(token.encode("ascii"), validate=True)
        aad = _aad(blob[:_HEADER_BYTES], access_key_id)
    except (binascii.Error, ValueError, UnicodeError):
        return None
    if len(blob) < _MIN_BYTES or blob[0] != _VERSION:
        return None
    key_id = blob[1:_HEADER_BYTES]
    aead = keyring.get(key_id)
    if aead is None:
        return None
    nonce = blob[_HEADER_BYTES : _HEADER_BYTES + _NONCE_BYTES]
    try:
        plaintext = aead.decrypt(nonce, blob[_HEADER_BYTES + _NONCE_BYTES :], aad)
    except InvalidTag:
        return None
    try:
        return key_id, _unpack(plaintext, access_key_id)
    except (ValueError, TypeError, KeyError, OverflowError, OSError, zlib.error, RecursionError):
        # Authentic but unreadable: only a bug or a foreign build with the same key gets here.
        return None


def caller_from_claims(claims: SessionClaims, session_token: str) -> Caller:
    """The principal a request signed with these temporary credentials acts as.

    GetSessionToken credentials act as the IAM user (or root) that got them; the other kinds act
    as the session principal (``assumed-role`` / ``federated-user``).
    """
    if claims.kind == SESSION_TOKEN:
        is_root = claims.source_id == claims.account_id
        kind = "root" if is_root else "user"
        user_name = None if is_root else claims.arn.rsplit("/", 1)[-1]
    elif claims.kind == ROOT_SESSION:
        # AssumeRoot: the member account's root user, limited by the session's task policy.
        kind, user_name = "root", None
    else:
        kind, user_name = claims.kind, None
    return Caller(
        account_id=claims.account_id,
        arn=claims.arn,
        user_id=claims.principal_id,
        kind=kind,
        access_key_id=claims.access_key_id,
        user_name=user_name,
        session_token=session_token,
        session=claims,
    )
