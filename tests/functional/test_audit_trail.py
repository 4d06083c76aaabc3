"""The audit trail, black-box: every call becomes a CloudTrail event that LookupEvents finds.

Read-only and failed calls are written in batches (at most ~0.5 s late), so tests poll LookupEvents
for a bounded time instead of sleeping; changes are written in their own transaction and must be
visible as soon as the call returns. Events carry second-resolution ``eventTime``s, so where a test
checks "newest first" it moves the server clock between calls (``set_clock_offset``) to give each
call its own second.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from botocore.exceptions import ClientError

from iamd.testing import IamdServer

HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(*actions: str) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": list(actions), "Resource": "*"}


def user_with_key(iam: Any, name: str, document: dict[str, Any] | str | None = None) -> dict[str, Any]:
    iam.create_user(UserName=name)
    if document is not None:
        text = document if isinstance(document, str) else json.dumps(document)
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=text)
    key: dict[str, Any] = iam.create_access_key(UserName=name)["AccessKey"]
    return key


def as_key(server: IamdServer, service: str, key: dict[str, Any]) -> Any:
    kw = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
    if "SessionToken" in key:
        kw["aws_session_token"] = key["SessionToken"]
    return server.client(service, **kw)


def lookup(ct: Any, attribute: tuple[str, str] | None = None, **kw: Any) -> list[dict[str, Any]]:
    """Every matching event, through boto3's paginator, newest first."""
    if attribute is not None:
        kw["LookupAttributes"] = [{"AttributeKey": attribute[0], "AttributeValue": attribute[1]}]
    events: list[dict[str, Any]] = []
    for page in ct.get_paginator("lookup_events").paginate(**kw):
        events.extend(page["Events"])
    return events


def wait_for(
    ct: Any,
    attribute: tuple[str, str] | None,
    done: Callable[[list[dict[str, Any]]], bool],
    timeout: float = 3.0,
    **kw: Any,
) -> list[dict[str, Any]]:
    """Poll LookupEvents until ``done(events)``; the last result either way (the assertion follows)."""
    for _ in range(max(1, round(timeout / 0.1))):
        events = lookup(ct, attribute, **kw)
        if done(events):
            break
        time.sleep(0.1)
    return events


