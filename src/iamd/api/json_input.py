"""AWS JSON request decoding, compiled from botocore input shapes.

The body arrives as parsed JSON (``json.loads``); each operation's input shape, compiled on first
use into closures (``inputs.ShapeCompiler``), walks it. Two kinds of failure, as Coral-based
JSON services report them:

- a member of the wrong JSON type (a string where an integer belongs, an object where a list
  does, a fractional integer, malformed base64 or timestamp) is a ``SerializationException``,
  raised at the first one, because the deserializer cannot build the request at all;
- a well-typed value that breaks a model constraint (required, length, range, pattern, enum) is a
  clause of one ``ValidationException``, worded exactly as the Query codec words it.

Wire traits follow botocore's ``JSONSerializer``: members under their ``locationName``, lists as
arrays, maps as objects, timestamps as epoch seconds (ISO 8601 text accepted too), blobs base64,
non-finite floats as the strings ``NaN``/``Infinity``/``-Infinity``. ``null`` is an absent
member; unknown members are ignored. Paths name list items ``a.1.member`` as Coral does; map key
and value failures read ``Map keys must satisfy constraint: [...]`` at the map's path.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from botocore.model import ListShape, MapShape, Shape

from iamd.api.constraints import NOT_NULL, compile_checks, run_checks, violation
from iamd.api.inputs import INVALID, MISSING, Node, Parser, ShapeCompiler
from iamd.api.scalars import decode_blob, decode_timestamp
from iamd.errors import SerializationException

Decoder = Callable[[Any], Any]

_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)
_NON_FINITE = frozenset({"NaN", "Infinity", "-Infinity"})


def mismatch(value: Any, expected: str) -> SerializationException:
    """Coral's wording for a JSON value the deserializer cannot turn into the modelled type."""
    if value.__class__ is dict:
        return SerializationException("Start of structure or map found where not expected.")
    if value.__class__ is list:
        return SerializationException("Start of list found where not expected.")
    if value is None:
        kind = "NULL_VALUE"
    elif value.__class__ is bool:
        kind = "BOOLEAN_VALUE"
    elif value.__class__ is str:
        kind = "STRING_VALUE"
    else:
        kind = "NUMBER_VALUE"
    return SerializationException(f"{kind} cannot be converted to {expected}")


def _integral(bounds: tuple[int, int], expected: str) -> Decoder:
    lo, hi = bounds

    def decode(value: Any) -> int:
        cls = value.__class__
        if cls is int and lo <= value <= hi:
            return value  # type: ignore[no-any-return]
        if cls is float and value.is_integer() and lo <= value <= hi:
            return int(value)
        raise mismatch(value, expected)

    return decode


def _float(expected: str) -> Decoder:
    def decode(value: Any) -> float:
        cls = value.__class__
        if cls is float:
            return value  # type: ignore[no-any-return]
        if cls is int or (cls is str and value in _NON_FINITE):
            try:
                return float(value)
            except OverflowError:
                pass
        raise mismatch(value, expected)

    return decode


def decode_string(value: Any) -> str:
    if value.__class__ is str:
        return value
    raise mismatch(value, "String")


def decode_boolean(value: Any) -> bool:
    if value.__class__ is bool:
        return value
    raise mismatch(value, "Boolean")


def decode_json_timestamp(value: Any) -> datetime:
    """Epoch seconds (botocore's default for JSON) or ISO 8601 text; an aware UTC datetime."""
    cls = value.__class__
    if cls is int or cls is float:
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            pass
    elif cls is str:
        parsed = decode_timestamp(value)
        if parsed is not None:
            return parsed
    raise mismatch(value, "Timestamp")


def decode_json_blob(value: Any) -> bytes:
    if value.__class__ is str:
        parsed = decode_blob(value)
        if parsed is not None:
            return parsed
    raise mismatch(value, "Blob")


DECODERS: dict[str, Decoder] = {
    "string": decode_string,
    "integer": _integral(_INT32, "Integer"),
    "long": _integral(_INT64, "Long"),
    "boolean": decode_boolean,
    "float": _float("Float"),
    "double": _float("Double"),
    "timestamp": decode_json_timestamp,
    "blob": decode_json_blob,
}


def _failures(checks: tuple[Any, ...], value: Any) -> list[str]:
    return [failed for check in checks if (failed := check(value)) is not None]


class JsonInputCompiler(ShapeCompiler):
    """JSON-protocol parsers; a type mismatch raises ``SerializationException`` immediately."""

    def not_structure(self, node: Node, path: str) -> Any:
        raise mismatch(node, "Structure")

    def _scalar(self, shape: Shape) -> Parser:
        decode: Decoder = DECODERS.get(shape.type_name, decode_string)
        checks = compile_checks(shape)
        sensitive = bool(shape.metadata.get("sensitive"))

        def parse_scalar(node: Node, path: str, errors: list[str]) -> Any:
            value = decode(node)
            if checks:
                run_checks(checks, value, path, sensitive, errors)
            return value

        return parse_scalar

    def _list(self, shape: ListShape) -> Parser:
        item = self.compile(shape.member)
        checks = compile_checks(shape)

        def parse_list(node: Node, path: str, errors: list[str]) -> Any:
            if node.__class__ is not list:
                raise mismatch(node, "List")
            out = []
            for pos, child in enumerate(node, 1):
                item_path = f"{path}.{pos}.member"
                if child is None:
                    errors.append(violation(None, item_path, NOT_NULL))
                    continue
                value = item(child, item_path, errors)
                if value is not INVALID:
                    out.append(value)
            if checks:
                run_checks(checks, out, path, False, errors)
            return out

        return parse_list

    def _map(self, shape: MapShape) -> Parser:
        key_checks = compile_checks(shape.key) if shape.key.type_name == "string" else ()
        value_shape = shape.value
        scalar_value = value_shape.type_name not in ("structure", "list", "map")
        decode_value: Decoder = DECODERS.get(value_shape.type_name, decode_string)
        value_checks = compile_checks(value_shape) if scalar_value else ()
        parse_value = None if scalar_value else self.compile(value_shape)
        checks = compile_checks(shape)
        sensitive = bool(value_shape.metadata.get("sensitive"))

        def parse_map(node: Node, path: str, errors: list[str]) -> Any:
            if node.__class__ is not dict:
                raise mismatch(node, "Map")
            out: dict[str, Any] = {}
            key_failed: dict[str, None] = {}
            value_failed: dict[str, None] = {}
            for key, raw in node.items():
                if key_checks:
                    key_failed.update(dict.fromkeys(_failures(key_checks, key)))
                if raw is None:
                    value_failed[NOT_NULL] = None
                    continue
                if parse_value is None:
                    value = decode_value(raw)
                    value_failed.update(dict.fromkeys(_failures(value_checks, value)))
                else:
                    value = parse_value(raw, f"{path}.{key}", errors)
                if value is not INVALID and value is not MISSING:
                    out[key] = value
            if key_failed:
                errors.append(violation(out, path, "Map keys must satisfy constraint: ["
                                        + ", ".join(key_failed) + "]", sensitive))
            if value_failed:
                errors.append(violation(out, path, "Map value must satisfy constraint: ["
                                        + ", ".join(value_failed) + "]", sensitive))
            if checks:
                run_checks(checks, out, path, sensitive, errors)
            return out

        return parse_map
