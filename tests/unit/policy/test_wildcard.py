"""Glob matching: agrees with a regex translation, and stays linear on hostile patterns."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iamd.policy.wildcard import QMARK, STAR, compile_glob, compile_tokens


def regex_glob(pattern: str, value: str, ignore_case: bool = False) -> bool:
    rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(rx, value, re.S | (re.I if ignore_case else 0)) is not None


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("*", "", True),
        ("", "", True),
        ("", "a", False),
        ("s3:Get*", "s3:GetObject", True),
        ("s3:Get*", "s3:PutObject", False),
        ("*Object", "s3:GetObject", True),
        ("s3:*Object*", "s3:GetObjectAcl", True),
        ("a?c", "abc", True),
        ("a?c", "ac", False),
        ("a*b*c", "aXbYc", True),
        ("a*b*c", "acb", False),
        ("ab*ba", "aba", False),  # the head and tail may not overlap
        ("*a?a*", "xxaba", True),
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/", True),
    ],
)
def test_table(pattern, value, expected):
    assert compile_glob(pattern)(value) is expected


alphabet = st.text(alphabet="ab*?", max_size=8)


@pytest.mark.parametrize(
    ("tokens", "value", "expected"),
    [
        (("bucket/", "bob", "/", STAR), "bucket/bob/x", True),
        (("bucket/", "bob", "/", STAR), "bucket/alice/x", False),
        ((STAR, "/", "bob"), "home/bob", True),
        ((STAR, "/", "bob"), "home/x/bob", True),
        ((STAR, "a", "b"), "xa", False),
        (("a", "b"), "ab", True),
        (("a", "b", QMARK, "c", STAR), "abXc!", True),
    ],
)
def test_adjacent_literal_tokens(tokens, value, expected):
    """A resolved policy variable sits between literal tokens; all of them must match."""
    assert compile_tokens(tokens)(value) is expected


_token = st.one_of(st.text(alphabet="ab", min_size=1, max_size=3), st.just(STAR), st.just(QMARK))


def _text(tokens):
    return "".join("*" if t is STAR else "?" if t is QMARK else t for t in tokens)


@settings(max_examples=400, deadline=None)
@given(tokens=st.lists(_token, max_size=6), value=st.text(alphabet="ab", max_size=10))
def test_tokens_agree_with_their_text(tokens, value):
    assert compile_tokens(tuple(tokens))(value) == regex_glob(_text(tokens), value)


@settings(max_examples=400, deadline=None)
@given(pattern=alphabet, value=st.text(alphabet="abAB", max_size=10))
def test_agrees_with_regex(pattern, value):
    assert compile_glob(pattern)(value) == regex_glob(pattern, value)
    assert compile_glob(pattern, ignore_case=True)(value.lower()) == regex_glob(pattern, value, True)


def test_pathological_pattern_is_answered():
    """A backtracking matcher would not finish this in a lifetime; the linear one answers at once
    (its speed is measured in ``make bench``, not asserted here)."""
    pattern = "*a" * 200 + "*b"
    value = "a" * 20000
    matcher = compile_glob(pattern)
    assert not matcher(value)
    assert matcher(value + "b")
