"""Differential property: "the simulator said allowed" and "the call was allowed" cannot disagree.

For random policy sets of users and roles (inline policies, a group's policy, a permissions
boundary; a role's are exercised by a session of it, as AssumeRole hands out; Allow and
Deny, NotAction and NotResource, wildcards, policy variables, conditions on principal tags, the
transport, the region, the user name and type) and random real IAM calls, the decision a user gets
on the real call equals SimulatePrincipalPolicy's on that user and SimulateCustomPolicy's on the
same documents, given the context the real call carries. Seeded, so a failure reproduces; sized to
run in well under a minute on a loaded box.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError
from functional_helpers import clients

from iamd.testing import IamdServer

ACCOUNT = "123456789012"
SEED = 20261203
TRIALS = 40
ACTIONS = ["iam:GetUser", "iam:ListUsers", "iam:GetRole", "iam:ListRoles", "iam:GetGroup", "iam:ListPolicies",
           "iam:GetAccountSummary", "iam:ListAccessKeys"]
ACTION_PATTERNS = ACTIONS + ["iam:Get*", "iam:List*", "iam:*", "*", "iam:*User*", "iam:?etRole"]
RESOURCES = ["*", f"arn:aws:iam::{ACCOUNT}:user/*", f"arn:aws:iam::{ACCOUNT}:user/u*", f"arn:aws:iam::{ACCOUNT}:user/p/*",
             f"arn:aws:iam::{ACCOUNT}:role/*", f"arn:aws:iam::{ACCOUNT}:group/*", "arn:aws:iam::*:user/${aws:username}",
             f"arn:aws:iam::{ACCOUNT}:user/", f"arn:aws:iam::{ACCOUNT}:role/", "arn:aws:iam::*:*"]
CONDITIONS: list[dict[str, Any]] = [
    {"StringEquals": {"aws:PrincipalTag/team": "red"}},
    {"StringEquals": {"aws:PrincipalTag/team": ["blue", "green"]}},
    {"Bool": {"aws:SecureTransport": "false"}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"StringEquals": {"aws:RequestedRegion": "us-east-1"}},
    {"StringLike": {"aws:username": "u1*"}},
    {"StringEquals": {"aws:PrincipalType": "User"}},
    {"StringNotEquals": {"aws:PrincipalTag/team": "red"}},
    {"Null": {"aws:PrincipalTag/team": "true"}},
]


def _statement(rng: random.Random, effect: str | None = None) -> dict[str, Any]:
    st: dict[str, Any] = {"Effect": effect or rng.choices(["Allow", "Deny"], [3, 1])[0]}
    st["NotAction" if rng.random() < 0.1 else "Action"] = rng.sample(ACTION_PATTERNS, rng.randint(1, 2))
    st["NotResource" if rng.random() < 0.1 else "Resource"] = rng.sample(RESOURCES, rng.randint(1, 2))
    if rng.random() < 0.35:
        st["Condition"] = rng.choice(CONDITIONS)
    return st


def _document(rng: random.Random, n: int) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [_statement(rng) for _ in range(n)]})


def _calls(iam: Any, name: str) -> list[tuple[str, str, Callable[[], Any]]]:
    """(action, the resource the authorizer decides on, the real call)."""
    a = f"arn:aws:iam::{ACCOUNT}"
    return [
        ("iam:GetUser", f"{a}:user/{name}", lambda: iam.get_user(UserName=name)),
        ("iam:GetUser", f"{a}:user/p/target", lambda: iam.get_user(UserName="target")),
        ("iam:ListUsers", f"{a}:user/", lambda: iam.list_users()),
        ("iam:GetRole", f"{a}:role/fixed-role", lambda: iam.get_role(RoleName="fixed-role")),
        ("iam:ListRoles", f"{a}:role/", lambda: iam.list_roles()),
        ("iam:GetGroup", f"{a}:group/fixed-group", lambda: iam.get_group(GroupName="fixed-group")),
        ("iam:ListPolicies", "*", lambda: iam.list_policies(MaxItems=1)),
        ("iam:GetAccountSummary", "*", lambda: iam.get_account_summary()),
        ("iam:ListAccessKeys", f"{a}:user/p/target", lambda: iam.list_access_keys(UserName="target")),
    ]


def _real(call: Callable[[], Any]) -> str:
    try:
        call()
    except ClientError as err:
        if err.response["Error"]["Code"] == "AccessDenied":
            return "denied"
    return "allowed"


def _context(name: str, team: str | None, role: bool) -> list[dict[str, Any]]:
    """What the real call carries for the keys the random policies read (plain HTTP, us-east-1;
    ``aws:username`` for users only, as AWS sets it)."""
    entries = [
        {"ContextKeyName": "aws:SecureTransport", "ContextKeyValues": ["false"], "ContextKeyType": "boolean"},
        {"ContextKeyName": "aws:RequestedRegion", "ContextKeyValues": ["us-east-1"], "ContextKeyType": "string"},
        {"ContextKeyName": "aws:PrincipalType", "ContextKeyValues": ["AssumedRole" if role else "User"],
         "ContextKeyType": "string"},
    ]
    if not role:
        entries.append({"ContextKeyName": "aws:username", "ContextKeyValues": [name], "ContextKeyType": "string"})
    if team is not None:
        entries.append({"ContextKeyName": "aws:PrincipalTag/team", "ContextKeyValues": [team], "ContextKeyType": "string"})
    return entries


def _setup_user(iam: Any, server: IamdServer, rng: random.Random, name: str, team: str | None,
                identity: list[str], boundary: str | None) -> Any:
    iam.create_user(UserName=name, Tags=[{"Key": "team", "Value": team}] if team else [])
    for i, text in enumerate(identity):
        iam.put_user_policy(UserName=name, PolicyName=f"p{i}", PolicyDocument=text)
    if rng.random() < 0.4:
        group_doc = _document(rng, rng.randint(1, 2))
        iam.create_group(GroupName=f"g-{name}")
        iam.put_group_policy(GroupName=f"g-{name}", PolicyName="gp", PolicyDocument=group_doc)
        iam.add_user_to_group(UserName=name, GroupName=f"g-{name}")
        identity.append(group_doc)
    if boundary:
        arn = iam.create_policy(PolicyName=f"b-{name}", PolicyDocument=boundary)["Policy"]["Arn"]
        iam.put_user_permissions_boundary(UserName=name, PermissionsBoundary=arn)
    return clients(server, iam.create_access_key(UserName=name)["AccessKey"])[0]


def _setup_role(iam: Any, server: IamdServer, assumer: Any, name: str, team: str | None,
                identity: list[str], boundary: str | None) -> Any:
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST, Tags=[{"Key": "team", "Value": team}] if team else [])
    for i, text in enumerate(identity):
        iam.put_role_policy(RoleName=name, PolicyName=f"p{i}", PolicyDocument=text)
    if boundary:
        arn = iam.create_policy(PolicyName=f"b-{name}", PolicyDocument=boundary)["Policy"]["Arn"]
        iam.put_role_permissions_boundary(RoleName=name, PermissionsBoundary=arn)
    creds = assumer.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/{name}", RoleSessionName="differential")["Credentials"]
    return clients(server, creds)[0]


TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/assumer"}, "Action": "sts:AssumeRole"}]})


def test_simulation_agrees_with_real_calls(server: IamdServer, iam: Any) -> None:
    rng = random.Random(SEED)
    iam.create_user(UserName="assumer")
    iam.create_user(UserName="target", Path="/p/")
    iam.create_role(RoleName="fixed-role", AssumeRolePolicyDocument=TRUST)
    iam.create_group(GroupName="fixed-group")
    iam.put_user_policy(UserName="assumer", PolicyName="assume", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}))
    _, assumer = clients(server, iam.create_access_key(UserName="assumer")["AccessKey"])
    compared = allowed = 0
    for trial in range(TRIALS):
        role = trial % 3 == 2
        name = f"{'r' if role else 'u'}{trial}"
        team = rng.choice(["red", "blue", None])
        identity = [_document(rng, rng.randint(1, 3)) for _ in range(rng.randint(1, 2))]
        boundary = None
        if rng.random() < 0.3:
            boundary = json.dumps({"Version": "2012-10-17", "Statement": [_statement(rng, "Allow"), _statement(rng)]})
        if role:
            caller = _setup_role(iam, server, assumer, name, team, identity, boundary)
            source = f"arn:aws:iam::{ACCOUNT}:role/{name}"
        else:
            caller = _setup_user(iam, server, rng, name, team, identity, boundary)
            source = f"arn:aws:iam::{ACCOUNT}:user/{name}"
        context = _context(name, team, role)
        for action, resource, call in _calls(caller, name):
            real = _real(call)
            principal = iam.simulate_principal_policy(
                PolicySourceArn=source, ActionNames=[action], ResourceArns=[resource], ContextEntries=context,
            )["EvaluationResults"][0]["EvalDecision"]
            extra = {"PermissionsBoundaryPolicyInputList": [boundary]} if boundary else {}
            custom = iam.simulate_custom_policy(
                PolicyInputList=identity, ActionNames=[action], ResourceArns=[resource], ContextEntries=context,
                CallerArn=source, **extra,
            )["EvaluationResults"][0]["EvalDecision"]
            said = {"principal": principal == "allowed", "custom": custom == "allowed"}
            assert said == {"principal": real == "allowed", "custom": real == "allowed"}, (
                f"trial {trial} {action} on {resource} as {source}: real {real}, simulated {principal}/{custom}\n"
                f"identity={identity}\nboundary={boundary}\nteam={team}"
            )
            compared += 1
            allowed += real == "allowed"
    # The random space exercises both outcomes.
    assert compared == TRIALS * 9 and 0 < allowed < compared
