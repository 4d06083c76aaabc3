"""String operators: StringEquals, StringEqualsIgnoreCase, StringLike and their negations.

AWS: ``StringEquals`` is exact and case-sensitive; ``…IgnoreCase`` ignores case; ``StringLike``
is case-sensitive and honours ``*`` and ``?`` anywhere in the value. All three substitute policy
variables; ``${*}`` in a ``StringLike`` value is a literal asterisk.
"""

from __future__ import annotations

from typing import Any

from ..variables import tokens_text
from ..wildcard import compile_tokens
from .family import Family


def _prepare_equals(values: list[Any]) -> frozenset[str]:
    return frozenset(tokens_text(v) for v in values)


def _test_equals(prepared: frozenset[str], value: str) -> bool:
    return value in prepared


def _prepare_ignore_case(values: list[Any]) -> frozenset[str]:
    return frozenset(tokens_text(v).lower() for v in values)


def _test_ignore_case(prepared: frozenset[str], value: str) -> bool:
    return value.lower() in prepared


def _prepare_like(values: list[Any]) -> tuple[Any, ...]:
    return tuple(compile_tokens(v) for v in values)


def _test_like(prepared: tuple[Any, ...], value: str) -> bool:
    for match in prepared:
        if match(value):
            return True
    return False


EQUALS = Family({"StringEquals": False, "StringNotEquals": True}, _prepare_equals, _test_equals, True)
IGNORE_CASE = Family(
    {"StringEqualsIgnoreCase": False, "StringNotEqualsIgnoreCase": True},
    _prepare_ignore_case,
    _test_ignore_case,
    True,
)
LIKE = Family({"StringLike": False, "StringNotLike": True}, _prepare_like, _test_like, True)
FAMILIES = (EQUALS, IGNORE_CASE, LIKE)
