"""Resolving a policy ARN given in a request to an account's own or an AWS-managed policy."""

from __future__ import annotations

from typing import Any

from iamd.services.context import Call
from iamd.services.iam import aws_managed
from iamd.services.iam.errors import InvalidInput, NoSuchEntity, PolicyNotAttachable
from iamd.store.repos import managed_policies


def parse_local_arn(call: Call, arn: str) -> tuple[str, str] | None:
    """``arn:aws:iam::ACCOUNT:policy/path/name`` → (account, name), or None if not that form."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" or not parts[5].startswith("policy/"):
        return None
    return parts[4], parts[5].rsplit("/", 1)[-1]


def resolve(call: Call, arn: str, *, message: str | None = None) -> dict[str, Any]:
    """A policy the caller's account may attach: ``{"arn", "name", "aws": bool, "row" | "policy"}``."""
    not_found = NoSuchEntity(message or f"Policy {arn} does not exist or is not attachable.")
    if not arn.startswith("arn:"):
        raise InvalidInput(f"ARN {arn} is not valid.")
    if aws_managed.is_aws_managed(arn):
        policy = aws_managed.get(arn)
        if policy is None:
            raise not_found
        return {"arn": arn, "name": policy.name, "aws": True, "policy": policy}
    parsed = parse_local_arn(call, arn)
    if parsed is None:
        raise InvalidInput(f"ARN {arn} is not valid.")
    account, name = parsed
    if account != call.account_id:
        raise not_found
    row = managed_policies.get_by_name(call.conn, account, name)
    if row is None or local_arn(row) != arn:
        raise not_found
    return {"arn": arn, "name": row.name, "aws": False, "row": row}


def local_arn(row: Any) -> str:
    return f"arn:aws:iam::{row.account_id}:policy{row.path}{row.name}"


def resolve_boundary(call: Call, arn: str) -> dict[str, Any]:
    """A policy usable as a permissions boundary: service role policies (``/aws-service-role/``)
    belong to service-linked roles only, as PolicyNotAttachable's documentation says."""
    ref = resolve(call, arn)
    if "/aws-service-role/" in arn:
        raise PolicyNotAttachable("Cannot attach a Service Role Policy to a Customer Role.")
    return ref
