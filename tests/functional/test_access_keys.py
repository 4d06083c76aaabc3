"""Access keys: the secret is returned once, at most two per user, status and deletion take effect."""

from __future__ import annotations

import json


def test_access_key_lifecycle(iam, server, client_for, error_of) -> None:
    iam.create_user(UserName="k")
    first = iam.create_access_key(UserName="k")["AccessKey"]
    assert first["AccessKeyId"].startswith("AKIA") and len(first["AccessKeyId"]) == 20
    assert len(first["SecretAccessKey"]) == 40 and first["Status"] == "Active"
    second = iam.create_access_key(UserName="k")["AccessKey"]
    err = error_of(iam.create_access_key, UserName="k")
    assert (err["Code"], err["Message"]) == ("LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")

    listed = iam.list_access_keys(UserName="k")["AccessKeyMetadata"]
    assert {k["AccessKeyId"] for k in listed} == {first["AccessKeyId"], second["AccessKeyId"]}
    assert all("SecretAccessKey" not in k for k in listed)

    sts = client_for("sts", first)
    assert sts.get_caller_identity()["Arn"].endswith(":user/k")
    iam.update_access_key(UserName="k", AccessKeyId=first["AccessKeyId"], Status="Inactive")
    err = error_of(sts.get_caller_identity)
    assert (err["Code"], err["HTTPStatus"]) == ("InvalidClientTokenId", 403)
    iam.update_access_key(UserName="k", AccessKeyId=first["AccessKeyId"], Status="Active")
    assert sts.get_caller_identity()["Account"] == server.account_id
    iam.delete_access_key(UserName="k", AccessKeyId=first["AccessKeyId"])
    assert error_of(sts.get_caller_identity)["Code"] == "InvalidClientTokenId"
    err = error_of(iam.delete_access_key, UserName="k", AccessKeyId=first["AccessKeyId"])
    assert err["Message"] == f"The Access Key with id {first['AccessKeyId']} cannot be found."


def test_key_rotation_flow(iam, server, client_for) -> None:
    iam.create_user(UserName="rot")
    old = iam.create_access_key(UserName="rot")["AccessKey"]
    new = iam.create_access_key(UserName="rot")["AccessKey"]
    iam.update_access_key(UserName="rot", AccessKeyId=old["AccessKeyId"], Status="Inactive")
    assert client_for("sts", new).get_caller_identity()["Arn"].endswith(":user/rot")
    iam.delete_access_key(UserName="rot", AccessKeyId=old["AccessKeyId"])
    assert [k["AccessKeyId"] for k in iam.list_access_keys(UserName="rot")["AccessKeyMetadata"]] == [
        new["AccessKeyId"]
    ]


SELF_SERVICE = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Action": ["iam:GetUser", "iam:*AccessKey*"],
        "Resource": "arn:aws:iam::*:user/${aws:username}",
    }],
})


def test_user_manages_own_keys_without_user_name(iam, server, client_for) -> None:
    iam.create_user(UserName="self")
    iam.put_user_policy(UserName="self", PolicyName="self-service", PolicyDocument=SELF_SERVICE)
    key = iam.create_access_key(UserName="self")["AccessKey"]
    as_self = client_for("iam", key)
    assert as_self.get_user()["User"]["UserName"] == "self"
    keys = as_self.list_access_keys()["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in keys] == [key["AccessKeyId"]]


def test_key_last_used_for_never_used_key(iam) -> None:
    iam.create_user(UserName="lu")
    key = iam.create_access_key(UserName="lu")["AccessKey"]
    last = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
    assert last["UserName"] == "lu"
    assert last["AccessKeyLastUsed"] == {"ServiceName": "N/A", "Region": "N/A"}
