"""Security: a policy variable with no value is null, so a Deny written with a negated operator
holds for a principal that lacks the tag (IAM User Guide, "Policy variables with no value":
"Inverted condition operators like StringNotEquals or StringNotLike do match against a null
value … Access is explicitly denied when aws:principaltag/Team is not set").
"""

from __future__ import annotations

from typing import Any

import pytest
from functional_helpers import allow, as_creds, denied, doc

from iamd.testing import IamdServer


def _abac_user(iam: Any, deny: dict[str, Any], tags: list[dict[str, str]]) -> Any:
    iam.create_user(UserName="alice", Tags=tags)
    iam.put_user_policy(
        UserName="alice", PolicyName="p", PolicyDocument=doc(allow(["iam:GetUser", "iam:GetRole"]), deny)
    )
    return iam.create_access_key(UserName="alice")["AccessKey"]


def test_stringnotequals_on_a_missing_principal_tag_denies(server: IamdServer, iam: Any) -> None:
    """AWS's own example, on IAM: the target's Team tag must equal the caller's."""
    iam.create_user(UserName="target", Tags=[{"Key": "Team", "Value": "red"}])
    deny = {
        "Effect": "Deny", "Action": "iam:GetUser", "Resource": "*",
        "Condition": {"StringNotEquals": {"iam:ResourceTag/Team": "${aws:PrincipalTag/Team}"}},
    }  # fmt: skip
    key = _abac_user(iam, deny, tags=[])
    alice = as_creds(server, "iam", key)
    assert "with an explicit deny in an identity-based policy" in denied(alice.get_user, UserName="target")
    # With the tag, the comparison is an ordinary one.
    iam.tag_user(UserName="alice", Tags=[{"Key": "Team", "Value": "red"}])
    alice.get_user(UserName="target")
    iam.tag_user(UserName="alice", Tags=[{"Key": "Team", "Value": "blue"}])
    denied(alice.get_user, UserName="target")


@pytest.mark.parametrize(
    ("operator", "key", "value", "tag"),
    [
        ("StringNotEquals", "aws:username", "${aws:PrincipalTag/Team}", "alice"),
        ("StringNotEqualsIgnoreCase", "aws:username", "${aws:PrincipalTag/Team}", "ALICE"),
        ("StringNotLike", "aws:username", "${aws:PrincipalTag/Team}*", "ali"),
        ("ArnNotEquals", "aws:PrincipalArn", "arn:aws:iam::*:user/${aws:PrincipalTag/Team}", "alice"),
        ("ArnNotLike", "aws:PrincipalArn", "arn:aws:iam::*:user/${aws:PrincipalTag/Team}*", "ali"),
    ],
)
def test_every_negated_operator_matches_a_missing_tag(
    server: IamdServer, iam: Any, operator: str, key: str, value: str, tag: str
) -> None:
    deny = {"Effect": "Deny", "Action": "iam:GetUser", "Resource": "*", "Condition": {operator: {key: value}}}
    alice = as_creds(server, "iam", _abac_user(iam, deny, tags=[]))
    denied(alice.get_user, UserName="alice")
    # With a tag that matches, the negated condition is false and the Deny does not apply.
    iam.tag_user(UserName="alice", Tags=[{"Key": "Team", "Value": tag}])
    alice.get_user(UserName="alice")
    iam.tag_user(UserName="alice", Tags=[{"Key": "Team", "Value": "bob"}])
    denied(alice.get_user, UserName="alice")


def test_notresource_with_a_missing_variable_excludes_nothing(server: IamdServer, iam: Any) -> None:
    """"the resource that includes a policy variable with no value will not match any resource":
    a Deny on every user but ``user/${aws:PrincipalTag/home}`` denies every user when the tag is missing."""
    iam.create_user(UserName="home")
    deny = {"Effect": "Deny", "Action": "iam:GetUser", "NotResource": "arn:aws:iam::*:user/${aws:PrincipalTag/home}"}
    key = _abac_user(iam, deny, tags=[])
    alice = as_creds(server, "iam", key)
    denied(alice.get_user, UserName="home")
    iam.tag_user(UserName="alice", Tags=[{"Key": "home", "Value": "home"}])
    alice.get_user(UserName="home")
    denied(alice.get_user, UserName="alice")
