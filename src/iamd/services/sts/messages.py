"""DecodeAuthorizationMessage: the decision behind an AccessDenied, for those allowed to read it.

The message was sealed for the account of the denied caller (``authz/denials.py``); only a caller
of that account, allowed ``sts:DecodeAuthorizationMessage`` by policy, can open it.
"""

from __future__ import annotations

from typing import Any

from iamd.services.context import Call
from iamd.services.registry import action
from iamd.services.sts.errors import InvalidAuthorizationMessage


@action("sts", "DecodeAuthorizationMessage")
def decode_authorization_message(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    sealer = call.runtime.message_sealer
    decoded = sealer.decode(call.account_id, p["EncodedMessage"]) if sealer is not None else None
    if decoded is None:
        raise InvalidAuthorizationMessage(
            "The encoded authorization message is invalid or was not issued for this account."
        )
    return {"DecodedMessage": decoded}
