"""The condition operator registry, with the ``…IfExists`` suffix and set qualifiers.

Every operator of the AWS reference is registered here from its family module [minio
``conditionFuncMap``]. The semantics, from "IAM JSON policy elements: Condition operators" and
"Multivalued context keys":

- values of one key are ORed; keys and operators are ANDed (the caller ANDs conditions);
- an absent key makes a condition false, except for negated operators (``StringNotEquals``,
  ``NotIpAddress`` …), which are true when the key is absent;
- a policy variable with no value in a condition value is "effectively null": it is equal to
  or like no request value, so "inverted condition operators like ``StringNotEquals`` or
  ``StringNotLike`` do match against a null value" (IAM User Guide, "Policy variables with no
  value"); the condition's other values still count;
- ``…IfExists``: "If the policy key is present in the context of the request, process the key as
  specified in the policy. If the key is not present, evaluate the condition element as true";
- ``ForAllValues:`` is true if every request value matches (so true for an absent key or an empty
  set); ``ForAnyValue:`` is true if at least one does (so false for an absent key or empty set);
- a negated operator under a qualifier negates the per-value test: ``ForAllValues:StringNotEquals``
  means no request value is in the policy's list;
- without a qualifier a multivalued key matches if any value matches.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..context import Context
from ..variables import Template, parse_template
from . import arn, boolean, dates, ipaddr, numeric, strings
from .family import Family
from .null import compile_null

Check = Callable[[Context], bool]

REGISTRY: dict[str, tuple[str, Family, bool]] = {}
for _module in (strings, numeric, dates, boolean, ipaddr, arn):
    for _family in _module.FAMILIES:
        for _name, _negated in _family.operators.items():
            REGISTRY[_name.lower()] = (_name, _family, _negated)

QUALIFIERS = {"forallvalues": "ForAllValues", "foranyvalue": "ForAnyValue"}
_CACHE_LIMIT = 256


class UnknownOperator(ValueError):
    """The condition operator is not one AWS defines."""


def operator_names() -> list[str]:
    """Every base operator name (without qualifier or IfExists), plus Null."""
    return sorted([name for name, _, _ in REGISTRY.values()] + ["Null"])


def split_operator(operator: str) -> tuple[str | None, str, bool]:
    """``ForAnyValue:StringLikeIfExists`` → (``ForAnyValue``, ``stringlike``, True)."""
    qualifier = None
    base = operator
    if ":" in operator:
        prefix, base = operator.split(":", 1)
        qualifier = QUALIFIERS.get(prefix.lower())
        if qualifier is None:
            raise UnknownOperator(operator)
    lowered = base.lower()
    if lowered in REGISTRY or lowered == "null":
        return qualifier, lowered, False
    if lowered.endswith("ifexists") and lowered[:-8] in REGISTRY:
        return qualifier, lowered[:-8], True
    raise UnknownOperator(operator)


def absent_matches(qualifier: str | None, if_exists: bool, negated: bool) -> bool:
    """Whether a condition matches a request that lacks its key: an ``…IfExists`` always does,
    ``ForAllValues`` does (vacuously), ``ForAnyValue`` does not, and a plain operator does only
    when it is a negated one (``StringNotEquals`` of nothing holds)."""
    if if_exists:
        return True
    if qualifier is not None:
        return qualifier == "ForAllValues"
    return negated


class CompiledCondition:
    """One (operator, key, values) triple, compiled to a predicate over the context."""

    __slots__ = ("operator", "key", "check", "variable_keys")

    def __init__(self, operator: str, key: str, check: Check, variable_keys: tuple[str, ...]) -> None:
        self.operator = operator
        self.key = key
        self.check = check
        self.variable_keys = variable_keys


def compile_condition(operator: str, key: str, values: list[str], variables: bool = True) -> CompiledCondition:
    """Compile one condition; raise ``UnknownOperator`` for an operator AWS does not define."""
    qualifier, base, if_exists = split_operator(operator)
    lkey = key.lower()
    if base == "null":
        return CompiledCondition(operator, lkey, compile_null(lkey, values), ())
    _, family, negated = REGISTRY[base]
    absent = absent_matches(qualifier, if_exists, negated)
    templates: list[Template] = []
    if family.variables:
        templates = [parse_template(v, variables) for v in values]
        dynamic = any(t.tokens is None for t in templates)
        prepared: Any = None if dynamic else family.prepare([t.tokens for t in templates])
    else:
        dynamic = False
        prepared = family.prepare(values)
    variable_keys = tuple(v.key for t in templates for v in t.variables if v.default is None)
    resolve = _resolver(family, templates) if dynamic else None
    test = family.test
    check: Check

    if qualifier is None:

        def check(context: Context) -> bool:
            found = context.get(lkey)
            if found is None:
                return absent
            p = prepared if resolve is None else resolve(context)
            for value in found:
                if test(p, value):
                    return not negated
            return negated

    elif qualifier == "ForAnyValue":

        def check(context: Context) -> bool:
            found = context.get(lkey)
            if found is None:
                return absent
            p = prepared if resolve is None else resolve(context)
            for value in found:
                if test(p, value) is not negated:
                    return True
            return False

    else:

        def check(context: Context) -> bool:
            found = context.get(lkey)
            if found is None:
                return absent
            p = prepared if resolve is None else resolve(context)
            for value in found:
                if test(p, value) is negated:
                    return False
            return True

    return CompiledCondition(operator, lkey, check, variable_keys)


def _resolver(family: Family, templates: list[Template]) -> Callable[[Context], Any]:
    """Resolve variables per request, preparing each distinct resolution once. A value whose
    variable has no value is left out: null equals nothing, so it can only make a positive
    operator miss and a negated one match, never the other way round."""
    cache: dict[tuple[Any, ...], Any] = {}

    def resolve(context: Context) -> Any:
        resolved = []
        for template in templates:
            tokens = template.resolve(context)
            if tokens is not None:
                resolved.append(tokens)
        signature = tuple(resolved)
        prepared = cache.get(signature)
        if prepared is None:
            if len(cache) >= _CACHE_LIMIT:
                cache.clear()
            prepared = cache[signature] = family.prepare(resolved)
        return prepared

    return resolve
