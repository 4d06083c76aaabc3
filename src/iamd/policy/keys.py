"""Which request-context keys a policy may read: its condition keys and its policy variables.

The server loads some context lazily (a resource's tags cost a query), and may skip it only when
no policy taking part in the decision reads it. That question is answered here from the parsed
document, never from its text: JSON escapes (``"aws:Resource\\u0054ag/env"``) and case
(``AWS:resourcetag/env``) spell the same key, and a variable in a ``Resource`` or a condition
value (``${aws:ResourceTag/team, 'none'}``, default or not) reads its key as surely as a
condition does.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .document import Policy
from .variables import parse_template


def _named(policy: Policy) -> Iterator[str]:
    """Every context key ``policy`` names, as spelt, in document order: per statement, the
    variables of its ``Resource``/``NotResource``, then each condition's key and the variables of
    its values (variables only in ``2012-10-17`` documents, the only ones that substitute them)."""
    for statement in policy.statements:
        if policy.variables:
            for text in statement.resources or ():
                yield from (v.name for v in parse_template(text).variables)
        for condition in statement.conditions:
            yield condition.key
            if policy.variables:
                for text in condition.values:
                    yield from (v.name for v in parse_template(text).variables)


def keys_read(policy: Policy) -> frozenset[str]:
    """Every context key (lower-cased) that ``policy`` may read; computed once per policy."""
    cached = policy._keys
    if cached is None:
        cached = policy._keys = frozenset(key.lower() for key in _named(policy))
    return cached  # type: ignore[no-any-return]


def keys_named(policies: Iterable[Policy]) -> list[str]:
    """The context keys ``policies`` name, as GetContextKeysForCustomPolicy and
    GetContextKeysForPrincipalPolicy list them: in the order the documents name them (AWS's
    example lists ``aws:username`` from a ``Resource`` before ``aws:CurrentTime`` from the
    ``Condition`` after it), spelt as the first mention spells it, and once each — keys are
    case-insensitive, so ``aws:SourceIp`` and ``AWS:SOURCEIP`` are one key."""
    seen: set[str] = set()
    out: list[str] = []
    for policy in policies:
        for key in _named(policy):
            folded = key.lower()
            if folded not in seen:
                seen.add(folded)
                out.append(key)
    return out


def reads_resource_tags(policies: Iterable[Policy | None]) -> bool:
    """Whether any of ``policies`` reads a resource tag (``aws:ResourceTag/…``,
    ``iam:ResourceTag/…`` or another service's ``…:ResourceTag/…``)."""
    return any(
        ":resourcetag/" in key for policy in policies if policy is not None for key in keys_read(policy)
    )
