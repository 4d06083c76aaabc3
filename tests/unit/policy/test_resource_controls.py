"""RCPs in the engine (policy/resource_controls.py, PolicySet.evaluate's ``rcps``): a Deny at any
level denies, every level must allow, the resource account's RCPs are explained with their
level and are the other side's to know (``caller_side``), and no RCPs changes nothing."""

from __future__ import annotations

import json

from policy_helpers import PRINCIPALS, policy

from iamd.policy import Context, PolicySet, PolicyType, Request, ResourceControls, parse_policy

B = "222222222222"
ROLE = f"arn:aws:iam::{B}:role/target"
ALL = [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
# RCPFullAWSAccess, read back from the store (an Allow is refused in a customer's RCP).
RCP_FULL = parse_policy(
    json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}),
    PolicyType.RCP, "rcp-full", stored=True,
)  # fmt: skip
OUTSIDE_ORG = policy(
    [{"Sid": "Perimeter", "Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole", "Resource": "*",
      "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-aaaaaaaaaa"}}}],
    PolicyType.RCP, "rcp-perimeter",
)  # fmt: skip
TRUST = policy(
    [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "sts:AssumeRole"}],
    PolicyType.TRUST, ROLE,
)  # fmt: skip


def _ask(context: dict[str, str] | None = None, rcps: ResourceControls | None = None, action: str = "sts:AssumeRole"):
    admin = PolicySet(identity=[policy(ALL, PolicyType.IDENTITY, "admin")])
    request = Request(PRINCIPALS["alice"], action, ROLE, Context(context or {}), B)
    return admin.evaluate(request, TRUST, rcps)


def test_without_rcps_the_decision_is_the_usual_one() -> None:
    assert _ask().allowed
    assert _ask(rcps=None).reason == "allowed by an identity-based policy"


def test_an_rcp_deny_at_any_level_denies_and_names_its_level() -> None:
    rcps = ResourceControls([[RCP_FULL], [RCP_FULL], [RCP_FULL, OUTSIDE_ORG]])
    decision = _ask(rcps=rcps)
    assert (decision.effect, decision.decided_by, decision.reason) == (
        "ExplicitDeny", PolicyType.RCP, "explicit deny in a resource control policy"
    )  # fmt: skip
    deny = [m for m in decision.matched_statements if m.effect == "Deny"]
    assert [(m.policy_id, m.sid, m.scp_level) for m in deny] == [("rcp-perimeter", "Perimeter", 2)]


def test_the_condition_of_the_rcp_decides() -> None:
    rcps = ResourceControls([[RCP_FULL], [RCP_FULL, OUTSIDE_ORG]])
    assert _ask({"aws:PrincipalOrgID": "o-aaaaaaaaaa"}, rcps).allowed
    assert not _ask({"aws:PrincipalOrgID": "o-bbbbbbbbbb"}, rcps).allowed
    assert not _ask({}, rcps).allowed  # ...IfExists: a principal outside every organization


def test_every_level_must_allow() -> None:
    decision = _ask(rcps=ResourceControls([[RCP_FULL], []]))
    assert (decision.effect, decision.decided_by, decision.reason) == (
        "ImplicitDeny", PolicyType.RCP, "not allowed by a resource control policy"
    )  # fmt: skip


def test_rcps_do_not_grant() -> None:
    nothing = PolicySet(identity=[])
    request = Request(PRINCIPALS["alice"], "sts:AssumeRole", ROLE, Context({}), B)
    assert not nothing.evaluate(request, None, ResourceControls([[RCP_FULL]])).allowed


def test_an_rcp_deny_wins_over_a_trust_policy_that_names_the_caller() -> None:
    rcps = ResourceControls([[RCP_FULL, OUTSIDE_ORG]])
    request = Request(PRINCIPALS["root"], "sts:AssumeRole", ROLE, Context({}), B)
    assert PolicySet().evaluate(request, TRUST, rcps).effect == "ExplicitDeny"


def test_the_caller_side_leaves_the_resource_account_s_rcps_out() -> None:
    decision = _ask(rcps=ResourceControls([[RCP_FULL, OUTSIDE_ORG]]))
    own, _missing = decision.caller_side()
    assert {m.policy_type for m in own} == {PolicyType.IDENTITY}


def test_plans_are_per_action() -> None:
    rcps = ResourceControls([[RCP_FULL, OUTSIDE_ORG]])
    denies, allows = rcps.plan("sts:assumerole")
    assert [st.policy.policy_id for st, _ in denies] == ["rcp-perimeter"] and len(allows) == 1
    assert rcps.plan("sts:tagsession")[0] == ()
    assert rcps.plan("sts:assumerole") is rcps.plan("sts:assumerole")
    assert [p.policy_id for p in rcps.policies()] == ["rcp-full", "rcp-perimeter"]
