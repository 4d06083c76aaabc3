"""The seed's getting-started flow, verbatim with only --endpoint-url added, via aws CLI and boto3."""

from __future__ import annotations

import json
from pathlib import Path

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def test_seed_flow_with_the_aws_cli(aws, server, tmp_path: Path) -> None:
    aws("iam", "create-user", "--user-name", "developer-john", "--path", "/developers/")
    key = aws("iam", "create-access-key", "--user-name", "developer-john")["AccessKey"]
    aws("iam", "create-group", "--group-name", "Developers")
    aws("iam", "add-user-to-group", "--user-name", "developer-john", "--group-name", "Developers")
    aws(
        "iam", "attach-group-policy", "--group-name", "Developers",
        "--policy-arn", "arn:aws:iam::aws:policy/PowerUserAccess",
    )
    (tmp_path / "trust-policy.json").write_text(json.dumps(TRUST))
    role = aws("iam", "create-role", "--role-name", "EC2-S3-Access",
               "--assume-role-policy-document", "file://trust-policy.json")["Role"]
    assert role["Arn"] == f"arn:aws:iam::{server.account_id}:role/EC2-S3-Access"
    aws("iam", "create-instance-profile", "--instance-profile-name", "EC2-S3-Profile")
    aws("iam", "add-role-to-instance-profile", "--instance-profile-name", "EC2-S3-Profile",
        "--role-name", "EC2-S3-Access")
    table = aws("iam", "list-users", "--query", "Users[*].UserName", "--output", "table")
    assert "developer-john" in table

    as_john = {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
    ident = aws("sts", "get-caller-identity", env=as_john)
    assert ident["Arn"] == f"arn:aws:iam::{server.account_id}:user/developers/developer-john"
    assert ident["Account"] == server.account_id

    attached = aws("iam", "list-attached-group-policies", "--group-name", "Developers")
    assert [p["PolicyName"] for p in attached["AttachedPolicies"]] == ["PowerUserAccess"]
    profile = aws("iam", "get-instance-profile", "--instance-profile-name", "EC2-S3-Profile")
    assert [r["RoleName"] for r in profile["InstanceProfile"]["Roles"]] == ["EC2-S3-Access"]


def test_seed_flow_with_boto3(server, iam) -> None:
    iam.create_user(UserName="developer-john", Path="/developers/")
    key = iam.create_access_key(UserName="developer-john")["AccessKey"]
    iam.create_group(GroupName="Developers")
    iam.add_user_to_group(UserName="developer-john", GroupName="Developers")
    iam.attach_group_policy(GroupName="Developers", PolicyArn="arn:aws:iam::aws:policy/PowerUserAccess")
    iam.create_role(RoleName="EC2-S3-Access", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.create_instance_profile(InstanceProfileName="EC2-S3-Profile")
    iam.add_role_to_instance_profile(InstanceProfileName="EC2-S3-Profile", RoleName="EC2-S3-Access")
    assert [u["UserName"] for u in iam.list_users()["Users"]] == ["developer-john"]

    sts = server.client("sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    assert sts.get_caller_identity()["Arn"].endswith(":user/developers/developer-john")
    role = iam.get_role(RoleName="EC2-S3-Access")["Role"]
    assert role["AssumeRolePolicyDocument"] == TRUST  # boto3 decodes the URL-encoded document
