"""AccessDenied as AWS writes it: HTTP 403, code AccessDenied, the sentence for each way a request
is denied, the encoded authorization message and its decoding; a denied call changes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from functional_helpers import ENCODED, allow, clients, doc

from iamd.testing import IamdServer

ADMIN_AWS = "arn:aws:iam::aws:policy/AdministratorAccess"
EC2_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)


def deny(action: str | list[str], resource: str = "*", sid: str | None = None) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **({"Sid": sid} if sid else {})}


@pytest.fixture
def user(server: IamdServer, iam: Any) -> Callable[..., tuple[Any, Any]]:
    """``user(name, *statements, managed=(), boundary=None)`` → (iam, sts) clients acting as it."""

    def make(
        name: str, *statements: dict[str, Any], managed: tuple[str, ...] = (), boundary: str | None = None
    ):
        iam.create_user(UserName=name, **({"PermissionsBoundary": boundary} if boundary else {}))
        if statements:
            iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=doc(*statements))
        for arn in managed:
            iam.attach_user_policy(UserName=name, PolicyArn=arn)
        return clients(server, iam.create_access_key(UserName=name)["AccessKey"])

    return make


def access_denied(fn: Callable[..., Any], **kwargs: Any) -> tuple[str, str]:
    """The AccessDenied sentence and the encoded authorization message of a denied call."""
    with pytest.raises(ClientError) as info:
        fn(**kwargs)
    error, meta = info.value.response["Error"], info.value.response["ResponseMetadata"]
    assert (error["Code"], error["Type"], meta["HTTPStatusCode"]) == ("AccessDenied", "Sender", 403), error
    sentence, _, encoded = error["Message"].partition(ENCODED)
    assert encoded and " " not in encoded, error["Message"]
    return sentence, encoded


def head(server: IamdServer, principal: str, action: str, resource: str) -> str:
    return f"User: {principal} is not authorized to perform: {action} on resource: {resource}"


def user_arn(server: IamdServer, name: str) -> str:
    return f"arn:aws:iam::{server.account_id}:user/{name}"


# --- the sentence for every way to be denied -----------------------------------------------------


def test_no_identity_based_policy_allows(user: Any, server: IamdServer) -> None:
    me, _ = user("nobody")
    sentence, _ = access_denied(me.create_user, UserName="x")
    assert sentence == head(server, user_arn(server, "nobody"), "iam:CreateUser", user_arn(server, "x")) + (
        " because no identity-based policy allows the iam:CreateUser action"
    )


def test_listing_is_authorized_on_the_listed_path(user: Any, server: IamdServer) -> None:
    """AWS: "… perform: iam:ListUsers on resource: arn:aws:iam::ID:user/ because …"."""
    me, _ = user(
        "lister", allow(["iam:ListUsers", "iam:ListRoles"], f"arn:aws:iam::{server.account_id}:user/*")
    )
    me.list_users()
    me.list_users(PathPrefix="/team/")
    sentence, _ = access_denied(me.list_roles, PathPrefix="/aws-service-role/")
    assert (
        sentence
        == head(
            server,
            user_arn(server, "lister"),
            "iam:ListRoles",
            f"arn:aws:iam::{server.account_id}:role/aws-service-role/",
        )
        + " because no identity-based policy allows the iam:ListRoles action"
    )


def test_explicit_deny_in_an_inline_identity_policy(user: Any, server: IamdServer) -> None:
    me, _ = user("denied", allow("iam:*"), deny("iam:DeleteUser"))
    sentence, _ = access_denied(me.delete_user, UserName="denied")
    assert sentence == head(
        server, user_arn(server, "denied"), "iam:DeleteUser", user_arn(server, "denied")
    ) + (" with an explicit deny in an identity-based policy")


def test_explicit_deny_in_a_managed_identity_policy_names_it(user: Any, server: IamdServer, iam: Any) -> None:
    arn = iam.create_policy(PolicyName="NoDeletes", Path="/guards/", PolicyDocument=doc(deny("iam:Delete*")))[
        "Policy"
    ]["Arn"]
    iam.create_group(GroupName="guarded")
    iam.attach_group_policy(GroupName="guarded", PolicyArn=arn)
    me, _ = user("member", managed=(ADMIN_AWS,))
    iam.add_user_to_group(GroupName="guarded", UserName="member")
    sentence, _ = access_denied(me.delete_user, UserName="member")
    assert sentence == head(
        server, user_arn(server, "member"), "iam:DeleteUser", user_arn(server, "member")
    ) + (f" with an explicit deny in an identity-based policy: {arn}")


def test_aws_managed_deny_is_named_too(user: Any, server: IamdServer, iam: Any) -> None:
    """AWSDenyAll (an AWS-managed policy) denies everything; AWS names it in the message."""
    me, _ = user("frozen", managed=(ADMIN_AWS, "arn:aws:iam::aws:policy/AWSDenyAll"))
    sentence, _ = access_denied(me.get_user)
    assert sentence.endswith(
        " with an explicit deny in an identity-based policy: arn:aws:iam::aws:policy/AWSDenyAll"
    )


def boundary_policy(iam: Any, name: str, *statements: dict[str, Any]) -> str:
    return str(iam.create_policy(PolicyName=name, PolicyDocument=doc(*statements))["Policy"]["Arn"])


def test_no_permissions_boundary_allows(user: Any, server: IamdServer, iam: Any) -> None:
    boundary = boundary_policy(iam, "ReadOnlyBoundary", allow(["iam:Get*", "iam:List*"]))
    me, _ = user("capped", managed=(ADMIN_AWS,), boundary=boundary)
    me.get_user()
    sentence, _ = access_denied(me.create_user, UserName="x")
    assert sentence == head(server, user_arn(server, "capped"), "iam:CreateUser", user_arn(server, "x")) + (
        " because no permissions boundary allows the iam:CreateUser action"
    )


def test_explicit_deny_in_a_permissions_boundary(user: Any, server: IamdServer, iam: Any) -> None:
    boundary = boundary_policy(iam, "DenyingBoundary", allow("*"), deny("iam:CreateUser"))
    me, _ = user("capped", managed=(ADMIN_AWS,), boundary=boundary)
    me.create_group(GroupName="ok")
    sentence, _ = access_denied(me.create_user, UserName="x")
    assert sentence == head(server, user_arn(server, "capped"), "iam:CreateUser", user_arn(server, "x")) + (
        f" with an explicit deny in a permissions boundary: {boundary}"
    )


def session_of(server: IamdServer, iam: Any, user: Any, **assume: Any) -> tuple[Any, str]:
    """A session of role ``worker`` (AdministratorAccess) assumed by user ``caller`` with ``assume``
    arguments (session policies); returns its IAM client and its ARN."""
    account = server.account_id
    trust = doc(
        {"Effect": "Allow", "Principal": {"AWS": user_arn(server, "caller")}, "Action": "sts:AssumeRole"}
    )
    _, caller_sts = user("caller")  # before the trust policy that names it
    iam.create_role(RoleName="worker", AssumeRolePolicyDocument=trust)
    iam.attach_role_policy(RoleName="worker", PolicyArn=ADMIN_AWS)
    creds = caller_sts.assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/worker", RoleSessionName="s1", **assume
    )
    session_iam, _ = clients(server, creds["Credentials"])
    return session_iam, f"arn:aws:sts::{account}:assumed-role/worker/s1"


def test_no_session_policy_allows(user: Any, server: IamdServer, iam: Any) -> None:
    session, arn = session_of(server, iam, user, Policy=doc(allow("iam:ListRoles")))
    session.list_roles()
    sentence, _ = access_denied(session.get_role, RoleName="worker")
    assert sentence == head(server, arn, "iam:GetRole", f"arn:aws:iam::{server.account_id}:role/worker") + (
        " because no session policy allows the iam:GetRole action"
    )


def test_explicit_deny_in_an_inline_session_policy(user: Any, server: IamdServer, iam: Any) -> None:
    session, arn = session_of(server, iam, user, Policy=doc(allow("*"), deny("iam:GetRole")))
    session.list_roles()
    sentence, _ = access_denied(session.get_role, RoleName="worker")
    assert sentence == head(server, arn, "iam:GetRole", f"arn:aws:iam::{server.account_id}:role/worker") + (
        " with an explicit deny in a session policy"
    )


def test_explicit_deny_in_a_managed_session_policy_names_it(user: Any, server: IamdServer, iam: Any) -> None:
    arn = iam.create_policy(
        PolicyName="SessionNoGetRole", PolicyDocument=doc(allow("*"), deny("iam:GetRole"))
    )["Policy"]["Arn"]
    session, session_arn = session_of(server, iam, user, PolicyArns=[{"arn": arn}])
    session.list_roles()
    sentence, _ = access_denied(session.get_role, RoleName="worker")
    assert sentence.endswith(f" with an explicit deny in a session policy: {arn}")
    assert sentence.startswith(f"User: {session_arn} is not authorized to perform: iam:GetRole")


def test_access_denied_for_an_entity_that_does_not_exist(user: Any, server: IamdServer) -> None:
    """Authorization comes first: without permission, a missing user is AccessDenied, not NoSuchEntity."""
    me, _ = user("nosy")
    sentence, _ = access_denied(me.get_user, UserName="ghost")
    assert sentence.startswith(
        head(server, user_arn(server, "nosy"), "iam:GetUser", user_arn(server, "ghost"))
    )


# --- the encoded authorization message -----------------------------------------------------------


def decoded(sts: Any, encoded: str) -> dict[str, Any]:
    return json.loads(sts.decode_authorization_message(EncodedMessage=encoded)["DecodedMessage"])


def conditions(message: dict[str, Any]) -> dict[str, list[str]]:
    return {
        item["key"]: [v["value"] for v in item["values"]["items"]]
        for item in message["context"]["conditions"]["items"]
    }


def test_decode_round_trip_of_an_explicit_deny(user: Any, server: IamdServer, iam: Any) -> None:
    arn = iam.create_policy(
        PolicyName="Guard", PolicyDocument=doc(deny("iam:CreateUser", sid="NoNewUsers"), allow("iam:Get*"))
    )["Policy"]["Arn"]
    iam.create_user(UserName="alice", Tags=[{"Key": "CostCenter", "Value": "42"}])
    iam.attach_user_policy(UserName="alice", PolicyArn=arn)
    iam.put_user_policy(UserName="alice", PolicyName="Everything", PolicyDocument=doc(allow("iam:*")))
    me, _ = clients(server, iam.create_access_key(UserName="alice")["AccessKey"])
    _, encoded = access_denied(me.create_user, UserName="bob", Tags=[{"Key": "Team", "Value": "Blue"}])
    _, decoder = user("decoder", allow("sts:DecodeAuthorizationMessage"))
    message = decoded(decoder, encoded)
    assert message["allowed"] is False
    assert message["explicitDeny"] is True
    matched = {
        (m["policyId"], m.get("statementId"), m["effect"]) for m in message["matchedStatements"]["items"]
    }
    assert (arn, "NoNewUsers", "DENY") in matched
    assert any(m[0].endswith("Everything") and m[2] == "ALLOW" for m in matched)
    context = message["context"]
    assert (context["action"], context["resource"]) == ("iam:CreateUser", user_arn(server, "bob"))
    assert context["principal"]["arn"] == user_arn(server, "alice")
    keys = conditions(message)
    assert keys["aws:SourceIp"] == ["127.0.0.1"]
    assert keys["aws:username"] == ["alice"]
    assert keys["aws:RequestedRegion"] == ["us-east-1"]
    assert keys["aws:PrincipalTag/CostCenter"] == ["42"]
    assert keys["aws:RequestTag/Team"] == ["Blue"]
    assert keys["aws:TagKeys"] == ["Team"]
    # Root of the same account may decode it as well.
    assert decoded(server.client("sts"), encoded)["context"]["action"] == "iam:CreateUser"


def test_decode_of_an_implicit_deny(user: Any, server: IamdServer) -> None:
    me, _ = user("nobody")
    _, encoded = access_denied(me.list_users)
    message = decoded(server.client("sts"), encoded)
    assert (message["allowed"], message["explicitDeny"]) == (False, False)
    assert message["matchedStatements"]["items"] == []
    assert message["context"]["resource"] == f"arn:aws:iam::{server.account_id}:user/"


def test_decode_needs_permission(user: Any, server: IamdServer) -> None:
    me, sts = user("nobody")
    _, encoded = access_denied(me.list_users)
    sentence, _ = access_denied(sts.decode_authorization_message, EncodedMessage=encoded)
    assert sentence == head(server, user_arn(server, "nobody"), "sts:DecodeAuthorizationMessage", "*") + (
        " because no identity-based policy allows the sts:DecodeAuthorizationMessage action"
    )


def test_decode_rejects_a_tampered_message(server: IamdServer, user: Any, error_of: Any) -> None:
    me, _ = user("nobody")
    _, encoded = access_denied(me.list_users)
    flipped = encoded[:20] + ("A" if encoded[20] != "A" else "B") + encoded[21:]
    for bad in (flipped, encoded[:-8], "not-a-message"):
        err = error_of(server.client("sts").decode_authorization_message, EncodedMessage=bad)
        assert (err["Code"], err["HTTPStatus"]) == ("InvalidAuthorizationMessageException", 400)


def test_decode_with_the_aws_cli(user: Any, server: IamdServer, aws: Any) -> None:
    me, _ = user("nobody")
    _, encoded = access_denied(me.create_group, GroupName="g")
    out = aws("sts", "decode-authorization-message", "--encoded-message", encoded)
    message = json.loads(out["DecodedMessage"])
    assert (message["allowed"], message["context"]["action"]) == (False, "iam:CreateGroup")
    assert message["context"]["resource"] == f"arn:aws:iam::{server.account_id}:group/g"
    proc = aws.run("sts", "decode-authorization-message", "--encoded-message", "bogus", check=False)
    assert proc.returncode != 0 and "InvalidAuthorizationMessageException" in proc.stderr


# --- a denied call changes nothing -------------------------------------------------------------


def snapshot(iam: Any) -> Any:
    details = iam.get_account_authorization_details()
    for section in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"):
        for entry in details[section]:
            entry.pop("RoleLastUsed", None)
    keys = {
        u["UserName"]: iam.list_access_keys(UserName=u["UserName"])["AccessKeyMetadata"]
        for u in details["UserDetailList"]
    }
    return {k: details[k] for k in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")}, keys


def test_denied_writes_change_nothing(user: Any, iam: Any) -> None:
    iam.create_group(GroupName="team")
    iam.create_user(UserName="victim", Tags=[{"Key": "k", "Value": "v"}])
    iam.create_access_key(UserName="victim")
    local = iam.create_policy(PolicyName="local", PolicyDocument=doc(allow("iam:Get*")))["Policy"]["Arn"]
    me, _ = user("reader", allow(["iam:Get*", "iam:List*"]))
    before = snapshot(iam)
    key_id = before[1]["victim"][0]["AccessKeyId"]
    attempts: list[tuple[Callable[..., Any], dict[str, Any]]] = [
        (me.create_user, {"UserName": "new", "Tags": [{"Key": "a", "Value": "b"}]}),
        (me.delete_user, {"UserName": "victim"}),
        (me.update_user, {"UserName": "victim", "NewUserName": "renamed"}),
        (me.put_user_policy, {"UserName": "reader", "PolicyName": "esc", "PolicyDocument": doc(allow("*"))}),
        (me.attach_user_policy, {"UserName": "reader", "PolicyArn": ADMIN_AWS}),
        (me.add_user_to_group, {"UserName": "reader", "GroupName": "team"}),
        (me.tag_user, {"UserName": "victim", "Tags": [{"Key": "k", "Value": "w"}]}),
        (me.untag_user, {"UserName": "victim", "TagKeys": ["k"]}),
        (me.create_access_key, {"UserName": "victim"}),
        (me.update_access_key, {"UserName": "victim", "AccessKeyId": key_id, "Status": "Inactive"}),
        (me.delete_access_key, {"UserName": "victim", "AccessKeyId": key_id}),
        (
            me.create_policy_version,
            {"PolicyArn": local, "PolicyDocument": doc(allow("*")), "SetAsDefault": True},
        ),
        (me.delete_policy, {"PolicyArn": local}),
        (me.put_user_permissions_boundary, {"UserName": "victim", "PermissionsBoundary": local}),
        (me.create_role, {"RoleName": "r", "AssumeRolePolicyDocument": EC2_TRUST}),
    ]
    for fn, kwargs in attempts:
        access_denied(fn, **kwargs)
    assert snapshot(iam) == before


# --- root, and other accounts ------------------------------------------------------------------


def test_root_is_allowed_everything_in_its_account(iam: Any, sts: Any, server: IamdServer) -> None:
    iam.create_user(UserName="u", PermissionsBoundary=ADMIN_AWS)
    iam.put_user_policy(UserName="u", PolicyName="deny", PolicyDocument=doc(deny("*")))
    iam.delete_user_permissions_boundary(UserName="u")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=EC2_TRUST)
    iam.delete_role(RoleName="r")
    assert sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{server.account_id}:root"
    with pytest.raises(ClientError) as info:
        sts.decode_authorization_message(EncodedMessage="x")
    assert info.value.response["Error"]["Code"] == "InvalidAuthorizationMessageException"


def test_other_accounts_entities_and_messages(
    two_accounts: tuple[IamdServer, dict[str, str]], tmp_path: Path
) -> None:
    srv, other_root = two_accounts
    mine = srv.client("iam")
    theirs_iam, theirs_sts = clients(srv, other_root)
    policy = theirs_iam.create_policy(PolicyName="theirs", PolicyDocument=doc(allow("iam:Get*")))["Policy"][
        "Arn"
    ]
    mine.create_user(UserName="admin")
    mine.attach_user_policy(UserName="admin", PolicyArn=ADMIN_AWS)
    admin_iam, admin_sts = clients(srv, mine.create_access_key(UserName="admin")["AccessKey"])

    # An administrator of one account cannot read or change another account's entities …
    sentence, encoded = access_denied(admin_iam.get_policy, PolicyArn=policy)
    # … and the message of a cross-account denial gives no reason (AWS hides the other side's policies).
    assert sentence == head(srv, f"arn:aws:iam::{srv.account_id}:user/admin", "iam:GetPolicy", policy)
    access_denied(admin_iam.delete_policy, PolicyArn=policy)
    access_denied(admin_iam.create_policy_version, PolicyArn=policy, PolicyDocument=doc(allow("*")))
    # Not even the root user of the first account.
    access_denied(mine.get_policy, PolicyArn=policy)
    assert theirs_iam.get_policy(PolicyArn=policy)["Policy"]["DefaultVersionId"] == "v1"

    # The encoded message is bound to the account it was issued for.
    assert decoded(admin_sts, encoded)["context"]["resource"] == policy
    with pytest.raises(ClientError) as info:
        theirs_sts.decode_authorization_message(EncodedMessage=encoded)
    assert info.value.response["Error"]["Code"] == "InvalidAuthorizationMessageException"
