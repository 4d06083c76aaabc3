"""The plain data SigV4 verification works on: a received request, and the signature it claims.

Kept apart from ``sigv4`` so the parser and the verifier share them without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from iamd.auth.canonical import credential_scope


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """A request as received: raw path and query (still percent-encoded), headers as sent."""

    method: str
    path: str
    query_string: str
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True, slots=True)
class SigV4Auth:
    """What the request claims: the credential scope, what was signed, when, and the signature.

    ``timestamp`` is the request time in ISO 8601 basic format (``20261129T000000Z``), the form
    the string to sign uses; ``request_time`` is the same instant as an aware datetime.
    """

    access_key_id: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    request_time: datetime
    presigned: bool
    expires: int | None
    security_token: str | None
    timestamp: str = ""
    content_sha256: str | None = None

    @property
    def credential_scope(self) -> str:
        return credential_scope(self.date, self.region, self.service)
