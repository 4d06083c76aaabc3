"""Continuation tokens: authentic ones open to their position; edited, forged, foreign-keyed or
other-query ones do not."""

from __future__ import annotations

import base64
import json

from iamd.services.page_tokens import TokenSealer, sealer

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))


def test_round_trip() -> None:
    tokens = TokenSealer(KEY, "test")
    token = tokens.seal(["ou-abcd-12345678", 3], ["acct", "ListX"])
    assert tokens.open(token, ["acct", "ListX"]) == (["ou-abcd-12345678", 3], True)


def test_other_query_is_told_apart() -> None:
    tokens = TokenSealer(KEY, "test")
    token = tokens.seal("p", ["acct", "ListX", "r-1"])
    assert tokens.open(token, ["acct", "ListX", "r-2"]) == ("p", False)
    assert tokens.open(token, ["other", "ListX", "r-1"]) == ("p", False)


def test_edited_position_is_refused() -> None:
    tokens = TokenSealer(KEY, "test")
    token = tokens.seal("a", "q")
    body, _, mac = token.rpartition(".")
    position, digest = json.loads(base64.urlsafe_b64decode(body))
    edited = base64.urlsafe_b64encode(json.dumps(["z", digest]).encode()).decode()
    assert tokens.open(f"{edited}.{mac}", "q") is None


def test_forged_and_malformed_are_refused() -> None:
    tokens = TokenSealer(KEY, "test")
    assert tokens.open("", "q") is None
    assert tokens.open("garbage", "q") is None
    assert tokens.open("a.b", "q") is None
    assert tokens.open(TokenSealer(OTHER_KEY, "test").seal("a", "q"), "q") is None
    assert tokens.open(TokenSealer(KEY, "other-purpose").seal("a", "q"), "q") is None


def test_sealer_is_cached_per_key_and_purpose() -> None:
    assert sealer(KEY, "x") is sealer(KEY, "x")
    assert sealer(KEY, "x") is not sealer(KEY, "y")
