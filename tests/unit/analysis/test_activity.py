"""Reading the trail: whose use an event is, and which action it names."""

from __future__ import annotations

from iamd.analysis.activity import action_of, principal_of

ROLE = "arn:aws:iam::123456789012:role/app/worker"


def test_a_session_s_use_is_its_role_s_and_a_user_s_its_own() -> None:
    session = {"type": "AssumedRole", "arn": "arn:aws:sts::123456789012:assumed-role/worker/s",
               "sessionContext": {"sessionIssuer": {"type": "Role", "arn": ROLE}}}
    assert principal_of(session) == ROLE
    assert principal_of({"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/ann"}) == \
        "arn:aws:iam::123456789012:user/ann"


def test_root_federated_other_account_and_unknown_callers_are_no_principal_s_use() -> None:
    for identity in ({"type": "Root", "arn": "arn:aws:iam::123456789012:root"}, {"type": "AWSAccount"},
                     {"type": "Unknown"}, {"type": "FederatedUser", "arn": "x"}, {"type": "AssumedRole"}, {}):
        assert principal_of(identity) is None


def test_actions_are_spelled_as_authorized() -> None:
    assert action_of("iam.amazonaws.com", "listusers") == "iam:ListUsers"
    assert action_of("access-analyzer.amazonaws.com", "ListFindingsV2") == "access-analyzer:ListFindings"
    assert action_of("madeup.amazonaws.com", "Thing") == "madeup:Thing"
