"""Sign requests with botocore's own signers and hand them over as iamd sees them on the wire."""

from __future__ import annotations

from datetime import UTC, datetime
from unittest import mock
from urllib.parse import urlsplit

from botocore.auth import BaseSigner
from botocore.awsrequest import AWSRequest

from iamd.auth.sigv4 import HttpRequest

SIGNED_AT = datetime(2026, 11, 29, 0, 0, 0, tzinfo=UTC)


def botocore_signed(request: AWSRequest, signer: BaseSigner, at: datetime = SIGNED_AT) -> HttpRequest:
    """Sign ``request`` at ``at`` and return it as received: raw path and query, every header as
    sent (repeated ones too) plus the Host an HTTP client adds, and the body bytes."""
    with mock.patch("botocore.auth.get_current_datetime", return_value=at.replace(tzinfo=None)):
        signer.add_auth(request)
    prepared = request.prepare()
    url = urlsplit(prepared.url)
    headers = list(request.headers.items())
    if not any(name.lower() == "host" for name, _ in headers):
        headers.append(("Host", url.netloc))
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode()
    return HttpRequest(prepared.method, url.path or "/", url.query, headers, body)
