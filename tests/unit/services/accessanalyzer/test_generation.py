"""The generated policy's statements: placeholders, service-level templates, completeness, size."""

from __future__ import annotations

import json

from iamd.services.accessanalyzer.generation import MAX_POLICY_CHARS, policies, statements


def test_unknown_actions_are_left_out_unless_the_service_level_template_is_asked() -> None:
    stmts, complete = statements(["iam:ListUsers", "madeup:DoThing"], placeholders=False, service_level=False)
    assert [s["Action"] for s in stmts] == [["iam:ListUsers"]] and complete is False
    stmts, complete = statements(["iam:ListUsers", "madeup:DoThing"], placeholders=False, service_level=True)
    assert [s["Action"] for s in stmts] == [["iam:ListUsers"], ["madeup:*"]] and complete is True


def test_placeholders_come_from_the_action_s_resource_types() -> None:
    stmts, _ = statements(["iam:GetUser", "iam:ListUsers"], placeholders=True, service_level=False)
    assert {s["Resource"]: s["Action"] for s in stmts} == {
        "*": ["iam:ListUsers"], "arn:aws:iam::${Account}:user/${UserNameWithPath}": ["iam:GetUser"]}


def test_large_results_are_split_into_policies_of_at_most_a_managed_policy_s_size() -> None:
    many = [{"Sid": f"S{i}", "Effect": "Allow", "Action": [f"iam:Action{i:04d}" * 5], "Resource": "*"}
            for i in range(200)]
    docs = policies(many)
    assert len(docs) > 1 and all(len(d) <= MAX_POLICY_CHARS for d in docs)
    assert [s for d in docs for s in json.loads(d)["Statement"]] == many
