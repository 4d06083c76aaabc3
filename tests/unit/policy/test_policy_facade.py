"""The public facade and decision explanations."""

import iamd.policy as facade
from iamd.policy import Context, PolicySet, PolicyType, Request, parse_policy


def test_all_is_the_public_api():
    assert sorted(facade.__all__) == sorted(
        [
            "ALLOW", "EXPLICIT_DENY", "IMPLICIT_DENY", "SIZE_LIMITS", "Condition", "Context", "Decision", "Finding",
            "MatchedStatement", "Policy", "PolicySet", "PolicySyntaxError", "PolicyType", "PrincipalType",
            "Request", "RequestPrincipal", "ResourceControls", "Span", "Statement", "evaluate", "keys_named", "keys_read", "parse_policy",
            "policy_size", "reads_resource_tags", "validate_policy",
        ]
    )  # fmt: skip
    for name in facade.__all__:
        assert hasattr(facade, name)
    assert {t.name for t in facade.PolicyType} == {"IDENTITY", "RESOURCE", "TRUST", "BOUNDARY", "SCP", "RCP", "SESSION"}


def test_explanation_lists_matches_spans_and_missing_keys():
    from policy_helpers import PRINCIPALS

    text = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
    {"Sid": "NoMfa", "Effect": "Deny", "Action": "s3:*", "Resource": "*",
     "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}},
    {"Sid": "Office", "Effect": "Allow", "Action": "s3:*", "Resource": "*",
     "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}
  ]
}"""
    policies = PolicySet(identity=[parse_policy(text, PolicyType.IDENTITY, "arn:aws:iam::1:policy/p")])
    decision = policies.evaluate(Request(PRINCIPALS["alice"], "s3:GetObject", "arn:aws:s3:::b/k", Context()))
    assert decision.effect == "Allow" and decision.allowed
    (match,) = decision.matched_statements
    assert (match.policy_id, match.sid, match.index, match.span.line, match.span.column) == (
        "arn:aws:iam::1:policy/p", "Read", 0, 4, 5,
    )  # fmt: skip
    assert set(decision.missing_context_keys) == {"aws:multifactorauthpresent", "aws:sourceip"}
    assert "Read" in decision.explanation

    denied = policies.evaluate(
        Request(PRINCIPALS["alice"], "s3:GetObject", "*", Context({"aws:MultiFactorAuthPresent": False}))
    )
    assert denied.effect == "ExplicitDeny"
    assert denied.reason == "explicit deny in an identity-based policy"
    assert [m.sid for m in denied.matched_statements] == ["NoMfa", "Read"]
