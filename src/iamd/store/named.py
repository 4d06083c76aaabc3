"""Repository of an entity that has a per-account, case-insensitively unique name.

Users, groups, roles, managed policies and instance profiles share this shape (id, account_id,
name, name_lower, path, …); one implementation serves them all so uniqueness and pagination keys
behave the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Column, Connection, Row, Select, Table, bindparam, delete, func, insert, select, update

# Within one API call, authorization and the action often look up the same entity by name; a
# call-scoped memo answers the second lookup. Any write through a repository empties it, so a
# call never reads a row older than its own writes.
_memo: ContextVar[dict[tuple[str, str, str], Any] | None] = ContextVar("iamd_named_memo", default=None)


@contextmanager
def call_memo() -> Iterator[None]:
    """Memoize name lookups for the duration of one call (one transaction)."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def forget_lookups() -> None:
    """Empty the call's memo (after a write, or once a lock makes earlier reads possibly stale)."""
    memo = _memo.get()
    if memo is not None:
        memo.clear()


class NamedRepo:
    def __init__(self, table: Table, id_column: str) -> None:
        self.table = table
        self.id: Column[Any] = table.c[id_column]
        # Built once: lookups are on every request's hot path, and building a statement costs
        # more than running it.
        self._by_name = select(table).where(
            table.c.account_id == bindparam("account_id"), table.c.name_lower == bindparam("name_lower")
        )
        self._by_id = select(table).where(self.id == bindparam("entity_id"))

    def get_by_name(self, conn: Connection, account_id: str, name: str) -> Row[Any] | None:
        memo = _memo.get()
        key = (self.table.name, account_id, name.lower())
        if memo is not None and key in memo:
            return memo[key]  # type: ignore[no-any-return]
        row = conn.execute(self._by_name, {"account_id": account_id, "name_lower": key[2]}).first()
        if memo is not None:
            memo[key] = row
        return row

    def get_by_id(self, conn: Connection, entity_id: str) -> Row[Any] | None:
        return conn.execute(self._by_id, {"entity_id": entity_id}).first()

    def insert(self, conn: Connection, **values: Any) -> None:
        forget_lookups()
        values["name_lower"] = values["name"].lower()
        conn.execute(insert(self.table).values(**values))

    def update(self, conn: Connection, entity_id: str, **values: Any) -> None:
        forget_lookups()
        if "name" in values:
            values["name_lower"] = values["name"].lower()
        conn.execute(update(self.table).where(self.id == entity_id).values(**values))

    def delete(self, conn: Connection, entity_id: str) -> None:
        forget_lookups()
        conn.execute(delete(self.table).where(self.id == entity_id))

    def count(self, conn: Connection, account_id: str) -> int:
        t = self.table
        return conn.execute(select(func.count()).select_from(t).where(t.c.account_id == account_id)).scalar_one()

    def list_query(self, account_id: str, path_prefix: str | None = None) -> Select[Any]:
        t = self.table
        q = select(t).where(t.c.account_id == account_id)
        if path_prefix and path_prefix != "/":
            # Not LIKE: SQLite's LIKE ignores case, and AWS path prefixes are case-sensitive.
            q = q.where(func.substr(t.c.path, 1, len(path_prefix)) == path_prefix)
        return q
