"""Users and groups through boto3: shapes, renames, errors, pagination."""

from __future__ import annotations

import pytest


def test_user_lifecycle(iam, server, error_of) -> None:
    user = iam.create_user(UserName="alice", Path="/eng/", Tags=[{"Key": "team", "Value": "core"}])["User"]
    assert user["UserId"].startswith("AIDA") and len(user["UserId"]) == 21
    assert user["Arn"] == f"arn:aws:iam::{server.account_id}:user/eng/alice"
    got = iam.get_user(UserName="ALICE")["User"]  # names are case-insensitive
    assert got["UserName"] == "alice" and got["Tags"] == [{"Key": "team", "Value": "core"}]

    iam.update_user(UserName="alice", NewUserName="alice2", NewPath="/ops/")
    moved = iam.get_user(UserName="alice2")["User"]
    assert moved["Arn"] == f"arn:aws:iam::{server.account_id}:user/ops/alice2"
    assert moved["UserId"] == user["UserId"]
    assert error_of(iam.get_user, UserName="alice")["Code"] == "NoSuchEntity"

    assert [u["UserName"] for u in iam.list_users(PathPrefix="/ops/")["Users"]] == ["alice2"]
    assert iam.list_users(PathPrefix="/eng/")["Users"] == []
    iam.delete_user(UserName="alice2")
    err = error_of(iam.delete_user, UserName="alice2")
    assert (err["Code"], err["HTTPStatus"]) == ("NoSuchEntity", 404)
    assert err["Message"] == "The user with name alice2 cannot be found."


def test_duplicate_names_are_case_insensitive(iam, error_of) -> None:
    iam.create_user(UserName="Bob")
    err = error_of(iam.create_user, UserName="bob")
    assert (err["Code"], err["HTTPStatus"]) == ("EntityAlreadyExists", 409)
    iam.create_user(UserName="carol")
    assert error_of(iam.update_user, UserName="carol", NewUserName="BOB")["Code"] == "EntityAlreadyExists"


def test_delete_conflicts(iam, error_of) -> None:
    iam.create_user(UserName="dave")
    iam.create_group(GroupName="g")
    iam.add_user_to_group(UserName="dave", GroupName="g")
    key = iam.create_access_key(UserName="dave")["AccessKey"]
    err = error_of(iam.delete_user, UserName="dave")
    assert (err["Code"], err["Message"]) == ("DeleteConflict", "Cannot delete entity, must delete access keys first.")
    iam.delete_access_key(UserName="dave", AccessKeyId=key["AccessKeyId"])
    assert error_of(iam.delete_user, UserName="dave")["Message"].endswith("must remove users from group first.")
    assert error_of(iam.delete_group, GroupName="g")["Code"] == "DeleteConflict"
    iam.remove_user_from_group(UserName="dave", GroupName="g")
    iam.delete_user(UserName="dave")
    iam.delete_group(GroupName="g")


def test_groups(iam, server, error_of) -> None:
    group = iam.create_group(GroupName="Developers", Path="/teams/")["Group"]
    assert group["GroupId"].startswith("AGPA")
    assert group["Arn"] == f"arn:aws:iam::{server.account_id}:group/teams/Developers"
    for name in ("u3", "u1", "u2"):
        iam.create_user(UserName=name)
        iam.add_user_to_group(UserName=name, GroupName="Developers")
    iam.add_user_to_group(UserName="u1", GroupName="Developers")  # again: no-op
    got = iam.get_group(GroupName="developers")
    assert [u["UserName"] for u in got["Users"]] == ["u1", "u2", "u3"]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="u1")["Groups"]] == ["Developers"]
    iam.update_group(GroupName="Developers", NewGroupName="Devs", NewPath="/x/")
    assert iam.list_groups(PathPrefix="/x/")["Groups"][0]["GroupName"] == "Devs"
    err = error_of(iam.remove_user_from_group, UserName="nobody", GroupName="Devs")
    assert err["Code"] == "NoSuchEntity"


def test_groups_per_user_quota(iam, error_of) -> None:
    iam.create_user(UserName="joiner")
    for i in range(10):
        iam.create_group(GroupName=f"g{i}")
        iam.add_user_to_group(UserName="joiner", GroupName=f"g{i}")
    iam.create_group(GroupName="g10")
    err = error_of(iam.add_user_to_group, UserName="joiner", GroupName="g10")
    assert (err["Code"], err["Message"]) == ("LimitExceeded", "Cannot exceed quota for GroupsPerUser: 10")


@pytest.mark.parametrize("page_size", [1, 7, 100])
def test_list_users_pagination_never_skips_or_repeats(iam, page_size) -> None:
    names = [f"user-{i:03d}" for i in range(25)]
    for name in names:
        iam.create_user(UserName=name)
    seen: list[str] = []
    kwargs: dict = {"MaxItems": page_size}
    inserted = False
    while True:
        page = iam.list_users(**kwargs)
        seen += [u["UserName"] for u in page["Users"]]
        if not inserted:  # writes between pages must not disturb the walk
            iam.create_user(UserName="user-000a")
            iam.create_user(UserName="zz-late")
            inserted = True
        if not page["IsTruncated"]:
            break
        kwargs["Marker"] = page["Marker"]
    assert len(seen) == len(set(seen))
    assert [n for n in seen if n in names] == names
    if page_size < len(names):
        assert "zz-late" in seen


def test_paginator_walks_every_page(iam) -> None:
    for i in range(12):
        iam.create_user(UserName=f"p{i:02d}")
    pages = list(iam.get_paginator("list_users").paginate(PaginationConfig={"PageSize": 5}))
    assert len(pages) == 3
    assert [u["UserName"] for p in pages for u in p["Users"]] == [f"p{i:02d}" for i in range(12)]


def test_user_tags(iam, error_of) -> None:
    iam.create_user(UserName="tagged")
    iam.tag_user(UserName="tagged", Tags=[{"Key": "Env", "Value": "dev"}, {"Key": "Team", "Value": "a"}])
    iam.tag_user(UserName="tagged", Tags=[{"Key": "env", "Value": "prod"}])  # keys are case-insensitive
    assert iam.list_user_tags(UserName="tagged")["Tags"] == [
        {"Key": "env", "Value": "prod"},
        {"Key": "Team", "Value": "a"},
    ]
    iam.untag_user(UserName="tagged", TagKeys=["TEAM"])
    assert iam.list_user_tags(UserName="tagged")["Tags"] == [{"Key": "env", "Value": "prod"}]
    err = error_of(iam.tag_user, UserName="tagged", Tags=[{"Key": "a", "Value": "1"}, {"Key": "A", "Value": "2"}])
    assert err["Code"] == "InvalidInput"
    too_many = [{"Key": f"k{i}", "Value": "v"} for i in range(50)]
    assert error_of(iam.tag_user, UserName="tagged", Tags=too_many)["Code"] == "LimitExceeded"
    assert len(iam.list_user_tags(UserName="tagged")["Tags"]) == 1
