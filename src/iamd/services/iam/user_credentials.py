"""Update…/Delete… for a user's SSH public keys, signing certificates and service-specific
credentials, registered from one definition.

AWS gives each kind its own pair of actions with the same rules: find the credential among the
user's (NoSuchEntity otherwise), then set its status or delete it. Each kind keeps its own
``find``, since what identifies a credential and whose it may be differ.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Row, Table, delete, update

from iamd.services.context import Call
from iamd.services.iam.errors import InvalidInput
from iamd.services.registry import action

# (call, params) -> the credential's row; raises NoSuchEntity.
Finder = Callable[[Call, dict[str, Any]], Row[Any]]


def check_status(status: str) -> str:
    """``Expired`` is in the model's enum but is a state IAM sets, not one a caller may."""
    if status not in ("Active", "Inactive"):
        raise InvalidInput(f"Invalid status {status}: must be Active or Inactive.")
    return status


def register(kind: str, table: Table, id_column: str, find: Finder) -> None:
    """Register ``Update{kind}`` (its ``Status``) and ``Delete{kind}``."""
    key = table.c[id_column]

    def update_status(call: Call, p: dict[str, Any]) -> None:
        row = find(call, p)
        status = check_status(p["Status"])
        call.conn.execute(update(table).where(key == getattr(row, id_column)).values(status=status))

    def delete_credential(call: Call, p: dict[str, Any]) -> None:
        row = find(call, p)
        call.conn.execute(delete(table).where(key == getattr(row, id_column)))

    action("iam", f"Update{kind}")(update_status)
    action("iam", f"Delete{kind}")(delete_credential)
