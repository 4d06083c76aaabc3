"""CloudTrail LookupEvents over events recorded for the test's own account."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from iamd.audit.chain import DigestPolicy
from iamd.audit.recorder import Recorder
from iamd.errors import AwsError
from iamd.services import cloudtrail_errors
from iamd.services.runtime import Runtime

sys.path.insert(0, str(Path(__file__).parents[1] / "audit"))
from helpers import record, root, user  # noqa: E402

T = datetime(2025, 6, 1, 12, 0, 0, tzinfo=UTC)
MODEL = botocore.session.get_session().get_service_model("cloudtrail")


@pytest.fixture
def trail(runtime: Runtime, account: str) -> dict[str, Any]:
    """Twelve events one minute apart in the test's account, plus one in another account."""
    rec = Recorder(runtime.store, runtime.master_key, digest=DigestPolicy(every=1000), background=False)
    alice = user("alice", account, key="AKIAALICE0000000001")
    rows = [
        ("CreateUser", root(account), {"UserName": "bob"}, None, False),
        ("GetUser", alice, {"UserName": "bob"}, None, True),
        ("CreateAccessKey", root(account), {"UserName": "bob"}, None, False),
        ("ListUsers", alice, {}, ("AccessDenied", "not authorized"), True),
        ("CreateRole", root(account), {"RoleName": "ops", "AssumeRolePolicyDocument": "{}"}, None, False),
        ("GetRole", alice, {"RoleName": "ops"}, None, True),
        ("DeleteUser", alice, {"UserName": "bob"}, ("AccessDenied", "no"), False),
        ("GetCallerIdentity", alice, {}, None, True),
        (
            "ListUsers",
            None,
            {},
            ("InvalidClientTokenId", "The security token included in the request is invalid."),
            True,
        ),
        (
            "AttachRolePolicy",
            root(account),
            {"RoleName": "ops", "PolicyArn": "arn:aws:iam::aws:policy/P"},
            None,
            False,
        ),
        ("GetUser", alice, {}, None, True),
        ("ListRoles", alice, {}, None, True),
    ]
    with runtime.store.begin() as conn:
        for i, (op, caller, params, error, ro) in enumerate(rows):
            service = "sts" if op == "GetCallerIdentity" else "iam"
            rec.record_in_transaction(
                conn,
                record(
                    op,
                    caller,
                    service=service,
                    params=params,
                    read_only=ro,
                    error=error,
                    when=T + timedelta(minutes=i),
                    access_key_id=None if caller else "AKIAALICE0000000001",
                    account_id=account,
                ),
            )
        rec.record_in_transaction(
            conn, record("CreateUser", root("999988887777"), params={"UserName": "bob"})
        )
    return {"account": account}


def names(out: dict[str, Any]) -> list[str]:
    return [e["EventName"] for e in out["Events"]]


def test_newest_first_with_every_field(invoke: Any, trail: dict[str, Any]) -> None:
    out = invoke("cloudtrail", "LookupEvents", {})
    events = out["Events"]
    assert len(events) == 12 and "NextToken" not in out
    assert events[0]["EventName"] == "ListRoles" and events[-1]["EventName"] == "CreateUser"
    times = [e["EventTime"] for e in events]
    assert times == sorted(times, reverse=True)
    first = events[-1]
    assert first["ReadOnly"] == "false" and first["Username"] == "root"
    assert first["EventSource"] == "iam.amazonaws.com"
    assert first["Resources"] == [{"ResourceType": "AWS::IAM::User", "ResourceName": "bob"}]
    body = json.loads(first["CloudTrailEvent"])
    assert body["eventID"] == first["EventId"] and body["recipientAccountId"] == trail["account"]
    shape = MODEL.operation_model("LookupEvents").output_shape.members["Events"].member
    assert set(first) <= set(shape.members)


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("EventName", "GetUser", ["GetUser", "GetUser"]),
        (
            "ReadOnly",
            "false",
            ["AttachRolePolicy", "DeleteUser", "CreateRole", "CreateAccessKey", "CreateUser"],
        ),
        ("Username", "root", ["AttachRolePolicy", "CreateRole", "CreateAccessKey", "CreateUser"]),
        ("EventSource", "sts.amazonaws.com", ["GetCallerIdentity"]),
        ("ResourceType", "AWS::IAM::Role", ["AttachRolePolicy", "GetRole", "CreateRole"]),
        ("ResourceName", "bob", ["DeleteUser", "CreateAccessKey", "GetUser", "CreateUser"]),
        ("ResourceType", "AWS::IAM::Policy", ["AttachRolePolicy"]),
    ],
)
def test_each_attribute(
    invoke: Any, trail: dict[str, Any], key: str, value: str, expected: list[str]
) -> None:
    attrs = [{"AttributeKey": key, "AttributeValue": value}]
    assert names(invoke("cloudtrail", "LookupEvents", {"LookupAttributes": attrs})) == expected


def test_access_key_lookup_includes_failures(invoke: Any, trail: dict[str, Any]) -> None:
    attrs = [{"AttributeKey": "AccessKeyId", "AttributeValue": "AKIAALICE0000000001"}]
    events = invoke("cloudtrail", "LookupEvents", {"LookupAttributes": attrs})["Events"]
    assert len(events) == 8
    codes = [json.loads(e["CloudTrailEvent"]).get("errorCode") for e in events]
    assert codes.count("AccessDenied") == 2 and codes.count("InvalidClientTokenId") == 1


