"""Glob matching for Action, Resource, StringLike and ArnLike: ``*`` any run, ``?`` one character.

Compiled once into the cheapest test that works: equality, ``startswith``, or an ordered scan
of the literal segments between stars. The segment scan takes the leftmost occurrence of each
segment, which is correct for star-only globs and never backtracks, so a hostile pattern such as
``*a*a*a*…b`` costs O(len(pattern) × len(value)) at worst, never exponential time (unlike a
translated regular expression). Segments containing ``?`` use a regex made only of literals and
``.``, which has no nested quantifier and therefore no catastrophic backtracking either.

A pattern is a tuple of tokens: literal strings, ``STAR`` and ``QMARK``. Keeping literals apart
from wildcards lets the policy variables ``${*}``, ``${?}`` and substituted values stay literal.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final


class Wildcard:
    """``STAR`` or ``QMARK``: compared by identity, so a literal ``"*"`` token never matches it."""

    __slots__ = ("symbol",)

    def __init__(self, symbol: str) -> None:
        self.symbol = symbol

    def __repr__(self) -> str:
        return f"Wildcard({self.symbol!r})"


STAR: Final = Wildcard("*")
QMARK: Final = Wildcard("?")

Token = str | Wildcard
Matcher = Callable[[str], bool]


def tokenize(pattern: str) -> tuple[Token, ...]:
    """Split a policy string into literal and wildcard tokens."""
    tokens: list[Token] = []
    literal: list[str] = []
    for ch in pattern:
        if ch == "*" or ch == "?":
            if literal:
                tokens.append("".join(literal))
                literal = []
            tokens.append(STAR if ch == "*" else QMARK)
        else:
            literal.append(ch)
    if literal:
        tokens.append("".join(literal))
    return tuple(tokens)


def _always(_: str) -> bool:
    return True


class _Segment:
    """A run of literals and ``?`` between two stars; ``length`` is the number of characters it spans."""

    __slots__ = ("length",)

    length: int

    def at(self, value: str, pos: int) -> bool:
        raise NotImplementedError

    def find(self, value: str, pos: int) -> int:
        raise NotImplementedError


class _Literal(_Segment):
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text
        self.length = len(text)

    def at(self, value: str, pos: int) -> bool:
        return value.startswith(self.text, pos)

    def find(self, value: str, pos: int) -> int:
        return value.find(self.text, pos)


class _Pattern(_Segment):
    """Literals and ``?``: a regex of literals and ``.`` only, so it cannot backtrack badly."""

    __slots__ = ("regex",)

    def __init__(self, parts: list[Token]) -> None:
        self.length = sum(len(p) if isinstance(p, str) else 1 for p in parts)
        self.regex = re.compile("".join(re.escape(p) if isinstance(p, str) else "." for p in parts), re.S)

    def at(self, value: str, pos: int) -> bool:
        return self.regex.match(value, pos) is not None

    def find(self, value: str, pos: int) -> int:
        m = self.regex.search(value, pos)
        return -1 if m is None else m.start()


def _segment(parts: list[Token]) -> _Segment:
    literals = [p for p in parts if isinstance(p, str)]
    if len(literals) == len(parts):
        return _Literal("".join(literals))
    return _Pattern(parts)


def compile_tokens(tokens: tuple[Token, ...], ignore_case: bool = False) -> Matcher:
    """Return a predicate for the glob; with ``ignore_case`` callers pass lower-cased values."""
    if ignore_case:
        tokens = tuple(t.lower() if isinstance(t, str) else t for t in tokens)
    if not tokens:
        return "".__eq__
    literals = [t for t in tokens if isinstance(t, str)]
    stars = sum(1 for t in tokens if t is STAR)
    qmarks = len(tokens) - len(literals) - stars
    if stars == 0 and qmarks == 0:
        return "".join(literals).__eq__
    if qmarks == 0 and not literals:
        return _always
    # Substituted variables leave several literal tokens in a row ("bucket/", "bob", "/"): with a
    # single star at one end, all of them together are the prefix or the suffix.
    if qmarks == 0 and stars == 1 and tokens[-1] is STAR:
        prefix = "".join(literals)
        return lambda value: value.startswith(prefix)
    if qmarks == 0 and stars == 1 and tokens[0] is STAR:
        suffix = "".join(literals)
        return lambda value: value.endswith(suffix)
    segments: list[list[Token]] = [[]]
    for t in tokens:
        if t is STAR:
            segments.append([])
        else:
            segments[-1].append(t)
    compiled = [_segment(parts) for parts in segments]
    if len(compiled) == 1:
        only = compiled[0]
        return lambda value: len(value) == only.length and only.at(value, 0)
    head, *middle, tail = compiled
    minimum = sum(s.length for s in compiled)

    def match(value: str) -> bool:
        if len(value) < minimum or not head.at(value, 0):
            return False
        pos = head.length
        for seg in middle:
            if seg.length == 0:
                continue
            found = seg.find(value, pos)
            if found < 0:
                return False
            pos = found + seg.length
        tail_start = len(value) - tail.length
        # INVARIANT: greedy leftmost placement leaves the most room for the anchored tail.
        return tail_start >= pos and tail.at(value, tail_start)

    return match


def compile_glob(pattern: str, ignore_case: bool = False) -> Matcher:
    """Compile a policy string with ``*``/``?`` wildcards."""
    return compile_tokens(tokenize(pattern), ignore_case)

