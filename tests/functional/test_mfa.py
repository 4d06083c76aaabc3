"""Virtual MFA end to end with boto3: the seed's flow, the MFA-required policy, replay, resync, roles.

Codes are computed here from ``Base32StringSeed`` with pyotp, as an authenticator app would.
"""

from __future__ import annotations

import json
import struct
import time
from typing import Any

import pyotp
import pytest
from functional_helpers import clients

STEP = 30

# The seed's pattern: without MFA only what a user needs to set up MFA is allowed.
MFA_BOOTSTRAP = [
    "iam:GetUser",
    "iam:ListMFADevices",
    "iam:ListVirtualMFADevices",
    "iam:CreateVirtualMFADevice",
    "iam:EnableMFADevice",
    "iam:ResyncMFADevice",
    "sts:GetSessionToken",
]
MFA_REQUIRED = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "AllowSelfService", "Effect": "Allow", "Action": [*MFA_BOOTSTRAP, "iam:ListUsers"], "Resource": "*"},
        {
            "Sid": "DenyAllExceptListedIfNoMFA",
            "Effect": "Deny",
            "NotAction": MFA_BOOTSTRAP,
            "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
        },
    ],
}


def code_at(seed: str, offset_seconds: float = 0) -> str:
    return pyotp.TOTP(seed).at(time.time() + offset_seconds)


def consecutive(seed: str, offset_seconds: float = 0) -> dict[str, str]:
    """Two codes of consecutive steps, the second for the current step (``offset_seconds`` from now)."""
    now = time.time() + offset_seconds  # one reading: two could straddle a step boundary
    totp = pyotp.TOTP(seed)
    return {"AuthenticationCode1": totp.at(now - STEP), "AuthenticationCode2": totp.at(now)}


def user_with_policy(iam: Any, name: str, policy: dict[str, Any]) -> dict[str, Any]:
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(policy))
    return iam.create_access_key(UserName=name)["AccessKey"]


@pytest.fixture
def alice(server: Any, iam: Any) -> dict[str, Any]:
    """A user under the MFA-required policy who set up her own virtual MFA device."""
    key = user_with_policy(iam, "alice", MFA_REQUIRED)
    own_iam, own_sts = clients(server, key)
    device = own_iam.create_virtual_mfa_device(VirtualMFADeviceName="alice")["VirtualMFADevice"]
    seed = device["Base32StringSeed"].decode()
    own_iam.enable_mfa_device(UserName="alice", SerialNumber=device["SerialNumber"], **consecutive(seed))
    return {"key": key, "iam": own_iam, "sts": own_sts, "serial": device["SerialNumber"], "seed": seed,
            "device": device}


def test_create_virtual_device_returns_seed_and_qr_png(server: Any, iam: Any) -> None:
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="phone", Path="/ops/")["VirtualMFADevice"]
    assert device["SerialNumber"] == f"arn:aws:iam::{server.account_id}:mfa/ops/phone"
    seed = device["Base32StringSeed"]
    assert isinstance(seed, bytes) and len(seed) == 64
    pyotp.TOTP(seed.decode()).now()  # a valid Base32 seed
    png = device["QRCodePNG"]
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    assert width == height and width >= 100


def test_aws_cli_writes_the_qr_code(aws: Any, tmp_path: Any) -> None:
    out = aws("iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", "cli",
              "--outfile", "qr.png", "--bootstrap-method", "QRCodePNG")
    assert out["VirtualMFADevice"]["SerialNumber"].endswith(":mfa/cli")
    assert (tmp_path / "qr.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    aws("iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", "cli2",
        "--outfile", "seed.txt", "--bootstrap-method", "Base32StringSeed")
    pyotp.TOTP((tmp_path / "seed.txt").read_text().strip()).now()


