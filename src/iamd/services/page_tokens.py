"""Opaque, tamper-proof continuation tokens (``NextToken``) for the JSON services' listings.

A token is a position (the keyset key of the page's last item) plus a digest of the query it
belongs to (account, operation, filters), base64url-encoded and authenticated with an HMAC under
a key derived from the master key for one purpose. A forged or edited token, one replayed with
other parameters or by another account, opens to None: the caller answers its service's error
(CloudTrail's ``InvalidNextTokenException``, Organizations' ``InvalidInputException``
``INVALID_NEXT_TOKEN``) rather than a page of something else. The position is not secret (it is
an id or a time the caller saw), so it is only authenticated, not encrypted.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import json
from typing import Any

from iamd.auth.secretbox import derive_key

_MAC_CHARS = 32


class TokenSealer:
    """Tokens of one purpose (``cloudtrail-next-token``, ``organizations-next-token``)."""

    def __init__(self, master_key: bytes, purpose: str) -> None:
        self._key = derive_key(master_key, purpose)

    def seal(self, position: Any, query: Any) -> str:
        body = base64.urlsafe_b64encode(json.dumps([position, query_digest(query)]).encode()).decode()
        return f"{body}.{self._mac(body)}"

    def open(self, token: str, query: Any) -> tuple[Any, bool] | None:
        """``(position, same_query)`` of an authentic token, or None. ``same_query`` is False for a
        token this server issued for another query (the caller may word that error apart)."""
        body, _, mac = token.rpartition(".")
        if not body or not hmac.compare_digest(mac.encode(), self._mac(body).encode()):
            return None
        try:
            position, digest = json.loads(base64.urlsafe_b64decode(body.encode()))
        except (ValueError, TypeError, binascii.Error):
            return None
        return position, hmac.compare_digest(str(digest), query_digest(query))

    def _mac(self, body: str) -> str:
        return hmac.new(self._key, body.encode(), hashlib.sha256).hexdigest()[:_MAC_CHARS]


def query_digest(query: Any) -> str:
    text = json.dumps(query, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@functools.lru_cache(maxsize=16)
def sealer(master_key: bytes, purpose: str) -> TokenSealer:
    """The process's sealer of a purpose: the key is derived once, not per request."""
    return TokenSealer(master_key, purpose)
