"""Which condition keys two policies read, and as what type: the symbolic request's shape.

Each key's type comes from the operator families that read it (``policy/conditions``): strings
and ARNs are strings, ``Bool`` narrows a string key to ``true``/``false``; numbers, dates and IP
addresses are their own types. A key read as two different types (``NumericEquals`` and
``DateLessThan`` on one key) has no single domain of values: the check says it cannot decide.
"""

from __future__ import annotations

from decimal import Decimal

from iamd.policy import Policy
from iamd.policy.conditions import arn, boolean, dates, ipaddr, numeric, strings
from iamd.policy.conditions.family import Family
from iamd.policy.conditions.operators import REGISTRY, split_operator
from iamd.policy.variables import Variable, parse_template

from .smt_request import MULTIVALUED


class Undecidable(Exception):
    """The check cannot be decided exactly; the message says why, in the domain's terms."""


def family_kind(family: Family) -> str:
    if family in strings.FAMILIES or family in arn.FAMILIES:
        return "string"
    if family is boolean.BINARY:
        return "binary"
    if family is boolean.BOOL:
        return "bool"
    if family in numeric.FAMILIES:
        return "numeric"
    if family in dates.FAMILIES:
        return "date"
    if family in ipaddr.FAMILIES:
        return "ip"
    raise Undecidable(f"unknown condition operator family {family.operators}")


_MERGE = {frozenset({"string", "bool"}): "bool", frozenset({"string", "binary"}): "binary"}


def _variables(text: str, variables: bool) -> list[Variable]:
    return list(parse_template(text, variables).variables)


def collect_keys(policies: list[Policy]) -> dict[str, tuple[str, str, bool, int, int]]:
    """Lower-cased key → (spelling, type, multivalued, conditions on it, scale).

    ``scale`` is, for numbers, the count of fractional digits of the domain (one more than any
    constant's); for dates, 1 (whole seconds) or 1000 (milliseconds, when a constant has a fraction).
    """
    kinds: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    multi: set[str] = set()
    counts: dict[str, int] = {}
    digits: dict[str, int] = {}
    fractional: set[str] = set()

    def note(key: str, kind: str | None) -> str:
        lkey = key.lower()
        names.setdefault(lkey, key)
        kinds.setdefault(lkey, set())
        if kind is not None:
            kinds[lkey].add(kind)
        counts[lkey] = counts.get(lkey, 0) + 1
        if lkey in MULTIVALUED:
            multi.add(lkey)
        return lkey

    for policy in policies:
        for st in policy.statements:
            for pattern in st.resources or ():
                for var in _variables(pattern, policy.variables):
                    note(var.name, "string")
            for c in st.conditions:
                qualifier, base, _ = split_operator(c.operator)
                if base == "null":
                    lkey = note(c.key, None)
                else:
                    _, family, _ = REGISTRY[base]
                    kind = family_kind(family)
                    lkey = note(c.key, kind)
                    if family.variables:
                        for value in c.values:
                            for var in _variables(value, policy.variables):
                                note(var.name, "string")
                    if kind == "numeric":
                        for value in c.values:
                            number = numeric.to_number(value)
                            if number is not None:
                                exponent = number.as_tuple().exponent
                                places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
                                digits[lkey] = max(digits.get(lkey, 0), places)
                    if kind == "date":
                        for value in c.values:
                            epoch = dates.to_epoch(value)
                            if epoch is not None and epoch != int(epoch):
                                fractional.add(lkey)
                if qualifier is not None:
                    multi.add(lkey)
    out: dict[str, tuple[str, str, bool, int, int]] = {}
    for lkey, found in kinds.items():
        if not found:
            kind = "string"
        elif len(found) == 1:
            (kind,) = found
        elif frozenset(found) in _MERGE:
            kind = _MERGE[frozenset(found)]
        else:
            raise Undecidable(
                f"the condition key {names[lkey]} is compared as {' and as '.join(sorted(found))}; "
                "no single type of value fits both"
            )
        scale = 1
        if kind == "numeric":
            scale = digits.get(lkey, 0) + 1
        elif kind == "date":
            scale = 1000 if lkey in fractional else 1
        out[lkey] = (names[lkey], kind, lkey in multi, counts[lkey], scale)
    return out


def scaled(number: Decimal, places: int) -> int:
    """``number * 10**places`` as an integer (exact: ``places`` exceeds the number's own digits)."""
    return int(number.scaleb(places))
