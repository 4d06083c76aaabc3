"""Policy variables: ``${aws:username}``, ``${aws:PrincipalTag/team}``, ``${*}``, defaults.

From the IAM User Guide, "IAM policy elements: Variables and tags": variables work in the
resource part of ``Resource`` ARNs and in string and ARN condition values, only in policies whose
``Version`` is ``2012-10-17``; ``${*}``, ``${?}`` and ``${$}`` stand for the literal characters;
``${key, 'default'}`` gives a value to use when the key is absent. A variable with no value
(an absent or multivalued key, no default) is "effectively null" ("Policy variables with no
value"): a ``Resource`` or ``NotResource`` pattern holding it matches no resource, and a
condition value holding it equals or is like no request value — so negated operators match.

A string is compiled once into a ``Template``; resolving it against a request yields glob tokens
(see ``wildcard``) in which substituted values are always literal, so a user named ``a*`` cannot
widen a pattern.
"""

from __future__ import annotations

import re

from .context import Context
from .wildcard import STAR, Token, tokenize

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_DEFAULT = re.compile(r"^\s*([^,\s]+)\s*,\s*'([^']*)'\s*$")
_SPECIAL = {"*": "*", "?": "?", "$": "$"}


class Variable:
    """A reference to a context key, with an optional default value. ``key`` is folded to lower
    case for lookups; ``name`` keeps the spelling of the document, which GetContextKeysFor*Policy
    lists."""

    __slots__ = ("key", "name", "default", "text")

    def __init__(self, key: str, default: str | None, text: str) -> None:
        self.key = key.lower()
        self.name = key
        self.default = default
        self.text = text

    def value(self, context: Context) -> str | None:
        values = context.get(self.key)
        if values is not None and len(values) == 1:
            return values[0]
        return self.default


class Template:
    """A policy string split into static glob tokens and variables."""

    __slots__ = ("source", "parts", "tokens", "variables")

    def __init__(self, source: str, parts: tuple[tuple[Token, ...] | Variable, ...]) -> None:
        self.source = source
        self.parts = parts
        self.variables = tuple(p for p in parts if isinstance(p, Variable))
        self.tokens: tuple[Token, ...] | None = None
        if not self.variables:
            self.tokens = tuple(t for p in parts for t in p)  # type: ignore[union-attr]

    def resolve(self, context: Context) -> tuple[Token, ...] | None:
        """Glob tokens with variables substituted, or ``None`` if one has no value."""
        if self.tokens is not None:
            return self.tokens
        out: list[Token] = []
        for part in self.parts:
            if isinstance(part, Variable):
                value = part.value(context)
                if value is None:
                    return None
                if value:
                    out.append(value)
            else:
                out.extend(part)
        return tuple(out)


def parse_template(source: str, variables: bool = True) -> Template:
    """Compile ``source``; with ``variables`` false (Version 2008-10-17) ``${…}`` is literal."""
    if not variables or "${" not in source:
        return Template(source, (tokenize(source),))
    parts: list[tuple[Token, ...] | Variable] = []
    pos = 0
    for m in _VARIABLE.finditer(source):
        if m.start() > pos:
            parts.append(tokenize(source[pos : m.start()]))
        inner = m.group(1)
        if inner in _SPECIAL:
            parts.append((_SPECIAL[inner],))
        else:
            d = _DEFAULT.match(inner)
            if d:
                parts.append(Variable(d.group(1), d.group(2), m.group()))
            else:
                parts.append(Variable(inner.strip(), None, m.group()))
        pos = m.end()
    if pos < len(source):
        parts.append(tokenize(source[pos:]))
    return Template(source, tuple(parts))


def tokens_text(tokens: tuple[Token, ...]) -> str:
    """The literal text of resolved tokens, for the equality operators."""
    return "".join(t if isinstance(t, str) else ("*" if t is STAR else "?") for t in tokens)

