"""Query-protocol XML responses, compiled from botocore output shapes into Python source.

A 1,000-user ListUsers page must render in a few milliseconds, so each output structure becomes
one generated function (``exec`` once, on the operation's first use) that appends literal tags
and escaped values to a list: no model walking, no per-element dispatch. The layout is what
botocore's ``QueryParser`` reads: ``<OpResponse xmlns><OpResult>...</OpResult>
<ResponseMetadata><RequestId/></ResponseMetadata></OpResponse>``, lists as ``<member>`` (or
flattened), maps as ``<entry><key/><value/></entry>``, timestamps ISO 8601 UTC with ``Z``.

Only members present (not ``None``) in the output dict are written, in model order.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, cast

from botocore.model import ListShape, MapShape, Shape, StructureShape

from iamd.errors import AwsError

Renderer = Callable[[Any, Callable[[str], None]], None]

# Characters XML 1.0 text cannot hold literally: markup, CR (parsers fold it into LF) and code
# points XML forbids outright, which become U+FFFD so the document always parses.
_SPECIAL = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_REPLACE = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}


def _replace(m: re.Match[str]) -> str:
    return _REPLACE.get(m.group(), "\ufffd")


def escape(value: Any) -> str:
    """Text-node escaping; fast path returns the string itself when nothing needs escaping."""
    text = value if value.__class__ is str else str(value)
    if _SPECIAL.search(text) is None:
        return text
    return _SPECIAL.sub(_replace, text)


def timestamp(value: Any) -> str:
    """ISO 8601 UTC with ``Z``; milliseconds only when present (STS's ``Expiration`` has them)."""
    if isinstance(value, datetime):
        moment = value.astimezone(UTC) if value.utcoffset() else value
        if moment.microsecond:
            return moment.isoformat(timespec="milliseconds")[:23] + "Z"
        return moment.isoformat()[:19] + "Z"
    if isinstance(value, bool):
        return escape(value)
    if isinstance(value, int | float):
        return timestamp(datetime.fromtimestamp(value, UTC))
    if isinstance(value, date):
        return f"{value.isoformat()}T00:00:00Z"
    return escape(value)


def blob(value: Any) -> str:
    if isinstance(value, str):
        value = value.encode("utf-8")
    return base64.b64encode(value).decode("ascii")


def number(value: Any) -> str:
    """Floats as Java prints them for the non-finite cases botocore's ``float()`` accepts."""
    value = float(value)
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return repr(value)


def integer(value: Any) -> str:
    return str(int(value))


class OutputCompiler:
    """Generates one function per output structure; memoised by shape name (recursion-safe)."""

    def __init__(self) -> None:
        self._names: dict[str, str] = {}
        self._ns: dict[str, Any] = {"esc": escape, "ts": timestamp, "b64": blob, "num": number,
                                    "integer": integer}

    def compile(self, shape: StructureShape) -> Renderer:
        """Renderer of a structure's members (without its own tag)."""
        return self._ns[self._structure(shape)]  # type: ignore[no-any-return]

    def _structure(self, shape: StructureShape) -> str:
        name = self._names.get(shape.name)
        if name is not None:
            return name
        name = self._names[shape.name] = f"s{len(self._names)}"
        lines = [f"def {name}(v, a):"]
        for member_name, member in shape.members.items():
            lines.append(f"    x = v.get({member_name!r})")
            lines.append("    if x is not None:")
            lines += self._emit(member, "x", _tag_name(member, member_name), 2, 1)
        if len(lines) == 1:
            lines.append("    pass")
        exec("\n".join(lines), self._ns)  # noqa: S102 - source built from model names via repr
        return name

    def _emit(self, shape: Shape, expr: str, tag: str, indent: int, depth: int) -> list[str]:
        """Source lines appending ``<tag>expr</tag>`` at the given indent."""
        pad = "    " * indent
        open_, close = f"<{tag}>", f"</{tag}>"
        kind = shape.type_name
        # botocore builds each shape as the subclass its type_name names.
        if kind == "structure":
            fn = self._structure(cast(StructureShape, shape))
            return [f"{pad}a({open_!r})", f"{pad}{fn}({expr}, a)", f"{pad}a({close!r})"]
        if kind == "list":
            member = cast(ListShape, shape).member
            item = f"x{depth}"
            flattened = shape.serialization.get("flattened")
            item_tag = member.serialization.get("name") or (tag if flattened else "member")
            body = [f"{pad}for {item} in {expr}:", f"{pad}    if {item} is not None:"]
            body += self._emit(member, item, item_tag, indent + 2, depth + 1)
            return body if flattened else [f"{pad}a({open_!r})", *body, f"{pad}a({close!r})"]
        if kind == "map":
            key, value = cast(MapShape, shape).key, cast(MapShape, shape).value
            k, x = f"k{depth}", f"x{depth}"
            flattened = shape.serialization.get("flattened")
            entry = tag if flattened else "entry"
            body = [f"{pad}for {k}, {x} in {expr}.items():", f"{pad}    a({f'<{entry}>'!r})"]
            body += self._emit(key, k, key.serialization.get("name", "key"), indent + 1, depth + 1)
            body += [f"{pad}    if {x} is not None:"]
            body += self._emit(value, x, value.serialization.get("name", "value"), indent + 2, depth + 1)
            body += [f"{pad}    a({f'</{entry}>'!r})"]
            return body if flattened else [f"{pad}a({open_!r})", *body, f"{pad}a({close!r})"]
        if kind == "boolean":
            return [f"{pad}a({open_ + 'true' + close!r} if {expr} else {open_ + 'false' + close!r})"]
        convert = {"integer": "integer", "long": "integer", "float": "num", "double": "num",
                   "timestamp": "ts", "blob": "b64"}.get(kind, "esc")
        return [f"{pad}a({open_!r} + {convert}({expr}) + {close!r})"]


def _tag_name(member: Shape, name: str) -> str:
    """Element name botocore's parser looks up: flattened lists use the item's locationName."""
    if member.type_name == "list" and member.serialization.get("flattened"):
        item_name = cast(ListShape, member).member.serialization.get("name")
        if item_name:
            return str(item_name)
    return str(member.serialization.get("name", name))


def response_frame(operation_name: str, xmlns: str, result_wrapper: str | None) -> tuple[str, str, str]:
    """(head, before request id, after request id) around a rendered result body."""
    root = f"{operation_name}Response"
    head = f'<{root} xmlns="{escape(xmlns)}">'
    mid = "<ResponseMetadata><RequestId>"
    tail = f"</RequestId></ResponseMetadata></{root}>"
    if result_wrapper:
        head += f"<{result_wrapper}>"
        mid = f"</{result_wrapper}>" + mid
    return head, mid, tail


def render_error(err: AwsError, request_id: str, sender_fault: bool | None = None,
                 xmlns: str = "https://iam.amazonaws.com/doc/2010-05-08/") -> bytes:
    """AWS's query ``ErrorResponse``; botocore turns it into ``ClientError`` with Code/Message/RequestId."""
    fault = err.sender_fault if sender_fault is None else sender_fault
    return (
        f'<ErrorResponse xmlns="{escape(xmlns)}"><Error>'
        f"<Type>{'Sender' if fault else 'Receiver'}</Type>"
        f"<Code>{escape(err.code)}</Code><Message>{escape(err.message)}</Message></Error>"
        f"<RequestId>{escape(request_id)}</RequestId></ErrorResponse>"
    ).encode()
