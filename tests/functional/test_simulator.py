"""The seed's policy-simulator commands, verbatim, with the aws CLI against a real ``iamd serve``.

"Debug Steps: 1. Check IAM policy simulator" — ``aws iam simulate-principal-policy`` for a user
(directly and through a group), ``simulate-custom-policy`` for the read-only pattern, the MFA
pattern with ``--context-entries``, and the Terraform least-privilege role.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ACCOUNT = "123456789012"
READ_ONLY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["s3:Get*", "s3:List*"],
            "Resource": ["arn:aws:s3:::my-bucket", "arn:aws:s3:::my-bucket/*"],
        }
    ],
}
MFA_REQUIRED = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AllowAllWithMFA",
            "Effect": "Allow",
            "Action": "*",
            "Resource": "*",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        },
        {
            "Sid": "DenyWithoutMFA",
            "Effect": "Deny",
            "NotAction": ["iam:GetUser", "iam:ListMFADevices", "iam:EnableMFADevice"],
            "Resource": "*",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}},
        },
    ],
}
TERRAFORM = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "TerraformStateAccess",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            "Resource": "arn:aws:s3:::terraform-state-bucket/*",
        },
        {
            "Sid": "TerraformStateLock",
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
            "Resource": "arn:aws:dynamodb:*:*:table/terraform-locks",
        },
        {
            "Sid": "DeploymentPermissions",
            "Effect": "Allow",
            "Action": ["ec2:*", "ecs:*", "ecr:*", "elasticloadbalancing:*", "autoscaling:*", "cloudwatch:*", "logs:*", "sns:*"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestedRegion": ["us-east-1", "us-west-2"]}},
        },
        {
            "Sid": "DenyDangerous",
            "Effect": "Deny",
            "Action": ["iam:CreateUser", "iam:DeleteUser", "iam:CreateAccessKey", "organizations:*"],
            "Resource": "*",
        },
    ],
}
TRUST_EC2 = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def _decisions(out: dict[str, Any]) -> dict[str, str]:
    return {r["EvalActionName"]: r["EvalDecision"] for r in out["EvaluationResults"]}


def test_seed_simulate_principal_policy_for_a_user(aws: Any, tmp_path: Path) -> None:
    aws("iam", "create-user", "--user-name", "developer")
    (tmp_path / "read.json").write_text(json.dumps(READ_ONLY))
    aws("iam", "put-user-policy", "--user-name", "developer", "--policy-name", "S3Read",
        "--policy-document", "file://read.json")
    out = aws(
        "iam", "simulate-principal-policy",
        "--policy-source-arn", "arn:aws:iam::123456789012:user/developer",
        "--action-names", "s3:GetObject",
        "--resource-arns", "arn:aws:s3:::my-bucket/file.txt",
    )
    [result] = out["EvaluationResults"]
    assert result["EvalActionName"] == "s3:GetObject"
    assert result["EvalDecision"] == "allowed"
    [per] = result["ResourceSpecificResults"]
    assert per == {
        "EvalResourceName": "arn:aws:s3:::my-bucket/file.txt",
        "EvalResourceDecision": "allowed",
        "MatchedStatements": [result["MatchedStatements"][0]],
        "MissingContextValues": [],
    }
    [matched] = result["MatchedStatements"]
    assert matched["SourcePolicyId"] == "user_developer_S3Read"
    assert matched["SourcePolicyType"] == "IAM Policy"
    # Another object of another bucket is not readable.
    denied = aws(
        "iam", "simulate-principal-policy",
        "--policy-source-arn", "arn:aws:iam::123456789012:user/developer",
        "--action-names", "s3:GetObject", "s3:PutObject",
        "--resource-arns", "arn:aws:s3:::other-bucket/file.txt",
    )
    assert _decisions(denied) == {"s3:GetObject": "implicitDeny", "s3:PutObject": "implicitDeny"}


def test_seed_permission_through_a_group(aws: Any, tmp_path: Path) -> None:
    aws("iam", "create-group", "--group-name", "Developers")
    aws("iam", "create-user", "--user-name", "developer-john", "--path", "/developers/")
    aws("iam", "add-user-to-group", "--user-name", "developer-john", "--group-name", "Developers")
    (tmp_path / "read.json").write_text(json.dumps(READ_ONLY))
    policy_arn = aws("iam", "create-policy", "--policy-name", "S3ReadOnly",
                     "--policy-document", "file://read.json")["Policy"]["Arn"]
    aws("iam", "attach-group-policy", "--group-name", "Developers", "--policy-arn", policy_arn)
    user = aws(
        "iam", "simulate-principal-policy",
        "--policy-source-arn", "arn:aws:iam::123456789012:user/developers/developer-john",
        "--action-names", "s3:GetObject", "s3:PutObject", "s3:DeleteObject",
        "--resource-arns", "arn:aws:s3:::my-bucket/file.txt",
    )
    assert _decisions(user) == {"s3:GetObject": "allowed", "s3:PutObject": "implicitDeny", "s3:DeleteObject": "implicitDeny"}
    assert user["EvaluationResults"][0]["MatchedStatements"][0]["SourcePolicyId"] == "S3ReadOnly"
    group = aws(
        "iam", "simulate-principal-policy",
        "--policy-source-arn", "arn:aws:iam::123456789012:group/Developers",
        "--action-names", "s3:ListBucket",
        "--resource-arns", "arn:aws:s3:::my-bucket",
    )
    assert _decisions(group) == {"s3:ListBucket": "allowed"}


def test_seed_simulate_custom_policy_read_only_pattern(aws: Any) -> None:
    out = aws(
        "iam", "simulate-custom-policy",
        "--policy-input-list", json.dumps(READ_ONLY),
        "--action-names", "s3:GetObject", "s3:ListBucket", "s3:PutObject", "s3:DeleteBucket",
        "--resource-arns", "arn:aws:s3:::my-bucket", "arn:aws:s3:::my-bucket/report.csv",
    )
    assert _decisions(out) == {
        "s3:GetObject": "allowed", "s3:ListBucket": "allowed", "s3:PutObject": "implicitDeny", "s3:DeleteBucket": "implicitDeny",
    }
    assert all(r["EvalResourceDecision"] == "allowed" for r in out["EvaluationResults"][0]["ResourceSpecificResults"])


def test_seed_mfa_pattern_with_context_entries(aws: Any) -> None:
    def simulate(mfa: str, *actions: str) -> dict[str, str]:
        return _decisions(aws(
            "iam", "simulate-custom-policy",
            "--policy-input-list", json.dumps(MFA_REQUIRED),
            "--action-names", *actions,
            "--context-entries", f"ContextKeyName=aws:MultiFactorAuthPresent,ContextKeyValues={mfa},ContextKeyType=boolean",
        ))

    assert simulate("true", "ec2:TerminateInstances", "iam:GetUser") == {
        "ec2:TerminateInstances": "allowed", "iam:GetUser": "allowed"
    }
    assert simulate("false", "ec2:TerminateInstances", "iam:GetUser", "iam:ListMFADevices") == {
        "ec2:TerminateInstances": "explicitDeny", "iam:GetUser": "implicitDeny", "iam:ListMFADevices": "implicitDeny",
    }
    # Without the key: the Allow cannot apply and the key is reported missing.
    out = aws("iam", "simulate-custom-policy", "--policy-input-list", json.dumps(MFA_REQUIRED),
              "--action-names", "ec2:TerminateInstances")
    [result] = out["EvaluationResults"]
    assert result["EvalDecision"] == "implicitDeny"
    assert result["MissingContextValues"] == ["aws:MultiFactorAuthPresent"]


def test_seed_terraform_least_privilege_role(aws: Any, tmp_path: Path) -> None:
    (tmp_path / "trust.json").write_text(json.dumps(TRUST_EC2))
    (tmp_path / "tf.json").write_text(json.dumps(TERRAFORM))
    aws("iam", "create-role", "--role-name", "TerraformDeploy", "--assume-role-policy-document", "file://trust.json")
    aws("iam", "put-role-policy", "--role-name", "TerraformDeploy", "--policy-name", "least-privilege",
        "--policy-document", "file://tf.json")
    role = "arn:aws:iam::123456789012:role/TerraformDeploy"
    state = aws("iam", "simulate-principal-policy", "--policy-source-arn", role,
                "--action-names", "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:DeleteBucket",
                "--resource-arns", "arn:aws:s3:::terraform-state-bucket/env/prod.tfstate")
    assert _decisions(state) == {
        "s3:GetObject": "allowed", "s3:PutObject": "allowed", "s3:DeleteObject": "allowed", "s3:DeleteBucket": "implicitDeny",
    }
    lock = aws("iam", "simulate-principal-policy", "--policy-source-arn", role,
               "--action-names", "dynamodb:PutItem", "--resource-arns",
               "arn:aws:dynamodb:us-east-1:123456789012:table/terraform-locks",
               "arn:aws:dynamodb:us-east-1:123456789012:table/other")
    per = {r["EvalResourceName"]: r["EvalResourceDecision"] for r in lock["EvaluationResults"][0]["ResourceSpecificResults"]}
    assert per == {
        "arn:aws:dynamodb:us-east-1:123456789012:table/terraform-locks": "allowed",
        "arn:aws:dynamodb:us-east-1:123456789012:table/other": "implicitDeny",
    }
    assert lock["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"  # the most restrictive

    def deploy(region: str) -> dict[str, str]:
        return _decisions(aws("iam", "simulate-principal-policy", "--policy-source-arn", role,
                              "--action-names", "ec2:RunInstances", "iam:CreateUser", "organizations:ListAccounts",
                              "--context-entries",
                              f"ContextKeyName=aws:RequestedRegion,ContextKeyValues={region},ContextKeyType=string"))

    assert deploy("us-west-2") == {
        "ec2:RunInstances": "allowed", "iam:CreateUser": "explicitDeny", "organizations:ListAccounts": "explicitDeny",
    }
    assert deploy("eu-west-1")["ec2:RunInstances"] == "implicitDeny"
    matched = aws("iam", "simulate-principal-policy", "--policy-source-arn", role, "--action-names", "iam:CreateUser",
                  "--query", "EvaluationResults[0].MatchedStatements[0]")
    assert matched["SourcePolicyId"] == "role_TerraformDeploy_least-privilege"
    text = json.dumps(TERRAFORM)
    start = text.index('{"Sid": "DenyDangerous"')
    # AWS's position: just after the previous statement's closing brace; the end just after ours.
    assert matched["StartPosition"] == {"Line": 1, "Column": start - 1}
    assert matched["EndPosition"] == {"Line": 1, "Column": len(text) - 1}
