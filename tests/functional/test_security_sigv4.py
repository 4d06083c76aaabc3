"""Security: what a SigV4 signature binds. Requests are signed by hand with botocore and then
altered on the wire, the way an attacker holding one signed request would."""

from __future__ import annotations

import urllib.error
import urllib.request

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from iamd.testing import IamdServer

FORM = "application/x-www-form-urlencoded"
CALLER_IDENTITY = b"Action=GetCallerIdentity&Version=2011-06-15"


def _send(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return int(resp.status), resp.read()
    except urllib.error.HTTPError as err:
        return int(err.code), err.read()


def _signed_headers(server: IamdServer, body: bytes, extra: dict[str, str]) -> dict[str, str]:
    req = AWSRequest(method="POST", url=server.endpoint + "/", data=body, headers={"Content-Type": FORM, **extra})
    SigV4Auth(Credentials(server.access_key_id, server.secret_access_key), "sts", "us-east-1").add_auth(req)
    return dict(req.headers.items())


def test_a_query_parameter_added_to_a_header_signed_post_breaks_the_signature(server: IamdServer) -> None:
    headers = _signed_headers(server, CALLER_IDENTITY, {})
    status, body = _send(server.endpoint + "/?Action=GetSessionToken", CALLER_IDENTITY, headers)
    assert status == 403 and b"SignatureDoesNotMatch" in body


def test_an_unsigned_payload_does_not_let_the_body_be_swapped(server: IamdServer) -> None:
    """The Query protocol's operation and parameters are the body: a signature that leaves the
    body out would let whoever holds one signed request run any other call as its signer."""
    headers = _signed_headers(server, CALLER_IDENTITY, {"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    status, body = _send(server.endpoint + "/", b"Action=GetSessionToken&Version=2011-06-15", headers)
    assert status == 403 and b"SignatureDoesNotMatch" in body, body
    assert b"SecretAccessKey" not in body


def test_an_unsigned_payload_is_refused_even_unaltered(server: IamdServer) -> None:
    headers = _signed_headers(server, CALLER_IDENTITY, {"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    status, body = _send(server.endpoint + "/", CALLER_IDENTITY, headers)
    assert status == 403 and b"SignatureDoesNotMatch" in body, body


def test_a_declared_payload_hash_that_is_the_real_one_is_accepted(server: IamdServer) -> None:
    import hashlib

    digest = hashlib.sha256(CALLER_IDENTITY).hexdigest()
    headers = _signed_headers(server, CALLER_IDENTITY, {"X-Amz-Content-SHA256": digest})
    status, body = _send(server.endpoint + "/", CALLER_IDENTITY, headers)
    assert status == 200, body