def test_seed_flow_mfa_required_policy(server: Any, iam: Any, alice: dict[str, Any], error_of: Any) -> None:
    own_iam, own_sts = alice["iam"], alice["sts"]
    devices = own_iam.list_mfa_devices()["MFADevices"]
    assert [(d["UserName"], d["SerialNumber"]) for d in devices] == [("alice", alice["serial"])]
    assert own_iam.get_user()["User"]["UserName"] == "alice"

    denied = error_of(own_iam.list_users)
    assert (denied["Code"], denied["HTTPStatus"]) == ("AccessDenied", 403)
    assert "with an explicit deny" in denied["Message"]

    creds = own_sts.get_session_token(SerialNumber=alice["serial"], TokenCode=code_at(alice["seed"], STEP))["Credentials"]
    mfa_iam, mfa_sts = clients(server, creds)
    assert [u["UserName"] for u in mfa_iam.list_users()["Users"]] == ["alice"]
    assert mfa_iam.get_user()["User"]["UserName"] == "alice"
    assert mfa_sts.get_caller_identity()["Arn"].endswith(":user/alice")


def test_session_without_mfa_cannot_do_what_the_policy_reserves_for_mfa(
    server: Any, alice: dict[str, Any], error_of: Any
) -> None:
    creds = alice["sts"].get_session_token()["Credentials"]
    plain_iam, _ = clients(server, creds)
    # GetSessionToken credentials call no IAM action at all without MFA, even one the policy
    # allows: IAM refuses the token, as AWS does.
    for call in (plain_iam.list_users, plain_iam.get_user):
        err = error_of(call)
        assert (err["Code"], err["HTTPStatus"]) == ("InvalidClientTokenId", 403), err


def test_replayed_and_wrong_codes_are_refused(alice: dict[str, Any], error_of: Any) -> None:
    code = code_at(alice["seed"], STEP)
    alice["sts"].get_session_token(SerialNumber=alice["serial"], TokenCode=code)
    replay = error_of(alice["sts"].get_session_token, SerialNumber=alice["serial"], TokenCode=code)
    assert (replay["Code"], replay["HTTPStatus"]) == ("AccessDenied", 403)
    assert replay["Message"].startswith("MultiFactorAuthentication failed with invalid MFA one time pass code.")
    wrong = error_of(alice["sts"].get_session_token, SerialNumber=alice["serial"], TokenCode=code_at(alice["seed"], 300))
    assert wrong["Message"].startswith("MultiFactorAuthentication failed with invalid MFA one time pass code.")


def test_a_serial_of_someone_else_is_refused(server: Any, iam: Any, alice: dict[str, Any], error_of: Any) -> None:
    key = user_with_policy(iam, "bob", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:GetSessionToken", "Resource": "*"}]})
    _, bob_sts = clients(server, key)
    err = error_of(bob_sts.get_session_token, SerialNumber=alice["serial"], TokenCode=code_at(alice["seed"], STEP))
    assert err["Code"] == "AccessDenied"
    assert err["Message"].startswith("MultiFactorAuthentication failed, unable to validate MFA code.")


def test_non_consecutive_codes_are_refused(iam: Any, error_of: Any) -> None:
    iam.create_user(UserName="carol")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="carol")["VirtualMFADevice"]
    seed, serial = device["Base32StringSeed"].decode(), device["SerialNumber"]
    for first, second in [(-STEP, STEP), (0, 0), (0, -STEP)]:
        err = error_of(iam.enable_mfa_device, UserName="carol", SerialNumber=serial,
                       AuthenticationCode1=code_at(seed, first), AuthenticationCode2=code_at(seed, second))
        assert (err["Code"], err["HTTPStatus"]) == ("InvalidAuthenticationCode", 403)
        assert err["Message"] == "Authentication code for device is not valid."
    assert iam.list_mfa_devices(UserName="carol")["MFADevices"] == []
    assert iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"] == [
        {"SerialNumber": serial}
    ]


def test_resync_after_drift(server: Any, alice: dict[str, Any], error_of: Any) -> None:
    server.set_clock_offset(300)  # the server's clock runs 5 minutes (10 steps) ahead of the phone's
    err = error_of(alice["sts"].get_session_token, SerialNumber=alice["serial"], TokenCode=code_at(alice["seed"], STEP))
    assert err["Code"] == "AccessDenied"
    alice["iam"].resync_mfa_device(UserName="alice", SerialNumber=alice["serial"], **consecutive(alice["seed"], 2 * STEP))
    creds = alice["sts"].get_session_token(
        SerialNumber=alice["serial"], TokenCode=code_at(alice["seed"], 3 * STEP)
    )["Credentials"]
    mfa_iam, _ = clients(server, creds)
    assert mfa_iam.list_users()["Users"]


