"""Managed policies: create/get/delete, versions, ListPolicies over both sources, tags, AWS-managed ones."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

import pytest
from services_helpers import pages

from iamd.errors import AccessDenied, ValidationError
from iamd.services.accounts import create_account
from iamd.services.context import Caller
from iamd.services.iam import aws_managed, managed_policies, policy_versions
from iamd.services.iam.common import encode_marker, policy_size
from iamd.services.iam.errors import (
    DeleteConflict,
    EntityAlreadyExists,
    InvalidInput,
    LimitExceeded,
    MalformedPolicyDocument,
    NoSuchEntity,
)
from iamd.services.runtime import Runtime

AWS = "arn:aws:iam::aws:policy/"
WELL_KNOWN = [
    "AdministratorAccess",
    "PowerUserAccess",
    "ReadOnlyAccess",
    "IAMFullAccess",
    "IAMReadOnlyAccess",
    "IAMUserChangePassword",
    "AmazonS3ReadOnlyAccess",
    "AmazonS3FullAccess",
    "AmazonEC2ReadOnlyAccess",
]


def doc(action: str = "s3:GetObject", sid: str | None = None) -> str:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": "*"}
    if sid is not None:
        statement["Sid"] = sid
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, indent=2)


def doc_with_size(size: int) -> str:
    """A valid policy of exactly ``size`` non-white-space characters (indented: white space is free)."""
    filler = size - policy_size(doc(sid=""))
    out = doc(sid="A" * filler)
    assert policy_size(out) == size
    return out


def create(invoke: Any, name: str, **extra: Any) -> dict[str, Any]:
    return invoke("iam", "CreatePolicy", {"PolicyName": name, "PolicyDocument": doc(), **extra})["Policy"]


def get(invoke: Any, arn: str) -> dict[str, Any]:
    return invoke("iam", "GetPolicy", {"PolicyArn": arn})["Policy"]


def list_all(invoke: Any, **params: Any) -> list[str]:
    """Every page of ListPolicies, concatenated, as ARNs."""
    return [p["Arn"] for page in pages(invoke, "ListPolicies", params) for p in page["Policies"]]


@pytest.fixture
def other(runtime: Runtime) -> Caller:
    """The root of a second account, to show what an account sees of another's."""
    account_id = f"{random.randrange(10**11, 10**12):012d}"
    with runtime.store.begin() as conn:
        create_account(conn, runtime.secretbox, account_id, datetime.now(UTC))
    return Caller(account_id, f"arn:aws:iam::{account_id}:root", account_id, "root", "AKIAROOT")


# --- CreatePolicy / GetPolicy ---------------------------------------------------------------


def test_create_returns_the_policy(invoke: Any, account: str) -> None:
    tags = [{"Key": "team", "Value": "a"}]
    p = create(invoke, "Readers", Path="/app/", Description="read things", Tags=tags)
    assert p["PolicyName"] == "Readers"
    assert p["Arn"] == f"arn:aws:iam::{account}:policy/app/Readers"
    assert p["PolicyId"].startswith("ANPA") and len(p["PolicyId"]) == 21
    assert (p["Path"], p["DefaultVersionId"], p["Tags"]) == ("/app/", "v1", tags)
    assert "Description" not in p  # AWS does not echo it; GetPolicy shows it
    assert (p["AttachmentCount"], p["PermissionsBoundaryUsageCount"], p["IsAttachable"]) == (0, 0, True)
    assert p["CreateDate"] == p["UpdateDate"]
    assert get(invoke, p["Arn"]) == {**p, "Description": "read things"}


def test_names_are_unique_case_insensitively(invoke: Any) -> None:
    create(invoke, "Readers")
    message = "^A policy called readers already exists. Duplicate names are not allowed.$"
    with pytest.raises(EntityAlreadyExists, match=message):
        create(invoke, "readers", Path="/other/")


def test_malformed_document_creates_nothing(invoke: Any) -> None:
    with pytest.raises(MalformedPolicyDocument):
        invoke("iam", "CreatePolicy", {"PolicyName": "Bad", "PolicyDocument": '{"Statement": 1}'})
    assert list_all(invoke, Scope="Local") == []


def test_size_quota_counts_non_white_space(invoke: Any) -> None:
    invoke("iam", "CreatePolicy", {"PolicyName": "Max", "PolicyDocument": doc_with_size(6144)})
    with pytest.raises(LimitExceeded, match="^Cannot exceed quota for PolicySize: 6144$"):
        invoke("iam", "CreatePolicy", {"PolicyName": "Over", "PolicyDocument": doc_with_size(6145)})


