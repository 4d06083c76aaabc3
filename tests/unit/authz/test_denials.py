"""The decoded authorization message names condition keys as AWS spells them."""

from __future__ import annotations

from iamd.auth.caller import Caller
from iamd.authz import denials
from iamd.authz.context import RequestContext

ALICE = Caller("123456789012", "arn:aws:iam::123456789012:user/alice", "AIDAEXAMPLE", "user", "AKIAEXAMPLE", "alice")


def test_condition_keys_keep_their_spelling_while_the_engine_sees_them_folded() -> None:
    context = RequestContext()
    context.set("aws:SourceIp", "127.0.0.1")
    context.set("aws:PrincipalTag/CostCenter", "42")
    assert context.first("AWS:SOURCEIP") == "127.0.0.1"
    assert "aws:principaltag/costcenter" in context
    payload = denials.details(ALICE, "iam:ListUsers", "*", None, context, "no identity-based policy allows")
    items = payload["context"]["conditions"]["items"]
    assert [item["key"] for item in items] == ["aws:PrincipalTag/CostCenter", "aws:SourceIp"]
    assert items[1]["values"] == {"items": [{"value": "127.0.0.1"}]}


def test_messages_sealed_before_a_master_key_rotation_still_decode() -> None:
    old, new = b"o" * 32, b"n" * 32
    message = denials.MessageSealer(old).encode("123456789012", {"allowed": False})
    assert denials.MessageSealer(new).decode("123456789012", message) is None
    assert denials.MessageSealer(new, previous=[old]).decode("123456789012", message) == '{"allowed":false}'
    assert denials.MessageSealer(new, previous=[old]).decode("210987654321", message) is None
