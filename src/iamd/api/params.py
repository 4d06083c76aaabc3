"""Decoding Query-protocol parameters from the query string and a form body.

The two are merged (the body wins), as AWS accepts either. Both are split and percent-decoded by
``auth.canonical.query_pairs``, the same function SigV4 canonicalises the query string with. Decoding is strict about UTF-8 so a
garbage body is a clean ``MalformedQueryString`` rather than mojibake reaching the services.

The work is bounded before authentication, because it is done for anyone who can open a
connection: at most ``MAX_FIELDS`` parameters, names of at most ``MAX_NAME_LENGTH`` characters
and ``MAX_NAME_DEPTH`` dotted components. The deepest name an IAM or STS input shape can produce
has 7 components (``ReplacementValues.entry.N.value.Values.member.N``) and the longest about 60
characters, so the bounds leave room for every modelled member; a name past them cannot name a
member, and is rejected (``MalformedQueryString``, 400) instead of being folded into a tree one
level per dot (a 500 KB name of dots cost about a second of CPU).
"""

from __future__ import annotations

from iamd.auth.canonical import query_pairs
from iamd.errors import MalformedQueryString

FORM = "application/x-www-form-urlencoded"
MAX_FIELDS = 10_000
MAX_NAME_LENGTH = 256
MAX_NAME_DEPTH = 16


def decode(query_string: str, body: bytes, content_type: str) -> dict[str, str]:
    params: dict[str, str] = {}
    if query_string:
        params.update(_pairs(query_string))
    if body and (not content_type or content_type.split(";", 1)[0].strip().lower() == FORM):
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedQueryString("The request body is not valid UTF-8.") from None
        params.update(_pairs(body))
    return params


def _pairs(raw: str | bytes) -> list[tuple[str, str]]:
    """Decoded by ``canonical.query_pairs``, the function the SigV4 canonical query string is
    built from, so the parameters the services get are the ones the signature covers."""
    separators = raw.count("&") if isinstance(raw, str) else raw.count(b"&")
    if separators >= MAX_FIELDS:
        raise MalformedQueryString("Malformed query string: Max number of fields exceeded")
    pairs: list[tuple[str, str]] = []
    for name_bytes, value_bytes in query_pairs(raw):
        try:
            name, value = name_bytes.decode("utf-8"), value_bytes.decode("utf-8")
        except UnicodeDecodeError as err:
            raise MalformedQueryString(f"Malformed query string: {err}") from None
        if len(name) > MAX_NAME_LENGTH or name.count(".") >= MAX_NAME_DEPTH:
            raise MalformedQueryString(
                f"Malformed query string: a parameter name is longer than {MAX_NAME_LENGTH} characters "
                f"or has more than {MAX_NAME_DEPTH} dotted components."
            )
        pairs.append((name, value))
    return pairs
