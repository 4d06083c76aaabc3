"""AccessDenied for SCPs and RCPs in AWS's words, and the decoded message's organizations part:
the denying policy and the level it is attached at; a cross-account caller learns nothing of
the resource account's RCPs."""

from __future__ import annotations

import json

from iamd.auth.caller import Caller
from iamd.authz import denials
from iamd.authz.organizations import Level, Placement
from iamd.policy import (
    Context,
    PolicySet,
    PolicyType,
    PrincipalType,
    Request,
    RequestPrincipal,
    ResourceControls,
    parse_policy,
)

A, B = "123456789012", "210987654321"
ALICE = Caller(A, f"arn:aws:iam::{A}:user/alice", "AIDAEXAMPLE", "user", "AKIAEXAMPLE", "alice")
ME = RequestPrincipal(ALICE.arn, A, PrincipalType.USER)
SCP_ARN = f"arn:aws:organizations::{B}:policy/o-aaaaaaaaaa/service_control_policy/p-deny1234"
RCP_ARN = f"arn:aws:organizations::{B}:policy/o-aaaaaaaaaa/resource_control_policy/p-rcp12345"
LEVELS = (Level("r-aaaa", "ROOT"), Level("ou-aaaa-11111111", "ORGANIZATIONAL_UNIT"), Level(A, "ACCOUNT"))


def _p(ptype: PolicyType, label: str, *statements: dict[str, object], stored: bool = False):  # type: ignore[no-untyped-def]
    text = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    return parse_policy(text, ptype, label, stored=stored)


ADMIN = _p(PolicyType.IDENTITY, "admin", {"Effect": "Allow", "Action": "*", "Resource": "*"})
FULL = _p(PolicyType.SCP, "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
          {"Effect": "Allow", "Action": "*", "Resource": "*"})  # fmt: skip
DENY = _p(PolicyType.SCP, SCP_ARN, {"Effect": "Deny", "Action": "iam:*", "Resource": "*"})
RCP_FULL = _p(PolicyType.RCP, "arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess",
              {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}, stored=True)  # fmt: skip
RCP_DENY = _p(PolicyType.RCP, RCP_ARN, {"Effect": "Deny", "Principal": "*", "Action": "sts:*", "Resource": "*"})


def _placement(scps: tuple[tuple[object, ...], ...] | None, rcps: ResourceControls | None = None) -> Placement:
    return Placement("o-aaaaaaaaaa", B, A, "o-aaaaaaaaaa/r-aaaa/ou-aaaa-11111111/", "ACTIVE", LEVELS, scps, rcps)  # type: ignore[arg-type]


def test_an_scp_deny_names_the_policy_arn_and_its_level() -> None:
    scps = ((FULL,), (FULL, DENY), (FULL,))
    decision = PolicySet(identity=[ADMIN], scps=scps).evaluate(Request(ME, "iam:ListUsers", "*", Context({}), A))
    text = denials.sentence(ALICE.arn, "iam:ListUsers", "*", decision, False)
    assert text.endswith(f"with an explicit deny in a service control policy: {SCP_ARN}")
    payload = denials.details(ALICE, "iam:ListUsers", "*", decision, Context({}), decision.reason,
                              levels={PolicyType.SCP: _placement(scps)})  # fmt: skip
    assert payload["organizationsDecision"] == {
        "policyType": "SERVICE_CONTROL_POLICY", "explicitDeny": True, "policyArn": SCP_ARN,
        "targetId": "ou-aaaa-11111111", "targetType": "ORGANIZATIONAL_UNIT",
    }  # fmt: skip
    deny = [m for m in payload["matchedStatements"]["items"] if m["effect"] == "DENY"]
    assert deny[0]["targetId"] == "ou-aaaa-11111111"


def test_no_scp_allowing_names_the_first_level_without_an_allow() -> None:
    scps = ((FULL,), (), (FULL,))
    decision = PolicySet(identity=[ADMIN], scps=scps).evaluate(Request(ME, "iam:ListUsers", "*", Context({}), A))
    text = denials.sentence(ALICE.arn, "iam:ListUsers", "*", decision, False)
    assert text.endswith("because no service control policy allows the iam:ListUsers action")
    payload = denials.details(ALICE, "iam:ListUsers", "*", decision, Context({}), decision.reason,
                              levels={PolicyType.SCP: _placement(scps)})  # fmt: skip
    org = payload["organizationsDecision"]
    assert (org["targetId"], org["explicitDeny"], org["policiesAtTarget"]) == ("ou-aaaa-11111111", False, [])


def test_an_rcp_deny_same_account_and_cross_account() -> None:
    rcps = ResourceControls([[RCP_FULL], [RCP_FULL, RCP_DENY], [RCP_FULL]])
    role = f"arn:aws:iam::{A}:role/r"
    decision = PolicySet(identity=[ADMIN]).evaluate(Request(ME, "sts:AssumeRole", role, Context({}), A), None, rcps)
    text = denials.sentence(ALICE.arn, "sts:AssumeRole", role, decision, False)
    assert text.endswith(f"with an explicit deny in a resource control policy: {RCP_ARN}")
    owner = _placement(None, rcps)
    mine = denials.details(ALICE, "sts:AssumeRole", role, decision, Context({}), decision.reason,
                           levels={PolicyType.RCP: owner})  # fmt: skip
    assert mine["organizationsDecision"]["policyArn"] == RCP_ARN
    assert mine["organizationsDecision"]["targetType"] == "ORGANIZATIONAL_UNIT"
    # Another account's caller: no reason, no RCP statement, no organizations part.
    assert denials.sentence(ALICE.arn, "sts:AssumeRole", role, decision, True).endswith(f"on resource: {role}")
    theirs = denials.details(ALICE, "sts:AssumeRole", role, decision, Context({}), decision.reason,
                             cross_account=True, levels={PolicyType.RCP: owner})  # fmt: skip
    assert theirs["decidedBy"] is None and theirs["reason"] == denials.OTHER_ACCOUNT_DENIES
    assert "organizationsDecision" not in theirs
    assert all(m["policyType"] != "rcp" for m in theirs["matchedStatements"]["items"])


def test_no_rcp_allowing() -> None:
    rcps = ResourceControls([[RCP_FULL], []])
    role = f"arn:aws:iam::{A}:role/r"
    decision = PolicySet(identity=[ADMIN]).evaluate(Request(ME, "sts:AssumeRole", role, Context({}), A), None, rcps)
    assert denials.sentence(ALICE.arn, "sts:AssumeRole", role, decision, False).endswith(
        "because no resource control policy allows the sts:AssumeRole action"
    )
