"""The organization survives a restart (SQLite data folder, and PostgreSQL), and the aws CLI
drives it end to end: organization, OUs, CreateAccount, ``sts assume-role`` into the member."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from iamd.testing import IamdServer

AWS_CLI = str(Path(sys.executable).with_name("aws"))


def _build(srv: IamdServer) -> dict[str, Any]:
    org = srv.client("organizations")
    created = org.create_organization()["Organization"]
    root = org.list_roots()["Roots"][0]["Id"]
    ou = org.create_organizational_unit(ParentId=root, Name="Eng", Tags=[{"Key": "t", "Value": "1"}])
    ou_id = ou["OrganizationalUnit"]["Id"]
    account_id = org.create_account(AccountName="Dev", Email="dev@example.com")["CreateAccountStatus"]["AccountId"]
    org.move_account(AccountId=account_id, SourceParentId=root, DestinationParentId=ou_id)
    org.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    return {"org": created["Id"], "root": root, "ou": ou_id, "account": account_id}


def _check(srv: IamdServer, built: dict[str, Any]) -> None:
    org = srv.client("organizations")
    assert org.describe_organization()["Organization"]["Id"] == built["org"]
    assert org.list_parents(ChildId=built["account"])["Parents"] == [
        {"Id": built["ou"], "Type": "ORGANIZATIONAL_UNIT"}]
    assert org.list_tags_for_resource(ResourceId=built["ou"])["Tags"] == [{"Key": "t", "Value": "1"}]
    assert [s["ServicePrincipal"] for s in org.list_aws_service_access_for_organization()[
        "EnabledServicePrincipals"]] == ["iam.amazonaws.com"]
    iam = srv.client("iam")
    iam.create_user(UserName="admin2")
    iam.attach_user_policy(UserName="admin2", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    key = iam.create_access_key(UserName="admin2")["AccessKey"]
    sts = srv.client("sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{built['account']}:role/OrganizationAccountAccessRole",
                            RoleSessionName="after-restart")["Credentials"]
    member = srv.client("sts", aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                        aws_session_token=creds["SessionToken"])
    assert member.get_caller_identity()["Account"] == built["account"]


def test_organization_survives_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = IamdServer(extra_args=["--data-dir", str(data)])
    with first:
        built = _build(first)
    second = IamdServer(extra_args=["--data-dir", str(data)])
    second.access_key_id, second.secret_access_key = first.access_key_id, first.secret_access_key
    with second:
        _check(second, built)


def test_organization_on_postgresql(empty_pg_url: str, tmp_path: Path) -> None:
    args = ["--db", empty_pg_url, "--data-dir", str(tmp_path / "data")]
    first = IamdServer(extra_args=args)
    with first:
        built = _build(first)
    second = IamdServer(extra_args=args)
    second.access_key_id, second.secret_access_key = first.access_key_id, first.secret_access_key
    with second:
        _check(second, built)


def _aws(srv: IamdServer, env: dict[str, str], *args: str) -> Any:
    full = os.environ | srv.env | {"AWS_PAGER": ""} | env
    full.pop("AWS_PROFILE", None)
    proc = subprocess.run([AWS_CLI, "--endpoint-url", srv.endpoint, "--output", "json", *args], env=full,
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout) if proc.stdout.strip() else None


def test_cli_end_to_end(server: IamdServer) -> None:
    me: dict[str, str] = {}
    _aws(server, me, "organizations", "create-organization", "--feature-set", "ALL")
    root = _aws(server, me, "organizations", "list-roots")["Roots"][0]["Id"]
    eng = _aws(server, me, "organizations", "create-organizational-unit", "--parent-id", root,
               "--name", "Eng")["OrganizationalUnit"]["Id"]
    prod = _aws(server, me, "organizations", "create-organizational-unit", "--parent-id", eng,
                "--name", "Prod")["OrganizationalUnit"]["Id"]
    status = _aws(server, me, "organizations", "create-account", "--account-name", "Prod app",
                  "--email", "prod@example.com")["CreateAccountStatus"]
    account = status["AccountId"]
    assert _aws(server, me, "organizations", "describe-create-account-status", "--create-account-request-id",
                status["Id"])["CreateAccountStatus"]["State"] == "SUCCEEDED"
    _aws(server, me, "organizations", "move-account", "--account-id", account, "--source-parent-id", root,
         "--destination-parent-id", prod)
    listed = _aws(server, me, "organizations", "list-accounts-for-parent", "--parent-id", prod)["Accounts"]
    assert [a["Id"] for a in listed] == [account]
    # The CLI follows NextToken itself: every account, with a page size of one.
    assert len(_aws(server, me, "organizations", "list-accounts", "--page-size", "1")["Accounts"]) == 2
    _aws(server, me, "iam", "create-user", "--user-name", "cli-admin")
    _aws(server, me, "iam", "attach-user-policy", "--user-name", "cli-admin", "--policy-arn",
         "arn:aws:iam::aws:policy/AdministratorAccess")
    key = _aws(server, me, "iam", "create-access-key", "--user-name", "cli-admin")["AccessKey"]
    admin = {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
    creds = _aws(server, admin, "sts", "assume-role", "--role-arn",
                 f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
                 "--role-session-name", "cli")["Credentials"]
    inside = {"AWS_ACCESS_KEY_ID": creds["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
              "AWS_SESSION_TOKEN": creds["SessionToken"]}
    assert _aws(server, inside, "sts", "get-caller-identity")["Account"] == account
    _aws(server, inside, "iam", "create-role", "--role-name", "app", "--assume-role-policy-document",
         json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
             "Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    assert _aws(server, inside, "organizations", "describe-organization")["Organization"]["MasterAccountId"] == (
        server.account_id)
    _aws(server, me, "organizations", "close-account", "--account-id", account)
    assert _aws(server, me, "organizations", "describe-account", "--account-id", account)["Account"]["Status"] == (
        "SUSPENDED")
