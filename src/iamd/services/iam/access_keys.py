"""Access keys of IAM users (and the root user's, when root calls without UserName).

The secret is generated here, sealed at rest, and returned exactly once, in CreateAccessKey's
response; nothing else ever returns it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, delete, func, select, update

from iamd.auth.ids import new_access_key_id, new_secret_access_key
from iamd.services.accounts import store_access_key
from iamd.services.context import Call
from iamd.services.iam.common import paginate
from iamd.services.iam.errors import LimitExceeded, NoSuchEntity
from iamd.services.iam.users import user_or_root
from iamd.services.registry import action
from iamd.store import schema

KEYS_PER_USER = 2

keys = schema.access_keys


def _owner(call: Call, p: dict[str, Any]) -> tuple[str | None, str | None]:
    """(user_id, user_name) the request is about; (None, None) is the root user."""
    user = user_or_root(call, p)
    return (None, None) if user is None else (user.user_id, user.name)


def _owner_filter(call: Call, user_id: str | None) -> Any:
    if user_id is None:
        return (keys.c.account_id == call.account_id) & keys.c.user_id.is_(None)
    return keys.c.user_id == user_id


def _get_key(call: Call, user_id: str | None, key_id: str) -> Row[Any]:
    row = call.conn.execute(
        select(keys).where(_owner_filter(call, user_id), keys.c.access_key_id == key_id)
    ).first()
    if row is None:
        raise NoSuchEntity(f"The Access Key with id {key_id} cannot be found.")
    return row


@action("iam", "CreateAccessKey")
def create_access_key(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    user_id, user_name = _owner(call, p)
    count = call.conn.execute(
        select(func.count()).select_from(keys).where(_owner_filter(call, user_id))
    ).scalar_one()
    if count >= KEYS_PER_USER:
        raise LimitExceeded(f"Cannot exceed quota for AccessKeysPerUser: {KEYS_PER_USER}")
    key_id, secret = new_access_key_id("AKIA"), new_secret_access_key()
    store_access_key(call.conn, call.runtime.secretbox, call.account_id, user_id, key_id, secret, call.now)
    out = {"AccessKeyId": key_id, "Status": "Active", "SecretAccessKey": secret, "CreateDate": call.now}
    if user_name:
        out["UserName"] = user_name
    return {"AccessKey": out}


@action("iam", "ListAccessKeys")
def list_access_keys(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    user_id, user_name = _owner(call, p)
    rows, page = paginate(call.conn, select(keys).where(_owner_filter(call, user_id)), keys.c.access_key_id, p)
    meta = [
        {"AccessKeyId": r.access_key_id, "Status": r.status, "CreateDate": r.created_at}
        | ({"UserName": user_name} if user_name else {})
        for r in rows
    ]
    return {"AccessKeyMetadata": meta, **page}


@action("iam", "UpdateAccessKey")
def update_access_key(call: Call, p: dict[str, Any]) -> None:
    user_id, _ = _owner(call, p)
    row = _get_key(call, user_id, p["AccessKeyId"])
    call.conn.execute(update(keys).where(keys.c.access_key_id == row.access_key_id).values(status=p["Status"]))
    return None


@action("iam", "DeleteAccessKey")
def delete_access_key(call: Call, p: dict[str, Any]) -> None:
    user_id, _ = _owner(call, p)
    row = _get_key(call, user_id, p["AccessKeyId"])
    call.conn.execute(delete(keys).where(keys.c.access_key_id == row.access_key_id))
    return None


@action("iam", "GetAccessKeyLastUsed")
def get_access_key_last_used(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    call.runtime.key_usage.flush(call.conn)
    row = call.conn.execute(
        select(keys).where(keys.c.access_key_id == p["AccessKeyId"], keys.c.account_id == call.account_id)
    ).first()
    if row is None:
        raise NoSuchEntity(f"The Access Key with id {p['AccessKeyId']} cannot be found.")
    user_name = None
    if row.user_id:
        user_name = call.conn.execute(
            select(schema.users.c.name).where(schema.users.c.user_id == row.user_id)
        ).scalar()
    last: dict[str, Any] = {"ServiceName": "N/A", "Region": "N/A"}
    if row.last_used_at is not None:
        last = {
            "LastUsedDate": row.last_used_at,
            "ServiceName": row.last_used_service or "N/A",
            "Region": row.last_used_region or "N/A",
        }
    out: dict[str, Any] = {"AccessKeyLastUsed": last}
    if user_name:
        out["UserName"] = user_name
    return out
