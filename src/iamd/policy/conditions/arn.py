"""ARN operators: ArnEquals, ArnLike, ArnNotEquals, ArnNotLike.

AWS: "Each of the six colon-delimited components of the ARN is checked separately and each can
include multi-character match wildcards (*) or single-character match wildcards (?)". ``ArnEquals``
and ``ArnLike`` therefore behave the same. A request value that is not an ARN matches nothing.
"""

from __future__ import annotations

from typing import Any

from ..wildcard import Matcher, Token, compile_tokens
from .family import Family


def split_tokens(tokens: tuple[Token, ...], parts: int = 6) -> list[tuple[Token, ...]]:
    """Split glob tokens at the first ``parts - 1`` literal colons."""
    out: list[list[Token]] = [[]]
    for token in tokens:
        if isinstance(token, str) and len(out) < parts and ":" in token:
            pieces = token.split(":", parts - len(out))
            for i, piece in enumerate(pieces):
                if i:
                    out.append([])
                if piece:
                    out[-1].append(piece)
        else:
            out[-1].append(token)
    return [tuple(p) for p in out]


def _prepare(values: list[Any]) -> tuple[tuple[Matcher, ...], ...]:
    prepared = []
    for tokens in values:
        components = split_tokens(tokens)
        if len(components) == 6:
            prepared.append(tuple(compile_tokens(c) for c in components))
    return tuple(prepared)


def _test(prepared: tuple[tuple[Matcher, ...], ...], value: str) -> bool:
    components = value.split(":", 5)
    if len(components) != 6:
        return False
    for matchers in prepared:
        for match, component in zip(matchers, components, strict=True):
            if not match(component):
                break
        else:
            return True
    return False


FAMILIES = (
    Family({"ArnEquals": False, "ArnNotEquals": True, "ArnLike": False, "ArnNotLike": True}, _prepare, _test, True),
)