def test_account_quota(invoke: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(managed_policies, "POLICIES_QUOTA", 2)
    create(invoke, "One")
    create(invoke, "Two")
    with pytest.raises(LimitExceeded, match="^Cannot exceed quota for PoliciesPerAccount: 2$"):
        create(invoke, "Three")


@pytest.mark.parametrize(
    ("arn", "error", "message"),
    [
        (
            "arn:aws:iam::{account}:policy/Nope",
            NoSuchEntity,
            "Policy arn:aws:iam::{account}:policy/Nope was not found.",
        ),
        ("arn:aws:iam::{account}:policy/x/Mine", NoSuchEntity, "was not found"),
        (AWS + "NoSuchAwsPolicy", NoSuchEntity, "was not found"),
        ("Mine", InvalidInput, "ARN Mine is not valid."),
    ],
)
def test_get_unknown(invoke: Any, account: str, arn: str, error: type, message: str) -> None:
    create(invoke, "Mine")
    with pytest.raises(error, match=message.format(account=account)):
        get(invoke, arn.format(account=account))


def test_another_accounts_policy_is_not_found(invoke: Any, other: Caller) -> None:
    arn = create(invoke, "Mine")["Arn"]
    with pytest.raises(NoSuchEntity):
        invoke("iam", "GetPolicy", {"PolicyArn": arn}, caller=other)


@pytest.mark.parametrize("name", WELL_KNOWN)
def test_well_known_aws_policies(invoke: Any, name: str) -> None:
    p = get(invoke, AWS + name)
    assert (p["PolicyName"], p["Arn"], p["IsAttachable"], p["AttachmentCount"]) == (name, AWS + name, True, 0)
    assert p["PolicyId"].startswith("ANPA")
    version = invoke("iam", "GetPolicyVersion", {"PolicyArn": AWS + name, "VersionId": p["DefaultVersionId"]})
    assert json.loads(unquote(version["PolicyVersion"]["Document"])) == json.loads(
        aws_managed.get(AWS + name).document  # type: ignore[union-attr]
    )


def test_attachment_counts_are_per_account(invoke: Any, other: Caller) -> None:
    invoke("iam", "CreateUser", {"UserName": "u"})
    invoke("iam", "AttachUserPolicy", {"UserName": "u", "PolicyArn": AWS + "ReadOnlyAccess"})
    assert get(invoke, AWS + "ReadOnlyAccess")["AttachmentCount"] == 1
    theirs = invoke("iam", "GetPolicy", {"PolicyArn": AWS + "ReadOnlyAccess"}, caller=other)["Policy"]
    assert theirs["AttachmentCount"] == 0


def test_boundary_usage_count(invoke: Any) -> None:
    arn = create(invoke, "Fence")["Arn"]
    invoke("iam", "CreateUser", {"UserName": "u", "PermissionsBoundary": arn})
    assert get(invoke, arn)["PermissionsBoundaryUsageCount"] == 1


# --- DeletePolicy -----------------------------------------------------------------------------


def test_delete(invoke: Any) -> None:
    arn = create(invoke, "Gone", Tags=[{"Key": "k", "Value": "v"}])["Arn"]
    invoke("iam", "DeletePolicy", {"PolicyArn": arn})
    with pytest.raises(NoSuchEntity):
        get(invoke, arn)
    assert create(invoke, "Gone")["Arn"] == arn
    assert invoke("iam", "ListPolicyTags", {"PolicyArn": arn})["Tags"] == []


def test_delete_refused_while_in_use(invoke: Any) -> None:
    arn = create(invoke, "Used")["Arn"]
    invoke("iam", "CreateUser", {"UserName": "u"})
    invoke("iam", "AttachUserPolicy", {"UserName": "u", "PolicyArn": arn})
    with pytest.raises(DeleteConflict, match="^Cannot delete a policy attached to entities.$"):
        invoke("iam", "DeletePolicy", {"PolicyArn": arn})
    invoke("iam", "DetachUserPolicy", {"UserName": "u", "PolicyArn": arn})
    invoke("iam", "PutUserPermissionsBoundary", {"UserName": "u", "PermissionsBoundary": arn})
    with pytest.raises(DeleteConflict):
        invoke("iam", "DeletePolicy", {"PolicyArn": arn})
    assert get(invoke, arn)["PermissionsBoundaryUsageCount"] == 1


def test_delete_refused_with_other_versions(invoke: Any) -> None:
    arn = create(invoke, "Versioned")["Arn"]
    invoke("iam", "CreatePolicyVersion", {"PolicyArn": arn, "PolicyDocument": doc("s3:PutObject")})
    with pytest.raises(DeleteConflict, match="^This policy has more than one version. Before you delete"):
        invoke("iam", "DeletePolicy", {"PolicyArn": arn})
    invoke("iam", "DeletePolicyVersion", {"PolicyArn": arn, "VersionId": "v2"})
    invoke("iam", "DeletePolicy", {"PolicyArn": arn})


@pytest.mark.parametrize(
    ("action", "extra"),
    [
        ("DeletePolicy", {}),
        ("CreatePolicyVersion", {"PolicyDocument": doc()}),
        ("SetDefaultPolicyVersion", {"VersionId": "v1"}),
        ("DeletePolicyVersion", {"VersionId": "v1"}),
        ("TagPolicy", {"Tags": [{"Key": "k", "Value": "v"}]}),
        ("UntagPolicy", {"TagKeys": ["k"]}),
    ],
)
def test_aws_managed_policies_cannot_change(
    invoke: Any, account: str, action: str, extra: dict[str, Any]
) -> None:
    arn = AWS + "ReadOnlyAccess"
    before = get(invoke, arn)
    message = f"^User: arn:aws:iam::{account}:root is not authorized to perform: iam:{action} on resource: policy {arn}$"
    with pytest.raises(AccessDenied, match=message):
        invoke("iam", action, {"PolicyArn": arn, **extra})
    assert get(invoke, arn) == before


# --- versions ---------------------------------------------------------------------------------


def version_ids(invoke: Any, arn: str) -> list[tuple[str, bool]]:
    versions = invoke("iam", "ListPolicyVersions", {"PolicyArn": arn})["Versions"]
    return [(v["VersionId"], v["IsDefaultVersion"]) for v in versions]


def test_versions_lifecycle(invoke: Any) -> None:
    arn = create(invoke, "Evolving")["Arn"]
    created = get(invoke, arn)["CreateDate"]
    v2 = invoke("iam", "CreatePolicyVersion", {"PolicyArn": arn, "PolicyDocument": doc("s3:PutObject")})
    assert (v2["PolicyVersion"]["VersionId"], v2["PolicyVersion"]["IsDefaultVersion"]) == ("v2", False)
    assert "Document" not in v2["PolicyVersion"]
    assert get(invoke, arn)["UpdateDate"] >= created
    invoke(
        "iam", "CreatePolicyVersion", {"PolicyArn": arn, "PolicyDocument": doc("s3:*"), "SetAsDefault": True}
    )
    assert get(invoke, arn)["DefaultVersionId"] == "v3"
    assert version_ids(invoke, arn) == [("v3", True), ("v2", False), ("v1", False)]
    got = invoke("iam", "GetPolicyVersion", {"PolicyArn": arn, "VersionId": "v2"})["PolicyVersion"]
    assert unquote(got["Document"]) == doc("s3:PutObject")
    invoke("iam", "SetDefaultPolicyVersion", {"PolicyArn": arn, "VersionId": "v1"})
    with pytest.raises(DeleteConflict, match="^Cannot delete the default version of a policy.$"):
        invoke("iam", "DeletePolicyVersion", {"PolicyArn": arn, "VersionId": "v1"})
    invoke("iam", "DeletePolicyVersion", {"PolicyArn": arn, "VersionId": "v3"})
    v4 = invoke("iam", "CreatePolicyVersion", {"PolicyArn": arn, "PolicyDocument": doc("s3:ListBucket")})
    assert v4["PolicyVersion"]["VersionId"] == "v4", "a deleted version id is never given out again"
    assert version_ids(invoke, arn) == [("v4", False), ("v2", False), ("v1", True)]


def test_version_quota(invoke: Any) -> None:
    arn = create(invoke, "Full")["Arn"]
    for i in range(4):
        invoke("iam", "CreatePolicyVersion", {"PolicyArn": arn, "PolicyDocument": doc(f"s3:Get{i}")})
    with pytest.raises(LimitExceeded, match="^A managed policy can have up to 5 versions. Before you create"):
        invoke("iam", "CreatePolicyVersion", {"PolicyArn": arn, "PolicyDocument": doc()})
    assert len(version_ids(invoke, arn)) == policy_versions.VERSIONS_QUOTA


def test_failed_version_changes_nothing(invoke: Any) -> None:
    arn = create(invoke, "Stable")["Arn"]
    before = get(invoke, arn)
    with pytest.raises(MalformedPolicyDocument):
        invoke("iam", "CreatePolicyVersion", {"PolicyArn": arn, "PolicyDocument": "{", "SetAsDefault": True})
    with pytest.raises(LimitExceeded):
        invoke("iam", "CreatePolicyVersion", {"PolicyArn": arn, "PolicyDocument": doc_with_size(6145)})
    assert get(invoke, arn) == before
    v = invoke("iam", "CreatePolicyVersion", {"PolicyArn": arn, "PolicyDocument": doc()})
    assert v["PolicyVersion"]["VersionId"] == "v2"


@pytest.mark.parametrize("action", ["GetPolicyVersion", "SetDefaultPolicyVersion", "DeletePolicyVersion"])
def test_unknown_version(invoke: Any, action: str) -> None:
    arn = create(invoke, "P")["Arn"]
    with pytest.raises(NoSuchEntity, match=f"^Policy {arn} version v9 does not exist or is not attachable.$"):
        invoke("iam", action, {"PolicyArn": arn, "VersionId": "v9"})


def test_aws_managed_versions(invoke: Any) -> None:
    arn = AWS + "AdministratorAccess"
    default = get(invoke, arn)["DefaultVersionId"]
    assert version_ids(invoke, arn) == [(default, True)]
    with pytest.raises(NoSuchEntity):
        invoke("iam", "GetPolicyVersion", {"PolicyArn": arn, "VersionId": "v999"})


# --- ListPolicies -----------------------------------------------------------------------------


def test_list_local_sorted_with_path_prefix(invoke: Any, account: str) -> None:
    for name, path in [("b", "/x/"), ("A", "/"), ("c", "/x/y/")]:
        create(invoke, name, Path=path)
    local = invoke("iam", "ListPolicies", {"Scope": "Local"})["Policies"]
    assert [p["PolicyName"] for p in local] == ["A", "b", "c"]
    assert all("Tags" not in p and "Description" not in p for p in local)
    assert [a.rsplit("/", 1)[1] for a in list_all(invoke, Scope="Local", PathPrefix="/x/")] == ["b", "c"]


def test_list_aws_scope(invoke: Any) -> None:
    arns = list_all(invoke, Scope="AWS", MaxItems=1000)
    assert len(arns) == len(aws_managed.catalogue())
    assert {AWS + n for n in WELL_KNOWN} <= set(arns)


def test_list_all_pages_cover_everything_once(invoke: Any) -> None:
    create(invoke, "ReadOnlyAccess")  # shares an AWS-managed policy's name
    create(invoke, "zzz")
    arns = list_all(invoke, MaxItems=400)
    assert len(arns) == len(set(arns)) == len(aws_managed.catalogue()) + 2
    names = [a.rsplit("/", 1)[1].lower() for a in arns]
    assert names == sorted(names)
    i = arns.index(AWS + "ReadOnlyAccess")
    assert arns[i + 1].endswith(":policy/ReadOnlyAccess"), "AWS before Local on the same name"


def test_pages_stay_consistent_while_policies_are_added(invoke: Any) -> None:
    for name in ["a1", "a3", "a5", "a7"]:
        create(invoke, name)
    first = invoke("iam", "ListPolicies", {"Scope": "Local", "MaxItems": 2})
    assert [p["PolicyName"] for p in first["Policies"]] == ["a1", "a3"]
    create(invoke, "a2")  # before the marker: not seen, nothing repeats
    create(invoke, "a4")  # after the marker: seen
    rest = invoke("iam", "ListPolicies", {"Scope": "Local", "Marker": first["Marker"]})
    assert [p["PolicyName"] for p in rest["Policies"]] == ["a4", "a5", "a7"]
    assert rest["IsTruncated"] is False


def test_only_attached_and_usage_filter(invoke: Any) -> None:
    attached = create(invoke, "Attached")["Arn"]
    fence = create(invoke, "Fence")["Arn"]
    create(invoke, "Idle")
    invoke("iam", "CreateUser", {"UserName": "u", "PermissionsBoundary": fence})
    invoke("iam", "AttachUserPolicy", {"UserName": "u", "PolicyArn": attached})
    invoke("iam", "AttachUserPolicy", {"UserName": "u", "PolicyArn": AWS + "IAMReadOnlyAccess"})
    assert list_all(invoke, OnlyAttached=True) == [attached, AWS + "IAMReadOnlyAccess"]
    assert list_all(invoke, Scope="Local", OnlyAttached=True) == [attached]
    assert list_all(invoke, Scope="AWS", PolicyUsageFilter="PermissionsPolicy") == [AWS + "IAMReadOnlyAccess"]
    assert list_all(invoke, PolicyUsageFilter="PermissionsBoundary") == [fence]


def test_bad_marker(invoke: Any) -> None:
    with pytest.raises(ValidationError):
        invoke("iam", "ListPolicies", {"Marker": encode_marker("no-separator")})


# --- tags -------------------------------------------------------------------------------------


def test_policy_tags(invoke: Any) -> None:
    arn = create(invoke, "Tagged", Tags=[{"Key": "a", "Value": "1"}])["Arn"]
    invoke("iam", "TagPolicy", {"PolicyArn": arn, "Tags": [{"Key": "b", "Value": "2"}]})
    invoke("iam", "UntagPolicy", {"PolicyArn": arn, "TagKeys": ["A"]})
    assert invoke("iam", "ListPolicyTags", {"PolicyArn": arn})["Tags"] == [{"Key": "b", "Value": "2"}]
    assert get(invoke, arn)["Tags"] == [{"Key": "b", "Value": "2"}]
    with pytest.raises(EntityAlreadyExists):
        create(invoke, "Tagged")
