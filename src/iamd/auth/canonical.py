"""SigV4 task 1 and 2: the canonical request and the string to sign, from a request as received.

A client signs the request it *meant* to send; a server sees the request as it *arrived*. Each
function here rebuilds, from the arrived bytes, exactly the string the client's signer built, as
the SigV4 spec ("Create a canonical request for Signature Version 4") sets it out:

    CanonicalRequest =
        HTTPRequestMethod + '\\n' + CanonicalURI + '\\n' + CanonicalQueryString + '\\n' +
        CanonicalHeaders + '\\n' + SignedHeaders + '\\n' + HexEncode(Hash(RequestPayload))

    StringToSign =
        Algorithm + '\\n' + RequestDateTime + '\\n' + CredentialScope + '\\n' +
        HexEncode(Hash(CanonicalRequest))

Pure string functions: no clock, no keys, no logging.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from urllib.parse import quote, quote_from_bytes, unquote_to_bytes

ALGORITHM = "AWS4-HMAC-SHA256"
TERMINATOR = "aws4_request"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()

# The spec's URI-encoding keeps only RFC 3986 unreserved characters: A-Z a-z 0-9 - _ . ~.
# ``quote`` always keeps letters, digits and "_.-~", so "safe" only adds what each use keeps on top.
_QUERY_SAFE = ""
_PATH_SAFE = "/"
_ALREADY_CANONICAL = re.compile(rb"[A-Za-z0-9\-_.~]*").fullmatch


def remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, plus collapsing repeated slashes.

    The spec: "Normalize URI paths according to RFC 3986. Remove redundant and relative path
    components." AWS also drops empty segments (``//``), and keeps a trailing slash (the suite's
    get-slashes-normalized and get-relative-relative cases pin both).
    """
    segments: list[str] = []
    for segment in path.split("/"):
        if not segment or segment == ".":
            continue
        if segment == "..":
            if segments:
                segments.pop()
        else:
            segments.append(segment)
    lead = "/" if path.startswith("/") else ""
    trail = "/" if path.endswith("/") and segments else ""
    return lead + "/".join(segments) + trail


def canonical_uri(raw_path: str, service: str) -> str:
    """The CanonicalURI of a path as received (still percent-encoded once).

    The spec: "Each path segment must be URI-encoded twice (except for Amazon S3 which only gets
    URI-encoded once)." The path on the wire already carries the first encoding, so the server
    encodes it once more, after normalising; S3 signs the path as sent, unnormalised.
    """
    if raw_path == "/" or not raw_path:
        return "/"
    if service == "s3":
        return quote(raw_path, safe="/%")
    return quote(remove_dot_segments(raw_path), safe=_PATH_SAFE) or "/"


def wire_bytes(raw: str) -> bytes:
    """The bytes of a query string: the server hands it over one character per byte (latin-1);
    a string with characters past U+00FF is text (not from a wire) and is taken as UTF-8."""
    try:
        return raw.encode("latin-1")
    except UnicodeEncodeError:
        return raw.encode("utf-8")


# Components up to this size are cached (names, actions, credentials, session tokens repeat
# from request to request); a policy document in a form body is not, so the caches stay small.
_CACHED = 2048


def decode_component(raw: bytes) -> bytes:
    """A name or value as it means: ``+`` is a space and ``%XY`` its byte (a ``%`` not followed
    by two hex digits stays itself), the application/x-www-form-urlencoded rules that
    ``urllib.parse.parse_qsl`` and AWS's Query protocol apply."""
    if b"%" not in raw and b"+" not in raw:
        return raw
    return _decode_cached(raw) if len(raw) <= _CACHED else _decode(raw)


def _decode(raw: bytes) -> bytes:
    return unquote_to_bytes(raw.replace(b"+", b" "))


_decode_cached = lru_cache(maxsize=8192)(_decode)


