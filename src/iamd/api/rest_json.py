"""The REST-JSON protocol (restJson1: Access Analyzer), driven by botocore's model.

The third codec beside Query (``models``) and JSON 1.1 (``json_protocol``), built from the same
parts: ``json_input`` parsers and ``constraints`` for every member wherever it travels,
``json_output`` converters for the body. What is REST about it:

- the operation is the HTTP method plus the ``requestUri`` template it matches (``/analyzer/
  {analyzerName}/archive-rule/{ruleName}``; a ``{label+}`` is greedy and takes the rest of the
  path). A template's literal segments beat labels, so ``/analyzer/findings/statistics`` is not
  ``/analyzer/{analyzerName}``; nothing matching is ``UnknownOperationException`` (404);
- a member's ``location`` says where it is: ``uri`` (a label, percent-decoded after the path is
  split, so ``%2F`` stays inside an ARN), ``querystring``, ``header``, or the JSON body. A body
  key that names a located member is ignored, so the body cannot stand in for the path;
- failures are AWS's restJson1 errors: the code in the ``x-amzn-ErrorType`` header, the body
  ``{"message": …}`` with the error shape's other members. Constraint violations and values that
  do not parse are one ``ValidationException`` with ``reason`` and ``fieldList`` as Access
  Analyzer reports them (``fieldValidationFailed`` / ``cannotParse``);
- a success answers the model's ``http.responseCode``, header members as headers too (a
  client ignores them in the body).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, unquote

from botocore.model import OperationModel, ServiceModel, StructureShape

from iamd.api import json_output
from iamd.api.inputs import Parser
from iamd.api.json_input import JsonInputCompiler
from iamd.api.json_output import Converter, JsonOutputCompiler
from iamd.api.json_protocol import load_body
from iamd.api.operations import LazyOperations, load_model
from iamd.errors import AwsError, SenderError, SerializationException

EMPTY_OBJECT = b"{}"
_LABEL = re.compile(r"\{([^}+]+)(\+?)\}")
_CLAUSE_PATH = re.compile(r" at '([^']*)' failed")


class UnknownRoute(SenderError):
    """No operation of the service has this method and path."""

    code = "UnknownOperationException"
    status = 404
    fmt = "No operation matches {method} {path}."


class RestValidationException(SenderError):
    """Access Analyzer's ``ValidationException``: message, ``reason`` and ``fieldList``."""

    code = "ValidationException"

    def __init__(self, message: str, reason: str, fields: list[dict[str, str]]) -> None:
        super().__init__(message)
        self.extra_fields = {"reason": reason, "fieldList": fields}


@dataclass(frozen=True, slots=True)
class Route:
    """One operation's method and path template, split into segments."""

    name: str
    method: str
    segments: tuple[tuple[str, str], ...]  # ("lit", text) | ("label", name) | ("greedy", name)
    fixed_query: tuple[tuple[str, str], ...]

    @property
    def rank(self) -> tuple[int, int]:
        """More literal segments first, then fewer greedy labels."""
        return (-sum(k == "lit" for k, _ in self.segments), sum(k == "greedy" for k, _ in self.segments))

    def match(self, parts: list[str]) -> dict[str, str] | None:
        labels: dict[str, str] = {}
        for i, (kind, text) in enumerate(self.segments):
            if kind == "greedy":
                rest = parts[i:]
                if not rest or not rest[0]:
                    return None
                labels[text] = unquote("/".join(rest))
                return labels
            if i >= len(parts):
                return None
            if kind == "lit":
                if parts[i] != text:
                    return None
            elif not parts[i]:
                return None
            else:
                labels[text] = unquote(parts[i])
        return labels if len(parts) == len(self.segments) else None


def compile_route(om: OperationModel) -> Route:
    uri, _, query = om.http["requestUri"].partition("?")
    segments: list[tuple[str, str]] = []
    for part in uri.strip("/").split("/") if uri.strip("/") else []:
        label = _LABEL.fullmatch(part)
        if label is None:
            segments.append(("lit", part))
        else:
            segments.append(("greedy" if label.group(2) else "label", label.group(1)))
    fixed = tuple(parse_qsl(query, keep_blank_values=True)) if query else ()
    return Route(om.name, om.http["method"].upper(), tuple(segments), fixed)


