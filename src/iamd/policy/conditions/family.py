"""What every condition operator family provides to the registry.

A family (strings, numbers, dates, …) knows how to *prepare* the policy's values once and how to
*test* one request value against all of them ("values OR"). Negated operators (``StringNotEquals``,
``NotIpAddress`` …) are the negation of their positive twin, applied by the registry, so each
family only implements the positive comparison. A request value the family cannot read (a word
for ``NumericEquals``) matches nothing; a policy value it cannot read matches nothing.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Family:
    """One group of operators sharing a value type.

    ``operators`` maps each operator name to whether it is negated. ``variables`` says whether
    policy variables are substituted in its values (strings and ARNs only, per AWS).
    ``prepare`` receives raw strings, or glob token tuples when ``variables`` is true.
    """

    operators: dict[str, bool]
    prepare: Callable[[list[Any]], Any]
    test: Callable[[Any, str], bool]
    variables: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


_COMPARISONS: tuple[tuple[str, str | None, Callable[[Any, Any], bool]], ...] = (
    ("Equals", "NotEquals", operator.eq),
    ("LessThan", None, operator.lt),
    ("LessThanEquals", None, operator.le),
    ("GreaterThan", None, operator.gt),
    ("GreaterThanEquals", None, operator.ge),
)


def comparison_families(prefix: str, read: Callable[[str], Any]) -> tuple[Family, ...]:
    """``<prefix>Equals`` (with ``<prefix>NotEquals``), ``LessThan(Equals)``, ``GreaterThan(Equals)``.

    Numbers and dates differ only in how a string is *read* into an ordered value (``None`` when
    it cannot be); the five comparisons on the read values are the same, so they are built here.
    """
    return tuple(
        _comparison(prefix + name, negated and prefix + negated, compare, read)
        for name, negated, compare in _COMPARISONS
    )


def _comparison(
    name: str,
    negated_name: str | None,
    compare: Callable[[Any, Any], bool],
    read: Callable[[str], Any],
) -> Family:
    def prepare(values: list[str]) -> tuple[Any, ...]:
        return tuple(n for n in map(read, values) if n is not None)

    def test(prepared: tuple[Any, ...], value: str) -> bool:
        request_value = read(value)
        if request_value is None:
            return False
        for p in prepared:
            if compare(request_value, p):
                return True
        return False

    names = {name: False}
    if negated_name:
        names[negated_name] = True
    return Family(names, prepare, test)
