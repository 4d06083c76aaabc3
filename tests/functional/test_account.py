"""Account-level IAM through boto3 and the aws CLI: alias, GetAccountSummary, presigned GET URLs."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import botocore.auth
import pytest

from iamd.testing import IamdServer

AWS = "arn:aws:iam::aws:policy/"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}


def _fetch(url: str, method: str = "GET") -> tuple[int, str]:
    req = urllib.request.Request(url, data=b"" if method == "POST" else None, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def _tag(xml: str, name: str) -> str:
    return xml.split(f"<{name}>", 1)[1].split(f"</{name}>", 1)[0]


def test_account_alias_lifecycle(iam, error_of) -> None:
    empty = iam.list_account_aliases()
    assert (empty["AccountAliases"], empty["IsTruncated"]) == ([], False)
    iam.create_account_alias(AccountAlias="my-company")
    got = iam.list_account_aliases()
    assert (got["AccountAliases"], got["IsTruncated"]) == (["my-company"], False)
    iam.create_account_alias(AccountAlias="my-company")  # again: no change, no error
    iam.create_account_alias(AccountAlias="renamed-co")  # an account has one alias: this replaces it
    assert iam.list_account_aliases()["AccountAliases"] == ["renamed-co"]

    err = error_of(iam.delete_account_alias, AccountAlias="my-company")
    assert (err["Code"], err["HTTPStatus"]) == ("NoSuchEntity", 404)
    iam.delete_account_alias(AccountAlias="renamed-co")
    assert iam.list_account_aliases()["AccountAliases"] == []
    assert error_of(iam.delete_account_alias, AccountAlias="renamed-co")["Code"] == "NoSuchEntity"


@pytest.mark.parametrize("alias", ["Upper-Case", "-leading", "trailing-", "double--dash", "x" * 64, "under_score"])
def test_account_alias_format(iam, error_of, alias: str) -> None:
    err = error_of(iam.create_account_alias, AccountAlias=alias)
    assert (err["Code"], err["HTTPStatus"]) == ("ValidationError", 400), alias
    assert iam.list_account_aliases()["AccountAliases"] == []


def test_alias_is_unique_across_accounts(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with IamdServer(extra_args=["--data-dir", str(data)]) as server:
        proc = subprocess.run(
            [sys.executable, "-m", "iamd.cli", "account", "create", "--data-dir", str(data),
             "--new-account-id", "210987654321"], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        pairs = dict(line.split("=", 1) for line in proc.stdout.splitlines() if line.startswith("AWS_"))
        mine = server.client("iam")
        theirs = server.client(
            "iam", aws_access_key_id=pairs["AWS_ACCESS_KEY_ID"], aws_secret_access_key=pairs["AWS_SECRET_ACCESS_KEY"]
        )
        mine.create_account_alias(AccountAlias="shared-name")
        try:
            theirs.create_account_alias(AccountAlias="shared-name")
        except theirs.exceptions.EntityAlreadyExistsException as exc:
            err = exc.response
        else:
            raise AssertionError("a second account took an alias already in use")
        assert (err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"]) == ("EntityAlreadyExists", 409)
        assert err["Error"]["Message"] == "The account alias shared-name already exists."
        assert theirs.list_account_aliases()["AccountAliases"] == []
        mine.delete_account_alias(AccountAlias="shared-name")
        theirs.create_account_alias(AccountAlias="shared-name")  # free again
        assert theirs.list_account_aliases()["AccountAliases"] == ["shared-name"]
        assert mine.list_account_aliases()["AccountAliases"] == []


def test_account_summary_follows_the_entities(iam) -> None:
    before = iam.get_account_summary()["SummaryMap"]
    assert {k: before[k] for k in ("Users", "Groups", "Roles", "Policies", "InstanceProfiles",
                                  "PolicyVersionsInUse", "MFADevices")} == {
        "Users": 0, "Groups": 0, "Roles": 0, "Policies": 0, "InstanceProfiles": 0, "PolicyVersionsInUse": 0,
        "MFADevices": 0,
    }
    assert before["AccountAccessKeysPresent"] == 1  # the root key the server was started with
    assert (before["UsersQuota"], before["GroupsQuota"], before["RolesQuota"], before["PoliciesQuota"]) == (
        5000, 300, 1000, 1500
    )
    assert (before["AttachedPoliciesPerUserQuota"], before["GroupsPerUserQuota"],
            before["AccessKeysPerUserQuota"]) == (10, 10, 2)
    assert (before["UserPolicySizeQuota"], before["GroupPolicySizeQuota"], before["PolicySizeQuota"],
            before["VersionsPerPolicyQuota"]) == (2048, 5120, 6144, 5)

    for name in ("a", "b", "c"):
        iam.create_user(UserName=name)
    iam.create_group(GroupName="g")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.create_instance_profile(InstanceProfileName="ip")
    arn = iam.create_policy(PolicyName="p", PolicyDocument=json.dumps(DOC))["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(DOC))
    iam.attach_user_policy(UserName="a", PolicyArn=arn)
    iam.attach_user_policy(UserName="a", PolicyArn=AWS + "ReadOnlyAccess")
    after = iam.get_account_summary()["SummaryMap"]
    assert {k: after[k] for k in ("Users", "Groups", "Roles", "Policies", "InstanceProfiles")} == {
        "Users": 3, "Groups": 1, "Roles": 1, "Policies": 1, "InstanceProfiles": 1,
    }
    assert after["PolicyVersionsInUse"] > before["PolicyVersionsInUse"]

    iam.delete_user(UserName="c")
    iam.detach_user_policy(UserName="a", PolicyArn=arn)
    iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
    iam.delete_policy(PolicyArn=arn)
    final = iam.get_account_summary()["SummaryMap"]
    assert (final["Users"], final["Policies"]) == (2, 0)


def test_presigned_get_url(iam) -> None:
    iam.create_user(UserName="presigned-user")
    # The model says POST; a URL meant for GET must be signed for GET (the method is in what is signed).
    url = iam.generate_presigned_url("list_users", Params={"PathPrefix": "/"}, ExpiresIn=300, HttpMethod="GET")
    assert "X-Amz-Signature=" in url and "Action=ListUsers" in url
    status, xml = _fetch(url)
    assert status == 200, xml
    assert "<ListUsersResponse" in xml and "<UserName>presigned-user</UserName>" in xml

    url = iam.generate_presigned_url("get_user", Params={"UserName": "presigned-user"}, HttpMethod="GET")
    status, xml = _fetch(url)
    assert status == 200 and _tag(xml, "UserName") == "presigned-user"

    status, xml = _fetch(url.replace("presigned-user", "someone-else"))
    assert (status, _tag(xml, "Code")) == (403, "SignatureDoesNotMatch")
    status, xml = _fetch(url, method="POST")
    assert (status, _tag(xml, "Code")) == (403, "SignatureDoesNotMatch")

    as_posted = iam.generate_presigned_url("list_users", ExpiresIn=300)  # signed for POST, as the model says
    assert _fetch(as_posted, method="POST")[0] == 200
    assert _fetch(as_posted)[0] == 403


def test_expired_presigned_url(iam, monkeypatch: pytest.MonkeyPatch) -> None:
    # Signed ten minutes ago, valid for one: expired, though well within the 15-minute clock skew.
    past = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=10)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: past)
    url = iam.generate_presigned_url("list_users", ExpiresIn=60, HttpMethod="GET")
    monkeypatch.undo()
    status, xml = _fetch(url)
    assert (status, _tag(xml, "Code")) == (403, "RequestExpired"), xml
    assert "<RequestId>" in xml

    assert _fetch(iam.generate_presigned_url("list_users", ExpiresIn=60, HttpMethod="GET"))[0] == 200


def test_account_with_the_aws_cli(aws) -> None:
    aws("iam", "create-account-alias", "--account-alias", "cli-alias")
    assert aws("iam", "list-account-aliases")["AccountAliases"] == ["cli-alias"]
    aws("iam", "create-user", "--user-name", "cli-user")
    summary = aws("iam", "get-account-summary")["SummaryMap"]
    assert summary["Users"] == 1 and summary["UsersQuota"] == 5000
    aws("iam", "delete-account-alias", "--account-alias", "cli-alias")
    assert aws("iam", "list-account-aliases")["AccountAliases"] == []
