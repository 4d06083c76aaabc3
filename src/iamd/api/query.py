"""Query-protocol request decoding, compiled from botocore input shapes.

The caller hands over the flat, already URL-decoded parameters (``Action``, ``Version``,
``Tags.member.1.Key``, ...). They are folded once into a tree keyed by the dotted components,
then each operation's input shape, compiled on first use into a tree of closures, walks that
tree: no model lookups per request. The wire layout is what botocore's ``QuerySerializer``
writes: lists ``Name.member.N`` (``Name.N`` when flattened, ``Name=`` when empty), maps
``Name.entry.N.key``/``.value``, nested structures ``A.B``, and every constraint violation is
collected into one ``ValidationError`` worded as AWS words it (see ``constraints``).

Validation paths follow AWS: ``userName``, ``tags.1.member.key``; map entries by analogy
``properties.1.entry.key``. Unknown parameters are ignored, as AWS does.
"""

from __future__ import annotations

from collections.abc import Mapping
from operator import itemgetter
from typing import Any, cast

from botocore.model import ListShape, MapShape, Shape

from iamd.api.constraints import NOT_NULL, compile_checks, run_checks, violation
from iamd.api.inputs import INVALID, MISSING, Node, Parser, ShapeCompiler
from iamd.api.scalars import DECODERS, TYPE_ERRORS

__all__ = ["INVALID", "MISSING", "InputCompiler", "Parser", "build_tree"]

_EMPTY: Node = {}
_MAX_INDEX_DIGITS = 9


def build_tree(params: Mapping[str, str]) -> Node:
    """``{"A.B.1": "x"}`` -> ``{"A": {"B": {"1": {None: "x"}}}}``; a node's own value sits under ``None``."""
    root: Node = {}
    for key, value in params.items():
        if not isinstance(key, str):
            continue
        node = root
        for part in key.split("."):
            child = node.get(part)
            if child is None:
                child = node[part] = {}
            node = child
        node[None] = value if isinstance(value, str) else str(value)
    return root


def _indexed(container: Node | None) -> list[Node]:
    """Children ``1..N`` of a list/map container in numeric order; other keys are ignored."""
    if not container:
        return []
    pairs = [
        (int(k), v)
        for k, v in container.items()
        if k is not None and len(k) <= _MAX_INDEX_DIGITS and k.isascii() and k.isdigit() and k != "0"
    ]
    pairs.sort(key=itemgetter(0))
    return [v for _, v in pairs]


class InputCompiler(ShapeCompiler):
    """Query-protocol parsers: lists and maps as numbered members/entries, scalars as text."""

    def wire_name(self, member: Shape, name: str) -> str:
        """The parameter name botocore gives a structure member (flattened lists use the item's name)."""
        if member.type_name == "list" and member.serialization.get("flattened"):
            item_name = cast(ListShape, member).member.serialization.get("name")
            if item_name:
                return str(item_name)
        return super().wire_name(member, name)

    def _scalar(self, shape: Shape) -> Parser:
        kind = shape.type_name
        decode = DECODERS.get(kind, DECODERS["string"])
        type_error = TYPE_ERRORS.get(kind, "")
        checks = compile_checks(shape)
        sensitive = bool(shape.metadata.get("sensitive"))

        def parse_scalar(node: Node, path: str, errors: list[str]) -> Any:
            text = node.get(None)
            if text is None:
                return MISSING
            value = decode(text)
            if value is None:
                errors.append(violation(text, path, type_error, sensitive))
                return INVALID
            if checks:
                run_checks(checks, value, path, sensitive, errors)
            return value

        return parse_scalar

    def _list(self, shape: ListShape) -> Parser:
        flattened = bool(shape.serialization.get("flattened"))
        wire = shape.member.serialization.get("name", "member")
        item = self.compile(shape.member)
        item_suffix = "" if flattened else f".{wire}"
        checks = compile_checks(shape)

        def parse_list(node: Node, path: str, errors: list[str]) -> Any:
            children = _indexed(node if flattened else node.get(wire))
            if not children and None not in node:
                return MISSING
            out = []
            for pos, child in enumerate(children, 1):
                item_path = f"{path}.{pos}{item_suffix}"
                value = item(child, item_path, errors)
                if value is MISSING:
                    errors.append(violation(None, item_path, NOT_NULL))
                elif value is not INVALID:
                    out.append(value)
            if checks:
                run_checks(checks, out, path, False, errors)
            return out

        return parse_list

    def _map(self, shape: MapShape) -> Parser:
        flattened = bool(shape.serialization.get("flattened"))
        key_wire = shape.key.serialization.get("name", "key")
        value_wire = shape.value.serialization.get("name", "value")
        parse_key, parse_value = self.compile(shape.key), self.compile(shape.value)
        entry_suffix = "" if flattened else ".entry"
        checks = compile_checks(shape)

        def parse_map(node: Node, path: str, errors: list[str]) -> Any:
            children = _indexed(node if flattened else node.get("entry"))
            if not children and None not in node:
                return MISSING
            out = {}
            for pos, child in enumerate(children, 1):
                entry_path = f"{path}.{pos}{entry_suffix}"
                key = parse_key(child.get(key_wire, _EMPTY), f"{entry_path}.key", errors)
                value = parse_value(child.get(value_wire, _EMPTY), f"{entry_path}.value", errors)
                if key is MISSING:
                    errors.append(violation(None, f"{entry_path}.key", NOT_NULL))
                if value is MISSING:
                    errors.append(violation(None, f"{entry_path}.value", NOT_NULL))
                if key is not MISSING and key is not INVALID and value is not MISSING and value is not INVALID:
                    out[key] = value
            if checks:
                run_checks(checks, out, path, False, errors)
            return out

        return parse_map

