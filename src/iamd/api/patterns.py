"""Java regular expressions from botocore models, translated to Python ``re``.

AWS validates ``pattern`` traits with Java's ``Matcher.matches()``: the whole value must match,
``\\w``/``\\d``/``\\s`` are ASCII-only, and ``\\p{L}``-style Unicode categories are allowed. Python's
``re`` has no ``\\p{..}`` (the ``regex`` package is not a dependency), so categories are expanded
into explicit code-point ranges built once from :mod:`unicodedata`, and patterns are compiled
with ``re.ASCII`` and used with ``fullmatch``.

Model quirk: STS writes ``\\u10000-\\u10FFFF``. Java reads that as ``\\u1000`` ``0-\\u10FF`` ``FF``,
which rejects every supplementary character; the intent is plainly "U+10000 to U+10FFFF", and
that is what we compile (lenient, and what SDK users expect of an ARN with emoji).

Scanning all of Unicode costs ~0.1 s, too much for a first request, so the ranges of the
categories the IAM and STS models use (L, N, Z) ship pre-computed in ``_unicode_tables.py``
(regenerate with ``python -m iamd.api.patterns``); other categories, or a Python whose Unicode
database differs from the table's, fall back to the lazy scan.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache

from iamd.api import _unicode_tables

_HEX = "0123456789abcdefABCDEF"

# Java `\p{..}` names we understand: general categories (L, Lu, N, Nd, Z, ...) with an optional
# `Is` prefix, and the long names Java also accepts for the main ones.
_ALIASES = {"Letter": "L", "Number": "N", "Separator": "Z", "Punctuation": "P", "Symbol": "S",
            "Mark": "M", "Other": "C"}


@cache
def _all_category_ranges() -> dict[str, tuple[tuple[int, int], ...]]:
    """Code-point ranges per two-letter general category; one pass (~0.1 s), done lazily."""
    ranges: dict[str, list[list[int]]] = {}
    category = unicodedata.category
    prev = None
    for cp in range(sys.maxunicode + 1):
        cat = category(chr(cp))
        if cat == prev:
            ranges[cat][-1][1] = cp
        else:
            ranges.setdefault(cat, []).append([cp, cp])
            prev = cat
    return {cat: tuple((a, b) for a, b in rs) for cat, rs in ranges.items()}


@cache
def category_ranges(name: str) -> tuple[tuple[int, int], ...]:
    """Merged ranges for a Java property name such as ``L``, ``IsLu`` or ``Letter``."""
    if name.startswith("Is") and len(name) > 2:
        name = name[2:]
    name = _ALIASES.get(name, name)
    if unicodedata.unidata_version == _unicode_tables.UNIDATA_VERSION and name in _unicode_tables.RANGES:
        return _unicode_tables.RANGES[name]
    return _scan_ranges(name)


def _scan_ranges(name: str) -> tuple[tuple[int, int], ...]:
    table = _all_category_ranges()
    if len(name) == 1:
        parts = sorted(r for cat, rs in table.items() if cat[0] == name for r in rs)
    elif name in table:
        parts = list(table[name])
    else:
        raise ValueError(f"unsupported Unicode property \\p{{{name}}}")
    if not parts:
        raise ValueError(f"unsupported Unicode property \\p{{{name}}}")
    merged: list[list[int]] = [list(parts[0])]
    for a, b in parts[1:]:
        if a <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return tuple((a, b) for a, b in merged)


def _complement(ranges: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    out, start = [], 0
    for a, b in ranges:
        if a > start:
            out.append((start, a - 1))
        start = b + 1
    if start <= sys.maxunicode:
        out.append((start, sys.maxunicode))
    return tuple(out)


def _cp(cp: int) -> str:
    return f"\\u{cp:04x}" if cp <= 0xFFFF else f"\\U{cp:08x}"


def _class_body(ranges: tuple[tuple[int, int], ...]) -> str:
    return "".join(_cp(a) if a == b else f"{_cp(a)}-{_cp(b)}" for a, b in ranges)


def _read_hex(src: str, i: int, maxlen: int) -> tuple[str, int]:
    j = i
    while j < len(src) and j - i < maxlen and src[j] in _HEX:
        j += 1
    return src[i:j], j


def translate(java: str) -> str:
    """Rewrite a Java regex into an equivalent Python ``re`` source (see module docstring)."""
    out: list[str] = []
    in_class = False
    class_start = False
    i, n = 0, len(java)
    while i < n:
        c = java[i]
        if c == "\\" and i + 1 < n:
            e = java[i + 1]
            if e in "pP":
                if i + 2 < n and java[i + 2] == "{":
                    end = java.index("}", i + 3)
                    name, i = java[i + 3:end], end + 1
                else:
                    name, i = java[i + 2:i + 3], i + 3
                ranges = category_ranges(name)
                if e == "P":
                    ranges = _complement(ranges)
                body = _class_body(ranges)
                out.append(body if in_class else f"[{body}]")
            elif e == "u":
                digits, j = _read_hex(java, i + 2, 6)
                value = int(digits, 16) if len(digits) >= 4 else -1
                if len(digits) > 4 and not 0x10000 <= value <= 0x10FFFF:
                    digits, j = digits[:4], i + 6
                    value = int(digits, 16)
                if value < 0:
                    raise ValueError(f"bad \\u escape in {java!r}")
                out.append(_cp(value))
                i = j
            elif e == "x" and i + 2 < n and java[i + 2] == "{":
                end = java.index("}", i + 3)
                out.append(_cp(int(java[i + 3:end], 16)))
                i = end + 1
            else:
                out.append(java[i:i + 2])
                i += 2
            class_start = False
            continue
        if in_class:
            if c == "]" and not class_start:
                in_class = False
                out.append(c)
            elif c == "[":
                out.append("\\[")
            elif c in "&|~-" and i + 1 < n and java[i + 1] == c:
                # Python warns (FutureWarning, an error under pytest) on doubled set operators.
                out.append(c + "\\" + c)
                i += 1
            else:
                out.append(c)
            class_start = class_start and c == "^"
        else:
            if c == "[":
                in_class = True
                class_start = True
            out.append(c)
        i += 1
    return "".join(out)


def compile_java(java: str) -> re.Pattern[str]:
    """Compile a model pattern for ``fullmatch`` with Java's ASCII ``\\w``/``\\d``/``\\s``."""
    return re.compile(translate(java), re.ASCII)


def _generate_tables() -> str:
    """Source of ``_unicode_tables.py`` for the running Python's Unicode database."""
    lines = [
        'r"""Unicode general-category ranges for Java ``\\p{..}`` patterns. Generated by',
        "``python -m iamd.api.patterns``; do not edit.\"\"\"",
        "",
        f'UNIDATA_VERSION = "{unicodedata.unidata_version}"',
        "",
        "# fmt: off",
        "RANGES: dict[str, tuple[tuple[int, int], ...]] = {",
    ]
    for name in "LNZ":
        lines.append(f'    "{name}": (')
        pairs = [f"(0x{a:x}, 0x{b:x})," for a, b in _scan_ranges(name)]
        for i in range(0, len(pairs), 6):
            lines.append("        " + " ".join(pairs[i:i + 6]))
        lines.append("    ),")
    lines.append("}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    from pathlib import Path

    Path(_unicode_tables.__file__).write_text(_generate_tables())
