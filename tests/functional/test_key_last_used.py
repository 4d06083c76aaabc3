"""Access key last use: recorded for every authenticated call, batched off the hot path."""

from __future__ import annotations

import json

READ = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["iam:GetUser", "iam:GetAccessKeyLastUsed"], "Resource": "*"}]})


def test_last_used_after_calls(iam, client_for) -> None:
    iam.create_user(UserName="u")
    iam.put_user_policy(UserName="u", PolicyName="read", PolicyDocument=READ)
    key = iam.create_access_key(UserName="u")["AccessKey"]
    never = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
    assert never == {"ServiceName": "N/A", "Region": "N/A"}

    client_for("sts", key).get_caller_identity()
    used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
    assert (used["ServiceName"], used["Region"]) == ("sts", "us-east-1")
    assert "LastUsedDate" in used

    client_for("iam", key).get_user()
    used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
    assert used["ServiceName"] == "iam"


def test_last_used_survives_restart(tmp_path) -> None:
    from iamd.testing import IamdServer

    first = IamdServer(extra_args=["--data-dir", str(tmp_path)])
    with first:
        iam = first.client("iam")
        iam.create_user(UserName="u")
        key = iam.create_access_key(UserName="u")["AccessKey"]
        first.client("sts", aws_access_key_id=key["AccessKeyId"],
                     aws_secret_access_key=key["SecretAccessKey"]).get_caller_identity()
    second = IamdServer(extra_args=["--data-dir", str(tmp_path)])
    second.access_key_id, second.secret_access_key = first.access_key_id, first.secret_access_key
    with second:
        used = second.client("iam").get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
        assert used["ServiceName"] == "sts"
