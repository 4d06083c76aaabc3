"""Users, groups, access keys and account actions on both store backends."""

from __future__ import annotations

import pytest

from iamd.auth.secretbox import SecretBoxError
from iamd.services.iam import access_keys, groups, users
from iamd.services.iam.errors import (
    DeleteConflict,
    EntityAlreadyExists,
    LimitExceeded,
    NoSuchEntity,
)


def test_failed_call_changes_nothing(invoke) -> None:
    with pytest.raises(NoSuchEntity):
        invoke("iam", "CreateUser", {
            "UserName": "half", "PermissionsBoundary": "arn:aws:iam::aws:policy/NoSuchPolicy",
        })
    assert invoke("iam", "ListUsers")["Users"] == []


def test_user_quota(invoke, monkeypatch) -> None:
    monkeypatch.setattr(users, "USERS_QUOTA", 2)
    invoke("iam", "CreateUser", {"UserName": "a"})
    invoke("iam", "CreateUser", {"UserName": "b"})
    with pytest.raises(LimitExceeded, match="UsersPerAccount: 2"):
        invoke("iam", "CreateUser", {"UserName": "c"})


def test_group_quota(invoke, monkeypatch) -> None:
    monkeypatch.setattr(groups, "GROUPS_QUOTA", 1)
    invoke("iam", "CreateGroup", {"GroupName": "a"})
    with pytest.raises(LimitExceeded, match="GroupsPerAccount: 1"):
        invoke("iam", "CreateGroup", {"GroupName": "b"})
    with pytest.raises(EntityAlreadyExists, match="Group with name A already exists."):
        invoke("iam", "CreateGroup", {"GroupName": "A"})


def test_permissions_boundary(invoke) -> None:
    boundary = "arn:aws:iam::aws:policy/PowerUserAccess"
    invoke("iam", "CreateUser", {"UserName": "b", "PermissionsBoundary": boundary})
    user = invoke("iam", "GetUser", {"UserName": "b"})["User"]
    assert user["PermissionsBoundary"] == {
        "PermissionsBoundaryType": "Policy",
        "PermissionsBoundaryArn": boundary,
    }
    invoke("iam", "DeleteUserPermissionsBoundary", {"UserName": "b"})
    assert "PermissionsBoundary" not in invoke("iam", "GetUser", {"UserName": "b"})["User"]
    invoke("iam", "PutUserPermissionsBoundary", {"UserName": "b", "PermissionsBoundary": boundary})
    assert invoke("iam", "GetUser", {"UserName": "b"})["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary


def test_root_keys_without_user_name(invoke, account) -> None:
    keys = invoke("iam", "ListAccessKeys")["AccessKeyMetadata"]
    assert len(keys) == 1 and "UserName" not in keys[0]
    created = invoke("iam", "CreateAccessKey")["AccessKey"]
    assert "UserName" not in created
    with pytest.raises(LimitExceeded):
        invoke("iam", "CreateAccessKey")
    invoke("iam", "DeleteAccessKey", {"AccessKeyId": created["AccessKeyId"]})


def test_access_key_of_other_user_is_not_found(invoke) -> None:
    invoke("iam", "CreateUser", {"UserName": "a"})
    invoke("iam", "CreateUser", {"UserName": "b"})
    key = invoke("iam", "CreateAccessKey", {"UserName": "a"})["AccessKey"]
    with pytest.raises(NoSuchEntity):
        invoke("iam", "UpdateAccessKey", {"UserName": "b", "AccessKeyId": key["AccessKeyId"], "Status": "Inactive"})
    assert access_keys.KEYS_PER_USER == 2


def test_secret_is_sealed_at_rest(invoke, runtime) -> None:
    from sqlalchemy import select

    from iamd.store.schema import access_keys as table

    invoke("iam", "CreateUser", {"UserName": "s"})
    key = invoke("iam", "CreateAccessKey", {"UserName": "s"})["AccessKey"]
    from iamd.auth import sealed_context

    with runtime.store.connect() as conn:
        row = conn.execute(select(table).where(table.c.access_key_id == key["AccessKeyId"])).one()
    sealed = bytes(row.secret_sealed)
    assert key["SecretAccessKey"].encode() not in sealed
    # Bound to its account, user and id: it opens for that row only.
    context = sealed_context.access_key(row.account_id, row.user_id, key["AccessKeyId"])
    assert runtime.secretbox.open(sealed, aad=context) == key["SecretAccessKey"]
    with pytest.raises(SecretBoxError):
        runtime.secretbox.open(sealed, aad=sealed_context.access_key(row.account_id, None, key["AccessKeyId"]))


def test_delete_user_with_group_membership(invoke) -> None:
    invoke("iam", "CreateUser", {"UserName": "m"})
    invoke("iam", "CreateGroup", {"GroupName": "g"})
    invoke("iam", "AddUserToGroup", {"UserName": "m", "GroupName": "g"})
    with pytest.raises(DeleteConflict, match="must remove users from group first"):
        invoke("iam", "DeleteUser", {"UserName": "m"})


def test_account_alias(invoke) -> None:
    assert invoke("iam", "ListAccountAliases")["AccountAliases"] == []
    invoke("iam", "CreateAccountAlias", {"AccountAlias": "my-company"})
    assert invoke("iam", "ListAccountAliases")["AccountAliases"] == ["my-company"]
    with pytest.raises(NoSuchEntity):
        invoke("iam", "DeleteAccountAlias", {"AccountAlias": "other"})
    invoke("iam", "DeleteAccountAlias", {"AccountAlias": "my-company"})
    assert invoke("iam", "ListAccountAliases")["AccountAliases"] == []


def test_account_summary_counts(invoke) -> None:
    invoke("iam", "CreateUser", {"UserName": "u1"})
    invoke("iam", "CreateUser", {"UserName": "u2"})
    invoke("iam", "CreateGroup", {"GroupName": "g"})
    summary = invoke("iam", "GetAccountSummary")["SummaryMap"]
    assert summary["Users"] == 2 and summary["Groups"] == 1 and summary["UsersQuota"] == 5000
    assert summary["AccountAccessKeysPresent"] == 1
