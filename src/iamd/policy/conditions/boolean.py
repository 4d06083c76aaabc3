"""Bool and BinaryEquals.

``Bool`` compares ``true``/``false`` case-insensitively (``aws:SecureTransport``,
``aws:MultiFactorAuthPresent``). ``BinaryEquals`` compares bytes: the policy holds base64 and the
request context carries base64 (``Context`` encodes ``bytes`` values), so both are decoded and
compared byte for byte.
"""

from __future__ import annotations

import base64
import binascii

from .family import Family


def _prepare_bool(values: list[str]) -> frozenset[str]:
    return frozenset(v.strip().lower() for v in values if v.strip().lower() in ("true", "false"))


def _test_bool(prepared: frozenset[str], value: str) -> bool:
    return value.strip().lower() in prepared


def _decode(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def _prepare_binary(values: list[str]) -> frozenset[bytes]:
    return frozenset(b for b in map(_decode, values) if b is not None)


def _test_binary(prepared: frozenset[bytes], value: str) -> bool:
    decoded = _decode(value)
    return decoded is not None and decoded in prepared


BOOL = Family({"Bool": False}, _prepare_bool, _test_bool)
BINARY = Family({"BinaryEquals": False}, _prepare_binary, _test_binary)
FAMILIES = (BOOL, BINARY)
