"""Session tokens over their lifetime: expiry, forgery, master-key rotation, revocation.

AWS's answers: an expired token is ``ExpiredToken`` ("The security token included in the request
is expired"); anything that is not a token AWS issued for that access key id is
``InvalidClientTokenId`` ("The security token included in the request is invalid."). A role's
sessions end when the role is deleted or when an inline deny on ``aws:TokenIssueTime`` (the
console's "Revoke active sessions") covers their issue time; an inactive access key stops working
at once. Time travel uses the ephemeral server's clock (``set_clock_offset``); master keys are
exercised on data-dir servers started with ``IAMD_MASTER_KEY``.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from functional_helpers import allow, as_creds, doc, error

from iamd.testing import IamdServer

INVALID = "The security token included in the request is invalid."
EXPIRED = "The security token included in the request is expired"


def invalid(server: IamdServer, creds: dict[str, Any], service: str = "sts") -> None:
    client = as_creds(server, service, creds)
    fn = client.get_caller_identity if service == "sts" else client.list_users
    err = error(fn)
    assert (err["Code"], err["HTTPStatus"]) == ("InvalidClientTokenId", 403), err


def works(server: IamdServer, creds: dict[str, Any]) -> str:
    return str(as_creds(server, "sts", creds).get_caller_identity()["Arn"])


def setup_role(iam: Any, role_statements: list[dict[str, Any]] | None = None) -> tuple[dict[str, Any], str]:
    """User ``alice`` (allowed sts:AssumeRole) and role ``app`` trusting her; her key, the role ARN."""
    arn = iam.create_user(UserName="alice")["User"]["Arn"]
    iam.put_user_policy(UserName="alice", PolicyName="p", PolicyDocument=doc(allow(["sts:AssumeRole", "iam:ListUsers"])))
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    trust = doc({"Effect": "Allow", "Principal": {"AWS": arn}, "Action": "sts:AssumeRole"})
    role = iam.create_role(RoleName="app", AssumeRolePolicyDocument=trust)["Role"]
    iam.put_role_policy(RoleName="app", PolicyName="p", PolicyDocument=doc(*(role_statements or [allow("iam:ListUsers")])))
    return key, role["Arn"]


def assume(server: IamdServer, key: dict[str, Any], role_arn: str, **kw: Any) -> dict[str, Any]:
    out = as_creds(server, "sts", key).assume_role(RoleArn=role_arn, RoleSessionName="s1", **kw)
    return dict(out["Credentials"])


# --- expiry -----------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["assume-role", "session-token", "federation-token"])
def test_sessions_expire(server: IamdServer, iam: Any, how: str) -> None:
    key, role_arn = setup_role(iam)
    iam.put_user_policy(UserName="alice", PolicyName="fed", PolicyDocument=doc(allow("sts:GetFederationToken")))
    sts = as_creds(server, "sts", key)
    if how == "assume-role":
        creds = assume(server, key, role_arn, DurationSeconds=900)
    elif how == "session-token":
        creds = sts.get_session_token(DurationSeconds=900)["Credentials"]
    else:
        creds = sts.get_federation_token(Name="fed", DurationSeconds=900, Policy=doc(allow("*")))["Credentials"]
    server.set_clock_offset(850)
    works(server, creds)
    server.set_clock_offset(901)
    for service in ("sts", "iam"):
        client = as_creds(server, service, creds)
        err = error(client.get_caller_identity if service == "sts" else client.list_users)
        assert (err["Code"], err["Message"]) == ("ExpiredToken", EXPIRED)
        assert err["HTTPStatus"] in (400, 403)
    # The long-term key is untouched by time travel; a fresh session works at the new time.
    works(server, assume(server, key, role_arn))


def test_expiry_follows_duration_seconds(server: IamdServer, iam: Any) -> None:
    key, role_arn = setup_role(iam)
    iam.update_role(RoleName="app", MaxSessionDuration=7200)
    long = assume(server, key, role_arn, DurationSeconds=7200)
    short = assume(server, key, role_arn)
    server.set_clock_offset(3700)
    works(server, long)
    assert error(as_creds(server, "sts", short).get_caller_identity)["Code"] == "ExpiredToken"


# --- forged tokens ----------------------------------------------------------------------------


def _flip(token: str, index: int) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    old = token[index]
    new = alphabet[(alphabet.index(old) + 17) % 64]
    return token[:index] + new + token[index + 1:]


@pytest.mark.parametrize("index", [0, 3, 8, 20, "middle", -10])
def test_tampered_token(server: IamdServer, iam: Any, index: int | str) -> None:
    key, role_arn = setup_role(iam)
    creds = assume(server, key, role_arn)
    token = creds["SessionToken"]
    at = len(token) // 2 if index == "middle" else int(index)
    invalid(server, {**creds, "SessionToken": _flip(token, at)})
    invalid(server, {**creds, "SessionToken": _flip(token, at)}, "iam")
    works(server, creds)


@pytest.mark.parametrize("cut", [4, 16, "half", "all-but-8"])
def test_truncated_token(server: IamdServer, iam: Any, cut: int | str) -> None:
    key, role_arn = setup_role(iam)
    creds = assume(server, key, role_arn)
    token = creds["SessionToken"]
    short = token[: len(token) // 2] if cut == "half" else token[:8] if cut == "all-but-8" else token[: -int(cut)]
    invalid(server, {**creds, "SessionToken": short})


@pytest.mark.parametrize(
    "garbage",
    ["not a token", "A" * 100, base64.b64encode(os.urandom(120)).decode(), "é" * 10, "x" * 20000],
)
def test_garbage_token(server: IamdServer, iam: Any, garbage: str) -> None:
    key, role_arn = setup_role(iam)
    creds = assume(server, key, role_arn)
    invalid(server, {**creds, "SessionToken": garbage})


def test_token_with_another_access_key_id(server: IamdServer, iam: Any) -> None:
    key, role_arn = setup_role(iam)
    first, second = assume(server, key, role_arn), assume(server, key, role_arn)
    # Signed correctly with the second session's key id and secret, carrying the first's token.
    invalid(server, {**second, "SessionToken": first["SessionToken"]})
    # The first session's key id with another secret: the token opens, the signature does not match.
    err = error(as_creds(server, "sts", {**first, "SecretAccessKey": second["SecretAccessKey"]}).get_caller_identity)
    assert (err["Code"], err["HTTPStatus"]) == ("SignatureDoesNotMatch", 403)
    # A long-term key id with a session token attached is not a session either.
    invalid(server, {**key, "SessionToken": first["SessionToken"]})
    # A session key id and secret without the token: no such long-term key.
    invalid(server, {**first, "SessionToken": None})


# --- revocation -------------------------------------------------------------------------------


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_revoke_active_sessions(server: IamdServer, iam: Any) -> None:
    """The console's "Revoke active sessions": an inline deny of everything for tokens issued before now."""
    key, role_arn = setup_role(iam)
    old = assume(server, key, role_arn)
    as_creds(server, "iam", old).list_users()
    server.set_clock_offset(10)  # later sessions are issued at real time + 10 s
    revoked_before = _iso(datetime.now(UTC) + timedelta(seconds=5))
    iam.put_role_policy(RoleName="app", PolicyName="AWSRevokeOlderSessions", PolicyDocument=doc(
        {"Effect": "Deny", "Action": "*", "Resource": "*",
         "Condition": {"DateLessThan": {"aws:TokenIssueTime": revoked_before}}}))
    err = error(as_creds(server, "iam", old).list_users)
    assert (err["Code"], err["HTTPStatus"]) == ("AccessDenied", 403)
    assert "with an explicit deny in an identity-based policy" in err["Message"]
    new = assume(server, key, role_arn)
    as_creds(server, "iam", new).list_users()
    # The user's long-term key is not a session: the role's policy does not concern it.
    as_creds(server, "iam", key).list_users()


