"""Tag/Untag/List…Tags for every taggable IAM entity, registered from one definition.

AWS gives each taggable entity its own three actions (TagUser, UntagUser, ListUserTags, TagRole, …)
with identical rules; ``register`` builds them from a function that finds the entity's id.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from iamd.services.context import Call
from iamd.services.iam.common import MAX_TAGS, check_new_tags, paginate_list
from iamd.services.iam.errors import LimitExceeded
from iamd.services.registry import action
from iamd.store import tags as tag_store

# (call, params) -> the entity's id; raises NoSuchEntity.
Finder = Callable[[Call, dict[str, Any]], str]


def register(entity: str, resource_type: str, find: Finder) -> None:
    """Register ``Tag{entity}``, ``Untag{entity}`` and ``List{entity}Tags``."""

    def tag(call: Call, p: dict[str, Any]) -> None:
        resource_id = find(call, p)
        new = check_new_tags(p["Tags"])
        if tag_store.merged_count(call.conn, resource_type, resource_id, new) > MAX_TAGS:
            raise LimitExceeded("The number of tags has reached the maximum limit.")
        tag_store.put_tags(call.conn, resource_type, resource_id, new)

    def untag(call: Call, p: dict[str, Any]) -> None:
        tag_store.remove_tags(call.conn, resource_type, find(call, p), p["TagKeys"])

    def list_tags(call: Call, p: dict[str, Any]) -> dict[str, Any]:
        all_tags = tag_store.list_tags(call.conn, resource_type, find(call, p))
        keyed = [{"k": f"{i:04d}", "tag": t} for i, t in enumerate(all_tags)]
        page, meta = paginate_list(keyed, "k", p)
        return {"Tags": [item["tag"] for item in page], **meta}

    action("iam", f"Tag{entity}")(tag)
    action("iam", f"Untag{entity}")(untag)
    action("iam", f"List{entity}Tags")(list_tags)
