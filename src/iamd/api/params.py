"""Decoding Query-protocol parameters from the query string and a form body.

The two are merged (the body wins), as AWS accepts either. Decoding is strict about UTF-8 so a
garbage body is a clean ``MalformedQueryString`` rather than mojibake reaching the services.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from iamd.errors import MalformedQueryString

FORM = "application/x-www-form-urlencoded"


def decode(query_string: str, body: bytes, content_type: str) -> dict[str, str]:
    params: dict[str, str] = {}
    if query_string:
        params.update(_pairs(query_string))
    if body and (not content_type or content_type.split(";", 1)[0].strip().lower() == FORM):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedQueryString("The request body is not valid UTF-8.") from None
        params.update(_pairs(text))
    return params


def _pairs(text: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(text, keep_blank_values=True, errors="strict", max_num_fields=10_000)
    except (ValueError, UnicodeDecodeError) as err:
        raise MalformedQueryString(f"Malformed query string: {err}") from None
