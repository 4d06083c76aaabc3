"""Findings in ValidatePolicy's shape, and the located document the checks walk.

AWS points each finding at one or more places of the document, each a ``path`` through the JSON
(``{"value": "Statement"}, {"index": 0}, {"value": "Sid"}`` names the *value* of ``Sid`` in the
first statement; ``{"key": "Foo"}`` names the key ``Foo`` itself) and a ``span`` whose
positions carry a 1-based line, a 0-based column and a 0-based character offset, the end
exclusive. The aws CLI's own ValidatePolicy example shows exactly this: the empty Sid ``""`` at
column 19 spans columns 19 to 21. The spans come from the position-keeping JSON reader of
``iamd.policy.jsonloc`` (the one the IAM validator uses), so nothing is parsed twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, cast

from iamd.policy.jsonloc import Locator, Node
from iamd.policy.wildcard import compile_glob

from .codes import CHECKS, LEARN_MORE

PathElement = dict[str, Any]
Path = tuple[PathElement, ...]
Members = dict[str, tuple[Node, Node]]


def members(node: Node) -> Members:
    return cast(Members, node.value) if node.kind == "obj" else {}


def items(node: Node) -> list[Node]:
    """An array's elements, or the node itself (AWS lets a single value stand for a list)."""
    return cast("list[Node]", node.value) if node.kind == "arr" else [node]


def indexed(path: Path, node: Node) -> list[tuple[Path, Node]]:
    """Each element of a string-or-list element with its path (no index for a lone value)."""
    if node.kind == "arr":
        return [(path + ({"index": i},), item) for i, item in enumerate(items(node))]
    return [(path, node)]


def text(node: Node) -> str:
    return cast(str, node.value) if node.kind == "str" else ""


@dataclass(slots=True)
class Statement:
    """One statement: its members, its node and the path to it (no index for a lone object)."""

    members: Members
    node: Node
    path: Path

    def has(self, name: str) -> bool:
        return name in self.members

    def value(self, name: str) -> Node | None:
        pair = self.members.get(name)
        return pair[1] if pair else None

    def at(self, name: str) -> Path:
        return self.path + ({"value": name},)

    def strings(self, name: str) -> list[tuple[Path, Node]]:
        """The string elements of ``Action``/``Resource``/… with their paths."""
        node = self.value(name)
        if node is None:
            return []
        return [(p, n) for p, n in indexed(self.at(name), node) if n.kind == "str"]

    @property
    def effect(self) -> str:
        node = self.value("Effect")
        return text(node) if node is not None else ""


@dataclass(slots=True)
class Report:
    """The findings of one document; ``add`` formats AWS's wording and locates each place."""

    source: str
    locator: Locator
    findings: list[tuple[int, int, dict[str, Any]]] = field(default_factory=list)
    # Work shared by the checks of one document (pattern expansions and their budget).
    memo: dict[str, Any] = field(default_factory=dict)

    def position(self, offset: int) -> dict[str, int]:
        line, column = self.locator.position(offset)
        return {"line": line, "column": column - 1, "offset": offset}

    def location(self, path: Path, node: Node, key: Node | None = None) -> dict[str, Any]:
        target = key if key is not None else node
        return {
            "path": [dict(p) for p in path],
            "span": {"start": self.position(target.start), "end": self.position(target.end)},
        }

    def add(self, code: str, places: list[dict[str, Any]], /, **values: object) -> None:
        finding_type, anchor, template = CHECKS[code]
        finding = {
            "findingDetails": template.format(**values),
            "findingType": finding_type,
            "issueCode": code,
            "learnMoreLink": LEARN_MORE + anchor,
            "locations": places,
        }
        first = places[0]["span"]["start"]["offset"] if places else -1
        self.findings.append((first, len(self.findings), finding))

    def at(self, code: str, path: Path, node: Node, /, **values: object) -> None:
        self.add(code, [self.location(path, node)], **values)

    def at_key(self, code: str, path: Path, key_node: Node, /, **values: object) -> None:
        """A finding about a member's name: the path ends in ``{"key": name}``, the span is the key."""
        self.add(code, [self.location(path[:-1] + ({"key": text(key_node)},), key_node)], **values)

    def ordered(self) -> list[dict[str, Any]]:
        """In document order, as AWS lists them (its CLI example: Sid line 5, then Action line 11)."""
        return [f for _, _, f in sorted(self.findings, key=lambda t: (t[0], t[1]))]


@lru_cache(maxsize=4096)
def _glob(pattern: str, ignore_case: bool) -> Callable[[str], bool]:
    return compile_glob(pattern, ignore_case)


def glob_match(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """IAM's ``*``/``?`` match (the engine's matcher); action names compare case-insensitively."""
    return _glob(pattern, ignore_case)(value.lower() if ignore_case else value)
