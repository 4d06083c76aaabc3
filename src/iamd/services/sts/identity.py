"""Who is calling (GetCallerIdentity) and whose an access key is (GetAccessKeyInfo).

Neither needs a permission on AWS, and neither fails for a valid caller. A session caller's
identity is the session principal: ``AROA…:session`` and ``arn:aws:sts::ACCT:assumed-role/ROLE/
SESSION`` for a role session, ``ACCT:NAME`` and ``…:federated-user/NAME`` for a federated user,
the user (or root) itself for GetSessionToken credentials — authentication puts those in Caller.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select

from iamd.auth.sessions import account_of_access_key_id
from iamd.errors import InvalidParameterValue
from iamd.services.context import Call
from iamd.services.registry import action
from iamd.store import schema

_KEY_ACCOUNT = select(schema.access_keys.c.account_id).where(
    schema.access_keys.c.access_key_id == bindparam("key_id")
)


@action("sts", "GetCallerIdentity")
def get_caller_identity(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    c = call.caller
    return {"UserId": c.user_id, "Account": c.account_id, "Arn": c.arn}


@action("sts", "GetAccessKeyInfo")
def get_access_key_info(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    """The account an access key id belongs to.

    AWS reads the account from the key id itself (its key ids encode it) and so answers for any
    well-formed key id, existing or not. iamd does the same for its ``ASIA`` session keys (minted
    that way by ``auth/sessions``) and for key ids of AWS's format; its own long-term ``AKIA`` keys
    are random, so those are looked up in the store first.
    """
    key_id = p["AccessKeyId"]
    if key_id == call.caller.access_key_id:
        return {"Account": call.caller.account_id}
    account = call.conn.execute(_KEY_ACCOUNT, {"key_id": key_id}).scalar()
    if account is None:
        account = account_of_access_key_id(key_id)
    if account is None:
        raise InvalidParameterValue(f"Invalid access key id: {key_id}")
    return {"Account": account}
