"""Query parameter decoding bounds its work before authentication."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from iamd.api.params import MAX_FIELDS, MAX_NAME_DEPTH, MAX_NAME_LENGTH, decode
from iamd.auth.canonical import canonical_query_string
from iamd.errors import MalformedQueryString


@pytest.mark.parametrize(
    "body",
    [
        "Action=GetUser&" + "a." * MAX_NAME_DEPTH + "=1",
        "Action=GetUser&" + "n" * (MAX_NAME_LENGTH + 1) + "=1",
        "&".join(f"p{i}=1" for i in range(MAX_FIELDS + 1)),
        "Action=GetUser&x=%FF",
    ],
    ids=["too-deep", "too-long", "too-many", "not-utf8"],
)
def test_over_the_bounds_is_malformed(body: str) -> None:
    with pytest.raises(MalformedQueryString):
        decode("", body.encode(), "")


def test_names_at_the_bounds_are_accepted() -> None:
    deepest = ".".join(["a"] * MAX_NAME_DEPTH)
    longest = "n" * MAX_NAME_LENGTH
    params = decode(f"{deepest}=1", f"{longest}=2".encode(), "application/x-www-form-urlencoded")
    assert params == {deepest: "1", longest: "2"}


@pytest.mark.parametrize("query", ["a=x+y&b=1", "a=x%2By&b=1", "a=%E2%9C%93+%2b&b=", "Tags.member.1.Value=a+b%20c"])
def test_the_parser_and_the_canonical_form_read_the_same_values(query):
    """``api/params.py`` decodes exactly the values the canonical query string re-encodes."""
    parsed = decode(query, b"", "")
    assert canonical_query_string(query) == "&".join(
        sorted(f"{quote(n, safe='-_.~')}={quote(v, safe='-_.~')}" for n, v in parsed.items())
    )


def test_raw_utf8_in_a_query_string_is_text_and_bad_utf8_is_malformed() -> None:
    assert decode("k=\xc3\xa9", b"", "") == {"k": "\u00e9"}
    with pytest.raises(MalformedQueryString):
        decode("k=%FF", b"", "")
    with pytest.raises(MalformedQueryString):
        decode("", b"k=%C3", "application/x-www-form-urlencoded")