@dataclass(frozen=True, slots=True)
class Located:
    """A member that travels outside the body: where, under which wire name, of which type."""

    name: str
    location: str  # uri | querystring | header | headers
    wire: str
    type_name: str
    member_type: str | None  # a list's member type


@dataclass(frozen=True, slots=True)
class CompiledRestOperation:
    name: str
    status: int
    located: tuple[Located, ...]
    body_members: frozenset[str] | None  # wire names of body members (None: no input shape)
    parse_input: Parser | None
    convert_output: Converter | None
    output_headers: tuple[tuple[str, str], ...]  # (member, header name)


@dataclass(frozen=True, slots=True)
class RestRequest:
    """What ``prepare`` reads from the HTTP request, once."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    headers: tuple[tuple[str, str], ...]
    body: bytes


# A request names a handful of query members; more parameters than this is not a client's.
MAX_QUERY_FIELDS = 100


def query_pairs(query_string: str) -> tuple[tuple[str, str], ...]:
    """The query string's (key, value) pairs, percent-decoded; bounded before anything reads it."""
    if not query_string:
        return ()
    try:
        return tuple(parse_qsl(query_string, keep_blank_values=True, max_num_fields=MAX_QUERY_FIELDS))
    except ValueError:
        raise RestValidationException(
            f"The query string has more than {MAX_QUERY_FIELDS} parameters.", "cannotParse", []
        ) from None


def _located(shape: StructureShape | None) -> tuple[Located, ...]:
    if shape is None:
        return ()
    out = []
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        if location:
            sub = getattr(member, "member", None)
            out.append(Located(name, location, member.serialization.get("name", name), member.type_name,
                               sub.type_name if sub is not None else None))
    return tuple(out)


def _typed(value: str, type_name: str) -> Any:
    """A path, query or header string as the JSON value the member's parser expects."""
    if type_name in ("integer", "long"):
        try:
            return int(value)
        except ValueError:
            raise SerializationException(f"STRING_VALUE '{value[:64]}' cannot be converted to Integer") from None
    if type_name in ("float", "double"):
        try:
            return float(value)
        except ValueError:
            raise SerializationException(f"STRING_VALUE '{value[:64]}' cannot be converted to Double") from None
    if type_name == "boolean":
        if value.lower() not in ("true", "false"):
            raise SerializationException(f"STRING_VALUE '{value[:64]}' cannot be converted to Boolean")
        return value.lower() == "true"
    return value