def test_deactivate_then_delete(iam: Any, alice: dict[str, Any], error_of: Any) -> None:
    err = error_of(iam.delete_virtual_mfa_device, SerialNumber=alice["serial"])
    assert (err["Code"], err["HTTPStatus"]) == ("DeleteConflict", 409)
    iam.tag_mfa_device(SerialNumber=alice["serial"], Tags=[{"Key": "team", "Value": "ops"}])
    assert iam.list_mfa_device_tags(SerialNumber=alice["serial"])["Tags"] == [{"Key": "team", "Value": "ops"}]
    got = iam.get_mfa_device(SerialNumber=alice["serial"])
    assert got["UserName"] == "alice" and got["EnableDate"]
    summary = iam.get_account_summary()["SummaryMap"]
    assert (summary["MFADevices"], summary["MFADevicesInUse"], summary["AccountMFAEnabled"]) == (1, 1, 0)
    iam.deactivate_mfa_device(UserName="alice", SerialNumber=alice["serial"])
    iam.delete_virtual_mfa_device(SerialNumber=alice["serial"])
    assert iam.list_virtual_mfa_devices()["VirtualMFADevices"] == []
    err = error_of(iam.get_mfa_device, SerialNumber=alice["serial"])
    assert (err["Code"], err["HTTPStatus"]) == ("NoSuchEntity", 404)


def test_assume_role_with_mfa(server: Any, iam: Any, error_of: Any) -> None:
    account = server.account_id
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "sts:AssumeRole"}]}
    iam.create_role(RoleName="admin", AssumeRolePolicyDocument=json.dumps(trust))
    iam.put_role_policy(RoleName="admin", PolicyName="mfa-only", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        }]}))
    key = user_with_policy(iam, "dave", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]})
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="dave")["VirtualMFADevice"]
    seed, serial = device["Base32StringSeed"].decode(), device["SerialNumber"]
    iam.enable_mfa_device(UserName="dave", SerialNumber=serial, **consecutive(seed))
    _, dave_sts = clients(server, key)
    role_arn = f"arn:aws:iam::{account}:role/admin"

    plain = dave_sts.assume_role(RoleArn=role_arn, RoleSessionName="plain")["Credentials"]
    assert error_of(clients(server, plain)[0].list_users)["Code"] == "AccessDenied"

    with_mfa = dave_sts.assume_role(
        RoleArn=role_arn, RoleSessionName="mfa", SerialNumber=serial, TokenCode=code_at(seed, STEP)
    )["Credentials"]
    assert clients(server, with_mfa)[0].list_users()["Users"]

    err = error_of(dave_sts.assume_role, RoleArn=role_arn, RoleSessionName="again",
                   SerialNumber=serial, TokenCode=code_at(seed, STEP))
    assert err["Message"].startswith("MultiFactorAuthentication failed with invalid MFA one time pass code.")


# AWS's "manage your own MFA device" example policy (reference_policies_examples_iam_mfa-selfmanage):
# resources scoped to the caller's user ARN and to MFA device ARNs, so the ARNs iamd authorizes
# each MFA action against matter.
SELF_MANAGE_MFA = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "AllowViewAccountInfo", "Effect": "Allow", "Action": "iam:ListVirtualMFADevices", "Resource": "*"},
        {"Sid": "AllowManageOwnVirtualMFADevice", "Effect": "Allow",
         "Action": ["iam:CreateVirtualMFADevice", "iam:TagMFADevice"], "Resource": "arn:aws:iam::*:mfa/*"},
        {"Sid": "AllowManageOwnUserMFA", "Effect": "Allow",
         "Action": ["iam:DeactivateMFADevice", "iam:EnableMFADevice", "iam:GetUser", "iam:GetMFADevice",
                    "iam:ListMFADevices", "iam:ResyncMFADevice"],
         "Resource": "arn:aws:iam::*:user/${aws:username}"},
        {"Sid": "AllowOwnSessions", "Effect": "Allow", "Action": "sts:GetSessionToken", "Resource": "*"},
        {"Sid": "DenyAllExceptListedIfNoMFA", "Effect": "Deny",
         "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:GetUser", "iam:ListMFADevices",
                       "iam:ListVirtualMFADevices", "iam:ResyncMFADevice", "sts:GetSessionToken"],
         "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}},
    ],
}