def _split(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """Parameters as sent: split at ``&`` (empty parts skipped), then at the first ``=``."""
    for part in data.split(b"&"):
        if part:
            name, _, value = part.partition(b"=")
            yield name, value


def query_pairs(raw_query: str | bytes) -> list[tuple[bytes, bytes]]:
    """The parameters of a query string or form body, decoded to bytes, in the order sent.

    INVARIANT: the Query-protocol parser (``api/params.py``), the presigned-URL reader
    (``authparams``) and the canonical query string all split with ``_split`` and decode with
    ``decode_component``, so a signature covers exactly the values the services get: no spelling
    of a parameter can verify as one value and be stored as another (a bare ``+`` signed as
    ``%2B`` but stored as a space)."""
    data = wire_bytes(raw_query) if isinstance(raw_query, str) else raw_query
    return [(decode_component(name), decode_component(value)) for name, value in _split(data)]


def _canonical(raw: bytes) -> str:
    """A component's canonical form: its decoded bytes (``decode_component``), URI-encoded."""
    if _ALREADY_CANONICAL(raw):
        return raw.decode("ascii")
    return quote_from_bytes(decode_component(raw), safe=_QUERY_SAFE)


_canonical_cached = lru_cache(maxsize=8192)(_canonical)


def canonical_query_string(raw_query: str, *, presigned: bool = False) -> str:
    """The CanonicalQueryString of a query string as received.

    The spec: "URI-encode each parameter name and value ... Sort the parameters by parameter name
    (and, for repeated names, by value) ... ampersand-separated". Senders differ in how they put a
    value on the wire (``%20`` or ``+`` for a space, ``~`` or ``%7E``, upper or lower case hex),
    so each name and value is decoded as the parser decodes it (``decode_component``) and
    re-encoded with the unreserved set only: two spellings verify alike exactly when they mean
    the same value. A presigned URL's own ``X-Amz-Signature`` is not part of what was signed (its
    name compared decoded, as the reader of the signature decodes it).
    """
    if not raw_query:
        return ""
    pairs: list[tuple[str, str]] = []
    for raw_name, raw_value in _split(wire_bytes(raw_query)):
        name = _canonical_cached(raw_name) if len(raw_name) <= _CACHED else _canonical(raw_name)
        if presigned and name == "X-Amz-Signature":
            continue
        pairs.append((name, _canonical_cached(raw_value) if len(raw_value) <= _CACHED else _canonical(raw_value)))
    pairs.sort()
    return "&".join(f"{name}={value}" for name, value in pairs)


def canonical_headers(headers: Iterable[tuple[str, str]], signed_headers: tuple[str, ...]) -> str:
    """The CanonicalHeaders block (each line ends with a newline), for the signed headers only.

    The spec: "Lowercase(HeaderName) + ':' + Trimall(HeaderValue) + '\\n'", sorted by name, where
    Trimall removes leading and trailing whitespace and converts sequential spaces to one; a
    header sent more than once has its values joined with commas, in the order received.
    """
    wanted = set(signed_headers)
    values: dict[str, list[str]] = {}
    for name, value in headers:
        lname = name.lower()
        if lname in wanted:
            trimmed = " ".join(value.split())
            found = values.get(lname)
            if found is None:
                values[lname] = [trimmed]
            else:
                found.append(trimmed)
    return "".join(f"{name}:{','.join(values.get(name, ()))}\n" for name in signed_headers)


def canonical_request(
    method: str,
    uri: str,
    query: str,
    headers_block: str,
    signed_headers: tuple[str, ...],
    payload_hash: str,
) -> str:
    """Join the six parts with newlines, as the spec's pseudo-code does."""
    return f"{method}\n{uri}\n{query}\n{headers_block}\n{';'.join(signed_headers)}\n{payload_hash}"


def credential_scope(date: str, region: str, service: str) -> str:
    return f"{date}/{region}/{service}/{TERMINATOR}"


def string_to_sign(timestamp: str, scope: str, canonical_request: str) -> str:
    """The spec: algorithm, request date-time, credential scope, hex SHA-256 of the canonical request."""
    digest = hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{timestamp}\n{scope}\n{digest}"