class RestJsonServiceCodec(LazyOperations[CompiledRestOperation]):
    """REST-JSON parse/render for one service (``accessanalyzer``)."""

    content_type = "application/json"

    def __init__(self, model: ServiceModel) -> None:
        super().__init__(model)
        self._inputs = JsonInputCompiler()
        self._outputs = JsonOutputCompiler()
        routes = sorted((compile_route(model.operation_model(n)) for n in self.operation_names),
                        key=lambda r: r.rank)
        self._routes: dict[str, list[Route]] = {}
        for route in routes:
            self._routes.setdefault(route.method, []).append(route)

    @classmethod
    def load(cls, service_name: str) -> RestJsonServiceCodec:
        return _load(service_name)

    def _compile(self, om: OperationModel) -> CompiledRestOperation:
        in_shape: Any = om.input_shape
        out_shape: Any = om.output_shape
        located = _located(in_shape)
        body = None
        if in_shape is not None:
            placed = {m.name for m in located}
            body = frozenset(str(s.serialization.get("name", n)) for n, s in in_shape.members.items() if n not in placed)
        headers: tuple[tuple[str, str], ...] = ()
        if out_shape is not None:
            headers = tuple((n, str(s.serialization.get("name", n))) for n, s in out_shape.members.items()
                            if s.serialization.get("location") == "header")
        return CompiledRestOperation(
            name=om.name,
            status=int(om.http.get("responseCode", 200)),
            located=located,
            body_members=body,
            parse_input=self._inputs.compile(in_shape) if in_shape is not None else None,
            convert_output=self._outputs.compile(out_shape) if out_shape is not None else None,
            output_headers=headers,
        )

    def route(self, method: str, path: str) -> tuple[str, dict[str, str]] | None:
        """The operation a method and raw path name, and its labels; None if none does."""
        stripped = path.strip("/")
        parts = stripped.split("/") if stripped else []
        for route in self._routes.get(method.upper(), ()):
            labels = route.match(parts)
            if labels is not None:
                return route.name, labels
        return None

    def operation_for(self, request: RestRequest) -> str | None:
        found = self.route(request.method, request.path)
        return found[0] if found is not None else None

    def parse(self, request: RestRequest) -> tuple[str, dict[str, Any]]:
        """``(operation_name, input)`` from method, path, query, headers and body; AwsError only."""
        found = self.route(request.method, request.path)
        if found is None:
            raise UnknownRoute(method=request.method, path=request.path[:256])
        name, labels = found
        op = self.operation(name)
        try:
            document = load_body(request.body)
            if op.parse_input is None:
                return name, {}
            node = {k: v for k, v in document.items() if op.body_members is None or k in op.body_members}
            node.update(self._located_values(op, labels, request))
            errors: list[str] = []
            try:
                result = op.parse_input(node, "", errors)
            except RecursionError:
                raise SerializationException("Request body is nested too deeply.") from None
        except SerializationException as err:
            raise RestValidationException(err.message, "cannotParse", []) from None
        if errors:
            raise_validation(errors)
        return name, result

    def _located_values(self, op: CompiledRestOperation, labels: Mapping[str, str], request: RestRequest) -> dict[str, Any]:
        out: dict[str, Any] = {}
        query: dict[str, list[str]] = {}
        for key, value in request.query:
            query.setdefault(key, []).append(value)
        for member in op.located:
            if member.location == "uri":
                raw: Any = labels.get(member.wire)
                if raw is not None:
                    out[member.wire] = _typed(raw, member.type_name)
            elif member.location == "querystring":
                values = query.get(member.wire)
                if values is None:
                    continue
                if member.type_name == "list":
                    out[member.wire] = [_typed(v, member.member_type or "string") for v in values]
                else:
                    out[member.wire] = _typed(values[0], member.type_name)
            elif member.location == "header":
                wire = member.wire.lower()
                header = next((v for k, v in request.headers if k.lower() == wire), None)
                if header is not None:
                    out[member.wire] = _typed(header, member.type_name)
        return out

    def render(self, operation_name: str, output: Mapping[str, Any] | None) -> bytes:
        op = self.operation(operation_name)
        if not output or op.convert_output is None:
            return EMPTY_OBJECT
        return json_output.dumps(op.convert_output(output))

    def response_meta(self, operation_name: str, output: Mapping[str, Any] | None) -> tuple[int, dict[str, str]]:
        op = self.operation(operation_name)
        headers = {wire: str(output[m]) for m, wire in op.output_headers if output and output.get(m) is not None}
        return op.status, headers


def raise_validation(errors: list[str]) -> None:
    """One ``ValidationException`` for every violated constraint, each clause a ``fieldList`` entry."""
    n = len(errors)
    shown = errors[:10]
    message = f"{n} validation error{'s' if n != 1 else ''} detected: " + "; ".join(shown)
    fields = []
    for clause in shown:
        path = _CLAUSE_PATH.search(clause)
        fields.append({"name": path.group(1) if path else "", "message": clause})
    raise RestValidationException(message, "fieldValidationFailed", fields)


def render_error(err: AwsError) -> tuple[bytes, dict[str, str]]:
    """restJson1: the code in ``x-amzn-ErrorType``; the body the message and the shape's other members."""
    code = json_output.JSON_CODES.get(err.code, err.code)
    return json_output.dumps({**err.extra_fields, "message": err.message}), {"x-amzn-ErrorType": code}


@cache
def _load(service_name: str) -> RestJsonServiceCodec:
    return RestJsonServiceCodec(load_model(service_name))