def record(event: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(event["CloudTrailEvent"])
    return out


def records(events: list[dict[str, Any]], service_calls_only: bool = True) -> list[dict[str, Any]]:
    """The CloudTrail records, without the test's own LookupEvents polling when asked."""
    out = [record(e) for e in events]
    return [r for r in out if not (service_calls_only and r["eventName"] == "LookupEvents")]


def names(events: list[dict[str, Any]]) -> list[str]:
    return [r["eventName"] for r in records(events)]


def total(ct: Any, n: int, attribute: tuple[str, str] | None = None, **kw: Any) -> list[dict[str, Any]]:
    """Wait until at least ``n`` non-LookupEvents events match."""
    return wait_for(ct, attribute, lambda evs: len(records(evs)) >= n, **kw)


# --- the seed's incident response -----------------------------------------------------------


def test_incident_response_lookup_by_access_key(
    server: IamdServer, iam: Any, aws: Any, error_of: Any
) -> None:
    key = user_with_key(
        iam,
        "suspect",
        policy(
            allow("iam:GetUser", "iam:ListUsers", "iam:TagUser"),
            {"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"},
        ),
    )
    kid = key["AccessKeyId"]
    s_iam, s_sts = as_key(server, "iam", key), as_key(server, "sts", key)
    step = iter(range(2, 100, 2))

    def at_next_second() -> None:
        server.set_clock_offset(next(step))

    calls: list[tuple[str, str | None]] = []
    at_next_second()
    s_iam.get_user()
    calls.append(("GetUser", None))
    at_next_second()
    assert error_of(s_iam.create_user, UserName="backdoor")["Code"] == "AccessDenied"
    calls.append(("CreateUser", "AccessDenied"))
    at_next_second()
    s_iam.tag_user(UserName="suspect", Tags=[{"Key": "k", "Value": "v"}])
    calls.append(("TagUser", None))
    at_next_second()
    assert error_of(s_iam.list_roles)["Code"] == "AccessDenied"
    calls.append(("ListRoles", "AccessDenied"))
    at_next_second()
    s_iam.list_users()
    calls.append(("ListUsers", None))
    at_next_second()
    iam.update_access_key(UserName="suspect", AccessKeyId=kid, Status="Inactive")  # root responds
    at_next_second()
    assert error_of(s_iam.list_users)["Code"] == "InvalidClientTokenId"
    calls.append(("ListUsers", "InvalidClientTokenId"))
    at_next_second()
    assert error_of(s_sts.get_caller_identity)["Code"] == "InvalidClientTokenId"
    calls.append(("GetCallerIdentity", "InvalidClientTokenId"))

    ct = server.client("cloudtrail")
    total(ct, len(calls), ("AccessKeyId", kid))
    out = aws(
        "cloudtrail", "lookup-events", "--lookup-attributes", f"AttributeKey=AccessKeyId,AttributeValue={kid}"
    )
    got = [record(e) for e in out["Events"]]
    expected = list(reversed(calls))
    assert [r.get("errorCode") for r in got] == [code for _, code in expected]
    # Failed authentications with the (now inactive) key are recorded under its user too, as
    # CloudTrail records a failed authentication with a key it knows.
    assert {r["userIdentity"]["type"] for r in got} == {"IAMUser"}
    times = [r["eventTime"] for r in got]
    assert times == sorted(times, reverse=True) and len(set(times)) == len(times)
    for r in got:
        assert r["userIdentity"]["accessKeyId"] == kid
        assert r["recipientAccountId"] == server.account_id
        assert r["userIdentity"]["userName"] == "suspect"
        assert r["userIdentity"]["arn"] == f"arn:aws:iam::{server.account_id}:user/suspect"
        if r.get("errorCode") == "InvalidClientTokenId":
            assert r["errorMessage"] == "The security token included in the request is invalid."
    sources = [r["eventSource"] for r in got[:2]]
    assert sources == ["sts.amazonaws.com", "iam.amazonaws.com"]
    # The CLI's own summary fields agree with the records.
    assert [e["EventId"] for e in out["Events"]] == [r["eventID"] for r in got]
    assert all(e["AccessKeyId"] == kid for e in out["Events"])


def test_failed_authentication_names_the_call(server: IamdServer, iam: Any, error_of: Any) -> None:
    key = user_with_key(iam, "gone")
    iam.update_access_key(UserName="gone", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    assert error_of(as_key(server, "iam", key).create_group, GroupName="g")["Code"] == "InvalidClientTokenId"
    ct = server.client("cloudtrail")
    got = records(total(ct, 1, ("AccessKeyId", key["AccessKeyId"])))
    assert [(r["eventName"], r["readOnly"]) for r in got] == [("CreateGroup", False)]


# --- lookup attributes, time windows, pagination, errors -------------------------------------


def test_every_lookup_attribute(server: IamdServer, iam: Any) -> None:
    key = user_with_key(iam, "alice", ALLOW_ALL)
    iam.create_group(GroupName="auditors")
    iam.add_user_to_group(GroupName="auditors", UserName="alice")
    a_iam, a_sts = as_key(server, "iam", key), as_key(server, "sts", key)
    a_iam.get_user()
    a_iam.list_groups()
    a_sts.get_caller_identity()
    a_iam.create_user(UserName="carol")
    ct = server.client("cloudtrail")
    everything = total(ct, 9)
    assert sorted(names(everything)) == sorted(
        [
            "CreateUser",
            "PutUserPolicy",
            "CreateAccessKey",
            "CreateGroup",
            "AddUserToGroup",  # root
            "GetUser",
            "ListGroups",
            "GetCallerIdentity",
            "CreateUser",  # alice
        ]
    )

    def found(attribute: tuple[str, str]) -> list[str]:
        return sorted(names(lookup(ct, attribute)))

    one = next(r for r in records(everything) if r["eventName"] == "GetCallerIdentity")
    table: list[tuple[tuple[str, str], list[str]]] = [
        (("EventId", one["eventID"]), ["GetCallerIdentity"]),
        (("EventName", "CreateUser"), ["CreateUser", "CreateUser"]),
        (("ReadOnly", "true"), ["GetCallerIdentity", "GetUser", "ListGroups"]),
        (
            ("ReadOnly", "false"),
            sorted(
                [
                    "AddUserToGroup",
                    "CreateAccessKey",
                    "CreateGroup",
                    "CreateUser",
                    "CreateUser",
                    "PutUserPolicy",
                ]
            ),
        ),
        (("Username", "alice"), ["CreateUser", "GetCallerIdentity", "GetUser", "ListGroups"]),
        (
            ("Username", "root"),
            sorted(["AddUserToGroup", "CreateAccessKey", "CreateGroup", "CreateUser", "PutUserPolicy"]),
        ),
        (("ResourceType", "AWS::IAM::Group"), ["AddUserToGroup", "CreateGroup"]),
        (("ResourceName", "auditors"), ["AddUserToGroup", "CreateGroup"]),
        (("ResourceName", "carol"), ["CreateUser"]),
        (("ResourceType", "AWS::IAM::AccessKey"), ["CreateAccessKey"]),
        (("EventSource", "sts.amazonaws.com"), ["GetCallerIdentity"]),
        (
            ("EventSource", "iam.amazonaws.com"),
            sorted(n for n in names(everything) if n != "GetCallerIdentity"),
        ),
        (("AccessKeyId", key["AccessKeyId"]), ["CreateUser", "GetCallerIdentity", "GetUser", "ListGroups"]),
        (("Username", "nobody"), []),
    ]
    for attribute, expected in table:
        assert found(attribute) == expected, attribute
    by_name = lookup(ct, ("EventName", "CreateUser"))
    assert {r["requestParameters"]["userName"] for r in records(by_name)} == {"alice", "carol"}
    carol = next(e for e in by_name if record(e)["requestParameters"]["userName"] == "carol")
    assert carol["Username"] == "alice" and carol["AccessKeyId"] == key["AccessKeyId"]
    assert carol["EventSource"] == "iam.amazonaws.com" and carol["ReadOnly"] == "false"
    assert {"ResourceType": "AWS::IAM::User", "ResourceName": "carol"} in carol["Resources"]
    assert all(record(e)["readOnly"] is True for e in lookup(ct, ("ReadOnly", "true")))


def test_time_windows(server: IamdServer, iam: Any) -> None:
    now = datetime.now(UTC)
    for name, hours_ago in (("w-old", 3), ("w-mid", 2), ("w-new", 0)):
        server.set_clock_offset(-3600 * hours_ago)
        iam.create_user(UserName=name)
    server.set_clock_offset(0)
    ct = server.client("cloudtrail")

    def window(**kw: Any) -> list[str]:
        return [
            record(e)["requestParameters"]["userName"] for e in lookup(ct, ("EventName", "CreateUser"), **kw)
        ]

    h = timedelta(hours=1)
    assert window() == ["w-new", "w-mid", "w-old"]
    assert window(StartTime=now - 2.5 * h) == ["w-new", "w-mid"]
    assert window(EndTime=now - 1.5 * h) == ["w-mid", "w-old"]
    assert window(StartTime=now - 4 * h, EndTime=now - 2.5 * h) == ["w-old"]
    assert window(StartTime=now - 2.5 * h, EndTime=now - 1.5 * h) == ["w-mid"]
    assert window(StartTime=now + h) == []
    mid = next(e for e in lookup(ct, ("ResourceName", "w-mid")))
    assert window(StartTime=mid["EventTime"], EndTime=mid["EventTime"]) == ["w-mid"]  # bounds are inclusive
    # Resource lookups honour the window as well.
    assert [
        e["EventName"] for e in lookup(ct, ("ResourceType", "AWS::IAM::User"), EndTime=now - 2.5 * h)
    ] == ["CreateUser"]


def test_pagination_has_no_repeats_or_gaps(server: IamdServer, iam: Any) -> None:
    for i in range(23):
        iam.create_user(UserName=f"page-{i:02d}")
    ct = server.client("cloudtrail")
    attribute = [{"AttributeKey": "EventName", "AttributeValue": "CreateUser"}]
    whole = ct.lookup_events(LookupAttributes=attribute, MaxResults=50)["Events"]
    assert len(whole) == 23
    pages = list(
        ct.get_paginator("lookup_events").paginate(
            LookupAttributes=attribute, PaginationConfig={"PageSize": 5}
        )
    )
    assert [len(p["Events"]) for p in pages] == [5, 5, 5, 5, 3]
    paged = [e["EventId"] for p in pages for e in p["Events"]]
    assert paged == [e["EventId"] for e in whole]
    created = [record(e)["requestParameters"]["userName"] for e in whole]
    assert sorted(created) == [f"page-{i:02d}" for i in range(23)]

    # New events arriving between pages only add to the front: the rest of the walk is unchanged.
    first = ct.lookup_events(LookupAttributes=attribute, MaxResults=10)
    for i in range(3):
        iam.create_user(UserName=f"late-{i}")
    rest = ct.lookup_events(LookupAttributes=attribute, MaxResults=50, NextToken=first["NextToken"])
    assert "NextToken" not in rest
    assert [e["EventId"] for e in first["Events"] + rest["Events"]] == paged

    # Without an attribute too, through the whole trail (the polls themselves add events in front).
    everything = [e["EventId"] for e in lookup(ct, PaginationConfig={"PageSize": 7})]
    assert len(everything) == len(set(everything)) >= 26


def test_lookup_errors(server: IamdServer, error_of: Any) -> None:
    ct = server.client("cloudtrail")
    two = [
        {"AttributeKey": "EventName", "AttributeValue": "CreateUser"},
        {"AttributeKey": "Username", "AttributeValue": "root"},
    ]
    now = datetime.now(UTC)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"LookupAttributes": two}, "InvalidLookupAttributesException"),
        (
            {"LookupAttributes": [{"AttributeKey": "Bogus", "AttributeValue": "x"}]},
            "ValidationException",
        ),  # enum
        ({"StartTime": now, "EndTime": now - timedelta(hours=1)}, "InvalidTimeRangeException"),
        ({"NextToken": "not-a-token"}, "InvalidNextTokenException"),
        ({"NextToken": "eyJ4IjoxfQ.0123456789abcdef0123456789abcdef"}, "InvalidNextTokenException"),
        ({"MaxResults": 51}, "ValidationException"),  # the model bounds it: 1..50
    ]
    for params, code in cases:
        err = error_of(ct.lookup_events, **params)
        assert (err["Code"], err["HTTPStatus"]) == (code, 400), params

    iam = server.client("iam")
    for i in range(3):
        iam.create_user(UserName=f"e{i}")
    token = ct.lookup_events(MaxResults=1)["NextToken"]
    assert ct.lookup_events(MaxResults=1, NextToken=token)["Events"]
    other = [{"AttributeKey": "EventName", "AttributeValue": "CreateUser"}]
    assert (
        error_of(ct.lookup_events, LookupAttributes=other, NextToken=token)["Code"]
        == "InvalidNextTokenException"
    )
    tampered = token[:-1] + ("0" if token[-1] != "0" else "1")
    assert error_of(ct.lookup_events, NextToken=tampered)["Code"] == "InvalidNextTokenException"


