"""Model constraints (length, range, pattern, enum) and AWS's validation-message wording.

AWS (Coral) reports every violated constraint of a request in one ``ValidationError``::

    2 validation errors detected: Value 'x!' at 'userName' failed to satisfy constraint:
    Member must satisfy regular expression pattern: [\\w+=,.@-]+; Value null at 'path' ...

Each check is compiled once per shape into a closure returning the "Member must ..." text or
``None``, so the hot path is a few comparisons per value.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime
from typing import Any

from botocore.model import Shape

from iamd.api.patterns import compile_java
from iamd.errors import AwsError, ValidationError

Check = Callable[[Any], "str | None"]


def lower_camel(name: str) -> str:
    """AWS names members in messages by lower-casing the first letter only (``sAMLMetadataDocument``)."""
    return name[:1].lower() + name[1:]


def describe(value: Any) -> str:
    """Render a parsed value the way Java's ``toString`` shows it in AWS messages."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(describe(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{k}: {describe(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def violation(value: Any, path: str, constraint: str, sensitive: bool = False) -> str:
    """One clause of the message; sensitive values (passwords, keys) are never echoed."""
    if value is None:
        return f"Value null at '{path}' failed to satisfy constraint: {constraint}"
    if sensitive:
        return f"Value at '{path}' failed to satisfy constraint: {constraint}"
    return f"Value '{describe(value)}' at '{path}' failed to satisfy constraint: {constraint}"


NOT_NULL = "Member must not be null"


# Clauses a message lists; the count still says how many there were. A 470 KB body of invalid
# list items made a 3.6 MB message otherwise: an answer must not be many times its request.
MAX_CLAUSES = 10


def raise_if_any(errors: list[str], error: type[AwsError] = ValidationError) -> None:
    """Turn collected clauses into one error: ``ValidationError`` on Query, ``ValidationException`` on JSON."""
    if errors:
        n = len(errors)
        plural = "s" if n != 1 else ""
        raise error(f"{n} validation error{plural} detected: " + "; ".join(errors[:MAX_CLAUSES]))


def _length_checks(lo: int | None, hi: int | None) -> list[Check]:
    checks: list[Check] = []
    if lo is not None:
        too_short = f"Member must have length greater than or equal to {lo}"
        checks.append(lambda v: too_short if len(v) < lo else None)
    if hi is not None:
        too_long = f"Member must have length less than or equal to {hi}"
        checks.append(lambda v: too_long if len(v) > hi else None)
    return checks


def _range_checks(lo: int | float | None, hi: int | float | None) -> list[Check]:
    checks: list[Check] = []
    if lo is not None:
        too_small = f"Member must have value greater than or equal to {lo}"
        checks.append(lambda v: too_small if v < lo else None)
    if hi is not None:
        too_big = f"Member must have value less than or equal to {hi}"
        checks.append(lambda v: too_big if v > hi else None)
    return checks


def compile_checks(shape: Shape) -> tuple[Check, ...]:
    """All constraint checks of a shape, in the order AWS lists them: length, range, pattern, enum."""
    meta = shape.metadata
    lo, hi = meta.get("min"), meta.get("max")
    kind = shape.type_name
    checks: list[Check] = []
    if kind in ("string", "blob", "list", "map"):
        checks += _length_checks(lo, hi)
    elif kind in ("integer", "long", "float", "double"):
        checks += _range_checks(lo, hi)
    if kind == "string" and meta.get("pattern") is not None:
        java = meta["pattern"]
        match = compile_java(java).fullmatch
        bad_pattern = f"Member must satisfy regular expression pattern: {java}"
        checks.append(lambda v: bad_pattern if match(v) is None else None)
    if kind == "string" and meta.get("enum"):
        allowed = frozenset(meta["enum"])
        bad_enum = "Member must satisfy enum value set: [" + ", ".join(meta["enum"]) + "]"
        checks.append(lambda v: bad_enum if v not in allowed else None)
    return tuple(checks)


def run_checks(checks: tuple[Check, ...], value: Any, path: str, sensitive: bool, errors: list[str]) -> None:
    for check in checks:
        failed = check(value)
        if failed is not None:
            errors.append(violation(value, path, failed, sensitive))
