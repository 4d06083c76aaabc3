"""Service-specific credentials: a user name and password for one service (CodeCommit's Git over
HTTPS, Amazon Keyspaces' Cassandra drivers).

The password is generated here and returned once, by CreateServiceSpecificCredential or
ResetServiceSpecificCredential; only its Argon2id hash is stored. The service user name is AWS's
``USER-at-ACCOUNT`` form.

Not yet: the long-term API keys of Bedrock and CloudWatch Logs (``CredentialAgeDays``,
``ServiceCredentialAlias``/``ServiceCredentialSecret``); those services are NotSupportedService.
"""

from __future__ import annotations

import base64
import secrets
from typing import Any

from sqlalchemy import Row, func, insert, select, update

from iamd.auth.ids import new_unique_id
from iamd.auth.passwords import hash_password
from iamd.errors import ValidationError
from iamd.services.context import Call
from iamd.services.iam import user_credentials
from iamd.services.iam.common import paginate
from iamd.services.iam.errors import InvalidInput, LimitExceeded, NoSuchEntity, NotSupportedService
from iamd.services.iam.users import get_user_row, user_or_root
from iamd.services.registry import action
from iamd.store import schema
from iamd.store.locks import lock_account

CREDENTIALS_PER_USER_PER_SERVICE = 2
# The services AWS issues user-name-and-password credentials for.
SERVICES = frozenset({"codecommit.amazonaws.com", "cassandra.amazonaws.com"})

creds = schema.service_specific_credentials
users = schema.users


def new_password() -> str:
    """32 random bytes in base64 (44 characters), the shape of AWS's generated passwords."""
    return base64.b64encode(secrets.token_bytes(32)).decode()


def _shape(row: Row[Any], user_name: str, password: str | None = None) -> dict[str, Any]:
    out = {
        "CreateDate": row.created_at,
        "ServiceName": row.service_name,
        "ServiceUserName": row.service_user_name,
        "ServiceSpecificCredentialId": row.credential_id,
        "UserName": user_name,
        "Status": row.status,
    }
    if password is not None:
        out["ServicePassword"] = password
    return out


def _get(call: Call, p: dict[str, Any]) -> tuple[Row[Any], str]:
    user = user_or_root(call, p)
    cred_id = p["ServiceSpecificCredentialId"]
    row = None
    if user is not None:
        row = call.conn.execute(
            select(creds).where(creds.c.user_id == user.user_id, creds.c.credential_id == cred_id)
        ).first()
    if row is None or user is None:
        raise NoSuchEntity(f"No such credential {cred_id} exists")
    return row, user.name


@action("iam", "CreateServiceSpecificCredential", locks_itself=True)
def create_service_specific_credential(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    """Hashes the password (Argon2) before it takes the account's lock, then counts."""
    user = get_user_row(call, p["UserName"])
    service = p["ServiceName"]
    if service not in SERVICES:
        raise NotSupportedService(f"Service {service} is not supported for service-specific credentials.")
    if p.get("CredentialAgeDays") is not None:
        raise ValidationError("CredentialAgeDays is only valid for services that support long-term API keys.")
    cred_id, password = new_unique_id("ACCA"), new_password()
    hashed = hash_password(password)
    lock_account(call.conn, call.account_id)
    user = get_user_row(call, p["UserName"])
    count = call.conn.execute(
        select(func.count()).select_from(creds).where(creds.c.user_id == user.user_id, creds.c.service_name == service)
    ).scalar_one()
    if count >= CREDENTIALS_PER_USER_PER_SERVICE:
        raise LimitExceeded(
            f"Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: {CREDENTIALS_PER_USER_PER_SERVICE}"
        )
    call.conn.execute(
        insert(creds).values(
            credential_id=cred_id,
            user_id=user.user_id,
            service_name=service,
            service_user_name=f"{user.name}-at-{call.account_id}",
            password_hash=hashed,
            status="Active",
            created_at=call.now,
        )
    )
    row = call.conn.execute(select(creds).where(creds.c.credential_id == cred_id)).one()
    return {"ServiceSpecificCredential": _shape(row, user.name, password)}


@action("iam", "ListServiceSpecificCredentials")
def list_service_specific_credentials(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    query = select(creds, users.c.name.label("user_name")).join(users, users.c.user_id == creds.c.user_id)
    if p.get("AllUsers"):
        if p.get("UserName") is not None:
            raise InvalidInput("AllUsers cannot be specified together with UserName.")
        query = query.where(users.c.account_id == call.account_id)
    else:
        user = user_or_root(call, p)
        if user is None:  # the root user has no service-specific credentials
            return {"ServiceSpecificCredentials": [], "IsTruncated": False}
        query = query.where(creds.c.user_id == user.user_id)
    if p.get("ServiceName") is not None:
        query = query.where(creds.c.service_name == p["ServiceName"])
    rows, page = paginate(call.conn, query, creds.c.credential_id, p)
    return {"ServiceSpecificCredentials": [_shape(r, r.user_name) for r in rows], **page}


@action("iam", "ResetServiceSpecificCredential", locks_itself=True)
def reset_service_specific_credential(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    """Hashes the new password (Argon2) before it takes the account's lock."""
    _get(call, p)
    password = new_password()
    hashed = hash_password(password)
    lock_account(call.conn, call.account_id)
    row, user_name = _get(call, p)
    call.conn.execute(update(creds).where(creds.c.credential_id == row.credential_id).values(password_hash=hashed))
    return {"ServiceSpecificCredential": _shape(row, user_name, password)}


user_credentials.register("ServiceSpecificCredential", creds, "credential_id", lambda call, p: _get(call, p)[0])
