"""The request context: condition keys and their values.

AWS condition keys are case-insensitive ("``aws:CurrentTime`` is equivalent to
``AWS:currenttime``"), so keys are folded to lower case once, when the context is built, and the
evaluator looks them up without further work. Every value is stored as a tuple of strings: a
single-valued key is a one-tuple, a multivalued key (``aws:TagKeys``) a longer one, and an empty
list an empty tuple, which the set operators treat as "an empty data set".
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping

ContextValue = str | bool | int | float | bytes | Iterable[str | bool | int | float | bytes]


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return str(value)


class Context(dict[str, tuple[str, ...]]):
    """Condition keys (lower-cased) → values; build it once per request."""

    __slots__ = ()

    def __init__(self, values: Mapping[str, ContextValue] | None = None) -> None:
        super().__init__()
        if values:
            for key, value in values.items():
                self.set(key, value)

    def set(self, key: str, value: ContextValue) -> None:
        if isinstance(value, str | bool | int | float | bytes):
            self[key.lower()] = (_text(value),)
        else:
            self[key.lower()] = tuple(_text(v) for v in value)

    def first(self, key: str) -> str | None:
        """The single value of a key, or ``None`` if it is absent or multivalued."""
        values = self.get(key.lower())
        if values is None or len(values) != 1:
            return None
        return values[0]
