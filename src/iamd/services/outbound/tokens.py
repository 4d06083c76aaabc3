"""The claims of the JWT that GetWebIdentityToken returns, as the IAM User Guide shapes them.

"Understanding token claims" (``id_roles_providers_outbound_token_claims``): the standard claims
``iss`` (the account's issuer URL), ``aud`` (the requested audience: a string for one, an array
for several), ``sub``, ``iat``, ``exp`` and ``jti``; AWS's own claims nested under the
``https://sts.amazonaws.com/`` namespace — ``aws_account``, ``source_region``, ``principal_id``
("the ARN of the principal that requested the token … For a role session, this is the ARN of the
role"), ``org_id`` and ``ou_path`` when the account is in an organization, ``principal_tags`` and
``request_tags`` (the call's ``Tags``, "added as custom claims").

``sub`` in the ``AWSIdentity`` subject mode is "the ARN of the calling AWS principal": the role's
ARN for a role session (the guide's sample token), the user's, root's or the federated user's
otherwise. EC2 and Lambda session claims do not arise: iamd runs neither.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import jwt
from sqlalchemy import Connection

from iamd.auth.caller import Caller
from iamd.auth.session_claims import ASSUMED_ROLE, FEDERATED_USER, SESSION_TOKEN
from iamd.services.outbound.errors import JWTPayloadSizeExceeded
from iamd.services.outbound.keys import SigningKey
from iamd.store import org_placement, tags

NAMESPACE = "https://sts.amazonaws.com/"
# AWS documents a payload limit without its value; iamd's is this many bytes of claims JSON,
# which 50 tags of the longest keys and values (128 + 256 characters) cannot all fit.
MAX_PAYLOAD_BYTES = 16384


def principal_arn(caller: Caller) -> str:
    """The ARN ``sub`` and ``principal_id`` carry: a role session's role, else the caller's own."""
    session = caller.session
    if session is not None and session.kind == ASSUMED_ROLE:
        return session.source_arn
    return caller.arn


def principal_tags(conn: Connection, caller: Caller) -> dict[str, str]:
    """The tags ``aws:PrincipalTag`` sees: the user's or role's, with session tags overriding
    those of the same key regardless of case (IAM User Guide, "Things to know about session tags")."""
    session = caller.session
    entity: tuple[str, str] | None
    if session is None:
        entity = None if caller.is_root else ("user", caller.user_id)
    elif session.kind == ASSUMED_ROLE:
        entity = ("role", session.source_id)
    elif session.kind in (FEDERATED_USER, SESSION_TOKEN) and session.source_id != caller.account_id:
        entity = ("user", session.source_id)
    else:
        entity = None  # root's own sessions and AssumeRoot's: root has no tags
    own = {t["Key"]: t["Value"] for t in tags.list_tags(conn, *entity)} if entity else {}
    if session is None:
        return own
    overridden = {key.lower() for key, _ in session.tags}
    merged = {k: v for k, v in own.items() if k.lower() not in overridden}
    merged.update(dict(session.tags))
    return merged


def _organization(conn: Connection, account_id: str) -> dict[str, str]:
    member = org_placement.membership(conn, account_id)
    if member is None:
        return {}
    units = org_placement.ancestors(conn, member.parent_id, member.root_id)
    return {"org_id": member.org_id, "ou_path": "/".join([member.org_id, member.root_id, *units]) + "/"}


def claims(
    conn: Connection,
    caller: Caller,
    *,
    issuer: str,
    audience: Sequence[str],
    now: datetime,
    lifetime: timedelta,
    region: str,
    request_tags: Sequence[dict[str, str]] = (),
) -> dict[str, Any]:
    arn = principal_arn(caller)
    aws: dict[str, Any] = {"aws_account": caller.account_id, "source_region": region, "principal_id": arn}
    aws.update(_organization(conn, caller.account_id))
    found = principal_tags(conn, caller)
    if found:
        aws["principal_tags"] = found
    if request_tags:
        aws["request_tags"] = {t["Key"]: t["Value"] for t in request_tags}
    issued = int(now.timestamp())
    return {
        "iss": issuer,
        "aud": audience[0] if len(audience) == 1 else list(audience),
        "sub": arn,
        "iat": issued,
        "exp": issued + int(lifetime.total_seconds()),
        "jti": str(uuid.uuid4()),
        NAMESPACE: aws,
    }


def sign(payload: dict[str, Any], key: SigningKey) -> str:
    """The compact JWS; refused past ``MAX_PAYLOAD_BYTES`` with AWS's error."""
    size = len(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    if size > MAX_PAYLOAD_BYTES:
        raise JWTPayloadSizeExceeded(size=size, limit=MAX_PAYLOAD_BYTES)
    return jwt.encode(payload, key.private, algorithm=key.algorithm, headers={"kid": key.key_id, "typ": "JWT"})  # type: ignore[arg-type]
