"""The keys that seal and open session tokens, and the rules that keep an old key from forging.

A token is sealed under a key derived from one master key; any key the server holds opens it. A
key that opens tokens would, in the wrong hands, also *make* them — so a token that opens is
still refused (``InvalidClientTokenId``, as AWS answers any token it did not issue) when its claims
are ones no server ever sealed:

- **longer than AWS allows** for its kind: 36 hours for GetSessionToken and GetFederationToken
  (1 hour when root asked), 12 hours for a role session (AssumeRole's upper bound for any role's
  MaxSessionDuration), 1 hour for a chained role session, 15 minutes for a root session
  (AssumeRoot's ``DurationSeconds`` at most 900);
- **issued in the future**, beyond ``CLOCK_SKEW`` (five minutes, the clock difference that
  Kerberos tolerates between hosts; NTP keeps servers far closer, and five minutes is the most a
  forger gains);
- **sealed under a retired master key, but issued after its retirement** (plus the skew). A key is
  retired when ``iamd keys reseal`` has moved every stored secret off it, which it does only once
  every running server seals with the new key; the database records the time
  (``services/master_keys``) and each server reads it at start and every heartbeat. So once the
  longest session issued before the retirement has expired, the old key cannot make a token
  anyone accepts, even if it leaks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from iamd.auth.secretbox import derive_key, fingerprint
from iamd.auth.session_claims import ASSUMED_ROLE, FEDERATED_USER, ROOT_SESSION, SESSION_TOKEN, SessionClaims

__all__ = ["CLOCK_SKEW", "PURPOSE", "SessionKeyring", "max_lifetime"]

PURPOSE = "session-token"
KEY_ID_BYTES = 4
CLOCK_SKEW = timedelta(minutes=5)
# AWS's upper bounds (GetSessionToken, GetFederationToken: 129,600 s; AssumeRole: 43,200 s; role
# chaining and root's GetSessionToken/GetFederationToken: 3,600 s).
_LONGEST = {
    SESSION_TOKEN: timedelta(hours=36),
    FEDERATED_USER: timedelta(hours=36),
    ASSUMED_ROLE: timedelta(hours=12),
}
_CHAINED = timedelta(hours=1)
_ROOT = timedelta(hours=1)
_ROOT_SESSION = timedelta(minutes=15)


def max_lifetime(claims: SessionClaims) -> timedelta:
    """The longest session AWS issues of this kind, for this issuer."""
    if claims.kind == ASSUMED_ROLE:
        return _CHAINED if claims.chained else _LONGEST[ASSUMED_ROLE]
    if claims.kind == ROOT_SESSION:
        return _ROOT_SESSION
    if claims.source_id == claims.account_id:  # root's own GetSessionToken / GetFederationToken
        return _ROOT
    return _LONGEST[claims.kind]


class SessionKeyring:
    """The key that seals new tokens and every key that may still open old ones, by key id."""

    __slots__ = ("_current_id", "_fingerprints", "_keys", "_retired")

    def __init__(self, current: bytes, previous: Sequence[bytes] = ()) -> None:
        self._keys: dict[bytes, AESGCM] = {}
        self._fingerprints: dict[bytes, str] = {}
        self._retired: dict[bytes, datetime] = {}
        self._current_id = self._add(current)
        for master in previous:
            self._add(master)

    def _add(self, master: bytes) -> bytes:
        derived = derive_key(master, PURPOSE)
        key_id = hashlib.sha256(derived).digest()[:KEY_ID_BYTES]
        if key_id not in self._keys:
            self._keys[key_id] = AESGCM(derived)
            self._fingerprints[key_id] = fingerprint(master)
        return key_id

    def __repr__(self) -> str:
        return f"SessionKeyring(<{len(self._keys)} keys hidden>)"

    @property
    def current_key_id(self) -> bytes:
        return self._current_id

    def current(self) -> tuple[bytes, AESGCM]:
        return self._current_id, self._keys[self._current_id]

    def get(self, key_id: bytes) -> AESGCM | None:
        return self._keys.get(key_id)

    def set_retirements(self, retired_at: Mapping[str, datetime]) -> None:
        """When each master key (by ``fingerprint``) was retired, as the database records it."""
        # One assignment: a request on another thread sees the old map or the new one.
        self._retired = {
            key_id: retired_at[fp] for key_id, fp in self._fingerprints.items() if fp in retired_at
        }

    def acceptable(self, key_id: bytes, claims: SessionClaims, now: datetime) -> bool:
        """Whether a token that opened under ``key_id`` carries claims some server really sealed."""
        lifetime = claims.expires_at - claims.issued_at
        if lifetime <= timedelta(0) or lifetime > max_lifetime(claims):
            return False
        if claims.issued_at > now + CLOCK_SKEW:
            return False
        retired = self._retired.get(key_id)
        return retired is None or claims.issued_at <= retired + CLOCK_SKEW
