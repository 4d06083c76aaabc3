"""Instance profiles: shapes, one role per profile, deletion conflict, listing, tags."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

import pytest
from services_helpers import TRUST

from iamd.services.iam import instance_profiles as profiles_mod
from iamd.services.iam.errors import DeleteConflict, EntityAlreadyExists, LimitExceeded, NoSuchEntity


def create_role(invoke: Any, name: str, **extra: Any) -> dict[str, Any]:
    params = {"RoleName": name, "AssumeRolePolicyDocument": TRUST, **extra}
    return invoke("iam", "CreateRole", params)["Role"]


def create(invoke: Any, name: str, **extra: Any) -> dict[str, Any]:
    return invoke("iam", "CreateInstanceProfile", {"InstanceProfileName": name, **extra})["InstanceProfile"]


def get(invoke: Any, name: str) -> dict[str, Any]:
    return invoke("iam", "GetInstanceProfile", {"InstanceProfileName": name})["InstanceProfile"]


def add(invoke: Any, profile: str, role: str) -> None:
    assert (
        invoke("iam", "AddRoleToInstanceProfile", {"InstanceProfileName": profile, "RoleName": role}) is None
    )


def names(invoke: Any, **params: Any) -> list[str]:
    return [
        p["InstanceProfileName"] for p in invoke("iam", "ListInstanceProfiles", params)["InstanceProfiles"]
    ]


def test_create_instance_profile_returns_aws_shape(invoke: Any, account: str) -> None:
    profile = create(invoke, "web")
    assert profile["InstanceProfileName"] == "web"
    assert profile["Path"] == "/"
    assert profile["Arn"] == f"arn:aws:iam::{account}:instance-profile/web"
    assert profile["InstanceProfileId"].startswith("AIPA") and len(profile["InstanceProfileId"]) == 21
    assert isinstance(profile["CreateDate"], datetime)
    assert profile["Roles"] == []
    assert "Tags" not in profile


def test_create_with_path_and_tags(invoke: Any, account: str) -> None:
    tags = [{"Key": "env", "Value": "prod"}]
    profile = create(invoke, "web", Path="/app/web/", Tags=tags)
    assert profile["Arn"] == f"arn:aws:iam::{account}:instance-profile/app/web/web"
    assert profile["Tags"] == tags
    got = get(invoke, "WEB")
    assert got["Tags"] == tags
    assert got["InstanceProfileId"] == profile["InstanceProfileId"]


@pytest.mark.parametrize("second", ["Web", "web", "WEB"])
def test_names_clash_case_insensitively(invoke: Any, second: str) -> None:
    create(invoke, "Web")
    with pytest.raises(EntityAlreadyExists, match=rf"^Instance Profile {second} already exists\.$"):
        create(invoke, second)
    assert names(invoke) == ["Web"]


def test_quota(invoke: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(profiles_mod, "INSTANCE_PROFILES_QUOTA", 1)
    create(invoke, "one")
    with pytest.raises(LimitExceeded, match=r"^Cannot exceed quota for InstanceProfilesPerAccount: 1$"):
        create(invoke, "two")
    assert names(invoke) == ["one"]


@pytest.mark.parametrize(
    ("action", "extra"),
    [
        ("GetInstanceProfile", {}),
        ("DeleteInstanceProfile", {}),
        ("AddRoleToInstanceProfile", {"RoleName": "r"}),
        ("RemoveRoleFromInstanceProfile", {"RoleName": "r"}),
        ("TagInstanceProfile", {"Tags": [{"Key": "k", "Value": "v"}]}),
        ("UntagInstanceProfile", {"TagKeys": ["k"]}),
        ("ListInstanceProfileTags", {}),
    ],
)
def test_unknown_instance_profile(invoke: Any, action: str, extra: dict[str, Any]) -> None:
    create_role(invoke, "r")
    with pytest.raises(NoSuchEntity, match=r"^Instance Profile ghost cannot be found\.$"):
        invoke("iam", action, {"InstanceProfileName": "ghost", **extra})


def test_add_role_shows_in_profile(invoke: Any) -> None:
    role = create_role(invoke, "r", Description="d")
    create(invoke, "ip", Tags=[{"Key": "k", "Value": "v"}])
    add(invoke, "ip", "R")
    (listed,) = get(invoke, "ip")["Roles"]
    assert listed == {
        "Path": "/",
        "RoleName": "r",
        "RoleId": role["RoleId"],
        "Arn": role["Arn"],
        "CreateDate": role["CreateDate"],
        "AssumeRolePolicyDocument": quote(TRUST, safe=""),
    }


def test_add_role_to_unknown_role(invoke: Any) -> None:
    create(invoke, "ip")
    with pytest.raises(NoSuchEntity, match=r"^The role with name ghost cannot be found\.$"):
        add(invoke, "ip", "ghost")


@pytest.mark.parametrize("second", ["r1", "r2"])
def test_one_role_per_profile(invoke: Any, second: str) -> None:
    create_role(invoke, "r1")
    create_role(invoke, "r2")
    create(invoke, "ip")
    add(invoke, "ip", "r1")
    with pytest.raises(
        LimitExceeded, match=r"^Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1$"
    ):
        add(invoke, "ip", second)
    assert [r["RoleName"] for r in get(invoke, "ip")["Roles"]] == ["r1"]


def test_a_role_may_be_in_many_profiles(invoke: Any) -> None:
    create_role(invoke, "r")
    for name in ["c", "a", "b"]:
        create(invoke, name)
        add(invoke, name, "r")
    create(invoke, "unrelated")
    out = invoke("iam", "ListInstanceProfilesForRole", {"RoleName": "r"})
    assert [p["InstanceProfileName"] for p in out["InstanceProfiles"]] == ["a", "b", "c"]
    assert all(p["Roles"] == get(invoke, "a")["Roles"] for p in out["InstanceProfiles"])
    assert out["IsTruncated"] is False


def test_list_instance_profiles_for_role_pages(invoke: Any) -> None:
    create_role(invoke, "r")
    expected = [f"ip{i:02d}" for i in range(12)]
    for name in expected:
        create(invoke, name)
        add(invoke, name, "r")
    seen: list[str] = []
    params: dict[str, Any] = {"RoleName": "r", "MaxItems": 5}
    while True:
        out = invoke("iam", "ListInstanceProfilesForRole", params)
        assert len(out["InstanceProfiles"]) <= 5
        seen += [p["InstanceProfileName"] for p in out["InstanceProfiles"]]
        if not out["IsTruncated"]:
            break
        params["Marker"] = out["Marker"]
    assert seen == expected


def test_list_instance_profiles_for_role_without_profiles(invoke: Any) -> None:
    create_role(invoke, "r")
    assert invoke("iam", "ListInstanceProfilesForRole", {"RoleName": "r"}) == {
        "InstanceProfiles": [],
        "IsTruncated": False,
    }


def test_remove_role(invoke: Any) -> None:
    create_role(invoke, "r")
    create(invoke, "ip")
    add(invoke, "ip", "r")
    params = {"InstanceProfileName": "ip", "RoleName": "r"}
    assert invoke("iam", "RemoveRoleFromInstanceProfile", params) is None
    assert get(invoke, "ip")["Roles"] == []
    add(invoke, "ip", "r")
    assert len(get(invoke, "ip")["Roles"]) == 1


def test_remove_role_not_in_profile(invoke: Any) -> None:
    create_role(invoke, "r")
    create_role(invoke, "other")
    create(invoke, "ip")
    add(invoke, "ip", "other")
    with pytest.raises(NoSuchEntity, match=r"^Role r in Instance Profile ip cannot be found\.$"):
        invoke("iam", "RemoveRoleFromInstanceProfile", {"InstanceProfileName": "ip", "RoleName": "r"})
    assert [r["RoleName"] for r in get(invoke, "ip")["Roles"]] == ["other"]


def test_delete_instance_profile(invoke: Any) -> None:
    create(invoke, "ip", Tags=[{"Key": "k", "Value": "v"}])
    assert invoke("iam", "DeleteInstanceProfile", {"InstanceProfileName": "IP"}) is None
    with pytest.raises(NoSuchEntity):
        get(invoke, "ip")
    assert get_after_create(invoke, "ip")["Tags"] == []  # the old tags went with the old profile


def get_after_create(invoke: Any, name: str) -> dict[str, Any]:
    create(invoke, name)
    return get(invoke, name)


def test_delete_instance_profile_with_role(invoke: Any) -> None:
    create_role(invoke, "r")
    create(invoke, "ip")
    add(invoke, "ip", "r")
    message = r"^Cannot delete entity, must remove roles from instance profile first\.$"
    with pytest.raises(DeleteConflict, match=message):
        invoke("iam", "DeleteInstanceProfile", {"InstanceProfileName": "ip"})
    assert [r["RoleName"] for r in get(invoke, "ip")["Roles"]] == ["r"]


def test_list_instance_profiles_pages(invoke: Any) -> None:
    create_role(invoke, "r")
    expected = sorted([f"Profile{i:02d}" if i % 3 else f"profile{i:02d}" for i in range(17)], key=str.lower)
    for name in reversed(expected):
        create(invoke, name, Tags=[{"Key": "k", "Value": "v"}])
    add(invoke, expected[6], "r")
    pages: list[list[dict[str, Any]]] = []
    params: dict[str, Any] = {"MaxItems": 6}
    while True:
        out = invoke("iam", "ListInstanceProfiles", params)
        pages.append(out["InstanceProfiles"])
        if not out["IsTruncated"]:
            break
        params = {"MaxItems": 6, "Marker": out["Marker"]}
    flat = sum(pages, [])
    assert [len(p) for p in pages] == [6, 6, 5]
    assert [p["InstanceProfileName"] for p in flat] == expected
    assert all("Tags" not in p for p in flat)
    assert [len(p["Roles"]) for p in flat] == [1 if i == 6 else 0 for i in range(17)]
    assert flat[6]["Roles"] == get(invoke, expected[6])["Roles"]
    assert flat[6]["Roles"][0]["RoleName"] == "r"


def test_list_instance_profiles_path_prefix(invoke: Any) -> None:
    create(invoke, "a", Path="/eng/")
    create(invoke, "b", Path="/eng/web/")
    create(invoke, "c")
    assert names(invoke, PathPrefix="/eng/") == ["a", "b"]
    assert names(invoke, PathPrefix="/eng/web/") == ["b"]
    assert names(invoke) == ["a", "b", "c"]


def test_instance_profile_tags(invoke: Any) -> None:
    create(invoke, "ip")
    invoke("iam", "TagInstanceProfile", {"InstanceProfileName": "ip", "Tags": [{"Key": "a", "Value": "1"}]})
    invoke("iam", "TagInstanceProfile", {"InstanceProfileName": "ip", "Tags": [{"Key": "b", "Value": "2"}]})
    assert invoke("iam", "ListInstanceProfileTags", {"InstanceProfileName": "ip"})["Tags"] == [
        {"Key": "a", "Value": "1"},
        {"Key": "b", "Value": "2"},
    ]
    invoke("iam", "UntagInstanceProfile", {"InstanceProfileName": "ip", "TagKeys": ["A"]})
    assert get(invoke, "ip")["Tags"] == [{"Key": "b", "Value": "2"}]
    # Every tag removed: GetInstanceProfile still answers Tags, empty, as AWS does.
    invoke("iam", "UntagInstanceProfile", {"InstanceProfileName": "ip", "TagKeys": ["b"]})
    assert get(invoke, "ip")["Tags"] == []


def test_deleting_a_role_frees_its_profiles(invoke: Any) -> None:
    create_role(invoke, "r")
    create(invoke, "ip")
    add(invoke, "ip", "r")
    invoke("iam", "RemoveRoleFromInstanceProfile", {"InstanceProfileName": "ip", "RoleName": "r"})
    invoke("iam", "DeleteRole", {"RoleName": "r"})
    assert get(invoke, "ip")["Roles"] == []
    invoke("iam", "DeleteInstanceProfile", {"InstanceProfileName": "ip"})
    assert names(invoke) == []
