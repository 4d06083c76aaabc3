"""The Null operator: is a condition key absent from the request?

AWS: "Use a Null condition operator to check if a condition key is absent at the time of
authorization. In the policy statement, use either true (the key doesn't exist — it is null) or
false (the key exists and its value is not null)." An empty multivalued key counts as null.
"""

from __future__ import annotations

from collections.abc import Callable

from ..context import Context


def compile_null(key: str, values: list[str]) -> Callable[[Context], bool]:
    wants = {v.strip().lower() for v in values}
    want_absent = "true" in wants
    want_present = "false" in wants

    def check(context: Context) -> bool:
        present = bool(context.get(key))
        return want_present if present else want_absent

    return check
