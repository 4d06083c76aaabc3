"""Numeric operators: NumericEquals, NumericLessThan(Equals), NumericGreaterThan(Equals), NotEquals.

Values are compared as exact decimals so ``10`` equals ``10.0`` and large integers keep their
precision. A request value that is not a number matches nothing (so ``NumericNotEquals`` is true).
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from .family import comparison_families

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


@lru_cache(maxsize=4096)
def to_number(text: str) -> Decimal | None:
    text = text.strip()
    if len(text) > 64 or not _NUMBER.fullmatch(text):
        return None
    return Decimal(text)


FAMILIES = comparison_families("Numeric", to_number)
