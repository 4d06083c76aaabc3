"""SigV4 task 3 and 4: the signing key and the signature, with a bounded cache of signing keys.

The spec derives a signing key that depends only on the secret and the credential scope:

    kDate    = HMAC("AWS4" + kSecret, Date)
    kRegion  = HMAC(kDate, Region)
    kService = HMAC(kRegion, Service)
    kSigning = HMAC(kService, "aws4_request")
    signature = HexEncode(HMAC(kSigning, StringToSign))

A caller signs many requests a day with one scope, so caching kSigning turns five HMACs into one.
The cache is keyed by a SHA-256 digest of (access key id, secret), never the secret itself, so the
cache holds no plaintext secret and a rotated secret under the same key id misses. kSigning is
still secret material (valid for one day, one region, one service): it lives only in memory.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections import OrderedDict

DEFAULT_MAXSIZE = 4096


def derive_signing_key(secret_access_key: str, date: str, region: str, service: str) -> bytes:
    """kSigning, as the spec derives it."""
    k_date = hmac.digest(("AWS4" + secret_access_key).encode("utf-8"), date.encode("utf-8"), "sha256")
    k_region = hmac.digest(k_date, region.encode("utf-8"), "sha256")
    k_service = hmac.digest(k_region, service.encode("utf-8"), "sha256")
    return hmac.digest(k_service, b"aws4_request", "sha256")


def signature(signing_key: bytes, string_to_sign: str) -> str:
    """HexEncode(HMAC(kSigning, StringToSign))."""
    return hmac.digest(signing_key, string_to_sign.encode("utf-8"), "sha256").hex()


class SigningKeyCache:
    """A thread-safe LRU of signing keys keyed by (secret identity, date, region, service).

    Hits take no lock (dict reads and ``move_to_end`` are atomic under the GIL); inserts and
    evictions do, so the bound holds.
    """

    def __init__(self, maxsize: int = DEFAULT_MAXSIZE) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self._maxsize = maxsize
        self._keys: OrderedDict[tuple[bytes, str, str, str], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._keys)

    def get(self, access_key_id: str, secret_access_key: str, date: str, region: str, service: str) -> bytes:
        identity = hashlib.sha256(f"{access_key_id}\0{secret_access_key}".encode()).digest()
        cache_key = (identity, date, region, service)
        found = self._keys.get(cache_key)
        if found is not None:
            try:
                self._keys.move_to_end(cache_key)
            except KeyError:  # evicted by another thread meanwhile; the key is still right
                pass
            return found
        derived = derive_signing_key(secret_access_key, date, region, service)
        with self._lock:
            self._keys[cache_key] = derived
            while len(self._keys) > self._maxsize:
                self._keys.popitem(last=False)
        return derived

    def clear(self) -> None:
        with self._lock:
            self._keys.clear()
