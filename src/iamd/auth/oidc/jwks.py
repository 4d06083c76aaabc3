"""An issuer's signing keys: discovered, fetched, cached, rotated — or registered, for air gaps.

For an issuer ``https://HOST/PATH`` the keys come from ``https://HOST/PATH/.well-known/
openid-configuration`` → its ``jwks_uri`` (OpenID Connect Discovery 1.0, §4), both fetched by
``fetch.https_get_json`` with its limits. The discovery document's ``issuer`` must be the issuer
itself (Discovery §4.3), and ``jwks_uri`` an https URL.

Caching (``JwksCache``): a key set is kept for ``ttl`` seconds per (issuer, thumbprints) — the
thumbprints take part because they decide which servers are believed. A token whose ``kid`` is
not in the cached set makes one refetch (the issuer rotated its keys), at most once per
``refetch_interval`` per issuer, so a stream of tokens with made-up ``kid``s costs one fetch a
minute, not one per call. A failed fetch is remembered for ``failure_backoff`` seconds, during
which calls fail at once instead of each waiting on the network; a set that cannot be refreshed
is used for up to ``stale_limit`` seconds past its ``ttl`` (an IdP blip does not stop sign-ins).
One lock per issuer: concurrent first calls wait for one fetch.

Registered key sets (``--oidc-jwks HOST/PATH=FILE``): for installs that cannot reach the issuer
(air-gapped, tests), the JWKS file given for that issuer is used and nothing is fetched.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jwt import PyJWK
from jwt.exceptions import PyJWKError

from iamd.auth.federation_errors import IDPCommunicationError
from iamd.auth.oidc.fetch import Fetched, FetchError, https_get_json, ssl_context

__all__ = ["KeySet", "JwksCache", "parse_jwks", "load_registered"]

log = logging.getLogger("iamd.oidc")

MAX_DOCUMENT_BYTES = 65536
MAX_KEYS = 100
REGISTERED = "Registered"


@dataclass(frozen=True)
class KeySet:
    """Usable signature keys by ``kid`` (``None`` for keys without one), and how they were obtained."""

    keys: tuple[tuple[str | None, PyJWK], ...]
    fetched_at: float
    method: str

    def find(self, kid: str | None) -> list[PyJWK]:
        return [key for key_id, key in self.keys if key_id == kid]

    def has(self, kid: str | None) -> bool:
        return any(key_id == kid for key_id, _ in self.keys)


def parse_jwks(document: Mapping[str, Any], fetched_at: float, method: str) -> KeySet:
    """The signing keys of a JWKS (RFC 7517 §5); keys that are not for signatures, or that PyJWT
    cannot load as asymmetric keys, are left out. Symmetric (``oct``) keys never are: an issuer's
    public JWKS can only hold public keys."""
    raw = document.get("keys")
    if not isinstance(raw, list):
        raise FetchError("JWKS without a keys array")
    out: list[tuple[str | None, PyJWK]] = []
    for entry in raw[:MAX_KEYS]:
        if not isinstance(entry, dict) or entry.get("kty") not in ("RSA", "EC", "OKP"):
            continue
        if entry.get("use", "sig") != "sig" or any(k in entry for k in ("d", "p", "q", "k")):
            continue  # an encryption key, or private material that has no place in a JWKS
        kid = entry.get("kid")
        try:
            key = PyJWK(entry)
        except (PyJWKError, ValueError, TypeError):
            continue
        out.append((kid if isinstance(kid, str) else None, key))
    return KeySet(tuple(out), fetched_at, method)


def load_registered(pairs: Mapping[str, str]) -> dict[str, KeySet]:
    """``{"HOST/PATH": "/path/to/jwks.json"}`` → key sets, read once at start-up (a bad file is
    an error then, not at the first sign-in)."""
    out: dict[str, KeySet] = {}
    for issuer, path in pairs.items():
        document = json.loads(Path(path).read_text(encoding="utf-8"))
        keys = parse_jwks(document, 0.0, REGISTERED)
        if not keys.keys:
            raise ValueError(f"{path}: no usable signing key for {issuer}")
        out[issuer.removeprefix("https://").rstrip("/")] = keys
    return out


@dataclass
class _Entry:
    keys: KeySet | None = None
    failed_at: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


Fetcher = Callable[..., Fetched]


class JwksCache:
    def __init__(
        self,
        *,
        ca_bundle: str | None = None,
        registered: Mapping[str, KeySet] | None = None,
        ttl: float = 3600.0,
        refetch_interval: float = 60.0,
        failure_backoff: float = 10.0,
        stale_limit: float = 86400.0,
        timeout: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        fetcher: Fetcher = https_get_json,
    ) -> None:
        self.context = ssl_context(ca_bundle)
        self.registered = dict(registered or {})
        self.ttl, self.refetch_interval = ttl, refetch_interval
        self.failure_backoff, self.stale_limit = failure_backoff, stale_limit
        self.timeout, self.clock, self.fetcher = timeout, clock, fetcher
        self._entries: dict[tuple[str, tuple[str, ...]], _Entry] = {}
        self._lock = threading.Lock()
        self.fetches = 0  # how many key-set fetches were made (tests, the benchmark)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def keys(self, issuer: str, thumbprints: tuple[str, ...], kid: str | None) -> KeySet:
        """The key set to verify a token with ``kid`` from ``issuer`` (``HOST/PATH``); raises
        IDPCommunicationError when there is none to be had."""
        registered = self.registered.get(issuer)
        if registered is not None:
            return registered
        with self._lock:
            entry = self._entries.setdefault((issuer, tuple(sorted(thumbprints))), _Entry())
        with entry.lock:
            now = self.clock()
            current = entry.keys
            fresh = current is not None and now - current.fetched_at < self.ttl
            rotated = current is not None and not current.has(kid) and now - current.fetched_at >= self.refetch_interval
            if not fresh or rotated:
                backing_off = entry.failed_at is not None and now - entry.failed_at < self.failure_backoff
                if not backing_off:
                    try:
                        entry.keys = self._fetch(issuer, thumbprints, now)
                        entry.failed_at = None
                    except FetchError as err:
                        log.warning("OIDC issuer %s: could not fetch its keys: %s", issuer, err)
                        entry.failed_at = now
            keys = entry.keys
            if keys is None or now - keys.fetched_at >= self.ttl + self.stale_limit:
                raise IDPCommunicationError()
            return keys

    def _fetch(self, issuer: str, thumbprints: tuple[str, ...], now: float) -> KeySet:
        self.fetches += 1
        base = f"https://{issuer}"
        limits = {"context": self.context, "thumbprints": thumbprints, "timeout": self.timeout,
                  "max_bytes": MAX_DOCUMENT_BYTES}
        discovery = self.fetcher(f"{base}/.well-known/openid-configuration", **limits)
        if discovery.document.get("issuer") not in (base, base + "/"):
            raise FetchError("the discovery document names another issuer")
        jwks_uri = discovery.document.get("jwks_uri")
        if not isinstance(jwks_uri, str) or not jwks_uri.startswith("https://"):
            raise FetchError("the discovery document has no https jwks_uri")
        jwks = self.fetcher(jwks_uri, **limits)
        method = discovery.method if discovery.method == jwks.method else "Thumbprint"
        return parse_jwks(jwks.document, now, method)
