"""Security: whether the target's tags are read never depends on the caller's policies alone.

iamd reads a resource's tags into ``aws:ResourceTag/…`` only when some policy of the decision may
read them. Every policy that takes part counts: the caller's identity policies, boundary and
session policies, and the resource-based policy — for AssumeRole, the role's trust policy.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from functional_helpers import allow, as_creds, denied, doc, new_user

from iamd.testing import IamdServer


def _trust(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.mark.parametrize("key", ["aws:ResourceTag/env", "iam:ResourceTag/env"])
def test_a_trust_policy_deny_on_resource_tags_holds(server: IamdServer, iam: Any, key: str) -> None:
    """The caller's own policies never mention resource tags; the role's trust policy does."""
    arn, creds = new_user(iam, "alice", allow("sts:AssumeRole"))
    role = iam.create_role(
        RoleName="prod",
        Tags=[{"Key": "env", "Value": "prod"}],
        AssumeRolePolicyDocument=_trust(
            {"Effect": "Allow", "Principal": {"AWS": arn}, "Action": "sts:AssumeRole"},
            {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
             "Condition": {"StringEquals": {key: "prod"}}},
        ),  # fmt: skip
    )["Role"]
    sts = as_creds(server, "sts", creds)
    message = denied(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s1")
    assert "with an explicit deny in the role trust policy" in message
    # The tag decides: without it the same trust policy lets alice in.
    iam.untag_role(RoleName="prod", TagKeys=["env"])
    sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1")


def test_a_trust_policy_allow_on_resource_tags_is_evaluated_with_them(server: IamdServer, iam: Any) -> None:
    arn, creds = new_user(iam, "alice", allow("sts:AssumeRole"))
    role = iam.create_role(
        RoleName="shared",
        Tags=[{"Key": "shared", "Value": "yes"}],
        AssumeRolePolicyDocument=_trust(
            {"Effect": "Allow", "Principal": {"AWS": arn}, "Action": "sts:AssumeRole",
             "Condition": {"StringEquals": {"aws:ResourceTag/shared": "yes"}}},
        ),  # fmt: skip
    )["Role"]
    as_creds(server, "sts", creds).assume_role(RoleArn=role["Arn"], RoleSessionName="s1")


def test_a_resource_tag_key_spelt_with_json_escapes_still_loads_the_tags(server: IamdServer, iam: Any) -> None:
    """JSON escapes spell the same key: ``"aws:Resource\\u0054ag/env"`` is ``aws:ResourceTag/env``,
    so a Deny written that way by any tool holds like the plain spelling."""
    iam.create_user(UserName="vip", Tags=[{"Key": "env", "Value": "prod"}])
    policy = (
        '{"Version": "2012-10-17", "Statement": ['
        '{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"},'
        '{"Effect": "Deny", "Action": "iam:GetUser", "Resource": "*",'
        ' "Condition": {"StringEquals": {"aws:Resource\\u0054ag/env": "prod"}}}]}'
    )
    iam.create_user(UserName="alice")
    iam.put_user_policy(UserName="alice", PolicyName="p", PolicyDocument=policy)
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    alice = as_creds(server, "iam", key)
    denied(alice.get_user, UserName="vip")
    alice.get_user(UserName="alice")


def test_a_boundary_or_session_policy_on_resource_tags_loads_them(server: IamdServer, iam: Any) -> None:
    """The other policies of the decision count too (they did before; kept as a guard)."""
    iam.create_user(UserName="vip", Tags=[{"Key": "env", "Value": "prod"}])
    deny_prod = {"Effect": "Deny", "Action": "iam:GetUser", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:ResourceTag/env": "prod"}}}  # fmt: skip
    boundary = iam.create_policy(PolicyName="b", PolicyDocument=doc(allow("*"), deny_prod))["Policy"]["Arn"]
    arn, key = new_user(iam, "alice", allow(["iam:GetUser", "sts:AssumeRole"]))
    iam.put_user_permissions_boundary(UserName="alice", PermissionsBoundary=boundary)
    denied(as_creds(server, "iam", key).get_user, UserName="vip")
    iam.delete_user_permissions_boundary(UserName="alice")
    role = iam.create_role(
        RoleName="reader",
        AssumeRolePolicyDocument=_trust({"Effect": "Allow", "Principal": {"AWS": arn}, "Action": "sts:AssumeRole"}),
    )["Role"]
    iam.put_role_policy(RoleName="reader", PolicyName="p", PolicyDocument=doc(allow("iam:GetUser")))
    sts = as_creds(server, "sts", key)
    session = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1", Policy=doc(allow("*"), deny_prod))
    denied(as_creds(server, "iam", session["Credentials"]).get_user, UserName="vip")
    as_creds(server, "iam", session["Credentials"]).get_user(UserName="alice")
