"""What every condition operator family provides to the registry.

A family (strings, numbers, dates, …) knows how to *prepare* the policy's values once and how to
*test* one request value against all of them ("values OR"). Negated operators (``StringNotEquals``,
``NotIpAddress`` …) are the negation of their positive twin, applied by the registry, so each
family only implements the positive comparison. A request value the family cannot read (a word
for ``NumericEquals``) matches nothing; a policy value it cannot read matches nothing.
"""

from __future__ import annotations

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
