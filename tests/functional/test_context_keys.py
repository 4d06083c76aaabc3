"""GetContextKeysForCustomPolicy and GetContextKeysForPrincipalPolicy against a real server:
the keys AWS lists, whose documents count, and who may ask."""

from __future__ import annotations

import json
from typing import Any

import pytest
from functional_helpers import OTHER_ACCOUNT as OTHER
from functional_helpers import allow, clients, denied, doc, error, new_user

from iamd.testing import IamdServer

# The AWS CLI reference's get-context-keys-for-custom-policy example, verbatim.
CLI_EXAMPLE = (
    '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":'
    '"arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}","Condition":{"DateGreaterThan":'
    '{"aws:CurrentTime":"2015-08-16T12:00:00Z"}}}}'
)


def _keys(fn: Any, **kwargs: Any) -> list[str]:
    return list(fn(**kwargs)["ContextKeyNames"])


def test_custom_policy_keys_as_the_aws_cli_reference_lists_them(iam: Any) -> None:
    assert _keys(iam.get_context_keys_for_custom_policy, PolicyInputList=[CLI_EXAMPLE]) == [
        "aws:username", "aws:CurrentTime",
    ]  # fmt: skip


def test_custom_policy_keys_across_documents_in_order_once_each(iam: Any) -> None:
    first = doc(
        allow("s3:GetObject", "arn:aws:s3:::b/${aws:PrincipalTag/team}/*", IpAddress={"aws:SourceIp": "10.0.0.0/8"}),
        {"Effect": "Deny", "Action": "*", "NotResource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}},
    )
    second = doc(allow("sts:AssumeRole", "*", StringEquals={"AWS:SOURCEIP": "x", "sts:ExternalId": "${aws:username}"}))
    assert _keys(iam.get_context_keys_for_custom_policy, PolicyInputList=[first, second]) == [
        "aws:PrincipalTag/team", "aws:SourceIp", "aws:MultiFactorAuthPresent", "sts:ExternalId", "aws:username",
    ]  # fmt: skip
    assert _keys(iam.get_context_keys_for_custom_policy, PolicyInputList=[doc(allow("s3:*"))]) == []


@pytest.mark.parametrize(
    ("document", "sentence"),
    [
        ("{not json", "Syntax errors in policy."),
        (json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*"}]}),
         "Policy statement must contain resources."),
    ],
)
def test_an_invalid_document_is_invalid_input(iam: Any, document: str, sentence: str) -> None:
    err = error(iam.get_context_keys_for_custom_policy, PolicyInputList=[doc(allow("s3:*")), document])
    assert (err["Code"], err["HTTPStatus"]) == ("InvalidInput", 400), err
    assert err["Message"] == sentence, err
    err = error(iam.get_context_keys_for_principal_policy, PolicySourceArn=_subject_arn(iam), PolicyInputList=[document])
    assert err["Code"] == "InvalidInput", err


def _subject_arn(iam: Any) -> str:
    iam.create_user(UserName="subject")
    return str(iam.get_user(UserName="subject")["User"]["Arn"])


def _setup_principal(iam: Any) -> dict[str, str]:
    """A user with an inline policy, a managed policy, a boundary and two groups; a role."""
    inline = doc(allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*"))
    managed = iam.create_policy(
        PolicyName="managed", PolicyDocument=doc(allow("ec2:*", "*", StringEquals={"aws:RequestedRegion": "eu-west-1"}))
    )["Policy"]["Arn"]
    boundary = iam.create_policy(
        PolicyName="boundary", PolicyDocument=doc(allow("*", "*", Bool={"aws:SecureTransport": "true"}))
    )["Policy"]["Arn"]
    group_managed = iam.create_policy(
        PolicyName="group-managed", PolicyDocument=doc(allow("iam:*", "*", NumericLessThan={"aws:MultiFactorAuthAge": "3600"}))
    )["Policy"]["Arn"]
    user = iam.create_user(UserName="saanvi", Path="/staff/", PermissionsBoundary=boundary)["User"]["Arn"]
    iam.put_user_policy(UserName="saanvi", PolicyName="inline", PolicyDocument=inline)
    iam.attach_user_policy(UserName="saanvi", PolicyArn=managed)
    iam.create_group(GroupName="devs")
    iam.put_group_policy(
        GroupName="devs", PolicyName="g", PolicyDocument=doc(allow("s3:*", "*", IpAddress={"aws:SourceIp": "10.0.0.0/8"}))
    )
    iam.attach_group_policy(GroupName="devs", PolicyArn=group_managed)
    iam.create_group(GroupName="ops")
    iam.put_group_policy(
        GroupName="ops", PolicyName="o", PolicyDocument=doc(allow("s3:*", "*", StringLike={"AWS:USERNAME": "ops-*"}))
    )
    iam.add_user_to_group(GroupName="devs", UserName="saanvi")
    iam.add_user_to_group(GroupName="ops", UserName="saanvi")
    trust = doc({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
                 "Condition": {"StringEquals": {"sts:ExternalId": "x"}}})  # fmt: skip
    role = iam.create_role(RoleName="app", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    iam.put_role_policy(
        RoleName="app", PolicyName="r", PolicyDocument=doc(allow("s3:*", "*", StringEquals={"s3:prefix": "${aws:userid}"}))
    )
    return {"user": user, "role": role, "group": iam.get_group(GroupName="devs")["Group"]["Arn"]}


def test_principal_policy_keys_of_a_user_its_groups_and_its_boundary(iam: Any) -> None:
    arns = _setup_principal(iam)
    assert _keys(iam.get_context_keys_for_principal_policy, PolicySourceArn=arns["user"]) == [
        "aws:username", "aws:RequestedRegion",  # the user's inline, then attached policy
        "aws:SourceIp", "aws:MultiFactorAuthAge",  # group devs: inline, attached; ops's AWS:USERNAME is aws:username
        "aws:SecureTransport",  # the permissions boundary
    ]  # fmt: skip
    extra = doc(allow("s3:*", "*", StringEquals={"aws:PrincipalTag/dept": "x", "aws:sourceip": "y"}))
    assert _keys(iam.get_context_keys_for_principal_policy, PolicySourceArn=arns["user"], PolicyInputList=[extra])[-1] == (
        "aws:PrincipalTag/dept"
    )


def test_principal_policy_keys_of_a_group_and_of_a_role_and_its_session(iam: Any) -> None:
    arns = _setup_principal(iam)
    assert _keys(iam.get_context_keys_for_principal_policy, PolicySourceArn=arns["group"]) == [
        "aws:SourceIp", "aws:MultiFactorAuthAge",
    ]  # fmt: skip
    # A role's own policies; its trust policy is a resource-based policy and not listed.
    assert _keys(iam.get_context_keys_for_principal_policy, PolicySourceArn=arns["role"]) == ["s3:prefix", "aws:userid"]
    session = f"arn:aws:sts::{arns['role'].split(':')[4]}:assumed-role/app/some-session"
    assert _keys(iam.get_context_keys_for_principal_policy, PolicySourceArn=session) == ["s3:prefix", "aws:userid"]


def test_a_source_that_is_not_an_entity(iam: Any) -> None:
    account = iam.get_user()["User"]["Arn"].split(":")[4]
    err = error(iam.get_context_keys_for_principal_policy, PolicySourceArn=f"arn:aws:iam::{account}:user/nobody")
    assert (err["Code"], err["HTTPStatus"], err["Message"]) == ("NoSuchEntity", 404, "The user with name nobody cannot be found.")
    iam.create_user(UserName="pathed", Path="/a/")
    err = error(iam.get_context_keys_for_principal_policy, PolicySourceArn=f"arn:aws:iam::{account}:user/pathed")
    assert err["Code"] == "NoSuchEntity", err  # the same name on another path is another entity
    err = error(iam.get_context_keys_for_principal_policy, PolicySourceArn=f"arn:aws:iam::{account}:policy/p")
    assert err["Code"] == "InvalidInput" and "does not clearly define entity type and name" in err["Message"], err


def test_a_low_privilege_user_needs_the_actions_and_the_source_arn(server: IamdServer, iam: Any) -> None:
    arns = _setup_principal(iam)
    _, nobody_key = new_user(iam, "nobody", allow("iam:GetUser"))
    nobody, _ = clients(server, nobody_key)
    message = denied(nobody.get_context_keys_for_custom_policy, PolicyInputList=[CLI_EXAMPLE])
    assert "iam:GetContextKeysForCustomPolicy on resource: *" in message
    message = denied(nobody.get_context_keys_for_principal_policy, PolicySourceArn=arns["user"])
    assert f"iam:GetContextKeysForPrincipalPolicy on resource: {arns['user']}" in message

    # Allowed on one user's ARN: that user's keys, no one else's (not even the caller's own).
    _, scoped_key = new_user(
        iam, "scoped", allow("iam:GetContextKeysForPrincipalPolicy", arns["user"]), allow("iam:GetContextKeysForCustomPolicy")
    )
    scoped, _ = clients(server, scoped_key)
    assert "aws:SecureTransport" in _keys(scoped.get_context_keys_for_principal_policy, PolicySourceArn=arns["user"])
    denied(scoped.get_context_keys_for_principal_policy, PolicySourceArn=arns["role"])
    denied(scoped.get_context_keys_for_principal_policy, PolicySourceArn=arns["group"])
    scoped_arn = iam.get_user(UserName="scoped")["User"]["Arn"]
    denied(scoped.get_context_keys_for_principal_policy, PolicySourceArn=scoped_arn)
    assert _keys(scoped.get_context_keys_for_custom_policy, PolicyInputList=[CLI_EXAMPLE]) == ["aws:username", "aws:CurrentTime"]
    # A missing entity is AccessDenied to whoever may not ask about it: no existence oracle.
    account = arns["user"].split(":")[4]
    denied(nobody.get_context_keys_for_principal_policy, PolicySourceArn=f"arn:aws:iam::{account}:user/ghost")


def test_get_context_keys_with_the_aws_cli(aws: Any, iam: Any) -> None:
    out = aws("iam", "get-context-keys-for-custom-policy", "--policy-input-list", CLI_EXAMPLE)
    assert out == {"ContextKeyNames": ["aws:username", "aws:CurrentTime"]}
    arns = _setup_principal(iam)
    out = aws("iam", "get-context-keys-for-principal-policy", "--policy-source-arn", arns["role"])
    assert out == {"ContextKeyNames": ["s3:prefix", "aws:userid"]}
    failed = aws.run("iam", "get-context-keys-for-custom-policy", "--policy-input-list", "{", check=False)
    assert failed.returncode != 0 and "InvalidInput" in failed.stderr


def test_another_accounts_entity_is_access_denied_even_to_an_administrator(
    two_accounts: tuple[IamdServer, dict[str, str]],
) -> None:
    """Account B's user and its policy structure are B's: A's root and A's administrators are
    refused (an IAM entity has no resource-based policy to share it), and the answer for an
    entity B does not have is the same, so A learns nothing of B's entities either."""
    srv, other_root = two_accounts
    theirs, _ = clients(srv, other_root)
    theirs.create_user(UserName="secretive")
    theirs.put_user_policy(
        UserName="secretive", PolicyName="p", PolicyDocument=doc(allow("s3:*", "*", StringEquals={"aws:SourceVpc": "vpc-1"}))
    )
    target = f"arn:aws:iam::{OTHER}:user/secretive"
    assert _keys(theirs.get_context_keys_for_principal_policy, PolicySourceArn=target) == ["aws:SourceVpc"]
    mine = srv.client("iam")
    for arn in (target, f"arn:aws:iam::{OTHER}:user/ghost"):
        message = denied(mine.get_context_keys_for_principal_policy, PolicySourceArn=arn)
        assert "SourceVpc" not in message
    _, admin_key = new_user(mine, "admin", allow("iam:*"))
    admin, _ = clients(srv, admin_key)
    denied(admin.get_context_keys_for_principal_policy, PolicySourceArn=target)
    denied(admin.get_context_keys_for_principal_policy, PolicySourceArn=f"arn:aws:sts::{OTHER}:assumed-role/r/s")


def test_oversized_and_many_documents_are_refused_cleanly(iam: Any) -> None:
    """A document past the model's 131,072 characters is a ValidationError; a request past the
    body cap is refused before parsing; neither is a 500."""
    padded = json.dumps({"Version": "2012-10-17", "Statement": [{"Sid": "S" * 131_072, "Effect": "Allow",
                                                                   "Action": "s3:*", "Resource": "*"}]})  # fmt: skip
    err = error(iam.get_context_keys_for_custom_policy, PolicyInputList=[padded])
    assert err["HTTPStatus"] == 400 and err["Code"] == "ValidationError", err
    many = [doc(allow("s3:*", "*", StringEquals={f"s3:k{i}": "v"})) for i in range(6000)]
    err = error(iam.get_context_keys_for_custom_policy, PolicyInputList=many)
    assert 400 <= err["HTTPStatus"] < 500, err
    assert len(_keys(iam.get_context_keys_for_custom_policy, PolicyInputList=many[:500])) == 500
