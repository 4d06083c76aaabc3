"""The aws CLI's own examples for the operations whose shapes iamd follows, run against iamd.

Each example's command runs as written (its ``file://`` inputs written beside it) after the
setup it presumes; the output must have the example's shape (``cli_examples.differences``).
Where the example is outdated, account-specific or wrong, ``KNOWN`` lists the exact
differences and why, so a change on either side shows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_examples import Example, differences, load

from iamd.testing import IamdServer

TRUST = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Sid": "", "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                   "Action": "sts:AssumeRole"}],
})
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})


def _policy(iam: Any, name: str) -> None:
    iam.create_policy(PolicyName=name, PolicyDocument=POLICY)


def _profile_with_tags(iam: Any, tags: dict[str, str]) -> None:
    iam.create_instance_profile(InstanceProfileName="deployment-role",
                                Tags=[{"Key": k, "Value": v} for k, v in tags.items()])


# What each example presumes exists (its account's state), made with boto3.
SETUP: dict[str, Callable[[Any, dict[str, str]], None]] = {
    "create-service-linked-role": lambda iam, ctx: None,
    "delete-service-linked-role": lambda iam, ctx: iam.create_service_linked_role(AWSServiceName="lex.amazonaws.com"),
    "get-service-linked-role-deletion-status": lambda iam, ctx: ctx.update(
        task=iam.create_service_linked_role(AWSServiceName="lex.amazonaws.com") and iam.delete_service_linked_role(
            RoleName="AWSServiceRoleForLexBots")["DeletionTaskId"]),
    "create-policy": lambda iam, ctx: None,
    "create-role": lambda iam, ctx: None,
    "create-instance-profile": lambda iam, ctx: None,
    "get-policy": lambda iam, ctx: _policy(iam, "MySamplePolicy"),
    "create-user": lambda iam, ctx: None,
    "get-user": lambda iam, ctx: iam.create_user(UserName="Paulo"),
    "list-users": lambda iam, ctx: [iam.create_user(UserName=n) for n in ("Adele", "Bob")],
    "get-instance-profile": lambda iam, ctx: (
        iam.create_role(RoleName="Test-Role", AssumeRolePolicyDocument=TRUST),
        iam.create_instance_profile(InstanceProfileName="ExampleInstanceProfile"),
        iam.add_role_to_instance_profile(InstanceProfileName="ExampleInstanceProfile", RoleName="Test-Role"),
    ),
    "list-instance-profile-tags": lambda iam, ctx: _profile_with_tags(iam, {"DeptID": "123456", "Department": "Accounting"}),
    "untag-instance-profile": lambda iam, ctx: _profile_with_tags(iam, {"Department": "Accounting"}),
    "delete-account-password-policy": lambda iam, ctx: iam.update_account_password_policy(MinimumPasswordLength=8),
    "get-account-password-policy": lambda iam, ctx: iam.update_account_password_policy(
        MinimumPasswordLength=8, RequireNumbers=True, RequireSymbols=True),
    "put-user-permissions-boundary": lambda iam, ctx: (
        _policy(iam, "intern-boundary"), iam.create_user(UserName="intern"), iam.create_user(UserName="developer")),
    "put-role-permissions-boundary": lambda iam, ctx: (
        _policy(iam, "intern-boundary"),
        iam.create_role(RoleName="lambda-application-role", AssumeRolePolicyDocument=TRUST),
        iam.create_role(RoleName="x-account-admin", AssumeRolePolicyDocument=TRUST)),
    "get-role": lambda iam, ctx: iam.create_role(RoleName="Test-Role", AssumeRolePolicyDocument=TRUST,
                                                 Description="Test Role"),
    "list-roles": lambda iam, ctx: (
        iam.create_role(RoleName="ExampleRole", AssumeRolePolicyDocument=TRUST),
        iam.create_role(RoleName="ExampleRoleWithPath", Path="/example_path/", AssumeRolePolicyDocument=TRUST)),
}

# Files an example reads but does not show (``file://…``), as its output implies them.
FILES = {
    "create-role": {"Test-Role-Trust-Policy.json": json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Sid": "Statement1", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                       "Action": "sts:AssumeRole"}],
    })},
}

# (command, example number from 1): (why the example differs, the exact differences).
KNOWN: dict[tuple[str, int], tuple[str, list[str]]] = {
    ("create-service-linked-role", 1): (
        "outdated: the example (2019) shows the trust policy's Action and Service as lists; AWS writes "
        "them as strings today (GetRole of service-linked roles as recorded from AWS)",
        [".Role.AssumeRolePolicyDocument.Statement[0].Action: expected 1 items, got 'sts:AssumeRole'",
         ".Role.AssumeRolePolicyDocument.Statement[0].Principal.Service: expected 1 items, got 'lex.amazonaws.com'"],
    ),
    ("create-policy", 1): (
        "outdated: the example (2015) predates PermissionsBoundaryUsageCount, which example 2 shows",
        [".Policy.PermissionsBoundaryUsageCount: not in the example"],
    ),
    ("get-policy", 1): (
        "outdated: the example (2015) predates PermissionsBoundaryUsageCount and policy tags; GetPolicy "
        "answers both today (Tags [] when there are none)",
        [".Policy.PermissionsBoundaryUsageCount: not in the example", ".Policy.Tags: not in the example"],
    ),
    ("list-users", 1): ("account-specific: the example's users were created on other dates", []),
    ("get-instance-profile", 1): (
        "outdated: GetInstanceProfile answers Tags ([] for an untagged profile) since instance profiles "
        "have tags (2021)",
        [".InstanceProfile.Tags: not in the example"],
    ),
    ("get-role", 1): (
        "account-specific: the example's role was used (RoleLastUsed has a Region and date); a role never "
        "used answers RoleLastUsed {}",
        [".Role.RoleLastUsed.LastUsedDate: missing", ".Role.RoleLastUsed.Region: missing"],
    ),
    ("get-account-password-policy", 1): (
        "outdated: the example predates ExpirePasswords and HardExpiry, which GetAccountPasswordPolicy answers",
        [".PasswordPolicy.ExpirePasswords: not in the example", ".PasswordPolicy.HardExpiry: not in the example"],
    ),
}
# Examples whose output is not JSON at all.
BROKEN = {("create-policy", 3): "wrong: the example's output is not valid JSON (its second tag's braces are misplaced)"}

CASES = [(command, n) for command in SETUP for n in range(1, len(load("iam", command)) + 1)]


@pytest.mark.parametrize(("command", "number"), CASES, ids=[f"{c}-{n}" for c, n in CASES])
def test_example(server: IamdServer, iam: Any, aws: Any, tmp_path: Path, command: str, number: int) -> None:
    example: Example = load("iam", command)[number - 1]
    ctx: dict[str, str] = {}
    SETUP[command](iam, ctx)
    for name, text in {**FILES.get(command, {}), **example.files}.items():
        (tmp_path / name).write_text(text)
    args = example.command
    if command == "get-service-linked-role-deletion-status":
        # account-specific: the example's task id is its own deletion's
        args = [ctx["task"] if a.startswith("task/") else a for a in args]
    out = aws(*args)
    if example.output is None:
        assert out == "", f"{command} {number}: the example prints nothing"
        return
    if (command, number) in BROKEN:
        with pytest.raises(json.JSONDecodeError):
            example.parsed_output()
        assert isinstance(out, dict)
        return
    found = differences(example.parsed_output(), out)
    reason, expected = KNOWN.get((command, number), ("", []))
    assert sorted(found) == sorted(expected), f"{command} example {number} ({reason or 'no known difference'})"