def test_self_manage_mfa_policy_authorizes_on_the_right_arns(server: Any, iam: Any, error_of: Any) -> None:
    key = user_with_policy(iam, "erin", SELF_MANAGE_MFA)
    iam.create_user(UserName="frank")
    own_iam, own_sts = clients(server, key)
    device = own_iam.create_virtual_mfa_device(VirtualMFADeviceName="erin")["VirtualMFADevice"]
    seed, serial = device["Base32StringSeed"].decode(), device["SerialNumber"]
    other = error_of(own_iam.enable_mfa_device, UserName="frank", SerialNumber=serial, **consecutive(seed))
    assert other["Code"] == "AccessDenied"
    assert f"on resource: arn:aws:iam::{server.account_id}:user/frank" in other["Message"]
    own_iam.enable_mfa_device(UserName="erin", SerialNumber=serial, **consecutive(seed))
    assert own_iam.list_virtual_mfa_devices()["VirtualMFADevices"][0]["User"]["UserName"] == "erin"
    # Deactivating needs MFA: denied with the long-term key, allowed in an MFA session.
    assert error_of(own_iam.deactivate_mfa_device, UserName="erin", SerialNumber=serial)["Code"] == "AccessDenied"
    creds = own_sts.get_session_token(SerialNumber=serial, TokenCode=code_at(seed, STEP))["Credentials"]
    mfa_iam, _ = clients(server, creds)
    mfa_iam.tag_mfa_device(SerialNumber=serial, Tags=[{"Key": "k", "Value": "v"}])
    assert mfa_iam.get_mfa_device(SerialNumber=serial, UserName="erin")["SerialNumber"] == serial
    mfa_iam.deactivate_mfa_device(UserName="erin", SerialNumber=serial)
    assert iam.list_mfa_devices(UserName="erin")["MFADevices"] == []


def test_mfa_age_counts_from_get_session_token(server: Any, iam: Any, error_of: Any) -> None:
    fresh_only = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:GetSessionToken", "Resource": "*"},
        {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*",
         "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}},
    ]}
    key = user_with_policy(iam, "gina", fresh_only)
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="gina")["VirtualMFADevice"]
    seed, serial = device["Base32StringSeed"].decode(), device["SerialNumber"]
    iam.enable_mfa_device(UserName="gina", SerialNumber=serial, **consecutive(seed))
    _, own_sts = clients(server, key)
    creds = own_sts.get_session_token(SerialNumber=serial, TokenCode=code_at(seed, STEP))["Credentials"]
    mfa_iam, _ = clients(server, creds)
    mfa_iam.list_users()
    server.set_clock_offset(7200)  # two hours later the session is valid, its MFA too old
    assert error_of(mfa_iam.list_users)["Code"] == "AccessDenied"


