"""Numeric operators: NumericEquals, NumericLessThan(Equals), NumericGreaterThan(Equals), NotEquals.

Values are compared as exact decimals so ``10`` equals ``10.0`` and large integers keep their
precision. A request value that is not a number matches nothing (so ``NumericNotEquals`` is true).
"""

from __future__ import annotations

import operator
import re
from decimal import Decimal
from functools import lru_cache
from typing import Any

from .family import Family

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


@lru_cache(maxsize=4096)
def to_number(text: str) -> Decimal | None:
    text = text.strip()
    if len(text) > 64 or not _NUMBER.fullmatch(text):
        return None
    return Decimal(text)


def _family(name: str, negated_name: str | None, compare: Any) -> Family:
    def prepare(values: list[str]) -> tuple[Decimal, ...]:
        return tuple(n for n in map(to_number, values) if n is not None)

    def test(prepared: tuple[Decimal, ...], value: str) -> bool:
        number = to_number(value)
        if number is None:
            return False
        for p in prepared:
            if compare(number, p):
                return True
        return False

    names = {name: False}
    if negated_name:
        names[negated_name] = True
    return Family(names, prepare, test)


FAMILIES = (
    _family("NumericEquals", "NumericNotEquals", operator.eq),
    _family("NumericLessThan", None, operator.lt),
    _family("NumericLessThanEquals", None, operator.le),
    _family("NumericGreaterThan", None, operator.gt),
    _family("NumericGreaterThanEquals", None, operator.ge),
)