def test_deleting_the_role_ends_its_sessions(server: IamdServer, iam: Any) -> None:
    key, role_arn = setup_role(iam)
    creds = assume(server, key, role_arn)
    as_creds(server, "iam", creds).list_users()
    iam.delete_role_policy(RoleName="app", PolicyName="p")
    iam.delete_role(RoleName="app")
    invalid(server, creds, "iam")
    # A new role of the same name is another role: the old sessions stay dead.
    trust = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{server.account_id}:user/alice"},
                 "Action": "sts:AssumeRole"})
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=trust)
    iam.put_role_policy(RoleName="app", PolicyName="p", PolicyDocument=doc(allow("iam:ListUsers")))
    invalid(server, creds, "iam")
    as_creds(server, "iam", assume(server, key, role_arn)).list_users()


def test_deleting_the_user_ends_its_session_token_credentials(server: IamdServer, iam: Any) -> None:
    key, _ = setup_role(iam)
    creds = as_creds(server, "sts", key).get_session_token()["Credentials"]
    works(server, creds)
    iam.delete_access_key(UserName="alice", AccessKeyId=key["AccessKeyId"])
    iam.delete_user_policy(UserName="alice", PolicyName="p")
    iam.delete_user(UserName="alice")
    # An AssumeRole needs the user's policies: they are gone with the user.
    err = error(as_creds(server, "sts", creds).assume_role,
                RoleArn=f"arn:aws:iam::{server.account_id}:role/app", RoleSessionName="s1")
    assert err["Code"] == "InvalidClientTokenId"