def test_seed_user_onboarding_end_to_end(server: Any, iam: Any, error_of: Any) -> None:
    """The seed's user-creation flow: user, console password that must be reset, access key,
    group carrying the MFA-required policy, the user's own virtual MFA enabled with two consecutive
    codes — then the policy denies without MFA and allows with an MFA session."""
    iam.create_user(UserName="new-hire", Path="/developers/")
    iam.create_login_profile(UserName="new-hire", Password="Initial-Passw0rd!", PasswordResetRequired=True)
    assert iam.get_login_profile(UserName="new-hire")["LoginProfile"]["PasswordResetRequired"] is True
    key = iam.create_access_key(UserName="new-hire")["AccessKey"]
    iam.create_group(GroupName="Developers")
    iam.put_group_policy(GroupName="Developers", PolicyName="mfa-required", PolicyDocument=json.dumps(MFA_REQUIRED))
    iam.add_user_to_group(UserName="new-hire", GroupName="Developers")

    own_iam, own_sts = clients(server, key)
    assert error_of(own_iam.list_users)["Code"] == "AccessDenied"  # no MFA yet
    device = own_iam.create_virtual_mfa_device(VirtualMFADeviceName="new-hire")["VirtualMFADevice"]
    seed = device["Base32StringSeed"].decode()
    own_iam.enable_mfa_device(UserName="new-hire", SerialNumber=device["SerialNumber"], **consecutive(seed))
    assert error_of(own_iam.list_users)["Code"] == "AccessDenied"  # long-term key: still no MFA

    # The enabling codes are spent (replay is refused); the next step's code is within the window.
    next_code = code_at(seed, STEP)
    creds = own_sts.get_session_token(SerialNumber=device["SerialNumber"], TokenCode=next_code)["Credentials"]
    mfa_iam, _ = clients(server, creds)
    assert [u["UserName"] for u in mfa_iam.list_users()["Users"]] == ["new-hire"]


# Item 10 of issue 9: after FREE_FAILURES wrong codes a device refuses every code for a window that
# doubles with each further failure (iamd.services.iam.mfa_attempts).
FREE_FAILURES = 5
LOCKED = "MultiFactorAuthentication failed: too many invalid MFA one time pass codes for this device"


def _wrong(seed: str, offset: float) -> str:
    """A code that is none of the three the server accepts around ``offset``."""
    valid = {code_at(seed, offset + d) for d in (-2 * STEP, -STEP, 0, STEP, 2 * STEP)}
    return next(c for c in (f"{n:06d}" for n in range(10)) if c not in valid)


def _guess(alice: dict[str, Any], error_of: Any, code: str) -> dict[str, Any]:
    return error_of(alice["sts"].get_session_token, SerialNumber=alice["serial"], TokenCode=code)


def test_guessing_codes_locks_the_device_with_a_doubling_back_off(
    server: Any, alice: dict[str, Any], error_of: Any
) -> None:
    seed = alice["seed"]
    for _ in range(FREE_FAILURES):
        err = _guess(alice, error_of, _wrong(seed, STEP))
        assert err["Message"].startswith("MultiFactorAuthentication failed with invalid MFA one time pass code.")
    locked = _guess(alice, error_of, code_at(seed, STEP))  # the right code, refused while locked
    assert (locked["Code"], locked["HTTPStatus"]) == ("AccessDenied", 403)
    assert locked["Message"].startswith(LOCKED), locked

    server.set_clock_offset(2 * STEP)  # past the first window (30 s)
    assert _guess(alice, error_of, _wrong(seed, 3 * STEP))["Message"].startswith(
        "MultiFactorAuthentication failed with invalid MFA one time pass code.")
    server.set_clock_offset(3 * STEP)  # the sixth failure in a row locks for 60 s, not 30
    assert _guess(alice, error_of, code_at(seed, 3 * STEP))["Message"].startswith(LOCKED)

    server.set_clock_offset(5 * STEP)
    creds = alice["sts"].get_session_token(SerialNumber=alice["serial"], TokenCode=code_at(seed, 5 * STEP))
    assert creds["Credentials"]["SessionToken"]
    # An accepted code clears the count: five more guesses are allowed before the next lockout.
    for _ in range(FREE_FAILURES - 1):
        assert not _guess(alice, error_of, _wrong(seed, 6 * STEP))["Message"].startswith(LOCKED)
    alice["sts"].get_session_token(SerialNumber=alice["serial"], TokenCode=code_at(seed, 6 * STEP))


