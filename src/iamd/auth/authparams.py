"""Reading SigV4 authentication out of a request: the Authorization header or presigned query.

Structure only: no key, no clock. Each malformation is an ``IncompleteSignature`` carrying AWS's
message, so a client's error says what is wrong with its signer; no authentication at all is
``MissingAuthenticationToken``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache

from iamd.auth.canonical import ALGORITHM, TERMINATOR, query_pairs
from iamd.auth.request import HttpRequest, SigV4Auth
from iamd.errors import IncompleteSignature, MissingAuthenticationToken

__all__ = ["parse_auth", "MAX_PRESIGNED_EXPIRES"]

# A presigned URL lives at most seven days (SigV4, "Authenticating requests: using query parameters").
MAX_PRESIGNED_EXPIRES = 604800

_AMZ_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z").fullmatch
_SCOPE_DATE = re.compile(r"\d{8}").fullmatch
_REGION = re.compile(r"[a-z0-9][a-z0-9-]*").fullmatch
_SERVICE = re.compile(r"[a-z0-9][a-z0-9.-]*").fullmatch
_MALFORMED_CREDENTIAL = (
    "Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; "
    'expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".'
)
_QUERY_PARAMS = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Signature",
    "X-Amz-Date",
    "X-Amz-SignedHeaders",
)


SINGLE_HEADERS = frozenset({"authorization", "x-amz-date", "date", "x-amz-security-token", "x-amz-content-sha256"})


def parse_auth(req: HttpRequest) -> SigV4Auth:
    """The SigV4 authentication a request claims. The Authorization header wins over the query."""
    authorization = amz_date = http_date = token = content_sha256 = None
    seen: set[str] = set()
    for name, value in req.headers:
        lname = name.lower()
        if lname in SINGLE_HEADERS:
            # Two of these make the request ambiguous: one copy could be verified and the other
            # used. SigV4 joins repeated headers with commas, so no signature can cover both.
            if lname in seen:
                raise IncompleteSignature(f"The request must not repeat the {name} header.")
            seen.add(lname)
        if lname == "authorization":
            authorization = value
        elif lname == "x-amz-date":
            amz_date = value
        elif lname == "date":
            http_date = value
        elif lname == "x-amz-security-token":
            token = value
        elif lname == "x-amz-content-sha256":
            content_sha256 = value
    if authorization is not None:
        return _from_header(authorization, amz_date, http_date, token, content_sha256)
    if "X-Amz-" in req.query_string:
        params = _auth_query_params(req.query_string)
        if params:
            return _from_query(params, content_sha256)
    raise MissingAuthenticationToken()


def _from_header(
    header: str, amz_date: str | None, http_date: str | None, token: str | None, content_sha256: str | None
) -> SigV4Auth:
    algorithm, _, rest = header.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise IncompleteSignature(f"Unsupported AWS 'algorithm': '{algorithm}'")
    fields: dict[str, str] = {}
    for part in rest.split(","):
        key, sep, value = part.strip().partition("=")
        if sep:
            fields.setdefault(key, value.strip())
    missing = [
        f"Authorization header requires '{name}' parameter."
        for name in ("Credential", "Signature", "SignedHeaders")
        if not fields.get(name)
    ]
    if amz_date is None and http_date is None:
        missing.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
    if missing:
        raise IncompleteSignature(" ".join(missing) + f" Authorization={header}")
    timestamp, request_time = _request_time(amz_date, http_date)
    access_key_id, date, region, service = _credential(fields["Credential"])
    return SigV4Auth(
        access_key_id=access_key_id,
        date=date,
        region=region,
        service=service,
        signed_headers=_signed_headers(fields["SignedHeaders"]),
        signature=fields["Signature"],
        request_time=request_time,
        presigned=False,
        expires=None,
        security_token=token,
        timestamp=timestamp,
        content_sha256=content_sha256,
    )


def _auth_query_params(query: str) -> dict[str, str]:
    """The X-Amz-* parameters, decoded as the canonical query string and the parameter parser
    decode them (``canonical.query_pairs``); the first of a repeated name counts."""
    params: dict[str, str] = {}
    for raw_name, raw_value in query_pairs(query):
        if not raw_name.startswith(b"X-Amz-"):
            continue
        name = raw_name.decode("latin-1")
        if name not in params:
            params[name] = raw_value.decode("utf-8", "replace")
    return (
        params
        if ("X-Amz-Algorithm" in params or "X-Amz-Signature" in params or "X-Amz-Credential" in params)
        else {}
    )


def _from_query(params: dict[str, str], content_sha256: str | None) -> SigV4Auth:
    missing = [
        f"AWS query-string parameters must include '{name}'."
        for name in _QUERY_PARAMS
        if not params.get(name)
    ]
    if missing:
        raise IncompleteSignature(" ".join(missing) + " Re-examine the query-string parameters.")
    if params["X-Amz-Algorithm"] != ALGORITHM:
        raise IncompleteSignature(f"Unsupported AWS 'algorithm': '{params['X-Amz-Algorithm']}'")
    timestamp, request_time = _request_time(params["X-Amz-Date"], None)
    access_key_id, date, region, service = _credential(params["X-Amz-Credential"])
    return SigV4Auth(
        access_key_id=access_key_id,
        date=date,
        region=region,
        service=service,
        signed_headers=_signed_headers(params["X-Amz-SignedHeaders"]),
        signature=params["X-Amz-Signature"],
        request_time=request_time,
        presigned=True,
        expires=_expires(params.get("X-Amz-Expires")),
        security_token=params.get("X-Amz-Security-Token") or None,
        timestamp=timestamp,
        content_sha256=content_sha256 or params.get("X-Amz-Content-Sha256"),
    )


def _expires(raw: str | None) -> int | None:
    if raw is None:
        return None
    if not raw.isdigit() or not raw.isascii():
        raise IncompleteSignature(f"X-Amz-Expires should be a number, not '{raw}'.")
    expires = int(raw)
    if expires > MAX_PRESIGNED_EXPIRES:
        raise IncompleteSignature(
            f"X-Amz-Expires must be less than a week (in seconds) that is {MAX_PRESIGNED_EXPIRES}"
        )
    return expires


@lru_cache(maxsize=4096)
def _credential(credential: str) -> tuple[str, str, str, str]:
    """``AKID/YYYYMMDD/region/service/aws4_request`` (SigV4, "credential scope")."""
    parts = credential.split("/")
    if len(parts) != 5 or not parts[0]:
        raise IncompleteSignature(_MALFORMED_CREDENTIAL)
    access_key_id, date, region, service, terminator = parts
    if not _SCOPE_DATE(date):
        raise IncompleteSignature(f"Credential should be scoped to a valid date, not '{date}'. ")
    if not _REGION(region):
        raise IncompleteSignature(f"Credential should be scoped to a valid region, not '{region}'. ")
    if not _SERVICE(service):
        raise IncompleteSignature(f"Credential should be scoped to correct service, not '{service}'. ")
    if terminator != TERMINATOR:
        raise IncompleteSignature(
            f"Credential should be scoped with a valid terminator: '{TERMINATOR}', not '{terminator}'. "
        )
    return access_key_id, date, region, service


@lru_cache(maxsize=1024)
def _signed_headers(raw: str) -> tuple[str, ...]:
    """Lowercase and sorted, as the spec lists them; ``host`` must be among them, since the
    signature would otherwise not bind the request to this endpoint."""
    names = tuple(sorted({name.strip().lower() for name in raw.split(";") if name.strip()}))
    if "host" not in names and ":authority" not in names:
        raise IncompleteSignature("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
    return names


def _request_time(amz_date: str | None, http_date: str | None) -> tuple[str, datetime]:
    """X-Amz-Date (ISO 8601 basic) wins over Date (RFC 7231); the spec allows either."""
    if amz_date is not None:
        return _parse_amz_date(amz_date)
    assert http_date is not None
    try:
        moment = parsedate_to_datetime(http_date)
    except (TypeError, ValueError):
        raise IncompleteSignature(_bad_date(http_date)) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y%m%dT%H%M%SZ"), moment


@lru_cache(maxsize=1024)
def _parse_amz_date(amz_date: str) -> tuple[str, datetime]:
    """Cached: concurrent requests share their second, and the string is all the input."""
    match = _AMZ_DATE(amz_date.strip())
    if match is None:
        raise IncompleteSignature(_bad_date(amz_date))
    try:
        year, month, day, hour, minute, second = map(int, match.groups())
        moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        raise IncompleteSignature(_bad_date(amz_date)) from None
    return match.group(0), moment


def _bad_date(value: str) -> str:
    return (
        f"Date must be in ISO-8601 'basic format'. Got '{value}'. See http://en.wikipedia.org/wiki/ISO_8601"
    )