# --- record shapes -----------------------------------------------------------------------------


def _one(ct: Any, attribute: tuple[str, str], name: str) -> dict[str, Any]:
    def named(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [r for r in records(events, service_calls_only=False) if r["eventName"] == name]

    got = named(wait_for(ct, attribute, lambda evs: bool(named(evs))))
    assert len(got) == 1, got
    return got[0]


def test_record_of_root_and_iam_user(server: IamdServer, iam: Any) -> None:
    acct = server.account_id
    response = iam.create_user(UserName="shape", Path="/ops/")
    ct = server.client("cloudtrail")
    rec = _one(ct, ("EventName", "CreateUser"), "CreateUser")
    assert rec["userIdentity"] == {
        "type": "Root",
        "principalId": acct,
        "arn": f"arn:aws:iam::{acct}:root",
        "accountId": acct,
        "accessKeyId": server.access_key_id,
    }
    assert rec["eventVersion"] == "1.08"
    assert (rec["eventSource"], rec["eventName"], rec["awsRegion"]) == (
        "iam.amazonaws.com",
        "CreateUser",
        "us-east-1",
    )
    assert rec["requestParameters"] == {"userName": "shape", "path": "/ops/"}
    assert rec["responseElements"]["user"]["userId"] == response["User"]["UserId"]
    assert rec["responseElements"]["user"]["arn"] == f"arn:aws:iam::{acct}:user/ops/shape"
    assert rec["requestID"] == response["ResponseMetadata"]["RequestId"]
    assert (rec["readOnly"], rec["eventType"], rec["managementEvent"]) == (False, "AwsApiCall", True)
    assert rec["recipientAccountId"] == acct and rec["sourceIPAddress"] == "127.0.0.1"
    assert rec["userAgent"].startswith("Boto3/")
    assert "errorCode" not in rec and "errorMessage" not in rec
    datetime.strptime(rec["eventTime"], "%Y-%m-%dT%H:%M:%SZ")

    key = iam.create_access_key(UserName="shape")["AccessKey"]
    with pytest.raises(ClientError, match="AccessDenied"):
        as_key(server, "iam", key).list_users()
    rec = _one(ct, ("AccessKeyId", key["AccessKeyId"]), "ListUsers")
    assert rec["userIdentity"] == {
        "type": "IAMUser",
        "principalId": response["User"]["UserId"],
        "arn": f"arn:aws:iam::{acct}:user/ops/shape",
        "accountId": acct,
        "accessKeyId": key["AccessKeyId"],
        "userName": "shape",
    }
    assert rec["errorCode"] == "AccessDenied" and "iam:ListUsers" in rec["errorMessage"]
    assert rec["readOnly"] is True and rec["responseElements"] is None


def _mfa_user(server: IamdServer, iam: Any, name: str) -> tuple[dict[str, Any], str, str]:
    key = user_with_key(iam, name, policy(allow("sts:AssumeRole", "sts:GetFederationToken")))
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
    seed, serial = device["Base32StringSeed"].decode(), device["SerialNumber"]
    totp = pyotp.TOTP(seed)
    iam.enable_mfa_device(
        UserName=name,
        SerialNumber=serial,
        AuthenticationCode1=totp.at(time.time() - 30),
        AuthenticationCode2=totp.at(time.time()),
    )
    return key, serial, totp.at(time.time() + 30)


def test_record_of_assumed_role_and_federated_user(server: IamdServer, iam: Any) -> None:
    acct = server.account_id
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{acct}:root"}, "Action": "sts:AssumeRole"}
        ],
    }
    role = iam.create_role(RoleName="ops", Path="/team/", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    key, serial, code = _mfa_user(server, iam, "dana")
    user_id = iam.get_user(UserName="dana")["User"]["UserId"]
    sts = as_key(server, "sts", key)
    before = datetime.now(UTC).replace(microsecond=0)
    with_mfa = sts.assume_role(
        RoleArn=role["Arn"], RoleSessionName="mfa-sess", SerialNumber=serial, TokenCode=code
    )["Credentials"]
    plain = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="plain-sess")["Credentials"]
    fed = sts.get_federation_token(Name="fedname")["Credentials"]
    for creds in (with_mfa, plain, fed):
        as_key(server, "sts", creds).get_caller_identity()
    ct = server.client("cloudtrail")

    for creds, session, mfa in ((with_mfa, "mfa-sess", "true"), (plain, "plain-sess", "false")):
        rec = _one(ct, ("AccessKeyId", creds["AccessKeyId"]), "GetCallerIdentity")
        ident = rec["userIdentity"]
        assert ident["type"] == "AssumedRole"
        assert ident["principalId"] == f"{role['RoleId']}:{session}"
        assert ident["arn"] == f"arn:aws:sts::{acct}:assumed-role/ops/{session}"
        assert (ident["accountId"], ident["accessKeyId"]) == (acct, creds["AccessKeyId"])
        assert "userName" not in ident
        ctx = ident["sessionContext"]
        assert ctx["sessionIssuer"] == {
            "type": "Role",
            "principalId": role["RoleId"],
            "arn": role["Arn"],
            "accountId": acct,
            "userName": "ops",
        }
        assert ctx["attributes"]["mfaAuthenticated"] == mfa
        created = datetime.strptime(ctx["attributes"]["creationDate"], "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=UTC
        )
        assert before <= created <= datetime.now(UTC)
        assert creds["Expiration"] - created == timedelta(hours=1)
        assert rec["eventSource"] == "sts.amazonaws.com"
        found = lookup(ct, ("Username", session))
        assert [e["EventName"] for e in found] == ["GetCallerIdentity"]

    rec = _one(ct, ("AccessKeyId", fed["AccessKeyId"]), "GetCallerIdentity")
    ident = rec["userIdentity"]
    assert ident["type"] == "FederatedUser"
    assert ident["arn"] == f"arn:aws:sts::{acct}:federated-user/fedname"
    assert ident["principalId"] == f"{acct}:fedname"
    assert ident["sessionContext"]["sessionIssuer"] == {
        "type": "IAMUser",
        "principalId": user_id,
        "arn": f"arn:aws:iam::{acct}:user/dana",
        "accountId": acct,
        "userName": "dana",
    }
    assert ident["sessionContext"]["attributes"]["mfaAuthenticated"] == "false"

    # The AssumeRole calls themselves: by dana, naming the role and the session it created.
    assumes = [r for r in records(lookup(ct, ("EventName", "AssumeRole")))]
    assert [r["requestParameters"]["roleSessionName"] for r in assumes] == ["plain-sess", "mfa-sess"]
    for rec in assumes:
        assert rec["userIdentity"]["userName"] == "dana"
        assert rec["responseElements"]["credentials"]["sessionToken"] == HIDDEN
        assert rec["responseElements"]["assumedRoleUser"]["arn"].startswith(
            f"arn:aws:sts::{acct}:assumed-role/ops/"
        )
    resources = lookup(ct, ("EventName", "AssumeRole"))[0]["Resources"]
    assert {"ResourceType": "AWS::IAM::Role", "ResourceName": role["Arn"]} in resources