def test_event_id(invoke: Any, trail: dict[str, Any]) -> None:
    some = invoke("cloudtrail", "LookupEvents", {})["Events"][5]
    attrs = [{"AttributeKey": "EventId", "AttributeValue": some["EventId"]}]
    assert invoke("cloudtrail", "LookupEvents", {"LookupAttributes": attrs})["Events"] == [some]


def test_time_window_is_inclusive(invoke: Any, trail: dict[str, Any]) -> None:
    out = invoke(
        "cloudtrail",
        "LookupEvents",
        {"StartTime": T + timedelta(minutes=2), "EndTime": T + timedelta(minutes=4)},
    )
    assert names(out) == ["CreateRole", "ListUsers", "CreateAccessKey"]
    assert [e["EventTime"] for e in out["Events"]] == [T + timedelta(minutes=m) for m in (4, 3, 2)]
    naive = invoke(
        "cloudtrail", "LookupEvents", {"StartTime": (T + timedelta(minutes=11)).replace(tzinfo=None)}
    )
    assert names(naive) == ["ListRoles"]


def test_pagination_is_stable(invoke: Any, trail: dict[str, Any], runtime: Runtime) -> None:
    seen: list[str] = []
    params: dict[str, Any] = {"MaxResults": 5}
    pages = 0
    while True:
        out = invoke("cloudtrail", "LookupEvents", params)
        pages += 1
        seen += [e["EventId"] for e in out["Events"]]
        if pages == 1:  # a new event arrives between pages: it is newer, so later pages do not shift
            rec = Recorder(runtime.store, runtime.master_key, background=False)
            with runtime.store.begin() as conn:
                rec.record_in_transaction(
                    conn, record("GetUser", root(trail["account"]), when=T + timedelta(hours=1))
                )
        if "NextToken" not in out:
            break
        params = {"MaxResults": 5, "NextToken": out["NextToken"]}
    assert pages == 3 and len(seen) == 12 == len(set(seen))


@pytest.mark.parametrize(
    ("params", "error"),
    [
        (
            {
                "LookupAttributes": [
                    {"AttributeKey": "EventName", "AttributeValue": "GetUser"},
                    {"AttributeKey": "Username", "AttributeValue": "root"},
                ]
            },
            cloudtrail_errors.InvalidLookupAttributesException,
        ),
        (
            {"LookupAttributes": [{"AttributeKey": "Nope", "AttributeValue": "x"}]},
            cloudtrail_errors.InvalidLookupAttributesException,
        ),
        ({"StartTime": T, "EndTime": T - timedelta(seconds=1)}, cloudtrail_errors.InvalidTimeRangeException),
        ({"MaxResults": 51}, cloudtrail_errors.InvalidMaxResultsException),
        ({"MaxResults": 0}, cloudtrail_errors.InvalidMaxResultsException),
        ({"NextToken": "garbage"}, cloudtrail_errors.InvalidNextTokenException),
        ({"EventCategory": "bogus"}, cloudtrail_errors.InvalidEventCategoryException),
    ],
)
def test_errors(invoke: Any, trail: dict[str, Any], params: dict[str, Any], error: type[AwsError]) -> None:
    with pytest.raises(error):
        invoke("cloudtrail", "LookupEvents", params)


def test_token_bound_to_its_query(invoke: Any, trail: dict[str, Any]) -> None:
    token = invoke("cloudtrail", "LookupEvents", {"MaxResults": 2})["NextToken"]
    attrs = [{"AttributeKey": "Username", "AttributeValue": "root"}]
    with pytest.raises(cloudtrail_errors.InvalidNextTokenException):
        invoke("cloudtrail", "LookupEvents", {"NextToken": token, "LookupAttributes": attrs})
    body, _, mac = token.rpartition(".")
    with pytest.raises(cloudtrail_errors.InvalidNextTokenException):
        invoke("cloudtrail", "LookupEvents", {"NextToken": body + "." + "0" * len(mac)})


def test_only_the_callers_account(invoke: Any, trail: dict[str, Any]) -> None:
    events = invoke("cloudtrail", "LookupEvents", {})["Events"]
    assert all(json.loads(e["CloudTrailEvent"])["recipientAccountId"] == trail["account"] for e in events)
    other = invoke("cloudtrail", "LookupEvents", {}, caller=root("999988887777"))["Events"]
    assert [json.loads(e["CloudTrailEvent"])["recipientAccountId"] for e in other] == ["999988887777"] * len(
        other
    )


def test_insight_category_is_empty(invoke: Any, trail: dict[str, Any]) -> None:
    assert invoke("cloudtrail", "LookupEvents", {"EventCategory": "insight"}) == {"Events": []}


@pytest.mark.parametrize("shape_name", sorted(cloudtrail_errors.BY_SHAPE))
def test_error_matches_model(shape_name: str) -> None:
    shape = MODEL.shape_for(shape_name)
    cls = cloudtrail_errors.BY_SHAPE[shape_name]
    assert shape.metadata.get("exception") is True
    assert cls.code == shape_name
    assert cls.status == shape.metadata.get("error", {}).get("httpStatusCode", 400)
    assert cls.sender_fault is True


def test_lookup_events_errors_are_all_defined() -> None:
    op = MODEL.operation_model("LookupEvents")
    assert {e.name for e in op.error_shapes} <= set(cloudtrail_errors.BY_SHAPE)