def test_an_inactive_access_key_fails_at_once(server: IamdServer, iam: Any) -> None:
    key, _ = setup_role(iam)
    works(server, key)
    iam.update_access_key(UserName="alice", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    for service in ("sts", "iam"):
        err = error(as_creds(server, service, key).get_caller_identity if service == "sts"
                    else as_creds(server, service, key).list_users)
        assert (err["Code"], err["Message"], err["HTTPStatus"]) == ("InvalidClientTokenId", INVALID, 403)
    iam.update_access_key(UserName="alice", AccessKeyId=key["AccessKeyId"], Status="Active")
    works(server, key)
    iam.delete_access_key(UserName="alice", AccessKeyId=key["AccessKeyId"])
    invalid(server, key)


# --- master keys ------------------------------------------------------------------------------


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


class DataDirServer:
    """A data-dir server restarted under chosen master keys, keeping its root credentials."""

    def __init__(self, data: Path, account_id: str = "123456789012") -> None:
        self.data = data
        self.account_id = account_id
        self.root: tuple[str, str] | None = None

    def start(self, master: str, previous: str | None = None) -> IamdServer:
        env = {"IAMD_MASTER_KEY": master, "IAMD_PREVIOUS_MASTER_KEYS": previous or ""}
        srv = IamdServer(account_id=self.account_id, extra_args=["--data-dir", str(self.data)], env=env)
        if self.root is None:
            self.root = (srv.access_key_id, srv.secret_access_key)
        srv.access_key_id, srv.secret_access_key = self.root
        return srv.start()

    def reseal(self, master: str, previous: str) -> str:
        """``iamd keys reseal``: every stored secret under ``master``, ``previous`` retired."""
        env = os.environ | {"IAMD_MASTER_KEY": master, "IAMD_PREVIOUS_MASTER_KEYS": previous}
        out = subprocess.run([sys.executable, "-m", "iamd.cli", "keys", "reseal", "--data-dir", str(self.data)],
                             env=env, capture_output=True, text=True, check=True)
        return out.stdout


@pytest.fixture
def first_start(tmp_path: Path) -> Iterator[tuple[DataDirServer, str, dict[str, dict[str, Any]]]]:
    """A data-dir server under master key K1 with a user key, a role session and a GetSessionToken session."""
    box = DataDirServer(tmp_path / "data")
    k1 = _key()
    srv = box.start(k1)
    try:
        iam = srv.client("iam")
        key, role_arn = setup_role(iam)
        made = {
            "user-key": key,
            "role-session": assume(srv, key, role_arn),
            "session-token": as_creds(srv, "sts", key).get_session_token()["Credentials"],
        }
        for creds in made.values():
            works(srv, creds)
    finally:
        srv.stop()
    yield box, k1, made


def test_a_token_from_a_server_with_another_master_key(tmp_path: Path) -> None:
    servers = [
        IamdServer(extra_args=["--data-dir", str(tmp_path / name)], env={"IAMD_MASTER_KEY": _key()})
        for name in ("one", "two")
    ]
    with servers[0] as one, servers[1] as two:
        sessions = []
        for srv in (one, two):
            key, role_arn = setup_role(srv.client("iam"))
            sessions.append(assume(srv, key, role_arn))
        works(one, sessions[0])
        works(two, sessions[1])
        invalid(two, sessions[0])
        invalid(one, sessions[1])


def test_restart_under_a_new_master_key_without_the_old_one(first_start: Any) -> None:
    box, _, made = first_start
    with box.start(_key()) as srv:
        for creds in made.values():
            invalid(srv, creds)


def test_master_key_rotation_keeps_sessions_and_keys(first_start: Any) -> None:
    box, k1, made = first_start
    k2 = _key()
    with box.start(k2, previous=k1) as srv:
        assert works(srv, made["role-session"]).endswith(":assumed-role/app/s1")
        assert works(srv, made["session-token"]).endswith(":user/alice")
        assert works(srv, made["user-key"]).endswith(":user/alice")
        as_creds(srv, "iam", made["role-session"]).list_users()
        srv.client("iam").list_users()  # root's long-term key, sealed under K1
        fresh = assume(srv, made["user-key"], f"arn:aws:iam::{box.account_id}:role/app")
        new_key = srv.client("iam").create_access_key(UserName="alice")["AccessKey"]
    # Once K1 is dropped, what was sealed under it stops opening; what K2 sealed keeps working.
    with box.start(k2) as srv:
        invalid(srv, made["role-session"])
        invalid(srv, made["session-token"])
        works(srv, fresh)
        works(srv, new_key)


def test_old_long_term_keys_survive_dropping_the_previous_master_key_after_the_reseal(first_start: Any) -> None:
    box, k1, made = first_start
    k2 = _key()
    with box.start(k2, previous=k1) as srv:
        works(srv, made["user-key"])
    assert "retired master key" in box.reseal(k2, k1)
    with box.start(k2, previous=k1) as srv:  # sessions sealed before the retirement still open
        works(srv, made["role-session"])
        works(srv, made["user-key"])
    with box.start(k2) as srv:
        works(srv, made["user-key"])


def test_authorization_messages_decode_after_rotation(tmp_path: Path) -> None:
    box, k1 = DataDirServer(tmp_path / "data"), _key()
    with box.start(k1) as srv:
        iam = srv.client("iam")
        iam.create_user(UserName="nosy")
        iam.put_user_policy(UserName="nosy", PolicyName="p", PolicyDocument=doc(allow("sts:DecodeAuthorizationMessage")))
        key = iam.create_access_key(UserName="nosy")["AccessKey"]
        message = error(as_creds(srv, "iam", key).list_users)["Message"].rsplit(" ", 1)[1]
        as_creds(srv, "sts", key).decode_authorization_message(EncodedMessage=message)
    with box.start(_key(), previous=k1) as srv:
        as_creds(srv, "sts", key).decode_authorization_message(EncodedMessage=message)
