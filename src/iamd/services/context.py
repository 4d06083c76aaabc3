"""What every service action receives: who is calling, in which account, inside which transaction.

Actions are plain functions ``(call, params) -> result``: ``params`` is the request as botocore's
model names it (decoded and validated by ``api/``), the result a dict in the model's output shape.
They never see HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

if TYPE_CHECKING:
    from iamd.services.runtime import Runtime


@dataclass(frozen=True)
class Caller:
    """The authenticated principal. ``kind`` is ``root``, ``user``, ``assumed-role`` or ``federated-user``."""

    account_id: str
    arn: str
    user_id: str
    kind: str
    access_key_id: str
    user_name: str | None = None
    session_token: str | None = None

    @property
    def is_root(self) -> bool:
        return self.kind == "root"


@dataclass
class Call:
    conn: Connection
    caller: Caller
    now: datetime
    request_id: str
    runtime: Runtime
    region: str = "us-east-1"
    # Set by actions for the audit layer and the renderer; e.g. the resource touched.
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def account_id(self) -> str:
        return self.caller.account_id
