"""Pagination of Organizations' listings: ``MaxResults`` and an opaque ``NextToken``.

AWS: "Always check the NextToken response parameter value when calling a List* operation. These
operations can occasionally return an empty set of results even when there are more results
available." iamd pages by keyset: items are ordered by a key (an id) and the token holds the last
key of the page, authenticated and bound to the caller's account, the operation and its filters
(``services/page_tokens.py``), so a forged, edited or replayed token is ``InvalidInputException``
with reason ``INVALID_NEXT_TOKEN`` (the model's enum). Pages stay correct while items are added
or removed between calls: none is listed twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from iamd.services.context import Call
from iamd.services.organizations.errors import InvalidInputException
from iamd.services.page_tokens import sealer

T = TypeVar("T")
PURPOSE = "organizations-next-token"
# AWS's default page size when MaxResults is omitted is the operation's maximum.
DEFAULT_MAX = 20


def page(
    call: Call,
    params: dict[str, Any],
    operation: str,
    items: Sequence[T],
    key: Callable[[T], str],
    *,
    query: Any = None,
    limit: int = DEFAULT_MAX,
) -> tuple[list[T], str | None]:
    """One page of ``items`` (sorted by ``key``) and the token of the next, if any."""
    tokens = sealer(call.runtime.master_key, PURPOSE)
    bound = [call.account_id, operation, query]
    size = params.get("MaxResults") or limit
    after: str | None = None
    token = params.get("NextToken")
    if token is not None:
        opened = tokens.open(token, bound)
        if opened is None or not opened[1] or not isinstance(opened[0], str):
            raise InvalidInputException("INVALID_NEXT_TOKEN", "The specified NextToken is not valid.")
        after = opened[0]
    remaining = [item for item in items if after is None or key(item) > after]
    chunk = remaining[:size]
    more = len(remaining) > size
    return chunk, (tokens.seal(key(chunk[-1]), bound) if more and chunk else None)


def with_token(out: dict[str, Any], token: str | None) -> dict[str, Any]:
    if token is not None:
        out["NextToken"] = token
    return out
