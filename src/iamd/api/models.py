"""One codec per AWS service, driven by botocore's ``service-2.json``.

``ServiceCodec.load("iam")`` reads the model once (cached per process). Operations compile on
first use (input shape to a parser/validator, output shape to generated XML code) and stay
cached, so start-up only pays for reading the JSON and each request pays only for its own data.
``compile_all()`` exists for callers (tests, a warm-up at start-up) that want it eagerly.

Action/Version follow IAM's observed behaviour: no ``Action`` is ``MissingAction``; an unknown
action or a ``Version`` other than the model's (missing: ``NO_VERSION_SPECIFIED``) is
``InvalidAction`` "Could not find operation X for version Y".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from botocore.model import OperationModel, ServiceModel

from iamd.api import xml
from iamd.api.constraints import raise_if_any
from iamd.api.operations import LazyOperations, load_model
from iamd.api.query import InputCompiler, Parser, build_tree
from iamd.errors import AwsError, InvalidAction, MissingAction

NO_VERSION = "NO_VERSION_SPECIFIED"


@dataclass(frozen=True, slots=True)
class CompiledOperation:
    """Everything the hot path needs for one operation, built once."""

    name: str
    parse_input: Parser | None
    render_result: Callable[[Any, Callable[[str], None]], None] | None
    head: str
    mid: str
    tail: str


class ServiceCodec(LazyOperations[CompiledOperation]):
    """Query-protocol parse/render for one service (``iam``, ``sts``)."""

    def __init__(self, model: ServiceModel) -> None:
        super().__init__(model)
        self.xml_namespace: str = model.metadata.get("xmlNamespace", "")
        self._inputs = InputCompiler()
        self._outputs = xml.OutputCompiler()

    @classmethod
    def load(cls, service_name: str) -> ServiceCodec:
        """The process-wide codec of a service; the model JSON is read only once."""
        return _load(service_name)

    def _compile(self, om: OperationModel) -> CompiledOperation:
        in_shape, out_shape = om.input_shape, om.output_shape
        wrapper = out_shape.serialization.get("resultWrapper") if out_shape is not None else None
        head, mid, tail = xml.response_frame(om.name, self.xml_namespace, wrapper)
        return CompiledOperation(
            name=om.name,
            parse_input=self._inputs.compile(in_shape) if in_shape is not None else None,
            render_result=self._outputs.compile(out_shape) if out_shape is not None else None,
            head=head,
            mid=mid,
            tail=tail,
        )

    def parse(self, params: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
        """Decode merged query/form parameters into ``(operation_name, input)``; raises AwsError only."""
        action = params.get("Action")
        if not action:
            raise MissingAction()
        version = params.get("Version") or NO_VERSION
        if action not in self._known or version != self.api_version:
            raise InvalidAction(action=action, version=version)
        op = self.operation(action)
        if op.parse_input is None:
            return action, {}
        errors: list[str] = []
        result = op.parse_input(build_tree(params), "", errors)
        raise_if_any(errors)
        return action, result

    def render(self, operation_name: str, output: Mapping[str, Any] | None, request_id: str) -> bytes:
        """The XML body of a successful response."""
        op = self.operation(operation_name)
        parts = [op.head]
        if output and op.render_result is not None:
            op.render_result(output, parts.append)
        parts.append(op.mid)
        parts.append(xml.escape(request_id))
        parts.append(op.tail)
        return "".join(parts).encode("utf-8")

    def render_error(self, err: AwsError, request_id: str, sender_fault: bool | None = None) -> bytes:
        """The XML body of an error response in this service's namespace."""
        return xml.render_error(err, request_id, sender_fault, self.xml_namespace)


@cache
def _load(service_name: str) -> ServiceCodec:
    return ServiceCodec(load_model(service_name))
