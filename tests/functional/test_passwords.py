"""Console passwords over the wire: login profiles, the account password policy, ChangePassword
under enforcement, and the secret kept out of responses, logs and the database file."""

from __future__ import annotations

from pathlib import Path

import pytest
from botocore.config import Config

from iamd import testing
from iamd.testing import IamdServer

CHANGE_OWN = "arn:aws:iam::aws:policy/IAMUserChangePassword"


def _user_with_key(iam, name: str, password: str | None = None, **profile) -> dict:
    iam.create_user(UserName=name)
    if password is not None:
        iam.create_login_profile(UserName=name, Password=password, **profile)
    return iam.create_access_key(UserName=name)["AccessKey"]


def test_seed_flow_create_user_with_reset_required(iam, aws) -> None:
    iam.create_user(UserName="newhire")
    out = aws("iam", "create-login-profile", "--user-name", "newhire",
              "--password", "Welcome-2-iamd", "--password-reset-required")
    assert out["LoginProfile"]["UserName"] == "newhire" and out["LoginProfile"]["PasswordResetRequired"] is True
    assert "Password" not in out["LoginProfile"]
    got = iam.get_login_profile(UserName="newhire")["LoginProfile"]
    assert got["PasswordResetRequired"] is True and got["CreateDate"] is not None
    iam.update_login_profile(UserName="newhire", PasswordResetRequired=False)
    assert iam.get_login_profile(UserName="newhire")["LoginProfile"]["PasswordResetRequired"] is False


def test_login_profile_errors(iam, error_of) -> None:
    iam.create_user(UserName="u")
    err = error_of(iam.get_login_profile, UserName="u")
    assert (err["Code"], err["Message"], err["HTTPStatus"]) == (
        "NoSuchEntity", "Login Profile for User u cannot be found.", 404)
    iam.create_login_profile(UserName="u", Password="Welcome-2-iamd")
    err = error_of(iam.create_login_profile, UserName="u", Password="Welcome-3-iamd")
    assert (err["Code"], err["Message"], err["HTTPStatus"]) == (
        "EntityAlreadyExists", "Login Profile for user u already exists.", 409)
    err = error_of(iam.delete_user, UserName="u")
    assert (err["Code"], err["Message"]) == ("DeleteConflict", "Cannot delete entity, must delete login profile first.")
    iam.delete_login_profile(UserName="u")
    iam.delete_user(UserName="u")


def test_password_policy_actions(iam, server, error_of) -> None:
    err = error_of(iam.get_account_password_policy)
    assert (err["Code"], err["Message"], err["HTTPStatus"]) == (
        "NoSuchEntity", f"The Password Policy with domain name {server.account_id} cannot be found.", 404)
    iam.update_account_password_policy(MinimumPasswordLength=10, RequireSymbols=True, MaxPasswordAge=90,
                                       PasswordReusePrevention=5, AllowUsersToChangePassword=True)
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert policy == {
        "MinimumPasswordLength": 10, "RequireSymbols": True, "RequireNumbers": False,
        "RequireUppercaseCharacters": False, "RequireLowercaseCharacters": False,
        "AllowUsersToChangePassword": True, "ExpirePasswords": True, "MaxPasswordAge": 90,
        "PasswordReusePrevention": 5, "HardExpiry": False,
    }
    unchecked = server.client("iam", config=Config(parameter_validation=False))
    for bad in ({"MinimumPasswordLength": 5}, {"MinimumPasswordLength": 129}, {"MaxPasswordAge": 0},
                {"MaxPasswordAge": 1096}, {"PasswordReusePrevention": 0}, {"PasswordReusePrevention": 25}):
        err = error_of(unchecked.update_account_password_policy, **bad)
        assert (err["Code"], err["HTTPStatus"]) == ("ValidationError", 400), bad
    assert iam.get_account_password_policy()["PasswordPolicy"]["MinimumPasswordLength"] == 10
    iam.delete_account_password_policy()
    assert error_of(iam.delete_account_password_policy)["Code"] == "NoSuchEntity"


@pytest.mark.parametrize(
    ("policy", "password", "message"),
    [
        ({"MinimumPasswordLength": 12}, "Short-1a", "Password should have a minimum length of 12"),
        ({"RequireUppercaseCharacters": True}, "lower-1-case", "Password should have at least one uppercase letter"),
        ({"RequireLowercaseCharacters": True}, "UPPER-1-CASE", "Password should have at least one lowercase letter"),
        ({"RequireNumbers": True}, "No-Numbers-Here", "Password should have at least one number"),
        ({"RequireSymbols": True}, "NoSymbols1Here", "Password should have at least one symbol"),
        (None, "Abc-1", "Password should have a minimum length of 8"),
        (None, "onlylowercase", "Password should have at least three of the following: uppercase letters,"
                                " lowercase letters, numbers and symbols"),
    ],
)
def test_every_rule_violated_once(iam, error_of, policy, password: str, message: str) -> None:
    if policy is not None:
        iam.update_account_password_policy(**policy)
    iam.create_user(UserName="p")
    err = error_of(iam.create_login_profile, UserName="p", Password=password)
    assert (err["Code"], err["Message"], err["HTTPStatus"]) == ("PasswordPolicyViolation", message, 400)


