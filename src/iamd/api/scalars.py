"""Query-protocol scalar decoding: form strings to typed values, or ``None`` when malformed.

The wire carries every scalar as text (botocore's ``QuerySerializer``: booleans ``true``/``false``,
timestamps ISO 8601, blobs base64). Malformed text becomes a validation clause, never a Python
exception, so each decoder returns ``None`` instead of raising; ``TYPE_ERRORS`` holds the clause.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

_INT = re.compile(r"[+-]?[0-9]+", re.ASCII).fullmatch
_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?(?:NaN|Infinity)",
                    re.ASCII).fullmatch
_EPOCH = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?", re.ASCII).fullmatch
_B64 = re.compile(r"[A-Za-z0-9+/]*={0,2}", re.ASCII).fullmatch

_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)


def _int_decoder(bounds: tuple[int, int]) -> Callable[[str], int | None]:
    lo, hi = bounds

    def decode(text: str) -> int | None:
        if _INT(text) is None:
            return None
        value = int(text)
        return value if lo <= value <= hi else None

    return decode


def decode_boolean(text: str) -> bool | None:
    """Java's ``Boolean.parseBoolean`` ignores case; anything but true/false is rejected here."""
    low = text.lower()
    if low == "true":
        return True
    if low == "false":
        return False
    return None


def decode_float(text: str) -> float | None:
    return float(text) if _FLOAT(text) is not None else None


def decode_timestamp(text: str) -> datetime | None:
    """ISO 8601 (botocore's default for query) or epoch seconds; always an aware UTC datetime."""
    try:
        if _EPOCH(text) is not None:
            return datetime.fromtimestamp(float(text), UTC)
        value = datetime.fromisoformat(text)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    except (ValueError, OverflowError, OSError):
        return None


def decode_blob(text: str) -> bytes | None:
    if _B64(text) is None or len(text) % 4:
        return None
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        return None


def decode_string(text: str) -> str:
    return text


DECODERS: dict[str, Callable[[str], Any]] = {
    "string": decode_string,
    "integer": _int_decoder(_INT32),
    "long": _int_decoder(_INT64),
    "boolean": decode_boolean,
    "float": decode_float,
    "double": decode_float,
    "timestamp": decode_timestamp,
    "blob": decode_blob,
}

TYPE_ERRORS = {
    "integer": "Member must be an integer",
    "long": "Member must be a long integer",
    "boolean": "Member must be true or false",
    "float": "Member must be a number",
    "double": "Member must be a number",
    "timestamp": "Member must be a timestamp in ISO 8601 format or seconds since the epoch",
    "blob": "Member must be base64-encoded",
}
