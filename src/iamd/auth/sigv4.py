"""AWS Signature Version 4 verification: who signed this request, and did they sign this request.

Two steps, so the caller can look the secret up in between:

    auth = parse_auth(req)                       # structure only: no key, no clock
    secret = keys.secret_for(auth.access_key_id)  # InvalidClientTokenId if unknown (not here)
    verify(req, auth, secret, now)               # clock, scope, signature

Errors, each its own AWS error (``iamd.errors``), as AWS returns them:

    MissingAuthenticationToken   no Authorization header and no X-Amz-* query authentication
    IncompleteSignature          malformed: missing parameters, bad credential scope, bad date,
                                 algorithm other than AWS4-HMAC-SHA256, ``host`` not signed
    RequestExpired               older than 15 minutes, or a presigned URL past X-Amz-Expires
    SignatureDoesNotMatch        wrong signature, not yet current (more than 15 minutes ahead),
                                 scope date differs from the request date, payload hash mismatch
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from iamd.auth import canonical as c
from iamd.auth.authparams import MAX_PRESIGNED_EXPIRES, parse_auth
from iamd.auth.request import HttpRequest, SigV4Auth
from iamd.auth.signing_key import SigningKeyCache, signature
from iamd.errors import RequestExpired, SignatureDoesNotMatch

__all__ = [
    "HttpRequest",
    "SigV4Auth",
    "SigningSteps",
    "check_time",
    "compute_steps",
    "payload_hash",
    "parse_auth",
    "verify",
    "MAX_SKEW",
    "MAX_PRESIGNED_EXPIRES",
]

logger = logging.getLogger(__name__)

# "The request ... must be within 15 minutes of the AWS time stamp" (SigV4, "Elements of a
# request signature").
MAX_SKEW = timedelta(minutes=15)

_DEFAULT_CACHE = SigningKeyCache()


@dataclass(frozen=True, slots=True)
class SigningSteps:
    """The spec's intermediate values, for tests and debugging."""

    canonical_request: str
    string_to_sign: str
    signature: str


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def check_time(auth: SigV4Auth, now: datetime) -> None:
    """Header auth: within 15 minutes either way. Presigned: not before (15 minutes of skew
    allowed) and not after X-Amz-Expires seconds past X-Amz-Date."""
    earliest = now - MAX_SKEW
    latest = now + MAX_SKEW
    if auth.request_time > latest:
        raise SignatureDoesNotMatch(
            f"Signature not yet current: {auth.timestamp} is still later than {_iso(latest)} "
            f"({_iso(now)} + 15 min.)"
        )
    if auth.presigned and auth.expires is not None:
        expiry = auth.request_time + timedelta(seconds=auth.expires)
        if now > expiry:
            raise RequestExpired(
                f"Request has expired: {auth.timestamp} + {auth.expires} s = {_iso(expiry)} "
                f"is earlier than {_iso(now)}."
            )
        return
    if auth.request_time < earliest:
        raise RequestExpired(
            f"Signature expired: {auth.timestamp} is now earlier than {_iso(earliest)} "
            f"({_iso(now)} - 15 min.)"
        )


def payload_hash(req: HttpRequest, auth: SigV4Auth, *, allow_unsigned_payload: bool = True) -> str:
    """HexEncode(Hash(RequestPayload)), or what the client declared in x-amz-content-sha256.

    A declared hash must match the body: the signature covers the declared value, not the body,
    so a mismatch would let a replayed signature carry another body. ``UNSIGNED-PAYLOAD`` is taken
    as is (S3 and presigned URLs use it) unless the caller forbids it.
    """
    declared = auth.content_sha256
    if declared is None:
        if auth.presigned and auth.service == "s3":
            return c.UNSIGNED_PAYLOAD
        return hashlib.sha256(req.body).hexdigest() if req.body else c.EMPTY_SHA256
    if declared == c.UNSIGNED_PAYLOAD and allow_unsigned_payload:
        return declared
    actual = hashlib.sha256(req.body).hexdigest()
    if not hmac.compare_digest(declared.encode("utf-8", "surrogateescape"), actual.encode()):
        raise SignatureDoesNotMatch(
            "The provided 'x-amz-content-sha256' header does not match what was computed."
        )
    return declared


def compute_steps(
    req: HttpRequest,
    auth: SigV4Auth,
    signing_key: bytes,
    payload: str,
) -> SigningSteps:
    """Run the spec's tasks 1-4 over the received request."""
    creq = c.canonical_request(
        req.method,
        c.canonical_uri(req.path, auth.service),
        c.canonical_query_string(req.query_string, presigned=auth.presigned),
        c.canonical_headers(req.headers, auth.signed_headers),
        auth.signed_headers,
        payload,
    )
    sts = c.string_to_sign(auth.timestamp, auth.credential_scope, creq)
    return SigningSteps(creq, sts, signature(signing_key, sts))


def verify(
    req: HttpRequest,
    auth: SigV4Auth,
    secret_access_key: str,
    now: datetime,
    *,
    cache: SigningKeyCache | None = None,
    allow_unsigned_payload: bool = True,
) -> None:
    """Raise unless ``auth`` is a current, correct signature of ``req`` by that secret."""
    check_time(auth, now)
    if auth.date != auth.timestamp[:8]:
        raise SignatureDoesNotMatch(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
            f"from HTTP: '{auth.date}' != '{auth.timestamp[:8]}', from '{auth.timestamp}'."
        )
    key = (cache or _DEFAULT_CACHE).get(
        auth.access_key_id, secret_access_key, auth.date, auth.region, auth.service
    )
    payload = payload_hash(req, auth, allow_unsigned_payload=allow_unsigned_payload)
    claimed = auth.signature.encode("utf-8", "surrogateescape")
    steps = compute_steps(req, auth, key, payload)
    # One canonical form only: a second try with another reading of the query (a bare "+" as a
    # literal plus) would verify a value the parser then reads differently.
    if hmac.compare_digest(steps.signature.encode(), claimed):
        return
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "SigV4 mismatch for %s\nCanonicalRequest:\n%s\nStringToSign:\n%s",
            auth.access_key_id,
            _redact(steps.canonical_request, auth.security_token),
            steps.string_to_sign,
        )
    raise SignatureDoesNotMatch()


# Query parameters whose values are credentials (passwords, one-time codes, private keys, tokens):
# a GET or presigned call carries them in the query string, which the canonical request shows.
_SECRET_PARAM = re.compile(r"password|secret|token|authenticationcode|privatekey|samlassertion", re.IGNORECASE)


def _redact(text: str, token: str | None) -> str:
    """Session tokens and secret parameters are credentials: keep them out of the debug log too."""
    method, sep, rest = text.partition("\n")
    uri, sep2, rest = rest.partition("\n")
    query, sep3, rest = rest.partition("\n")
    query = "&".join(
        f"{name}=<redacted>" if _SECRET_PARAM.search(name) else f"{name}={value}"
        for name, _, value in (pair.partition("=") for pair in query.split("&"))
    ) if query else query
    text = method + sep + uri + sep2 + query + sep3 + rest
    if not token:
        return text
    return text.replace(token, "<redacted>").replace(quote(token, safe=""), "<redacted>")