def test_change_password_with_own_key(iam, client_for, error_of) -> None:
    key = _user_with_key(iam, "self", "Welcome-2-iamd", PasswordResetRequired=True)
    as_self = client_for("iam", key)
    # No policy grants it yet: enforcement denies.
    err = error_of(as_self.change_password, OldPassword="Welcome-2-iamd", NewPassword="Mine-0wn-secret")
    assert (err["Code"], err["HTTPStatus"]) == ("AccessDenied", 403)
    iam.attach_user_policy(UserName="self", PolicyArn=CHANGE_OWN)
    err = error_of(as_self.change_password, OldPassword="Wrong-0ld-one", NewPassword="Mine-0wn-secret")
    assert (err["Code"], err["Message"]) == ("AccessDenied", "The old password was incorrect.")
    as_self.change_password(OldPassword="Welcome-2-iamd", NewPassword="Mine-0wn-secret")
    assert iam.get_login_profile(UserName="self")["LoginProfile"]["PasswordResetRequired"] is False
    # IAMUserChangePassword is about one's own password: not another user's, not even via the admin API.
    _user_with_key(iam, "victim", "Victim-pass-1")
    err = error_of(as_self.update_login_profile, UserName="victim", Password="Hijacked-pass-1")
    assert (err["Code"], err["HTTPStatus"]) == ("AccessDenied", 403)
    assert error_of(as_self.get_login_profile, UserName="victim")["Code"] == "AccessDenied"


def test_allow_users_to_change_password_false_keeps_policy_grants(iam, client_for, error_of) -> None:
    """AWS: clearing the option removes the console-wide grant; a user whose policies allow
    iam:ChangePassword still may change its own password."""
    iam.update_account_password_policy(AllowUsersToChangePassword=False)
    granted = _user_with_key(iam, "granted", "Welcome-2-iamd")
    iam.attach_user_policy(UserName="granted", PolicyArn=CHANGE_OWN)
    client_for("iam", granted).change_password(OldPassword="Welcome-2-iamd", NewPassword="Changed-2-iamd")
    plain = _user_with_key(iam, "plain", "Welcome-2-iamd")
    err = error_of(client_for("iam", plain).change_password, OldPassword="Welcome-2-iamd", NewPassword="Changed-2-iamd")
    assert (err["Code"], err["HTTPStatus"]) == ("AccessDenied", 403)


def test_root_cannot_change_password(iam, error_of) -> None:
    err = error_of(iam.change_password, OldPassword="Anything-1", NewPassword="Anything-2")
    assert (err["Code"], err["Message"], err["HTTPStatus"]) == (
        "InvalidUserType", "Only IAM Users can change their own password.", 400)


def test_reuse_prevention_over_n_changes(iam, client_for, error_of) -> None:
    iam.update_account_password_policy(PasswordReusePrevention=3)
    key = _user_with_key(iam, "r", "Passw0rd-0")
    iam.attach_user_policy(UserName="r", PolicyArn=CHANGE_OWN)
    me = client_for("iam", key)
    for i in range(1, 5):
        me.change_password(OldPassword=f"Passw0rd-{i - 1}", NewPassword=f"Passw0rd-{i}")
    for recent in ("Passw0rd-4", "Passw0rd-3", "Passw0rd-2"):
        err = error_of(me.change_password, OldPassword="Passw0rd-4", NewPassword=recent)
        assert (err["Code"], err["Message"]) == (
            "PasswordPolicyViolation", "Password should not be one of your previous 3 passwords.")
    me.change_password(OldPassword="Passw0rd-4", NewPassword="Passw0rd-1")


def test_password_never_in_responses_logs_or_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data, log = tmp_path / "data", tmp_path / "iamd.log"
    secrets = ["Zebra-Secret-4711!", "Yak-Secret-0815!", "Wombat-Secret-42!"]
    log_file = log.open("ab")
    # IamdServer.start drops its handle on the log file unclosed; hand it one this test closes.
    monkeypatch.setattr(testing, "open", lambda *_args, **_kw: log_file, raising=False)
    with log_file, IamdServer(extra_args=["--data-dir", str(data), "--log-level", "debug"], log_path=log) as srv:
        iam = srv.client("iam")
        iam.update_account_password_policy(PasswordReusePrevention=5, MinimumPasswordLength=8)
        iam.create_user(UserName="s")
        responses = [iam.create_login_profile(UserName="s", Password=secrets[0], PasswordResetRequired=True)]
        iam.attach_user_policy(UserName="s", PolicyArn=CHANGE_OWN)
        key = iam.create_access_key(UserName="s")["AccessKey"]
        me = srv.client("iam", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
        responses.append(me.change_password(OldPassword=secrets[0], NewPassword=secrets[1]))
        responses.append(iam.update_login_profile(UserName="s", Password=secrets[2]))
        responses.append(iam.get_login_profile(UserName="s"))
        try:
            me.change_password(OldPassword="not-it", NewPassword=secrets[0])
        except me.exceptions.ClientError as err:
            responses.append(err.response)
    files = [p for p in data.rglob("*") if p.is_file()]
    assert any(p.suffix in (".db", ".sqlite", ".sqlite3") for p in files), files
    assert log.stat().st_size > 0
    blobs = [p.read_bytes() for p in files] + [log.read_bytes()] + [repr(r).encode() for r in responses]
    assert any(b"$argon2id$" in blob for blob in blobs)  # the hashes are there ...
    for secret in secrets:
        for blob in blobs:
            assert secret.encode() not in blob  # ... the passwords are not

