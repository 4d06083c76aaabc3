"""Which request-context keys a policy may read: its condition keys and its policy variables.

The server loads some context lazily (a resource's tags cost a query), and may skip it only when
no policy taking part in the decision reads it. That question is answered here from the parsed
document, never from its text: JSON escapes (``"aws:Resource\\u0054ag/env"``) and case
(``AWS:resourcetag/env``) spell the same key, and a variable in a ``Resource`` or a condition
value (``${aws:ResourceTag/team, 'none'}``, default or not) reads its key as surely as a
condition does.
"""

from __future__ import annotations

from collections.abc import Iterable

from .document import Policy
from .variables import parse_template


def keys_read(policy: Policy) -> frozenset[str]:
    """Every context key (lower-cased) that ``policy`` may read; computed once per policy."""
    cached = policy._keys
    if cached is None:
        keys: set[str] = set()
        for statement in policy.statements:
            texts: list[str] = list(statement.resources or ())
            for condition in statement.conditions:
                keys.add(condition.key.lower())
                texts.extend(condition.values)
            if policy.variables:
                for text in texts:
                    keys.update(v.key for v in parse_template(text).variables)
        cached = policy._keys = frozenset(keys)
    return cached  # type: ignore[no-any-return]


def reads_resource_tags(policies: Iterable[Policy | None]) -> bool:
    """Whether any of ``policies`` reads a resource tag (``aws:ResourceTag/…``,
    ``iam:ResourceTag/…`` or another service's ``…:ResourceTag/…``)."""
    return any(
        ":resourcetag/" in key for policy in policies if policy is not None for key in keys_read(policy)
    )
