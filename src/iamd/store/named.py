"""Repository of an entity that has a per-account, case-insensitively unique name.

Users, groups, roles, managed policies and instance profiles share this shape (id, account_id,
name, name_lower, path, …); one implementation serves them all so uniqueness and pagination keys
behave the same everywhere.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Connection, Row, Select, Table, bindparam, delete, func, insert, select, update


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
        return conn.execute(self._by_name, {"account_id": account_id, "name_lower": name.lower()}).first()

    def get_by_id(self, conn: Connection, entity_id: str) -> Row[Any] | None:
        return conn.execute(self._by_id, {"entity_id": entity_id}).first()

    def insert(self, conn: Connection, **values: Any) -> None:
        values["name_lower"] = values["name"].lower()
        conn.execute(insert(self.table).values(**values))

    def update(self, conn: Connection, entity_id: str, **values: Any) -> None:
        if "name" in values:
            values["name_lower"] = values["name"].lower()
        conn.execute(update(self.table).where(self.id == entity_id).values(**values))

    def delete(self, conn: Connection, entity_id: str) -> None:
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
