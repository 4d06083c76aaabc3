"""The simulator's request context: ``ContextEntries`` typed and checked, folded into the engine's
``Context``.

A simulation has no wire request, so every condition key comes from ``ContextEntries``, as on AWS
("Whenever a context key is evaluated in one of the simulated IAM permissions policies, the
corresponding value is supplied"); a key a statement needs and nobody supplied is reported in
``MissingContextValues``. Each ``ContextKeyType`` is checked the way the engine's operators will
read the value (numbers, booleans, IP addresses and CIDR blocks, ISO 8601 or epoch dates, base64),
so a simulation never silently compares a malformed value. Values are stored as the engine stores
the live context: a tuple of strings per key, lower-cased key names.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from iamd.policy import Context
from iamd.policy.conditions.dates import to_epoch

SCALAR_TYPES = frozenset({"string", "numeric", "boolean", "ip", "binary", "date"})
LIST_TYPES = frozenset(f"{t}List" for t in SCALAR_TYPES)
MAX_ENTRIES = 1000
MAX_VALUES = 1000
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


class SimulationInputError(ValueError):
    """A simulation request AWS refuses with ``InvalidInput``; the message is the sentence.
    ``where`` names the submitted document a policy error is in (the CLI prints it; the API
    answers AWS's sentence alone)."""

    def __init__(self, message: str, where: str | None = None) -> None:
        super().__init__(message)
        self.where = where


def _check_value(key: str, kind: str, value: str) -> str:
    shown = value if len(value) <= 100 else value[:100] + "…"
    bad = SimulationInputError(f"Invalid value {shown!r} for context key {key} of type {kind}.")
    if kind == "numeric":
        if not _NUMBER.fullmatch(value) or not math.isfinite(float(value)):
            raise bad
        return value
    if kind == "boolean":
        if value.lower() not in ("true", "false"):
            raise bad
        return value.lower()
    if kind == "ip":
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise bad from None
        return value
    if kind == "date":
        if to_epoch(value) is None:
            raise bad
        return value
    if kind == "binary":
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise bad from None
        return value
    return value


def build_context(entries: Iterable[Mapping[str, Any]] | None) -> Context:
    """``ContextEntries`` (botocore's ``ContextEntry`` shapes) → the engine's ``Context``.

    A key given twice (keys compare case-insensitively) or a scalar type given several values is
    refused rather than guessed at: the simulation must say what a real request would carry."""
    ctx = Context()
    entries = list(entries or ())
    if len(entries) > MAX_ENTRIES:
        raise SimulationInputError(f"The number of context entries cannot exceed {MAX_ENTRIES}.")
    for entry in entries:
        name = entry.get("ContextKeyName")
        if not name:
            raise SimulationInputError("Context entry is missing ContextKeyName.")
        kind = entry.get("ContextKeyType") or "string"
        if kind not in SCALAR_TYPES and kind not in LIST_TYPES:
            raise SimulationInputError(f"Invalid ContextKeyType {kind} for context key {name}.")
        values = [str(v) for v in entry.get("ContextKeyValues") or []]
        if len(values) > MAX_VALUES:
            raise SimulationInputError(f"Context key {name} cannot have more than {MAX_VALUES} values.")
        if kind in SCALAR_TYPES and len(values) != 1:
            raise SimulationInputError(
                f"Context key {name} of type {kind} takes exactly one value; use {kind}List for several."
            )
        if name.lower() in ctx:
            raise SimulationInputError(f"Context key {name} is given more than once.")
        scalar = kind.removesuffix("List")
        checked = [_check_value(name, scalar, v) for v in values]
        ctx.set(name, checked[0] if kind in SCALAR_TYPES else checked)
    return ctx
