"""Input shapes compiled to parser closures: the part every wire protocol shares.

A parser is ``parse(node, path, errors) -> value``: it decodes one wire node against its shape,
appends AWS-worded constraint clauses to ``errors`` (see ``constraints``) and returns the value,
``MISSING`` or ``INVALID``. Structures walk the same way on every protocol (members by wire
name, ``Member must not be null`` for absent required ones, paths ``a.b`` in lower camel case);
lists, maps and scalars are the protocol's own, supplied by a subclass.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from botocore.model import ListShape, MapShape, Shape, StructureShape

from iamd.api.constraints import NOT_NULL, lower_camel, violation

Node = Any
Parser = Callable[[Node, str, list[str]], Any]

MISSING: Any = object()
"""The member is absent from the request."""
INVALID: Any = object()
"""The member is present but could not be decoded; its clause is already recorded."""


class ShapeCompiler:
    """Compiles input shapes to parsers, memoised by shape name (so recursive shapes terminate)."""

    def __init__(self) -> None:
        self._memo: dict[str, Parser] = {}

    def compile(self, shape: Shape) -> Parser:
        parser = self._memo.get(shape.name)
        if parser is None:
            kind = shape.type_name
            # botocore builds each shape as the subclass its type_name names.
            if kind == "structure":
                parser = self._structure(cast(StructureShape, shape))
            elif kind == "list":
                parser = self._list(cast(ListShape, shape))
            elif kind == "map":
                parser = self._map(cast(MapShape, shape))
            else:
                parser = self._scalar(shape)
            self._memo[shape.name] = parser
        return parser

    def wire_name(self, member: Shape, name: str) -> str:
        """The key a structure member travels under (its ``locationName``, else its name)."""
        return str(member.serialization.get("name", name))

    def not_structure(self, node: Node, path: str) -> Any:
        """A structure member whose wire node is not a mapping; the protocol decides."""
        return INVALID

    def _structure(self, shape: StructureShape) -> Parser:
        members: list[tuple[str, str, str, bool, Parser]] = []
        required = set(shape.required_members)
        not_structure = self.not_structure

        def parse_structure(node: Node, path: str, errors: list[str]) -> Any:
            if node.__class__ is not dict:
                return not_structure(node, path)
            out = {}
            for name, wire, camel, is_required, sub in members:
                child = node.get(wire)
                member_path = f"{path}.{camel}" if path else camel
                value = sub(child, member_path, errors) if child is not None else MISSING
                if value is MISSING:
                    if is_required:
                        errors.append(violation(None, member_path, NOT_NULL))
                elif value is not INVALID:
                    out[name] = value
            return out

        # INVARIANT: registered before members compile, so a self-referencing shape reuses it.
        self._memo[shape.name] = parse_structure
        for name, member in shape.members.items():
            members.append((name, self.wire_name(member, name), lower_camel(name), name in required,
                            self.compile(member)))
        return parse_structure

    def _list(self, shape: ListShape) -> Parser:
        raise NotImplementedError

    def _map(self, shape: MapShape) -> Parser:
        raise NotImplementedError

    def _scalar(self, shape: Shape) -> Parser:
        raise NotImplementedError
