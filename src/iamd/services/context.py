"""What every service action receives: who is calling, in which account, inside which transaction.

Actions are plain functions ``(call, params) -> result``: ``params`` is the request as botocore's
model names it (decoded and validated by ``api/``), the result a dict in the model's output shape.
They never see HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from iamd.auth.caller import Caller

if TYPE_CHECKING:
    from iamd.services.runtime import Runtime

__all__ = ["Call", "Caller"]


@dataclass
class Call:
    conn: Connection
    caller: Caller
    now: datetime
    request_id: str
    runtime: Runtime
    region: str = "us-east-1"
    # Authorization granted this Organizations call through the organization's resource-based
    # delegation policy (authz/org_delegation.py): the action accepts the member caller.
    org_delegated: bool = False

    @property
    def account_id(self) -> str:
        return self.caller.account_id
