"""The decoded authorization message: condition keys as AWS spells them, and nothing of another
account's policies for a cross-account caller."""

from __future__ import annotations

import json

from iamd.auth.caller import Caller
from iamd.authz import denials
from iamd.authz.context import RequestContext
from iamd.policy import Context, PolicySet, PolicyType, PrincipalType, Request, RequestPrincipal, parse_policy

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


def _trust_denial(cross_account: bool) -> dict[str, object]:
    mine = parse_policy(
        json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"},
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*",
             "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
        ]}),
        PolicyType.IDENTITY, policy_id="mine",
    )
    trust = parse_policy(
        json.dumps({"Version": "2012-10-17", "Statement": [
            {"Sid": "Guard", "Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": "sts:AssumeRole",
             "Condition": {"StringEquals": {"sts:ExternalId": "x", "aws:PrincipalTag/Team": "y"}}},
        ]}),
        PolicyType.TRUST, policy_id="arn:aws:iam::210987654321:role/r",
    )
    account = "210987654321" if cross_account else "123456789012"
    role = f"arn:aws:iam::{account}:role/r"
    principal = RequestPrincipal(ALICE.arn, "123456789012", PrincipalType.USER)
    request = Request(principal, "sts:AssumeRole", role, Context({}), account)
    decision = PolicySet(identity=[mine]).evaluate(request, resource_policy=trust)
    assert not decision.allowed
    return denials.details(ALICE, "sts:AssumeRole", role, decision, Context({}), decision.reason,
                           cross_account=cross_account)


def test_a_cross_account_message_keeps_the_trust_policys_keys_and_verdict_out() -> None:
    theirs = _trust_denial(cross_account=True)
    assert theirs["missingContextKeys"] == ["aws:multifactorauthpresent"]
    assert theirs["decidedBy"] is None and theirs["reason"] == denials.OTHER_ACCOUNT_DENIES
    assert theirs["explicitDeny"] is False
    same = _trust_denial(cross_account=False)
    assert "sts:externalid" in same["missingContextKeys"] and "aws:principaltag/team" in same["missingContextKeys"]
    assert same["decidedBy"] == "trust"
