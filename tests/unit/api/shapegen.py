"""Synthetic values for botocore shapes, so round trips cover every operation of a model.

``valid_value`` satisfies the model's constraints (so a request parses without validation
errors); ``any_value`` only respects types and carries text that needs XML escaping.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from botocore.model import Shape

from iamd.api.patterns import compile_java

CANDIDATES = [
    "abc",
    "arn:aws:iam::123456789012:policy/p",
    "/",
    "/a/",
    "123456789012",
    "123456",
    "AKIAIOSFODNN7EXAMPLE",
    "o-abcdefghij",
    "o-abcdefghij/r-abcd",
    "p-abcdefgh",
    "https://example.com",
    "v1",
    "abc-def",
]
TIMESTAMP = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
TEXT = "a<b>&c\"d'e é 漢 \U0001f600"


def valid_strings(shape: Shape, want: int = 1) -> list[str]:
    """Up to ``want`` distinct strings satisfying the shape's enum, length and pattern."""
    meta = shape.metadata
    if meta.get("enum"):
        return list(meta["enum"][:want])
    lo, hi = meta.get("min", 0), meta.get("max", 10**9)
    match = compile_java(meta["pattern"]).fullmatch if "pattern" in meta else (lambda s: True)
    found: list[str] = []
    for base in CANDIDATES:
        padded = base * (lo // len(base) + 1)
        for cand in (base, padded, padded[:max(lo, 1)], base[:hi], "a" * max(lo, 1)):
            if lo <= len(cand) <= hi and match(cand) and cand not in found:
                found.append(cand)
                if len(found) == want:
                    return found
    return found


def _count(shape: Shape, default: int = 2) -> int:
    lo, hi = shape.metadata.get("min", 0), shape.metadata.get("max", 10**9)
    return max(lo, min(default, hi))


def valid_value(shape: Shape, depth: int = 0) -> Any:
    kind = shape.type_name
    if kind == "structure":
        out = {}
        members = list(shape.members.items())
        if shape.metadata.get("union"):
            members = members[:1]
        for name, member in members:
            if depth > 4 and name not in shape.required_members:
                continue
            value = valid_value(member, depth + 1)
            if value is not None:
                out[name] = value
        return out
    if kind == "list":
        n = _count(shape)
        return [valid_value(shape.member, depth + 1) for _ in range(n)]
    if kind == "map":
        keys = valid_strings(shape.key, _count(shape))
        return {k: valid_value(shape.value, depth + 1) for k in keys}
    if kind == "string":
        found = valid_strings(shape)
        if not found:
            raise AssertionError(f"no candidate string for {shape.name}: {shape.metadata}")
        return found[0]
    if kind in ("integer", "long"):
        lo, hi = shape.metadata.get("min"), shape.metadata.get("max")
        return lo if lo is not None else min(7, hi if hi is not None else 7)
    if kind == "boolean":
        return True
    if kind == "timestamp":
        return TIMESTAMP
    if kind == "blob":
        return b"\x00\x01hello"
    if kind in ("float", "double"):
        return 1.5
    raise AssertionError(kind)


def any_value(shape: Shape, depth: int = 0, items: int = 2) -> Any:
    """Type-correct value with awkward text; ``items`` elements per list and map."""
    kind = shape.type_name
    if kind == "structure":
        if depth > 5:
            return {}
        return {name: any_value(m, depth + 1, items) for name, m in shape.members.items()}
    if kind == "list":
        return [any_value(shape.member, depth + 1, items) for _ in range(items)]
    if kind == "map":
        return {f"k{i}{TEXT}": any_value(shape.value, depth + 1, items) for i in range(items)}
    if kind == "string":
        enum = shape.metadata.get("enum")
        return enum[0] if enum else f"{shape.name}:{TEXT}"
    if kind in ("integer", "long"):
        return 42 if kind == "integer" else 2**40
    if kind == "boolean":
        return depth % 2 == 0
    if kind == "timestamp":
        return datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=UTC)
    if kind == "blob":
        return b"\x00\xffbin"
    if kind in ("float", "double"):
        return 2.25
    raise AssertionError(kind)
