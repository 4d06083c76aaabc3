"""Removing an unused service from a policy: patterns of it dropped, ``*`` and ``NotAction``
narrowed, other statements kept, an emptied policy empty."""

from __future__ import annotations

from iamd.services.accessanalyzer.recommendations import without_service


def doc(*statements: dict[str, object]) -> dict[str, object]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def test_patterns_of_the_service_are_dropped_and_a_statement_left_empty_goes() -> None:
    given = doc({"Effect": "Allow", "Action": ["s3:GetObject", "IAM:List*"], "Resource": "*"},
                {"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    assert without_service(given, "s3")["Statement"] == [{"Effect": "Allow", "Action": ["IAM:List*"], "Resource": "*"}]


def test_star_becomes_not_action_and_not_action_grows() -> None:
    given = doc({"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    assert without_service(given, "s3")["Statement"] == [
        {"Effect": "Allow", "NotAction": ["s3:*"], "Resource": "*"},
        {"Effect": "Allow", "NotAction": ["iam:*", "s3:*"], "Resource": "*"}]


def test_deny_statements_are_kept_and_a_policy_of_only_the_service_empties() -> None:
    deny = {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}
    assert without_service(doc(deny), "s3")["Statement"] == [deny]
    assert without_service(doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}), "s3")["Statement"] == []
