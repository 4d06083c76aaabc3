"""One AWS JSON protocol codec per service (json 1.0 and 1.1), driven by botocore's models.

``JsonServiceCodec.load("cloudtrail")`` reads the model once per process; an operation's input
parser and output converter compile on its first use (``operations.LazyOperations``).

Routing and failures follow Coral, the framework behind AWS's JSON services:

- ``X-Amz-Target: <targetPrefix>.<Operation>`` selects the operation. A missing header, another
  service's prefix or an operation the model lacks is ``UnknownOperationException``, HTTP 400
  (AWS answers an unknown target with ``{"__type": "...#UnknownOperationException"}`` and 400,
  e.g. aws/aws-sdk-net#1536);
- a body that is not JSON, or not a JSON object, or a member of the wrong JSON type is
  ``SerializationException``, 400; an empty body is ``{}``, as botocore sends for no input;
- constraint violations are one ``ValidationException`` (not the Query protocol's
  ``ValidationError``) listing every clause, worded as the Query codec words them.

Errors render as ``{"__type": code, "message": text}``; the HTTP status is ``err.status`` and the
``x-amzn-RequestId`` header the caller's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from botocore.model import OperationModel, ServiceModel

from iamd.api import json_output
from iamd.api.constraints import raise_if_any
from iamd.api.inputs import Parser
from iamd.api.json_input import JsonInputCompiler
from iamd.api.json_output import Converter, JsonOutputCompiler
from iamd.api.operations import LazyOperations, load_model
from iamd.errors import AwsError, SerializationException, UnknownOperation, ValidationException

EMPTY_OBJECT = b"{}"


@dataclass(frozen=True, slots=True)
class CompiledJsonOperation:
    """Everything the hot path needs for one operation, built once."""

    name: str
    parse_input: Parser | None
    convert_output: Converter | None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def load_body(body: bytes) -> dict[str, Any]:
    """The request body as a JSON object; anything else is Coral's ``SerializationException``."""
    if not body or body.isspace():
        return {}
    try:
        document = json.loads(body, parse_constant=_reject_constant)
    except (ValueError, RecursionError):  # JSONDecodeError, UnicodeDecodeError, int digit limit
        raise SerializationException("Request body is not valid JSON.") from None
    if document.__class__ is not dict:
        raise SerializationException("Request body must be a JSON object.")
    if _SURROGATE_ESCAPE.search(body) and _has_lone_surrogate(document):
        raise SerializationException("Request body is not valid JSON.")
    return document


# JSON's ``\uD800``-``\uDFFF`` escapes can spell a lone surrogate, which is not Unicode text: it
# cannot be encoded as UTF-8 (for the store, the trail's hashes, a rendered answer) anywhere later.
# A pair decodes to one character; only a lone one survives json.loads. The pattern keeps the walk
# off the hot path: bodies without such an escape skip it.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _has_lone_surrogate(document: Any) -> bool:
    try:
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, RecursionError):
        return True
    return False


class JsonServiceCodec(LazyOperations[CompiledJsonOperation]):
    """AWS JSON protocol parse/render for one service (``cloudtrail``, ``organizations``)."""

    def __init__(self, model: ServiceModel) -> None:
        super().__init__(model)
        meta = model.metadata
        self.target_prefix: str = meta["targetPrefix"]
        self.json_version: str = meta.get("jsonVersion", "1.0")
        self.content_type = f"application/x-amz-json-{self.json_version}"
        self._inputs = JsonInputCompiler()
        self._outputs = JsonOutputCompiler()

    @classmethod
    def load(cls, service_name: str) -> JsonServiceCodec:
        """The process-wide codec of a service; the model JSON is read only once."""
        return _load(service_name)

    def _compile(self, om: OperationModel) -> CompiledJsonOperation:
        in_shape, out_shape = om.input_shape, om.output_shape
        return CompiledJsonOperation(
            name=om.name,
            parse_input=self._inputs.compile(in_shape) if in_shape is not None else None,
            convert_output=self._outputs.compile(out_shape) if out_shape is not None else None,
        )

    def operation_for(self, target: str | None) -> str:
        """The operation an ``X-Amz-Target`` header names, or ``UnknownOperationException``."""
        if not target:
            raise UnknownOperation("Missing X-Amz-Target header: the operation to call is unknown.")
        prefix, _, name = target.rpartition(".")
        if prefix != self.target_prefix or name not in self._known:
            raise UnknownOperation(f"Unknown operation {target}")
        return name

    def parse(
        self, target: str | None, body: bytes, invalid_input: Callable[[list[str]], None] | None = None
    ) -> tuple[str, dict[str, Any]]:
        """Decode an X-Amz-Target and JSON body into ``(operation_name, input)``; raises AwsError only.
        ``invalid_input`` raises the error of constraint violations (their clauses as argument):
        Coral's ValidationException unless the service words it its own way (Organizations)."""
        name = self.operation_for(target)
        document = load_body(body)
        op = self.operation(name)
        if op.parse_input is None:
            return name, {}
        errors: list[str] = []
        try:
            result = op.parse_input(document, "", errors)
        except RecursionError:
            raise SerializationException("Request body is nested too deeply.") from None
        if errors:
            (invalid_input or _validation_exception)(errors)
        return name, result

    def render(self, operation_name: str, output: Mapping[str, Any] | None) -> bytes:
        """The JSON body of a successful response: only the modelled members present in ``output``."""
        op = self.operation(operation_name)
        if not output or op.convert_output is None:
            return EMPTY_OBJECT
        return json_output.dumps(op.convert_output(output))

    def render_error(self, err: AwsError) -> bytes:
        """``{"__type": code, "message": text}``; the status is ``err.status``."""
        return json_output.render_error(err)


def _validation_exception(errors: list[str]) -> None:
    raise_if_any(errors, ValidationException)


@cache
def _load(service_name: str) -> JsonServiceCodec:
    return JsonServiceCodec(load_model(service_name))
