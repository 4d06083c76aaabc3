"""Query parameter decoding bounds its work before authentication."""

from __future__ import annotations

import pytest

from iamd.api.params import MAX_FIELDS, MAX_NAME_DEPTH, MAX_NAME_LENGTH, decode
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