def _user_with_device(server: Any, iam: Any, name: str, actions: list[str]) -> dict[str, Any]:
    key = user_with_policy(iam, name, {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": actions, "Resource": "*"}]})
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
    seed, serial = device["Base32StringSeed"].decode(), device["SerialNumber"]
    iam.enable_mfa_device(UserName=name, SerialNumber=serial, **consecutive(seed))
    return {"key": key, "sts": clients(server, key)[1], "serial": serial, "seed": seed}


def test_assume_role_and_resync_count_against_the_same_device(server: Any, iam: Any, error_of: Any) -> None:
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{server.account_id}:root"}, "Action": "sts:AssumeRole"}]}
    role_arn = iam.create_role(RoleName="ops", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    dave = _user_with_device(server, iam, "dave", ["sts:AssumeRole", "sts:GetSessionToken"])
    seed = dave["seed"]
    for n in range(FREE_FAILURES):
        err = error_of(dave["sts"].assume_role, RoleArn=role_arn, RoleSessionName=f"s{n}",
                       SerialNumber=dave["serial"], TokenCode=_wrong(seed, STEP))
        assert err["Message"].startswith("MultiFactorAuthentication failed with invalid MFA one time pass code.")
    assert _guess(dave, error_of, code_at(seed, STEP))["Message"].startswith(LOCKED)
    resync = error_of(iam.resync_mfa_device, UserName="dave", SerialNumber=dave["serial"], **consecutive(seed, STEP))
    assert (resync["Code"], resync["HTTPStatus"]) == ("InvalidAuthenticationCode", 403)
    assert "too many invalid codes for this device; try again after " in resync["Message"]
    # An administrator's way out besides waiting: deactivate and enable the device again.
    iam.deactivate_mfa_device(UserName="dave", SerialNumber=dave["serial"])
    server.set_clock_offset(2 * STEP)  # fresh steps: the replay mark survives the deactivation
    iam.enable_mfa_device(UserName="dave", SerialNumber=dave["serial"], **consecutive(seed, 2 * STEP))
    dave["sts"].get_session_token(SerialNumber=dave["serial"], TokenCode=code_at(seed, 3 * STEP))


def test_the_lockout_holds_across_a_restart(tmp_path: Any) -> None:
    from functional_helpers import error

    from iamd.testing import IamdServer

    data = tmp_path / "data"
    first = IamdServer(extra_args=["--data-dir", str(data)])
    with first:
        erin = _user_with_device(first, first.client("iam"), "erin", ["sts:GetSessionToken"])
        for _ in range(FREE_FAILURES):
            error(erin["sts"].get_session_token, SerialNumber=erin["serial"], TokenCode=_wrong(erin["seed"], STEP))
    second = IamdServer(extra_args=["--data-dir", str(data)])
    second.access_key_id, second.secret_access_key = first.access_key_id, first.secret_access_key
    with second:
        sts = clients(second, erin["key"])[1]
        err = error(sts.get_session_token, SerialNumber=erin["serial"], TokenCode=code_at(erin["seed"], STEP))
        assert err["Message"].startswith(LOCKED)


# Item 11 of issue 9: the serial number a path and name give must be one SerialNumber accepts
# (botocore's serialNumberType: at most 256 characters of [\w+=/:,.@-]).
@pytest.mark.parametrize(
    ("name", "path"),
    [("n" * 2212, "/"), ("n" * 10_000, "/"), ("n" * 227, "/"), ("n" * 200, "/" + "p" * 40 + "/"), ("x", "/a!b/"),
     ("x", "/a#b/")],
)
def test_a_serial_number_other_operations_refuse_is_not_created(
    iam: Any, error_of: Any, name: str, path: str
) -> None:
    err = error_of(iam.create_virtual_mfa_device, VirtualMFADeviceName=name, Path=path)
    assert (err["Code"], err["HTTPStatus"]) == ("InvalidInput", 400), err
    assert "serial number of the MFA device" in err["Message"]
    assert iam.list_virtual_mfa_devices()["VirtualMFADevices"] == []


def test_the_longest_serial_number_works_end_to_end(server: Any, iam: Any) -> None:
    name = "n" * (256 - len(f"arn:aws:iam::{server.account_id}:mfa/"))
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]["SerialNumber"]
    assert len(serial) == 256
    iam.tag_mfa_device(SerialNumber=serial, Tags=[{"Key": "k", "Value": "v"}])
    iam.delete_virtual_mfa_device(SerialNumber=serial)
    assert iam.list_virtual_mfa_devices()["VirtualMFADevices"] == []
