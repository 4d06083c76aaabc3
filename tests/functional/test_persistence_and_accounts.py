"""Data survives a restart; accounts are isolated; the PostgreSQL backend serves the same API."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from iamd.testing import IamdServer


def _cli(*args: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "iamd.cli", *args], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _creds(output: str) -> dict[str, str]:
    pairs = dict(line.split("=", 1) for line in output.splitlines() if line.startswith("AWS_"))
    return {"AccessKeyId": pairs["AWS_ACCESS_KEY_ID"], "SecretAccessKey": pairs["AWS_SECRET_ACCESS_KEY"]}


def test_data_survives_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = IamdServer(extra_args=["--data-dir", str(data)])
    with first:
        iam = first.client("iam")
        iam.create_user(UserName="persistent", Path="/p/")
        key = iam.create_access_key(UserName="persistent")["AccessKey"]
        iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    second = IamdServer(extra_args=["--data-dir", str(data)])
    second.access_key_id, second.secret_access_key = first.access_key_id, first.secret_access_key
    with second:
        iam = second.client("iam")
        assert iam.get_user(UserName="persistent")["User"]["Path"] == "/p/"
        assert iam.get_role(RoleName="r")["Role"]["RoleName"] == "r"
        sts = second.client("sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
        assert sts.get_caller_identity()["Arn"].endswith(":user/p/persistent")
    assert key["SecretAccessKey"].encode() not in (data / "iamd.db").read_bytes()


def test_accounts_are_isolated(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = IamdServer(extra_args=["--data-dir", str(data)])
    with server:
        other = _creds(_cli("account", "create", "--data-dir", str(data), "--new-account-id", "210987654321"))
        mine, theirs = server.client("iam"), server.client(
            "iam", aws_access_key_id=other["AccessKeyId"], aws_secret_access_key=other["SecretAccessKey"]
        )
        ident = server.client(
            "sts", aws_access_key_id=other["AccessKeyId"], aws_secret_access_key=other["SecretAccessKey"]
        ).get_caller_identity()
        assert ident["Arn"] == "arn:aws:iam::210987654321:root"
        mine.create_user(UserName="same-name")
        theirs.create_user(UserName="same-name")  # no clash across accounts
        theirs.create_user(UserName="only-theirs")
        assert [u["UserName"] for u in mine.list_users()["Users"]] == ["same-name"]
        assert {u["Arn"] for u in theirs.list_users()["Users"]} == {
            "arn:aws:iam::210987654321:user/same-name",
            "arn:aws:iam::210987654321:user/only-theirs",
        }
    proc = subprocess.run(
        [sys.executable, "-m", "iamd.cli", "account", "create", "--data-dir", str(data),
         "--new-account-id", "210987654321"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "already exists" in proc.stderr


def test_postgresql_backend_serves_the_api(pg_url: str) -> None:
    server = IamdServer(account_id="333333333333", extra_args=["--db", pg_url])
    with server:
        iam = server.client("iam")
        iam.create_user(UserName="pg-user")
        iam.create_group(GroupName="pg-group")
        iam.add_user_to_group(UserName="pg-user", GroupName="pg-group")
        key = iam.create_access_key(UserName="pg-user")["AccessKey"]
        sts = server.client("sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
        assert sts.get_caller_identity()["Arn"] == "arn:aws:iam::333333333333:user/pg-user"
        assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="pg-user")["Groups"]] == ["pg-group"]
