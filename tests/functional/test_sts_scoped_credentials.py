"""GetScopedCredentials and GetDelegatedAccessToken, black-box with boto3."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.config import Config
from functional_helpers import allow, as_creds, doc, error, new_user
from outbound_helpers import role_session, role_session_creds

from iamd.testing import IamdServer

ONLY_LIST = doc(allow("iam:ListUsers"))


def test_a_role_session_narrowed_keeps_its_identity(iam: Any, server: IamdServer) -> None:
    _, own = role_session_creds(iam, server, "app", allow(["iam:ListUsers", "iam:GetUser", "sts:GetScopedCredentials"]),
                                DurationSeconds=1800)
    session = as_creds(server, "sts", own)
    before = session.get_caller_identity()
    out = session.get_scoped_credentials(Policy=ONLY_LIST, ScopedSessionDescription="read-only job")
    creds = out["Credentials"]
    assert out["SessionInfo"] == {"ScopedSessionId": before["UserId"], "Arn": before["Arn"]}
    assert out["ScopedPoliciesCount"] == 1
    assert out["SessionTokenSize"] == len(creds["SessionToken"])
    assert 0 < out["SessionTokenUtilization"] <= 100
    assert creds["AccessKeyId"].startswith("ASIA")
    narrow_iam = as_creds(server, "iam", creds)
    assert as_creds(server, "sts", creds).get_caller_identity()["Arn"] == before["Arn"]
    assert creds["Expiration"] == own["Expiration"]  # inherited: no DurationSeconds
    narrow_iam.list_users()
    assert error(narrow_iam.get_user, UserName="app-assumer")["Code"] == "AccessDenied"
    # The caller's own credentials are not narrowed.
    as_creds(server, "iam", own).get_user(UserName="app-assumer")


def test_scope_down_cannot_widen_and_stacks_three_layers(iam: Any, server: IamdServer) -> None:
    _, session = role_session(iam, server, "narrow", allow(["iam:ListUsers", "sts:GetScopedCredentials"]))
    wide = session.get_scoped_credentials(Policy=doc(allow("*")))["Credentials"]
    assert error(as_creds(server, "iam", wide).get_user, UserName="narrow-assumer")["Code"] == "AccessDenied"
    current = as_creds(server, "sts", wide)
    counts = []
    for _ in range(2):
        out = current.get_scoped_credentials(Policy=doc(allow(["iam:ListUsers", "sts:GetScopedCredentials"])))
        counts.append(out["ScopedPoliciesCount"])
        current = as_creds(server, "sts", out["Credentials"])
    assert counts == [2, 3]
    err = error(current.get_scoped_credentials, Policy=doc(allow("*")))
    assert err["Code"] == "AccessDenied" and "3 GetScopedCredentials scope-down policies" in err["Message"]
    # A duration alone adds no layer.
    assert current.get_scoped_credentials(DurationSeconds=60)["ScopedPoliciesCount"] == 3
    # A layer that does not allow GetScopedCredentials stops further narrowing too.
    only = session.get_scoped_credentials(Policy=ONLY_LIST)["Credentials"]
    assert error(as_creds(server, "sts", only).get_scoped_credentials, DurationSeconds=60)["Code"] == "AccessDenied"


def test_lifetime_rules(iam: Any, server: IamdServer) -> None:
    _, session = role_session(iam, server, "timed", allow(["sts:GetScopedCredentials"]), DurationSeconds=900)
    err = error(session.get_scoped_credentials, DurationSeconds=1200)
    assert (err["Code"], err["HTTPStatus"]) == ("InsufficientSessionLifetime", 400)
    inherited = session.get_scoped_credentials(Policy=doc(allow("sts:GetCallerIdentity")))["Credentials"]
    shorter = session.get_scoped_credentials(DurationSeconds=60)["Credentials"]
    assert shorter["Expiration"] < inherited["Expiration"]
    assert (inherited["Expiration"] - shorter["Expiration"]).total_seconds() > 600


def test_only_temporary_credentials_and_valid_input(iam: Any, sts: Any, server: IamdServer) -> None:
    _, key = new_user(iam, "u", allow(["sts:GetScopedCredentials", "sts:GetSessionToken", "iam:ListUsers",
                                       "iam:GetUser"]))
    user = as_creds(server, "sts", key)
    for caller in (user, sts):
        err = error(caller.get_scoped_credentials, DurationSeconds=900)
        assert (err["Code"], err["HTTPStatus"]) == ("InvalidSubjectCredentials", 400)
    # GetSessionToken first, as AWS advises; the scope-down then binds the user's session.
    session = as_creds(server, "sts", user.get_session_token()["Credentials"])
    narrowed = session.get_scoped_credentials(Policy=doc(allow("sts:GetCallerIdentity")))["Credentials"]
    assert as_creds(server, "sts", narrowed).get_caller_identity()["Arn"].endswith(":user/u")
    unchecked = as_creds(server, "sts", user.get_session_token()["Credentials"],
                         config=Config(parameter_validation=False))
    assert error(unchecked.get_scoped_credentials)["Code"] == "ValidationError"
    assert error(unchecked.get_scoped_credentials, Policy="{not json")["Code"] == "MalformedPolicyDocument"
    assert error(unchecked.get_scoped_credentials, DurationSeconds=0)["Code"] == "ValidationError"
    assert error(unchecked.get_scoped_credentials, Policy=doc(allow("*")), MinimumSessionTokenSize=4097)[
        "Code"] == "ValidationError"


def test_minimum_session_token_size(iam: Any, server: IamdServer) -> None:
    _, session = role_session(iam, server, "big", allow(["sts:GetScopedCredentials", "sts:GetCallerIdentity"]))
    out = session.get_scoped_credentials(DurationSeconds=600, MinimumSessionTokenSize=4096)
    assert out["SessionTokenSize"] >= 4096
    assert as_creds(server, "sts", out["Credentials"]).get_caller_identity()["Arn"].endswith("/job")


def test_permission_is_needed(iam: Any, server: IamdServer) -> None:
    _, session = role_session(iam, server, "nope", allow("iam:ListUsers"))
    err = error(session.get_scoped_credentials, DurationSeconds=60)
    assert err["Code"] == "AccessDenied" and "sts:GetScopedCredentials" in err["Message"]


@pytest.mark.parametrize("token", ["tradein-1", "eyJhbGciOiJub25lIn0.e30.", "Q" * 4000])
def test_no_trade_in_token_is_ever_exchangeable(iam: Any, sts: Any, server: IamdServer, token: str) -> None:
    err = error(sts.get_delegated_access_token, TradeInToken=token)
    assert (err["Code"], err["HTTPStatus"]) == ("ExpiredTradeInTokenException", 400)
    assert token not in err["Message"]
    _, key = new_user(iam, "partner", allow("sts:GetCallerIdentity"))
    err = error(as_creds(server, "sts", key).get_delegated_access_token, TradeInToken=token)
    assert err["Code"] == "AccessDenied" and "sts:GetDelegatedAccessToken" in err["Message"]


def test_a_layer_reading_resource_tags_is_enforced(iam: Any, server: IamdServer) -> None:
    """The layer alone reads ``iam:ResourceTag``: the target's tags must be loaded for it."""
    iam.create_user(UserName="tagged", Tags=[{"Key": "team", "Value": "blue"}])
    iam.create_user(UserName="other", Tags=[{"Key": "team", "Value": "red"}])
    _, session = role_session(iam, server, "tagger", allow(["iam:GetUser", "sts:GetScopedCredentials"]))
    layer = doc(allow("iam:GetUser", StringEquals={"iam:ResourceTag/team": "blue"}))
    creds = session.get_scoped_credentials(Policy=layer)["Credentials"]
    narrow = as_creds(server, "iam", creds)
    narrow.get_user(UserName="tagged")
    assert error(narrow.get_user, UserName="other")["Code"] == "AccessDenied"


