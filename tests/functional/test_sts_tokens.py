"""GetSessionToken, GetFederationToken and DecodeAuthorizationMessage, end to end.

AWS's rules ("Compare AWS STS credentials" and "Request temporary security credentials" in the
IAM User Guide; the operations' API references):

- GetSessionToken credentials act as the IAM user itself, but cannot call IAM unless MFA was
  included (IAM answers InvalidClientTokenId), and of STS only AssumeRole and GetCallerIdentity;
- GetFederationToken makes a ``federated-user`` principal whose permissions are the intersection
  of the user's policies and the session policy passed — none at all without one;
- neither can be called with temporary credentials;
- an AccessDenied carries an encoded message that DecodeAuthorizationMessage opens for a
  principal of the same account allowed ``sts:DecodeAuthorizationMessage``.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from functional_helpers import allow, as_creds, denied, doc, error, lifetime, new_user, seconds_left

from iamd.testing import IamdServer

# --- GetSessionToken --------------------------------------------------------------------------


@pytest.fixture
def bob(iam: Any) -> tuple[str, dict[str, Any]]:
    """A user allowed everything by policy, so only the session-token rules can stop him."""
    return new_user(iam, "bob", allow("*"))


def test_session_token_credentials_act_as_the_user(server: IamdServer, iam: Any, bob: Any) -> None:
    arn, key = bob
    user_id = iam.get_user(UserName="bob")["User"]["UserId"]
    out, low, high = lifetime(as_creds(server, "sts", key).get_session_token)
    creds = out["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA") and len(creds["AccessKeyId"]) == 20
    assert low <= 43200 <= high
    ident = as_creds(server, "sts", creds).get_caller_identity()
    assert (ident["Arn"], ident["UserId"], ident["Account"]) == (arn, user_id, server.account_id)


@pytest.mark.parametrize(("requested", "expected"), [(900, 900), (129600, 129600)])
def test_session_token_durations(server: IamdServer, bob: Any, requested: int, expected: int) -> None:
    sts = as_creds(server, "sts", bob[1])
    _, low, high = lifetime(lambda: sts.get_session_token(DurationSeconds=requested))
    assert low <= expected <= high


def test_session_token_credentials_cannot_call_iam_without_mfa(server: IamdServer, bob: Any) -> None:
    arn, key = bob
    creds = as_creds(server, "sts", key).get_session_token()["Credentials"]
    session = as_creds(server, "iam", creds)
    for fn, kw in ((session.list_users, {}), (session.get_user, {}), (session.create_user, {"UserName": "x"})):
        err = error(fn, **kw)  # IAM refuses the token, as AWS does (InvalidClientTokenId)
        assert (err["Code"], err["HTTPStatus"]) == ("InvalidClientTokenId", 403), (arn, err)
    as_creds(server, "iam", key).list_users()  # the long-term key still can


def test_session_token_credentials_in_sts(server: IamdServer, iam: Any, bob: Any) -> None:
    arn, key = bob
    role = iam.create_role(
        RoleName="target",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": arn}, "Action": "sts:AssumeRole"}]}),
    )["Role"]
    creds = as_creds(server, "sts", key).get_session_token()["Credentials"]
    sts = as_creds(server, "sts", creds)
    sts.get_caller_identity()
    assumed = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="from-gst")
    assert assumed["AssumedRoleUser"]["Arn"].endswith(":assumed-role/target/from-gst")
    # Not chaining: AssumeRole with GetSessionToken credentials may go up to the role's maximum.
    iam.update_role(RoleName="target", MaxSessionDuration=7200)
    assert seconds_left(sts.assume_role(RoleArn=role["Arn"], RoleSessionName="long", DurationSeconds=7200)[
        "Credentials"]) > 7000
    # Every other STS call is refused, however permissive the user's policies.
    assert "GetSessionToken" in denied(sts.get_access_key_info, AccessKeyId=creds["AccessKeyId"])
    assert "GetSessionToken" in denied(sts.decode_authorization_message, EncodedMessage="x" * 20)


@pytest.mark.parametrize("kind", ["session-token", "assumed-role", "federated-user"])
@pytest.mark.parametrize("operation", ["GetSessionToken", "GetFederationToken"])
def test_temporary_credentials_cannot_get_more(
    server: IamdServer, iam: Any, bob: Any, kind: str, operation: str
) -> None:
    arn, key = bob
    sts = as_creds(server, "sts", key)
    if kind == "session-token":
        creds = sts.get_session_token()["Credentials"]
    elif kind == "federated-user":
        creds = sts.get_federation_token(Name="fed", Policy=doc(allow("*")))["Credentials"]
    else:
        role = iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": arn}, "Action": "sts:AssumeRole"}]}))["Role"]
        iam.put_role_policy(RoleName="r", PolicyName="all", PolicyDocument=doc(allow("*")))
        creds = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1")["Credentials"]
    session = as_creds(server, "sts", creds)
    if operation == "GetSessionToken":
        msg = denied(session.get_session_token)
    else:
        msg = denied(session.get_federation_token, Name="again", Policy=doc(allow("*")))
    assert msg == f"Cannot call {operation} with session credentials"


# --- GetFederationToken -----------------------------------------------------------------------


def test_federation_token_principal(server: IamdServer, iam: Any) -> None:
    _, key = new_user(iam, "broker", allow("sts:GetFederationToken"))
    broker = as_creds(server, "sts", key)
    out, low, high = lifetime(lambda: broker.get_federation_token(Name="carol", Policy=doc(allow("iam:ListUsers"))))
    fed_arn = f"arn:aws:sts::{server.account_id}:federated-user/carol"
    assert out["FederatedUser"] == {"FederatedUserId": f"{server.account_id}:carol", "Arn": fed_arn}
    assert out["Credentials"]["AccessKeyId"].startswith("ASIA")
    assert low <= 43200 <= high
    ident = as_creds(server, "sts", out["Credentials"]).get_caller_identity()
    assert (ident["Arn"], ident["UserId"]) == (fed_arn, f"{server.account_id}:carol")


def test_federation_token_needs_permission(server: IamdServer, iam: Any) -> None:
    arn, key = new_user(iam, "nobody")
    msg = denied(as_creds(server, "sts", key).get_federation_token, Name="carol", Policy=doc(allow("*")))
    assert msg.startswith(
        f"User: {arn} is not authorized to perform: sts:GetFederationToken on resource: "
        f"arn:aws:sts::{server.account_id}:federated-user/carol"
    )


# Federated users call no IAM operation and of STS only GetCallerIdentity (see
# test_security_federation.py), so their permissions show on CloudTrail's LookupEvents.
LOOKUP = "cloudtrail:LookupEvents"


def test_federated_permissions_are_the_intersection(server: IamdServer, iam: Any) -> None:
    _, key = new_user(iam, "broker", allow(["sts:GetFederationToken", LOOKUP, "iam:ListRoles"]))
    sts = as_creds(server, "sts", key)
    both = sts.get_federation_token(Name="carol", Policy=doc(allow([LOOKUP, "iam:ListGroups"])))["Credentials"]
    trail = as_creds(server, "cloudtrail", both)
    trail.lookup_events(MaxResults=1)  # user ∩ session
    fed = f"arn:aws:sts::{server.account_id}:federated-user/carol"
    user_only = sts.get_federation_token(Name="carol", Policy=doc(allow("iam:ListRoles")))["Credentials"]
    message = denied(as_creds(server, "cloudtrail", user_only).lookup_events, MaxResults=1)
    assert f"because no session policy allows the {LOOKUP} action" in message
    assert message.startswith(f"User: {fed} is not authorized to perform: {LOOKUP}")
    # A change to the user's policies applies to the live federated session.
    iam.put_user_policy(UserName="broker", PolicyName="p", PolicyDocument=doc(allow("sts:GetFederationToken")))
    message = denied(trail.lookup_events, MaxResults=1)
    assert f"because no identity-based policy allows the {LOOKUP} action" in message


def test_federated_session_policy_arns(server: IamdServer, iam: Any) -> None:
    _, key = new_user(iam, "broker", allow(["sts:GetFederationToken", LOOKUP]))
    managed = iam.create_policy(PolicyName="trail", PolicyDocument=doc(allow(LOOKUP)))["Policy"]["Arn"]
    other = iam.create_policy(PolicyName="roles", PolicyDocument=doc(allow("iam:ListRoles")))["Policy"]["Arn"]
    out = as_creds(server, "sts", key).get_federation_token(Name="dave", PolicyArns=[{"arn": managed}])
    assert 0 < out["PackedPolicySize"] <= 100
    as_creds(server, "cloudtrail", out["Credentials"]).lookup_events(MaxResults=1)
    out = as_creds(server, "sts", key).get_federation_token(Name="dave", PolicyArns=[{"arn": other}])
    denied(as_creds(server, "cloudtrail", out["Credentials"]).lookup_events, MaxResults=1)


def test_federated_session_without_a_policy_can_do_nothing(server: IamdServer, iam: Any) -> None:
    _, key = new_user(iam, "broker", allow("*"))
    creds = as_creds(server, "sts", key).get_federation_token(Name="erin")["Credentials"]
    message = denied(as_creds(server, "cloudtrail", creds).lookup_events, MaxResults=1)
    assert f"because no session policy allows the {LOOKUP} action" in message
    as_creds(server, "sts", creds).get_caller_identity()  # needs no permission


def test_federated_user_cannot_assume_a_role(server: IamdServer, iam: Any) -> None:
    arn, key = new_user(iam, "broker", allow("*"))
    role = iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{server.account_id}:root"}, "Action": "sts:AssumeRole"}]}))
    creds = as_creds(server, "sts", key).get_federation_token(Name="fred", Policy=doc(allow("*")))["Credentials"]
    denied(as_creds(server, "sts", creds).assume_role, RoleArn=role["Role"]["Arn"], RoleSessionName="s1")


# --- DecodeAuthorizationMessage ---------------------------------------------------------------

ENCODED = re.compile(r"Encoded authorization failure message: (\S+)$")


def test_decode_authorization_message_round_trip(server: IamdServer, iam: Any) -> None:
    _, key = new_user(iam, "broker", allow(["sts:GetFederationToken", "sts:DecodeAuthorizationMessage", LOOKUP]))
    creds = as_creds(server, "sts", key).get_federation_token(
        Name="gina", Policy=doc(allow("*"), {"Effect": "Deny", "Action": LOOKUP, "Resource": "*"})
    )["Credentials"]
    msg = denied(as_creds(server, "cloudtrail", creds).lookup_events, MaxResults=1)
    assert "with an explicit deny in a session policy" in msg
    match = ENCODED.search(msg)
    assert match, msg
    decoded = json.loads(as_creds(server, "sts", key).decode_authorization_message(
        EncodedMessage=match.group(1))["DecodedMessage"])
    assert decoded["allowed"] is False and decoded["explicitDeny"] is True
    ctx = decoded["context"]
    assert ctx["action"] == LOOKUP
    assert ctx["principal"]["arn"] == f"arn:aws:sts::{server.account_id}:federated-user/gina"
    assert {"DENY"} <= {st["effect"] for st in decoded["matchedStatements"]["items"]}
    keys = {item["key"].lower() for item in ctx["conditions"]["items"]}
    assert {"aws:tokenissuetime", "aws:principalarn"} <= keys


def test_decode_authorization_message_needs_permission_and_an_intact_message(server: IamdServer, iam: Any) -> None:
    arn, key = new_user(iam, "nosy")
    msg = denied(as_creds(server, "iam", key).list_users)
    encoded = ENCODED.search(msg)
    assert encoded
    sts = as_creds(server, "sts", key)
    assert "sts:DecodeAuthorizationMessage" in denied(sts.decode_authorization_message, EncodedMessage=encoded.group(1))
    iam.put_user_policy(UserName="nosy", PolicyName="p", PolicyDocument=doc(allow("sts:DecodeAuthorizationMessage")))
    decoded = json.loads(sts.decode_authorization_message(EncodedMessage=encoded.group(1))["DecodedMessage"])
    assert decoded["context"]["principal"]["arn"] == arn and decoded["explicitDeny"] is False
    text = encoded.group(1)
    tampered = text[:30] + ("A" if text[30] != "A" else "B") + text[31:]
    err = error(sts.decode_authorization_message, EncodedMessage=tampered)
    assert (err["Code"], err["HTTPStatus"]) == ("InvalidAuthorizationMessageException", 400)


def test_aws_cli_get_session_token(server: IamdServer, iam: Any, aws: Any, bob: Any) -> None:
    arn, key = bob
    as_user = {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
    creds = aws("sts", "get-session-token", "--duration-seconds", "900", env=as_user)["Credentials"]
    as_session = {"AWS_ACCESS_KEY_ID": creds["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
                  "AWS_SESSION_TOKEN": creds["SessionToken"]}
    assert aws("sts", "get-caller-identity", env=as_session)["Arn"] == arn
    refused = aws.run("iam", "list-users", env=as_session, check=False)
    assert refused.returncode != 0 and "InvalidClientTokenId" in refused.stderr
