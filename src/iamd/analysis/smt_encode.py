"""A policy as a z3 formula over the symbolic request: "this policy allows the request".

The formula follows the engine statement by statement (``policy/compiler.py``,
``policy/conditions/operators.py``), so a model of it is a request the engine decides the same
way (the checks verify that before answering):

- a statement applies when its Action/NotAction, Resource/NotResource, Principal/NotPrincipal
  (resource policies) and every condition do; the policy allows when some ``Allow`` statement
  applies and no ``Deny`` statement does ("an explicit deny overrides any allow");
- a condition key absent from the request makes a condition false, except negated operators,
  ``…IfExists`` (true) and ``ForAllValues:`` (true); ``ForAnyValue:`` needs one value that
  matches, ``ForAllValues:`` every value; without a qualifier any value matching is enough;
- a policy variable with no value (absent, or multivalued, no default) leaves its pattern
  matching nothing; substituted values are literal.

Constructs this encoding can only approximate add a reason to ``inexact``; a check whose answer
depended on one says it cannot decide instead of guessing.
"""

from __future__ import annotations

from typing import Any

import z3

from iamd.policy import Policy, PolicyType, Statement
from iamd.policy.conditions import boolean, dates, ipaddr, numeric, strings
from iamd.policy.conditions.operators import REGISTRY, absent_matches, split_operator
from iamd.policy.document import Condition
from iamd.policy.principal import PrincipalMatcher
from iamd.policy.variables import Template, Variable, parse_template, tokens_text
from iamd.policy.wildcard import STAR, tokenize

from .smt_keys import Undecidable, family_kind, scaled
from .smt_principal import PrincipalEncoder
from .smt_request import KeyVar, SymbolicRequest
from .smt_strings import Part, Regexes, Slot, colons_before_first_slot