def test_a_scoped_session_cannot_escape_by_assuming_a_role(iam: Any, server: IamdServer) -> None:
    trust = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{server.account_id}:root"},
                 "Action": "sts:AssumeRole"})
    target = iam.create_role(RoleName="target", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    _, session = role_session(iam, server, "chain", allow(["sts:AssumeRole", "sts:GetScopedCredentials"]))
    session.assume_role(RoleArn=target, RoleSessionName="ok")  # the unscoped session may
    creds = session.get_scoped_credentials(Policy=doc(allow("sts:GetCallerIdentity")))["Credentials"]
    err = error(as_creds(server, "sts", creds).assume_role, RoleArn=target, RoleSessionName="escape")
    assert err["Code"] == "AccessDenied"
    # Nor mint long-term-style credentials from it.
    assert error(as_creds(server, "sts", creds).get_session_token)["Code"] == "AccessDenied"


def test_the_trail_records_the_description_and_hides_secrets(iam: Any, sts: Any, server: IamdServer) -> None:
    _, session = role_session(iam, server, "logged", allow("sts:GetScopedCredentials"))
    issued = session.get_scoped_credentials(DurationSeconds=60, ScopedSessionDescription="nightly export")
    secret = "trade-in-" + "7" * 40
    error(sts.get_delegated_access_token, TradeInToken=secret)
    ct = server.client("cloudtrail")
    wanted = {"GetScopedCredentials", "GetDelegatedAccessToken"}
    for _ in range(50):
        events = {e["EventName"]: e["CloudTrailEvent"] for e in ct.lookup_events(MaxResults=50)["Events"]}
        if wanted <= set(events):
            break
        time.sleep(0.1)
    assert json.loads(events["GetScopedCredentials"])["requestParameters"]["scopedSessionDescription"] == "nightly export"
    for value in (issued["Credentials"]["SecretAccessKey"], issued["Credentials"]["SessionToken"]):
        assert value not in events["GetScopedCredentials"]
    assert secret not in events["GetDelegatedAccessToken"]
