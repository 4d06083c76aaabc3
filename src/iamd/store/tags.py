"""Tags of any taggable entity, kept in insertion order, keys unique case-insensitively."""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from iamd.store.schema import tags

_LIST = (
    select(tags.c.key, tags.c.value)
    .where(tags.c.resource_type == bindparam("rtype"), tags.c.resource_id == bindparam("rid"))
    .order_by(tags.c.position)
)


def list_tags(conn: Connection, resource_type: str, resource_id: str) -> list[dict[str, str]]:
    return [{"Key": r.key, "Value": r.value} for r in conn.execute(_LIST, {"rtype": resource_type, "rid": resource_id})]


def merged_count(conn: Connection, resource_type: str, resource_id: str, new: list[dict[str, str]]) -> int:
    """How many tags the entity would have after ``put_tags(new)``."""
    existing = {t["Key"].lower() for t in list_tags(conn, resource_type, resource_id)}
    return len(existing | {t["Key"].lower() for t in new})


def put_tags(conn: Connection, resource_type: str, resource_id: str, new: list[dict[str, str]]) -> None:
    """Add tags; a key that exists (in any case) gets the new key spelling and value."""
    where = (tags.c.resource_type == resource_type, tags.c.resource_id == resource_id)
    position = conn.execute(select(func.coalesce(func.max(tags.c.position), 0)).where(*where)).scalar_one()
    for tag in new:
        key_lower = tag["Key"].lower()
        changed = conn.execute(
            update(tags).where(*where, tags.c.key_lower == key_lower).values(key=tag["Key"], value=tag["Value"])
        ).rowcount
        if not changed:
            position += 1
            conn.execute(
                insert(tags).values(
                    resource_type=resource_type,
                    resource_id=resource_id,
                    key_lower=key_lower,
                    key=tag["Key"],
                    value=tag["Value"],
                    position=position,
                )
            )


def remove_tags(conn: Connection, resource_type: str, resource_id: str, keys: list[str]) -> None:
    lowered = [k.lower() for k in keys]
    conn.execute(
        delete(tags).where(
            tags.c.resource_type == resource_type, tags.c.resource_id == resource_id, tags.c.key_lower.in_(lowered)
        )
    )


def drop_all(conn: Connection, resource_type: str, resource_id: str) -> None:
    conn.execute(delete(tags).where(tags.c.resource_type == resource_type, tags.c.resource_id == resource_id))
