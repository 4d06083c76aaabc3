"""``iamd policy simulate``: files or stdin, table or JSON, exit 0 allowed / 1 denied / 2 usage."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from iamd.cli import main

READ_ONLY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "Read", "Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": ["arn:aws:s3:::my-bucket", "arn:aws:s3:::my-bucket/*"]}]})
MFA = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
    {"Effect": "Deny", "NotAction": ["iam:GetUser"], "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}]})


@pytest.fixture
def policy(tmp_path: Path) -> Path:
    path = tmp_path / "read.json"
    path.write_text(READ_ONLY)
    return path


def test_allowed_is_exit_0_with_a_table(policy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "simulate", str(policy), "--action-names", "s3:GetObject",
                 "--resource-arns", "arn:aws:s3:::my-bucket/a.txt"]) == 0
    out = capsys.readouterr().out
    assert "s3:GetObject" in out and "allowed" in out and f"{policy}:1:" in out


def test_denied_is_exit_1_and_json_is_aws_shaped(policy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "simulate", str(policy), "--action-names", "s3:GetObject", "s3:PutObject",
                 "--resource-arns", "arn:aws:s3:::my-bucket/a.txt", "--json"]) == 1
    results = json.loads(capsys.readouterr().out)["EvaluationResults"]
    assert [r["EvalDecision"] for r in results] == ["allowed", "implicitDeny"]
    assert results[0]["MatchedStatements"][0]["SourcePolicyId"] == str(policy)


def test_stdin_and_context_entries(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def run(*args: str) -> int:
        monkeypatch.setattr("sys.stdin", io.StringIO(MFA))
        return main(["policy", "simulate", "--action-names", "ec2:RunInstances", *args])

    assert run("--context-entries", "ContextKeyName=aws:MultiFactorAuthPresent,ContextKeyValues=true,ContextKeyType=boolean") == 0
    assert run("--context-entries", "ContextKeyName='aws:MultiFactorAuthPresent',ContextKeyValues='false',ContextKeyType=boolean") == 1
    assert run("--context-entries", json.dumps([{"ContextKeyName": "aws:MultiFactorAuthPresent", "ContextKeyValues": ["true"],
                                                 "ContextKeyType": "boolean"}])) == 0
    assert run() == 1
    assert "missing aws:MultiFactorAuthPresent" in capsys.readouterr().out


def test_boundary_scp_and_resource_policy(tmp_path: Path, policy: Path) -> None:
    boundary = tmp_path / "boundary.json"
    boundary.write_text(json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:List*", "Resource": "*"}]}))
    base = ["policy", "simulate", str(policy), "--action-names", "s3:GetObject", "--resource-arns", "arn:aws:s3:::my-bucket/a"]
    assert main(base) == 0
    assert main([*base, "--permissions-boundary", str(boundary)]) == 1
    assert main([*base, "--scp", str(boundary)]) == 1
    bucket = tmp_path / "bucket.json"
    bucket.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*"}]}))
    assert main([*base, "--resource-policy", str(bucket), "--caller-arn", "arn:aws:iam::123456789012:user/bob"]) == 1
    assert main([*base, "--resource-policy", str(bucket)]) == 2


@pytest.mark.parametrize("args", [
    ["--action-names", "s3:GetObject", "/no/such/file.json"],
    ["--action-names", "GetObject"],
    ["--action-names", "s3:GetObject", "--resource-arns", "not-an-arn"],
    ["--action-names", "s3:GetObject", "--context-entries", "Bogus=1"],
    ["--action-names", "s3:GetObject", "--context-entries", "ContextKeyName=k:n,ContextKeyValues=x,ContextKeyType=numeric"],
])
def test_usage_and_input_errors_are_exit_2(args: list[str], policy: Path, capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(READ_ONLY))
    assert main(["policy", "simulate", *args]) == 2
    assert capsys.readouterr().err.startswith("iamd policy simulate: ")


def test_a_malformed_document_and_a_missing_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"Version": "2012-10-17", "Statement": [')
    assert main(["policy", "simulate", str(bad), "--action-names", "s3:GetObject"]) == 2
    assert "bad.json" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["policy", "simulate", str(bad)])
    assert exit_info.value.code == 2
