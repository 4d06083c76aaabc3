"""A JSON reader that remembers where each value came from.

``json.loads`` forgets positions, but a decision's explanation points at the line and column
span of the statement that matched, and a syntax error at the offending value. The reader is
strict RFC 8259 JSON, rejects duplicate object keys (ambiguous in a security document) and
bounds nesting depth so hostile input cannot exhaust the stack.
"""

from __future__ import annotations

import json.decoder
import re
from bisect import bisect_right
from collections.abc import Callable
from typing import cast

from .errors import SYNTAX_ERRORS, PolicySyntaxError

# The scanner json.loads uses (C when available): typeshed omits it, as it is not in __all__.
_scanstring = cast(Callable[[str, int, bool], tuple[str, int]], vars(json.decoder)["scanstring"])

MAX_DEPTH = 64
_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")


class Node:
    """One JSON value: ``kind`` is obj/arr/str/num/bool/null; numbers keep their source text."""

    __slots__ = ("kind", "value", "start", "end")

    def __init__(self, kind: str, value: object, start: int, end: int) -> None:
        self.kind = kind
        self.value = value
        self.start = start
        self.end = end


class Locator:
    """Maps character offsets to 1-based (line, column)."""

    def __init__(self, text: str) -> None:
        self._newlines = [i for i, ch in enumerate(text) if ch == "\n"]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self._newlines, offset - 1)
        line_start = self._newlines[line - 1] + 1 if line else 0
        return line + 1, offset - line_start + 1


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.locator = Locator(text)

    def fail(self, offset: int) -> PolicySyntaxError:
        line, column = self.locator.position(min(offset, len(self.text)))
        return PolicySyntaxError(SYNTAX_ERRORS, line, column)

    def skip(self, pos: int) -> int:
        return _WS.match(self.text, pos).end()  # type: ignore[union-attr]

    def value(self, pos: int, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise self.fail(pos)
        text = self.text
        if pos >= len(text):
            raise self.fail(pos)
        ch = text[pos]
        if ch == "{":
            return self.obj(pos, depth)
        if ch == "[":
            return self.arr(pos, depth)
        if ch == '"':
            return self.string(pos)
        for word, kind, val in (("true", "bool", True), ("false", "bool", False), ("null", "null", None)):
            if text.startswith(word, pos):
                return Node(kind, val, pos, pos + len(word))
        m = _NUMBER.match(text, pos)
        if m and m.end() > pos:
            return Node("num", m.group(), pos, m.end())
        raise self.fail(pos)

    def string(self, pos: int) -> Node:
        try:
            s, end = _scanstring(self.text, pos + 1, True)
        except ValueError:
            raise self.fail(pos) from None
        return Node("str", s, pos, end)

    def obj(self, start: int, depth: int) -> Node:
        text = self.text
        members: dict[str, tuple[Node, Node]] = {}
        pos = self.skip(start + 1)
        if text.startswith("}", pos):
            return Node("obj", members, start, pos + 1)
        while True:
            if not text.startswith('"', pos):
                raise self.fail(pos)
            key = self.string(pos)
            pos = self.skip(key.end)
            if not text.startswith(":", pos):
                raise self.fail(pos)
            val = self.value(self.skip(pos + 1), depth + 1)
            if key.value in members:
                raise self.fail(key.start)
            members[key.value] = (key, val)  # type: ignore[index]
            pos = self.skip(val.end)
            if text.startswith(",", pos):
                pos = self.skip(pos + 1)
                continue
            if text.startswith("}", pos):
                return Node("obj", members, start, pos + 1)
            raise self.fail(pos)

    def arr(self, start: int, depth: int) -> Node:
        text = self.text
        items: list[Node] = []
        pos = self.skip(start + 1)
        if text.startswith("]", pos):
            return Node("arr", items, start, pos + 1)
        while True:
            item = self.value(pos, depth + 1)
            items.append(item)
            pos = self.skip(item.end)
            if text.startswith(",", pos):
                pos = self.skip(pos + 1)
                continue
            if text.startswith("]", pos):
                return Node("arr", items, start, pos + 1)
            raise self.fail(pos)


def read_json(text: str) -> tuple[Node, Locator]:
    """Parse ``text``; raise ``PolicySyntaxError("Syntax errors in policy.")`` at the bad spot."""
    reader = _Reader(text)
    node = reader.value(reader.skip(0), 0)
    end = reader.skip(node.end)
    if end != len(text):
        raise reader.fail(end)
    return node, reader.locator
