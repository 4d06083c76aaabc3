"""Rules shared by every IAM entity: ARNs, pagination, policy documents, tag lists."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from sqlalchemy import Column, Connection, Select, select
from sqlalchemy import exists as sql_exists

from iamd.errors import ValidationError
from iamd.services.iam.errors import DeleteConflict, InvalidInput, LimitExceeded, MalformedPolicyDocument

DEFAULT_MAX_ITEMS = 100
MAX_TAGS = 50


def exists(conn: Connection, *where: Any) -> bool:
    """Whether any row matches."""
    return bool(conn.execute(select(sql_exists().where(*where))).scalar())


def refuse_if_attached(conn: Connection, checks: Sequence[tuple[Any, str]]) -> None:
    """AWS makes callers take an entity apart before deleting it, and names the first thing left:
    ``checks`` are (condition, "must … first.") pairs in AWS's order."""
    for where, why in checks:
        if exists(conn, where):
            raise DeleteConflict(f"Cannot delete entity, {why}")


def arn(account_id: str, kind: str, path: str, name: str) -> str:
    """``arn:aws:iam::123456789012:user/division/name`` — the path sits between kind and name."""
    return f"arn:aws:iam::{account_id}:{kind}{path}{name}"


def encode_document(document: str) -> str:
    """AWS returns policy documents URL-encoded (RFC 3986); SDKs decode them."""
    return quote(document, safe="")


def check_policy(document: str, policy_type: str) -> None:
    """Validate a policy document with the engine; its message becomes MalformedPolicyDocument."""
    from iamd.policy import PolicySyntaxError, PolicyType, parse_policy

    try:
        parse_policy(document, PolicyType[policy_type])
    except PolicySyntaxError as err:
        raise MalformedPolicyDocument(str(err)) from None


def policy_size(document: str) -> int:
    """AWS counts policy size in characters, not counting white space."""
    return sum(1 for ch in document if not ch.isspace())


# --- pagination ---------------------------------------------------------------------------


def encode_marker(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode()


def decode_marker(marker: str) -> str:
    try:
        return base64.b64decode(marker.encode(), altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValidationError("Invalid Marker.") from None


def paginate(
    conn: Connection, query: Select[Any], key: Column[Any], params: dict[str, Any]
) -> tuple[list[Any], dict[str, Any]]:
    """Keyset pagination on a unique column: a page never skips or repeats an item while others write.

    Returns the rows and the ``IsTruncated``/``Marker`` members of the response.
    """
    limit = params.get("MaxItems") or DEFAULT_MAX_ITEMS
    if params.get("Marker") is not None:
        query = query.where(key > decode_marker(params["Marker"]))
    rows = list(conn.execute(query.order_by(key).limit(limit + 1)))
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, {"IsTruncated": True, "Marker": encode_marker(getattr(rows[-1], key.name))}
    return rows, {"IsTruncated": False}


def paginate_list(items: Sequence[Any], key: str, params: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """The same contract over an in-memory list sorted by ``key`` (e.g. AWS-managed policies)."""
    limit = params.get("MaxItems") or DEFAULT_MAX_ITEMS
    start = decode_marker(params["Marker"]) if params.get("Marker") is not None else None
    selected = [it for it in items if start is None or it[key] > start]
    if len(selected) > limit:
        page = selected[:limit]
        return page, {"IsTruncated": True, "Marker": encode_marker(page[-1][key])}
    return selected, {"IsTruncated": False}


# --- tags ---------------------------------------------------------------------------------


def check_new_tags(tags: list[dict[str, str]] | None, existing: int = 0) -> list[dict[str, str]]:
    """Tag keys are case-insensitive in IAM: duplicates in one request are refused."""
    tags = tags or []
    seen: set[str] = set()
    for tag in tags:
        lowered = tag["Key"].lower()
        if lowered in seen:
            raise InvalidInput("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
        seen.add(lowered)
    if existing + len(tags) > MAX_TAGS:
        raise LimitExceeded("The number of tags has reached the maximum limit.")
    return tags