# --- accounts and authorization ----------------------------------------------------------------


def _cli(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "iamd.cli", *args], capture_output=True, text=True, timeout=60
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def _creds(output: str) -> dict[str, str]:
    pairs = dict(line.split("=", 1) for line in output.splitlines() if line.startswith("AWS_"))
    return {"AccessKeyId": pairs["AWS_ACCESS_KEY_ID"], "SecretAccessKey": pairs["AWS_SECRET_ACCESS_KEY"]}


@pytest.fixture
def data_server(tmp_path: Path) -> Iterator[IamdServer]:
    server = IamdServer(extra_args=["--data-dir", str(tmp_path / "data")])
    with server:
        yield server


def test_cross_account_assume_role_is_recorded_in_both_accounts(
    data_server: IamdServer, tmp_path: Path
) -> None:
    a = data_server
    b_id = "210987654321"
    b_root = _creds(
        _cli("account", "create", "--data-dir", str(tmp_path / "data"), "--new-account-id", b_id).stdout
    )
    a_iam, b_iam = a.client("iam"), as_key(a, "iam", b_root)
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{a.account_id}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    role_arn = b_iam.create_role(RoleName="xacct", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    b_iam.put_role_policy(RoleName="xacct", PolicyName="p", PolicyDocument=policy(allow("iam:ListRoles")))
    key = user_with_key(a_iam, "traveller", policy(allow("sts:AssumeRole")))
    user_arn = f"arn:aws:iam::{a.account_id}:user/traveller"
    creds = as_key(a, "sts", key).assume_role(RoleArn=role_arn, RoleSessionName="visit")["Credentials"]
    as_key(a, "iam", creds).list_roles()

    a_ct, b_ct = a.client("cloudtrail"), as_key(a, "cloudtrail", b_root)
    mine = _one(a_ct, ("EventName", "AssumeRole"), "AssumeRole")
    theirs = _one(b_ct, ("EventName", "AssumeRole"), "AssumeRole")
    assert mine["recipientAccountId"] == a.account_id and theirs["recipientAccountId"] == b_id
    assert mine["userIdentity"]["arn"] == user_arn and mine["userIdentity"]["type"] == "IAMUser"
    assert theirs["userIdentity"]["type"] == "AWSAccount"
    assert theirs["userIdentity"]["accountId"] == a.account_id
    assert mine["sharedEventID"] == theirs["sharedEventID"] and mine["eventID"] != theirs["eventID"]
    assert mine["requestID"] == theirs["requestID"]
    assert theirs["requestParameters"]["roleArn"] == role_arn
    # The session acts in account B: its calls are B's events, never A's.
    visit = _one(b_ct, ("Username", "visit"), "ListRoles")
    assert visit["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"] == role_arn

    a_all, b_all = records(total(a_ct, 4)), records(total(b_ct, 4))
    assert {r["recipientAccountId"] for r in a_all} == {a.account_id}
    assert {r["recipientAccountId"] for r in b_all} == {b_id}
    assert "CreateRole" not in [r["eventName"] for r in a_all]
    assert "CreateUser" not in [r["eventName"] for r in b_all]
    assert "ListRoles" not in [r["eventName"] for r in a_all]
    assert lookup(a_ct, ("EventId", theirs["eventID"])) == []
    assert lookup(b_ct, ("AccessKeyId", key["AccessKeyId"])) == []


def test_lookup_events_is_authorized_by_policy(server: IamdServer, iam: Any, error_of: Any) -> None:
    nobody = user_with_key(iam, "nobody", policy(allow("iam:GetUser")))
    reader = user_with_key(iam, "reader", policy(allow("cloudtrail:LookupEvents")))
    denied = error_of(as_key(server, "cloudtrail", nobody).lookup_events)
    assert denied["Code"] == "AccessDeniedException" and "cloudtrail:LookupEvents" in denied["Message"]
    allowed = as_key(server, "cloudtrail", reader)
    rec = _one(allowed, ("Username", "nobody"), "LookupEvents")
    assert rec["errorCode"] == "AccessDenied" and rec["eventSource"] == "cloudtrail.amazonaws.com"
    assert rec["readOnly"] is True


# --- redaction ----------------------------------------------------------------------------------


def test_no_secret_reaches_the_trail_or_the_database(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = IamdServer(extra_args=["--data-dir", str(data)])
    secrets: dict[str, str] = {"root secret": server.secret_access_key}
    with server:
        iam = server.client("iam")
        acct = server.account_id
        key = user_with_key(
            iam, "keeper", policy(allow("sts:AssumeRole", "iam:ChangePassword", "iam:GetUser"))
        )
        secrets["secret access key"] = key["SecretAccessKey"]
        secrets["password"] = "Initial-Passw0rd-1!"
        iam.create_login_profile(UserName="keeper", Password=secrets["password"], PasswordResetRequired=False)
        secrets["new password"] = "Changed-Passw0rd-2!"
        as_key(server, "iam", key).change_password(
            OldPassword=secrets["password"], NewPassword=secrets["new password"]
        )
        secrets["admin-set password"] = "Admin-Set-Passw0rd-3!"
        iam.update_login_profile(UserName="keeper", Password=secrets["admin-set password"])
        device = iam.create_virtual_mfa_device(VirtualMFADeviceName="keeper")["VirtualMFADevice"]
        secrets["TOTP seed"] = device["Base32StringSeed"].decode()
        qr = device["QRCodePNG"]
        totp = pyotp.TOTP(secrets["TOTP seed"])
        iam.enable_mfa_device(
            UserName="keeper",
            SerialNumber=device["SerialNumber"],
            AuthenticationCode1=totp.at(time.time() - 30),
            AuthenticationCode2=totp.at(time.time()),
        )
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{acct}:root"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        role_arn = iam.create_role(RoleName="vault", AssumeRolePolicyDocument=json.dumps(trust))["Role"][
            "Arn"
        ]
        session = as_key(server, "sts", key).assume_role(RoleArn=role_arn, RoleSessionName="sess")[
            "Credentials"
        ]
        secrets["session token"] = session["SessionToken"]
        secrets["session secret"] = session["SecretAccessKey"]
        as_key(server, "sts", session).get_caller_identity()  # the token travels in a header
        with pytest.raises(ClientError, match="AccessDenied"):
            as_key(server, "iam", session).list_users()
        own = server.client("sts").get_session_token()["Credentials"]
        secrets["root session token"] = own["SessionToken"]
        secrets["root session secret"] = own["SecretAccessKey"]

        ct = server.client("cloudtrail")
        events = total(ct, 17)
        looked_up = json.dumps(events, default=str)
        assert {
            "CreateLoginProfile",
            "ChangePassword",
            "UpdateLoginProfile",
            "CreateVirtualMFADevice",
            "CreateAccessKey",
            "AssumeRole",
            "GetSessionToken",
        } <= set(names(events))
        create_key = _one(ct, ("EventName", "CreateAccessKey"), "CreateAccessKey")
        assert create_key["responseElements"]["accessKey"]["secretAccessKey"] == HIDDEN
        device_rec = _one(ct, ("EventName", "CreateVirtualMFADevice"), "CreateVirtualMFADevice")
        assert device_rec["responseElements"]["virtualMFADevice"].get("base32StringSeed") in (None, HIDDEN)
    exported = _cli("trail", "export", "--format", "jsonl", "--data-dir", str(data)).stdout
    assert len(exported.splitlines()) >= 17
    database = b"".join(p.read_bytes() for p in sorted(data.glob("iamd.db*")))
    qr_b64 = base64.b64encode(qr).decode()
    for what, secret in secrets.items():
        assert secret not in looked_up, f"{what} in LookupEvents output"
        assert secret not in exported, f"{what} in the exported trail"
        assert secret.encode() not in database, f"{what} in the database file"
    assert qr_b64[:64] not in looked_up and qr_b64[:64] not in exported
    assert qr[:64] not in database


# --- the same-transaction rule ------------------------------------------------------------------


def test_failed_writes_leave_no_change_and_a_failure_event(
    server: IamdServer, iam: Any, error_of: Any
) -> None:
    iam.create_user(UserName="holder")
    iam.create_access_key(UserName="holder")
    iam.create_access_key(UserName="holder")
    ct = server.client("cloudtrail")
    # A change's event is committed with it: visible the moment the call returns, no polling.
    assert names(lookup(ct, ("EventName", "CreateAccessKey"))) == ["CreateAccessKey", "CreateAccessKey"]

    assert error_of(iam.create_access_key, UserName="holder")["Code"] == "LimitExceeded"
    assert error_of(iam.delete_user, UserName="holder")["Code"] == "DeleteConflict"
    assert error_of(iam.create_user, UserName="holder")["Code"] == "EntityAlreadyExists"
    missing = f"arn:aws:iam::{server.account_id}:policy/none"
    assert (
        error_of(iam.create_user, UserName="bounded", PermissionsBoundary=missing)["Code"] == "NoSuchEntity"
    )

    assert len(iam.list_access_keys(UserName="holder")["AccessKeyMetadata"]) == 2
    assert [u["UserName"] for u in iam.list_users()["Users"]] == ["holder"]
    expected = {
        "CreateAccessKey": [None, None, "LimitExceeded"],
        "DeleteUser": ["DeleteConflict"],
        "CreateUser": [None, "EntityAlreadyExists", "NoSuchEntity"],
    }
    for name, codes in expected.items():
        want = len(codes)
        got = records(wait_for(ct, ("EventName", name), lambda evs, want=want: len(evs) >= want))
        assert sorted(r.get("errorCode") or "" for r in got) == sorted(c or "" for c in codes), name
        for r in got:
            if r.get("errorCode"):
                assert r["responseElements"] is None and r["errorMessage"]
                assert r["readOnly"] is False
    bounded = records(lookup(ct, ("ResourceName", "bounded")))
    assert [(r["eventName"], r["errorCode"]) for r in bounded] == [("CreateUser", "NoSuchEntity")]


def test_reset_starts_an_empty_trail(server: IamdServer, iam: Any) -> None:
    iam.list_users()
    iam.list_groups()
    server.reset()
    time.sleep(0.8)  # past the batch window: anything still queued has been written by now
    assert names(lookup(server.client("cloudtrail"))) == []
