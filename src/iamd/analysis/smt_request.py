"""The symbolic request a custom policy check reasons about, and its rendering as a real one.

One request: an action, a resource, a principal (resource policies only) and every condition key
either policy reads. A key is *typed* by the operators that read it (strings and ARNs, numbers,
dates, IP addresses, booleans, binary): a request never carries ``abc`` for ``aws:CurrentTime``,
so each type's values range over what the engine can read:

- numbers are exact decimals ``m / 10**D`` with one more fractional digit than any constant, so
  between two constants there is always a value (an integer ``m``, no floating point);
- dates are whole seconds (milliseconds when a constant has a fraction) from 1970 to 9999;
- IP addresses are 128-bit vectors with a version bit; IPv6 addresses inside ``::ffff:0:0/96``
  are left out, as the engine reads them as the IPv4 address they map;
- booleans are the strings ``true`` and ``false``.

A key is multivalued when a ``ForAllValues:``/``ForAnyValue:`` operator reads it or AWS documents
it as multivalued; it then has a bounded list of values. The bound is exact: a satisfying request
keeps its truth when its list shrinks to one witness per condition on the key (plus two, for a
policy variable that needs exactly one value). Any other key has at most one value.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import z3

from iamd.policy import PrincipalType

# AWS's multivalued global keys ("AWS global condition context keys": "This is a multivalued key").
MULTIVALUED = frozenset(
    {
        "aws:tagkeys",
        "aws:principalorgpaths",
        "aws:principalservicenameslist",
        "aws:calledvia",
        "aws:sourceorgpaths",
        "aws:resourceorgpaths",
    }
)
MAX_SLOTS = 8
MAX_EPOCH = 253402300799  # 9999-12-31T23:59:59Z
PRINCIPAL_TYPES = tuple(PrincipalType)


@dataclass
class KeyVar:
    """One condition key: whether it is in the request, and its values."""

    name: str
    kind: str
    multi: bool
    in_ctx: z3.BoolRef
    used: list[z3.BoolRef]
    values: list[Any]
    scale: int = 1
    v6: list[z3.BoolRef] = field(default_factory=list)

    def single(self) -> z3.BoolRef:
        """The key has exactly one value (what a policy variable needs)."""
        if len(self.used) == 1:
            return self.used[0]
        return z3.And(self.used[0], z3.Not(self.used[1]))


@dataclass
class SymbolicPrincipal:
    type: z3.ArithRef
    account: z3.SeqRef
    arn: z3.SeqRef
    source: z3.SeqRef

    def is_(self, kind: PrincipalType) -> z3.BoolRef:
        return self.type == PRINCIPAL_TYPES.index(kind)


class SymbolicRequest:
    """z3 variables for one request, in one z3 context."""

    def __init__(self, ctx: z3.Context, keys: dict[str, tuple[str, str, bool, int, int]]) -> None:
        """``keys``: lower-cased key → (spelling, kind, multivalued, condition count, scale)."""
        self.ctx = ctx
        self.constraints: list[z3.BoolRef] = []
        self.action = z3.String("action", ctx)
        self.resource = z3.String("resource", ctx)
        # Real actions are ``service:Name`` of letters and digits; the engine compares them lower-cased.
        alnum = z3.Union(z3.Range("a", "z", ctx=ctx), z3.Range("0", "9", ctx=ctx))
        service = z3.Plus(z3.Union(alnum, z3.Re(z3.StringVal("-", ctx))))
        self.constraints.append(
            z3.InRe(self.action, z3.Concat(service, z3.Re(z3.StringVal(":", ctx)), z3.Plus(alnum)))
        )
        self.keys: dict[str, KeyVar] = {}
        for lkey, (name, kind, multi, count, scale) in keys.items():
            self.keys[lkey] = self._key(lkey, name, kind, multi, count, scale)
        self.principal = SymbolicPrincipal(
            z3.Int("principal.type", ctx),
            z3.String("principal.account", ctx),
            z3.String("principal.arn", ctx),
            z3.String("principal.source", ctx),
        )

    def _key(self, lkey: str, name: str, kind: str, multi: bool, count: int, scale: int) -> KeyVar:
        ctx = self.ctx
        n = min(MAX_SLOTS, count + 2) if multi else 1
        in_ctx = z3.Bool(f"in:{lkey}", ctx)
        used = [z3.Bool(f"used:{lkey}:{i}", ctx) for i in range(n)]
        values: list[Any] = []
        v6: list[z3.BoolRef] = []
        for i in range(n):
            tag = f"{lkey}:{i}"
            if kind == "numeric":
                value: Any = z3.Int(f"num:{tag}", ctx)
                bound = 10**50
                self.constraints.append(z3.And(value > -bound, value < bound))
            elif kind == "date":
                value = z3.Int(f"date:{tag}", ctx)
                self.constraints.append(z3.And(value >= 0, value <= MAX_EPOCH * scale))
            elif kind == "ip":
                value = z3.BitVec(f"ip:{tag}", 128, ctx)
                is6 = z3.Bool(f"ip6:{tag}", ctx)
                v6.append(is6)
                mapped_lo = int(ipaddress.IPv6Address("::ffff:0:0"))
                self.constraints.append(
                    z3.If(
                        is6,
                        z3.Or(z3.ULT(value, mapped_lo), z3.UGT(value, mapped_lo + 2**32 - 1)),
                        z3.ULT(value, 2**32),
                    )
                )
            else:
                value = z3.String(f"str:{tag}", ctx)
                if kind == "bool":
                    self.constraints.append(
                        z3.Or(value == z3.StringVal("true", ctx), value == z3.StringVal("false", ctx))
                    )
            values.append(value)
        for i, u in enumerate(used):
            self.constraints.append(z3.Implies(u, in_ctx))
            if i:
                self.constraints.append(z3.Implies(u, used[i - 1]))
        if not multi:
            self.constraints.append(in_ctx == used[0])
        return KeyVar(name, kind, multi, in_ctx, used, values, scale, v6)

    # --- rendering ------------------------------------------------------------------------

    def render_context(self, model: z3.ModelRef) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for key in self.keys.values():
            if not z3.is_true(model.eval(key.in_ctx, model_completion=True)):
                continue
            values = []
            for i, used in enumerate(key.used):
                if z3.is_true(model.eval(used, model_completion=True)):
                    values.append(render_value(key, i, model))
            out[key.name] = values
        return out


def render_value(key: KeyVar, i: int, model: z3.ModelRef) -> str:
    value = model.eval(key.values[i], model_completion=True)
    if key.kind == "numeric":
        return f"{Decimal(value.as_long()).scaleb(-key.scale):f}"
    if key.kind == "date":
        seconds = Decimal(value.as_long()) / key.scale
        if key.scale == 1:
            return dt.datetime.fromtimestamp(int(seconds), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return f"{seconds:f}"
    if key.kind == "ip":
        number = value.as_long()
        if z3.is_true(model.eval(key.v6[i], model_completion=True)):
            return str(ipaddress.IPv6Address(number))
        return str(ipaddress.IPv4Address(number))
    return str(value.as_string())


def text(model: z3.ModelRef, value: z3.SeqRef) -> str:
    return str(model.eval(value, model_completion=True).as_string())
