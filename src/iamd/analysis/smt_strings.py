"""Policy strings as z3 regular expressions: Action, Resource, StringLike and ArnLike globs.

The engine's matchers (``policy/wildcard.py``, ``policy/compiler.py``, ``conditions/arn.py``) are
the specification; each builder here is the regular language of one of them:

- a glob: ``*`` is any run, ``?`` one character, everything else literal (``STAR``/``QMARK``
  tokens, so ``${*}`` stays a literal asterisk);
- a Resource glob with a wildcard before its fifth colon: "wildcard characters (* and ?) within
  any ARN segment", so in the first five segments a wildcard never crosses a colon;
- ``ArnLike``: six colon-separated components, each a glob within its component.

A policy variable in a pattern is a ``Slot``: the symbolic value of that variable, always
literal (a user named ``a*`` cannot widen a pattern), spliced in with ``Re(value)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import z3

from iamd.policy.compiler import _wildcard_before_fifth_colon
from iamd.policy.conditions.arn import split_tokens
from iamd.policy.wildcard import STAR, Token


@dataclass(frozen=True)
class Slot:
    """A resolved policy variable inside a token tuple: its z3 string value."""

    value: z3.SeqRef


Part = Token | Slot


class Regexes:
    """Regex constructors bound to one z3 context (each check has its own: z3 is not thread-safe)."""

    def __init__(self, ctx: z3.Context, extra: list[str] | None = None) -> None:
        """Wildcards range over ``alphabet``: printable ASCII plus ``extra`` characters (every
        other character a policy holds); the problem limits every string to it. Character ranges,
        not complements, keep z3's regex derivatives small."""
        self.ctx = ctx
        singles = [z3.Re(z3.StringVal(ch, ctx)) for ch in extra or ()]
        self.any_char = z3.Union(z3.Range(" ", "~", ctx=ctx), *singles) if singles else z3.Range(" ", "~", ctx=ctx)
        no_colon = [z3.Range(" ", "9", ctx=ctx), z3.Range(";", "~", ctx=ctx), *singles]
        self.no_colon = z3.Union(*no_colon)
        self.alphabet = z3.Star(self.any_char)
        self.empty = z3.Re(z3.StringVal("", ctx))

    def literal(self, text: str, ignore_case: bool = False) -> z3.ReRef:
        if not ignore_case:
            return z3.Re(z3.StringVal(text, self.ctx))
        if not text:
            return self.empty
        parts = []
        for ch in text:
            variants = sorted({c for c in (ch, ch.lower(), ch.upper()) if len(c) == 1 and c.lower() == ch.lower()})
            if len(variants) == 1:
                parts.append(z3.Re(z3.StringVal(ch, self.ctx)))
            else:
                parts.append(z3.Union(*[z3.Re(z3.StringVal(c, self.ctx)) for c in variants]))
        return parts[0] if len(parts) == 1 else z3.Concat(*parts)

    def glob(self, parts: tuple[Part, ...], char: z3.ReRef | None = None, ignore_case: bool = False) -> z3.ReRef:
        """``*`` → ``char*``, ``?`` → ``char``; ``char`` is any character unless a segment says otherwise."""
        one = self.any_char if char is None else char
        out: list[z3.ReRef] = []
        for part in parts:
            if isinstance(part, Slot):
                out.append(z3.Re(part.value))
            elif isinstance(part, str):
                out.append(self.literal(part, ignore_case))
            elif part is STAR:
                out.append(z3.Star(one))
            else:
                out.append(one)
        if not out:
            return self.empty
        return out[0] if len(out) == 1 else z3.Concat(*out)

    def segments(self, parts: tuple[Part, ...]) -> z3.ReRef:
        """Six colon-separated segments; wildcards stay inside the first five."""
        segs = split_tokens(parts)  # type: ignore[arg-type]
        out: list[z3.ReRef] = []
        for i, seg in enumerate(segs):
            if i:
                out.append(self.literal(":"))
            out.append(self.glob(seg, self.no_colon if i < 5 else None))
        return z3.Concat(*out)

    def resource(self, parts: tuple[Part, ...]) -> z3.ReRef:
        """``compile_resource``'s language. Slots count as colon-free literals here: callers either
        know the slot is past the fifth colon or constrain its value to hold no colon."""
        probe = tuple("" if isinstance(p, Slot) else p for p in parts)
        if not _wildcard_before_fifth_colon(probe):
            return self.glob(parts)
        if len(split_tokens(probe)) != 6:
            return self.glob(parts)
        return self.segments(parts)

    def arn_like(self, parts: tuple[Part, ...]) -> z3.ReRef | None:
        """``ArnLike``'s language, or ``None`` when the value has no six components (matches nothing)."""
        probe = tuple("" if isinstance(p, Slot) else p for p in parts)
        if len(split_tokens(probe)) != 6:
            return None
        return self.segments(parts)


def colons_before_first_slot(parts: tuple[Part, ...]) -> int:
    """Literal colons ahead of the first variable: five or more puts every variable in the last
    segment, where its value's own colons change nothing."""
    count = 0
    for p in parts:
        if isinstance(p, Slot):
            return count
        if isinstance(p, str):
            count += p.count(":")
    return count