class Encoder:
    def __init__(self, request: SymbolicRequest, extra_chars: list[str] | None = None, relax: bool = False) -> None:
        """``relax``: every match against a pattern holding a policy variable becomes a free
        boolean (one per distinct pattern and value): a weaker formula, so its unsatisfiability
        proves the real one's — and z3 proves it without word equations."""
        self.relax = relax
        self.relaxed: dict[str, z3.BoolRef] = {}
        self.request = request
        self.ctx = request.ctx
        self.re = Regexes(request.ctx, extra_chars)
        self.principals = PrincipalEncoder(request)
        self.inexact: list[str] = []
        self.tails = 0
        self.true = z3.BoolVal(True, self.ctx)
        self.false = z3.BoolVal(False, self.ctx)

    def any(self, items: list[z3.BoolRef]) -> z3.BoolRef:
        return self.false if not items else items[0] if len(items) == 1 else z3.Or(*items)

    def all(self, items: list[z3.BoolRef]) -> z3.BoolRef:
        return self.true if not items else items[0] if len(items) == 1 else z3.And(*items)

    # --- policies and statements ---------------------------------------------------------

    def allows(self, policy: Policy) -> z3.BoolRef:
        allow = [self.applies(policy, st) for st in policy.statements if st.effect == "Allow"]
        deny = [self.applies(policy, st) for st in policy.statements if st.effect == "Deny"]
        return z3.And(self.any(allow), z3.Not(self.any(deny)))

    def applies(self, policy: Policy, st: Statement) -> z3.BoolRef:
        parts = [self.action(st), self.resource(policy, st)]
        if policy.policy_type is not PolicyType.IDENTITY and st.principal is not None:
            matcher = PrincipalMatcher(st.principal)
            if st.not_principal:
                parts.append(z3.Not(self.principals.excluded(matcher, deny=st.effect == "Deny")))
            else:
                parts.append(self.principals.named(matcher))
        parts.extend(self.condition(policy, c) for c in st.conditions)
        return self.all(parts)

    def action(self, st: Statement) -> z3.BoolRef:
        matched = self.any(
            [z3.InRe(self.request.action, self.re.glob(tokenize(a.lower()))) for a in st.actions]
        )
        return z3.Not(matched) if st.not_action else matched

    def resource(self, policy: Policy, st: Statement) -> z3.BoolRef:
        if st.resources is None or (not st.not_resource and "*" in st.resources):
            return self.true
        matched = self.any([self.resource_pattern(parse_template(p, policy.variables)) for p in st.resources])
        return z3.Not(matched) if st.not_resource else matched

    def free(self, key: str) -> z3.BoolRef:
        if key not in self.relaxed:
            self.relaxed[key] = z3.Bool(f"relaxed:{len(self.relaxed)}", self.ctx)
        return self.relaxed[key]

    def resource_pattern(self, template: Template) -> z3.BoolRef:
        if self.relax and template.variables:
            return self.free("resource " + template.source)
        parts, defined = self.resolve(template)
        if template.variables and colons_before_first_slot(parts) < 5:
            self.no_colon(parts, "a policy variable before an ARN's resource segment")
        return z3.And(defined, self.match(self.request.resource, parts, self.re.resource))

    def match(self, x: z3.SeqRef, parts: tuple[Part, ...], language: Any) -> z3.BoolRef:
        """``x`` is in the pattern's language. A variable in a literal head (``bucket/${aws:username}/*``)
        becomes a prefix test and the rest a regex over the remainder: z3 decides that far faster
        than a regex holding a symbolic string. Only for heads holding the first five colons (or
        patterns whose language is a plain glob), where the remainder is a plain glob."""
        head: list[Part] = []
        for part in parts:
            if not isinstance(part, str | Slot):
                break
            head.append(part)
        if not any(isinstance(p, Slot) for p in head) or (
            language is not self.re.glob and colons_before_first_slot(parts) < 5
        ):
            built = language(parts)
            return self.false if built is None else z3.InRe(x, built)
        prefix = self.text_of(tuple(head))
        rest = parts[len(head) :]
        # The remainder is determined by x once the prefix holds, so one fresh variable per
        # pattern stays exact under negation: x = prefix ++ tail whenever prefix is a prefix of x.
        self.tails += 1
        tail = z3.String(f"tail:{self.tails}", self.ctx)
        starts = z3.PrefixOf(prefix, x)
        self.request.constraints.append(z3.Implies(starts, x == z3.Concat(prefix, tail)))
        return z3.And(starts, z3.InRe(tail, self.re.glob(rest)))

    # --- variables -------------------------------------------------------------------------

    def key(self, name: str) -> KeyVar:
        return self.request.keys[name.lower()]

    def resolve(self, template: Template) -> tuple[tuple[Part, ...], z3.BoolRef]:
        """The template's tokens with symbolic values, and when every variable has a value."""
        parts: list[Part] = []
        defined: list[z3.BoolRef] = []
        for part in template.parts:
            if isinstance(part, Variable):
                kv = self.key(part.key)
                if kv.kind not in ("string", "bool", "binary"):
                    raise Undecidable(f"the policy variable {part.text} names a key compared as {kv.kind}")
                single = kv.single()
                value = kv.values[0]
                if part.default is None:
                    defined.append(single)
                else:
                    value = z3.If(single, value, z3.StringVal(part.default, self.ctx))
                parts.append(Slot(value))
            else:
                parts.extend(part)
        return tuple(parts), self.all(defined)

    def no_colon(self, parts: tuple[Part, ...], why: str) -> None:
        for p in parts:
            if isinstance(p, Slot):
                self.request.constraints.append(z3.Not(z3.Contains(p.value, z3.StringVal(":", self.ctx))))
        self.inexact.append(f"{why} (its value is assumed to hold no colon)")

    def text_of(self, parts: tuple[Part, ...]) -> z3.SeqRef:
        pieces: list[z3.SeqRef] = []
        for p in parts:
            if isinstance(p, Slot):
                pieces.append(p.value)
            else:
                pieces.append(z3.StringVal(tokens_text((p,)), self.ctx))
        if not pieces:
            return z3.StringVal("", self.ctx)
        return pieces[0] if len(pieces) == 1 else z3.Concat(*pieces)

    # --- conditions ------------------------------------------------------------------------

    def condition(self, policy: Policy, c: Condition) -> z3.BoolRef:
        qualifier, base, if_exists = split_operator(c.operator)
        kv = self.key(c.key)
        if base == "null":
            wants = {v.strip().lower() for v in c.values}
            present = kv.used[0]
            return z3.If(present, z3.BoolVal("false" in wants, self.ctx), z3.BoolVal("true" in wants, self.ctx))
        name, family, negated = REGISTRY[base]
        absent = absent_matches(qualifier, if_exists, negated)
        tests = [self.test(policy, name, family, c.values, kv, i) for i in range(len(kv.used))]
        if qualifier is None:
            hit = self.any([z3.And(u, t) for u, t in zip(kv.used, tests, strict=True)])
            body = z3.Not(hit) if negated else hit
        elif qualifier == "ForAnyValue":
            body = self.any([z3.And(u, t if not negated else z3.Not(t)) for u, t in zip(kv.used, tests, strict=True)])
        else:
            body = self.all(
                [z3.Implies(u, t if not negated else z3.Not(t)) for u, t in zip(kv.used, tests, strict=True)]
            )
        return z3.If(kv.in_ctx, body, z3.BoolVal(absent, self.ctx))

    def test(self, policy: Policy, name: str, family: Any, values: tuple[str, ...], kv: KeyVar, i: int) -> z3.BoolRef:
        """The family's positive test of value ``i`` of the key against every policy value (ORed)."""
        x = kv.values[i]
        kind = family_kind(family)
        if kind in ("string", "binary", "bool") and family.variables:
            return self.any([self.string_test(family, parse_template(v, policy.variables), x) for v in values])
        if family is boolean.BINARY:
            self.inexact.append("BinaryEquals (values compared as their base64 text)")
            return self.any([x == z3.StringVal(v, self.ctx) for v in values])
        if family is boolean.BOOL:
            wanted = {v.strip().lower() for v in values} & {"true", "false"}
            return self.any([x == z3.StringVal(w, self.ctx) for w in sorted(wanted)])
        if kind == "numeric":
            numbers = [n for n in map(numeric.to_number, values) if n is not None]
            return self.any([_compare(name, x, scaled(n, kv.scale)) for n in numbers])
        if kind == "date":
            epochs = [e for e in map(dates.to_epoch, values) if e is not None]
            if kv.scale == 1000 and any(round(e * 1000) != e * 1000 for e in epochs):
                self.inexact.append("a date with a fraction of a millisecond")
            return self.any([_compare(name, x, round(e * kv.scale)) for e in epochs])
        if kind == "ip":
            ranges = [r for r in map(ipaddr._to_range, values) if r is not None]
            six = kv.v6[i]
            return self.any(
                [
                    z3.And(six if version == 6 else z3.Not(six), z3.ULE(lo, x), z3.ULE(x, hi))
                    for version, lo, hi in ranges
                ]
            )
        raise Undecidable(f"the condition operator {name} has no encoding")

    def string_test(self, family: Any, template: Template, x: z3.SeqRef) -> z3.BoolRef:
        if self.relax and template.variables:
            return self.free(f"{sorted(family.operators)[0]} {template.source} {x}")
        parts, defined = self.resolve(template)
        dynamic = any(isinstance(p, Slot) for p in parts)
        if family is strings.EQUALS:
            match = x == self.text_of(parts)
        elif family is strings.IGNORE_CASE:
            if dynamic:
                self.inexact.append("StringEqualsIgnoreCase with a policy variable (compared with case)")
                match = x == self.text_of(parts)
            else:
                match = z3.InRe(x, self.re.literal(tokens_text(parts), ignore_case=True))  # type: ignore[arg-type]
        elif family is strings.LIKE:
            match = self.match(x, parts, self.re.glob)
        else:
            if dynamic and colons_before_first_slot(parts) < 5:
                self.no_colon(parts, "a policy variable in an ARN condition before the resource segment")
            match = self.match(x, parts, self.re.arn_like)
        return z3.And(defined, match) if dynamic else match


def _compare(name: str, x: z3.ArithRef, constant: int) -> z3.BoolRef:
    lowered = name.lower().removeprefix("numeric").removeprefix("date").removeprefix("not")
    if lowered == "equals":
        return x == constant
    if lowered == "lessthan":
        return x < constant
    if lowered == "lessthanequals":
        return x <= constant
    if lowered == "greaterthan":
        return x > constant
    if lowered == "greaterthanequals":
        return x >= constant
    raise Undecidable(f"the condition operator {name} has no encoding")


__all__ = ["STAR", "Encoder"]
