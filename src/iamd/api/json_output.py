"""AWS JSON response bodies, compiled from botocore output shapes into Python source.

Like ``xml.OutputCompiler``, each output structure, list and map becomes one generated function
(``exec`` once, on the operation's first use) that copies only the modelled members present in
the service's output into a JSON-ready dict; ``json.dumps`` (C-accelerated) then writes it. The
layout is what botocore's ``JSONParser`` reads: members under their ``locationName``, timestamps
as epoch seconds (a float, botocore's default for the json protocol; ``iso8601``/``rfc822`` when
the shape says so), blobs base64, non-finite floats as ``"NaN"``/``"Infinity"``/``"-Infinity"``.
Strings, integers and booleans pass through untouched.
"""

from __future__ import annotations

import base64
import calendar
import json
import math
from collections.abc import Callable
from datetime import UTC, date, datetime
from email.utils import formatdate
from typing import Any, cast

from botocore.model import ListShape, MapShape, Shape, StructureShape

from iamd.errors import AwsError

Converter = Callable[[Any], Any]


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.utcoffset() else value


def epoch(value: Any) -> Any:
    """Seconds since the epoch, as botocore's serializer computes them (the float rounds once).

    An aware datetime's ``timestamp()`` divides its whole microseconds by 10**6 in C, the same
    single rounding as botocore's ``(seconds * 10**6 + microsecond) / 10**6``, only faster; a
    naive one is taken as UTC (``timestamp()`` would read it as local time).
    """
    if value.__class__ is datetime:
        return (value if value.tzinfo is not None else value.replace(tzinfo=UTC)).timestamp()
    if isinstance(value, datetime):
        value = _utc(value)
        return (calendar.timegm(value.timetuple()) * 10**6 + value.microsecond) / 10**6
    if isinstance(value, date):
        return float(calendar.timegm(value.timetuple()))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def iso8601(value: Any) -> Any:
    if isinstance(value, datetime):
        value = _utc(value)
        return value.strftime("%Y-%m-%dT%H:%M:%S") + (f".{value.microsecond:06d}Z" if value.microsecond else "Z")
    if isinstance(value, date):
        return f"{value.isoformat()}T00:00:00Z"
    return value


def rfc822(value: Any) -> Any:
    seconds = epoch(value)
    return formatdate(seconds, usegmt=True) if isinstance(seconds, float) else value


def blob(value: Any) -> str:
    if isinstance(value, str):
        value = value.encode("utf-8")
    return base64.b64encode(value).decode("ascii")


def number(value: Any) -> Any:
    """JSON has no NaN or Infinity; Smithy's JSON protocols send them as strings."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
    return value


_TIMESTAMPS = {"unixTimestamp": "epoch", "iso8601": "iso8601", "rfc822": "rfc822"}
_SCALARS = {"blob": "blob", "float": "number", "double": "number"}


class JsonOutputCompiler:
    """Generates one converter per output structure/list/map; memoised by shape name (recursion-safe)."""

    def __init__(self) -> None:
        self._names: dict[str, str] = {}
        self._ns: dict[str, Any] = {"epoch": epoch, "iso8601": iso8601, "rfc822": rfc822,
                                    "blob": blob, "number": number}

    def compile(self, shape: Shape) -> Converter:
        """Converter of a structure to its JSON-ready dict."""
        return self._ns[self._function(shape)]  # type: ignore[no-any-return]

    def _function(self, shape: Shape) -> str:
        name = self._names.get(shape.name)
        if name is not None:
            return name
        kind = shape.type_name
        # INVARIANT: named before the body is generated, so a recursive shape calls itself.
        name = self._names[shape.name] = f"{kind[0]}{len(self._names)}"
        # botocore builds each shape as the subclass its type_name names.
        if kind == "structure":
            lines = [f"def {name}(v):", "    o = {}"]
            for member_name, member in cast(StructureShape, shape).members.items():
                wire = member.serialization.get("name", member_name)
                lines += [f"    x = v.get({member_name!r})", "    if x is not None:",
                          f"        o[{wire!r}] = {self._expr(member, 'x')}"]
            lines.append("    return o")
        elif kind == "list":
            item = self._expr(cast(ListShape, shape).member, "y")
            lines = [f"def {name}(v):", f"    return [{item} for y in v if y is not None]"]
        else:
            value = self._expr(cast(MapShape, shape).value, "y")
            lines = [f"def {name}(v):", f"    return {{k: {value} for k, y in v.items() if y is not None}}"]
        exec("\n".join(lines), self._ns)  # noqa: S102 - source built from model names via repr
        return name

    def _expr(self, shape: Shape, var: str) -> str:
        kind = shape.type_name
        if kind in ("structure", "list", "map"):
            return f"{self._function(shape)}({var})"
        if kind == "timestamp":
            fmt = shape.serialization.get("timestampFormat", "unixTimestamp")
            return f"{_TIMESTAMPS.get(fmt, 'epoch')}({var})"
        convert = _SCALARS.get(kind)
        return f"{convert}({var})" if convert else var


def dumps(document: Any) -> bytes:
    """Compact JSON, ASCII-escaped (so lone surrogates survive); unknown objects as their text."""
    return json.dumps(document, separators=(",", ":"), default=str).encode("ascii")


# JSON-protocol services name the authentication errors differently from Query ones (CloudTrail
# answers an unknown key with UnrecognizedClientException, a bad signature with
# InvalidSignatureException).
JSON_CODES = {
    "SignatureDoesNotMatch": "InvalidSignatureException",
    "InvalidClientTokenId": "UnrecognizedClientException",
    "IncompleteSignature": "IncompleteSignatureException",
    "MissingAuthenticationToken": "MissingAuthenticationTokenException",
    # What every JSON-protocol service answers a caller its policies do not allow (CloudTrail,
    # Organizations: "An error occurred (AccessDeniedException) … is not authorized to perform").
    "AccessDenied": "AccessDeniedException",
}


def render_error(err: AwsError) -> bytes:
    """``{"__type": code, "message": text}``: botocore's JSON parser reads ``__type`` and ``message``,
    and the modelled exception's other members (``Reason``) from the same object."""
    return dumps({**err.extra_fields, "__type": JSON_CODES.get(err.code, err.code), "message": err.message})
