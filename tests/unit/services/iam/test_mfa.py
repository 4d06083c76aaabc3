"""Virtual MFA devices and the STS MFA check on both store backends, with a controlled clock."""

from __future__ import annotations

import struct
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from iamd.auth import sealed_context, totp
from iamd.errors import AccessDenied
from iamd.services.context import Call, Caller
from iamd.services.iam import mfa
from iamd.services.iam.errors import DeleteConflict, EntityAlreadyExists, LimitExceeded, NoSuchEntity
from iamd.services.registry import ACTIONS
from iamd.services.runtime import Runtime
from iamd.services.sts import credentials

NOW = datetime(2026, 11, 29, 12, 0, 10, tzinfo=UTC)
STEP = totp.step_at(NOW)


class Env:
    """Calls at a chosen time, as root or as one of the account's users."""

    def __init__(self, runtime: Runtime, account: str) -> None:
        self.runtime, self.account = runtime, account
        self.now = NOW

    def root(self) -> Caller:
        return Caller(self.account, f"arn:aws:iam::{self.account}:root", self.account, "root", "AKIAROOT")

    def user(self, name: str) -> Caller:
        row = self("iam", "GetUser", {"UserName": name})["User"]
        return Caller(self.account, row["Arn"], row["UserId"], "user", "AKIAUSER", user_name=name)

    def _call(self, conn: Any, caller: Caller | None) -> Call:
        return Call(conn, caller or self.root(), self.now, str(uuid.uuid4()), self.runtime)

    def __call__(self, service: str, name: str, params: dict[str, Any] | None = None, caller: Caller | None = None) -> Any:
        with self.runtime.store.begin() as conn:
            return ACTIONS[service][name](self._call(conn, caller), params or {})

    def verify(self, caller: Caller, serial: str | None, code: str | None) -> bool:
        with self.runtime.store.begin() as conn:
            return credentials.verify_mfa(self._call(conn, caller), serial, code)

    def enable_root(self, serial: str, code1: str, code2: str) -> None:
        with self.runtime.store.begin() as conn:
            mfa.enable_root_device(self._call(conn, None), serial, code1, code2)


@pytest.fixture
def env(runtime: Runtime, account: str) -> Env:
    return Env(runtime, account)


def new_device(env: Env, name: str = "dev", **params: Any) -> tuple[str, str]:
    device = env("iam", "CreateVirtualMFADevice", {"VirtualMFADeviceName": name, **params})["VirtualMFADevice"]
    return device["SerialNumber"], device["Base32StringSeed"].decode()


def code(seed: str, offset: int = 0) -> str:
    return totp.code_at(seed, STEP + offset)


def enabled_user(env: Env, user: str = "alice", device: str = "dev") -> tuple[str, str]:
    env("iam", "CreateUser", {"UserName": user})
    serial, seed = new_device(env, device)
    env("iam", "EnableMFADevice", {
        "UserName": user, "SerialNumber": serial,
        "AuthenticationCode1": code(seed, -1), "AuthenticationCode2": code(seed, 0),
    })
    return serial, seed


def test_create_returns_seed_qr_and_serial(env: Env) -> None:
    out = env("iam", "CreateVirtualMFADevice", {
        "VirtualMFADeviceName": "phone", "Path": "/team/", "Tags": [{"Key": "k", "Value": "v"}],
    })["VirtualMFADevice"]
    assert out["SerialNumber"] == f"arn:aws:iam::{env.account}:mfa/team/phone"
    assert len(out["Base32StringSeed"]) == 64
    png = out["QRCodePNG"]
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    assert width == height > 100
    assert out["Tags"] == [{"Key": "k", "Value": "v"}]
    assert env("iam", "ListMFADeviceTags", {"SerialNumber": out["SerialNumber"]})["Tags"] == out["Tags"]
    with pytest.raises(EntityAlreadyExists, match="MFADevice entity at the same path and name already exists."):
        env("iam", "CreateVirtualMFADevice", {"VirtualMFADeviceName": "PHONE"})


def test_seed_is_sealed_at_rest(env: Env) -> None:
    serial, seed = new_device(env)
    with env.runtime.store.begin() as conn:
        stored = conn.execute(mfa.devices.select().where(mfa.devices.c.serial_number == serial)).one()
    assert seed.encode() not in stored.seed_sealed
    # Bound to the device and its holder (nobody yet).
    context = sealed_context.mfa_seed(stored.account_id, stored.device_id, serial, "")
    assert env.runtime.secretbox.open(stored.seed_sealed, aad=context) == seed


def test_enable_needs_two_consecutive_codes(env: Env) -> None:
    env("iam", "CreateUser", {"UserName": "alice"})
    serial, seed = new_device(env)

    def enable(c1: str, c2: str) -> None:
        env("iam", "EnableMFADevice", {
            "UserName": "alice", "SerialNumber": serial, "AuthenticationCode1": c1, "AuthenticationCode2": c2,
        })

    # Four wrong pairs: a fifth would lock the device (mfa_attempts.FREE_FAILURES).
    for c1, c2 in [(code(seed), code(seed)), (code(seed, 0), code(seed, -1)), (code(seed, -1), code(seed, 1)),
                   (code(seed, 2), code(seed, 3))]:
        with pytest.raises(mfa.InvalidAuthenticationCode, match=r"^Authentication code for device is not valid\.$"):
            enable(c1, c2)
    assert env("iam", "ListMFADevices", {"UserName": "alice"})["MFADevices"] == []
    enable(code(seed, 0), code(seed, 1))
    devices = env("iam", "ListMFADevices", {"UserName": "alice"})["MFADevices"]
    assert devices == [{"UserName": "alice", "SerialNumber": serial, "EnableDate": NOW}]
    env("iam", "CreateUser", {"UserName": "bob"})
    with pytest.raises(EntityAlreadyExists):
        env("iam", "EnableMFADevice", {
            "UserName": "bob", "SerialNumber": serial,
            "AuthenticationCode1": code(seed, 1), "AuthenticationCode2": code(seed, 2),
        })


def test_enable_unknown_user_or_device(env: Env) -> None:
    serial, seed = new_device(env)
    params = {"SerialNumber": serial, "AuthenticationCode1": code(seed, -1), "AuthenticationCode2": code(seed)}
    with pytest.raises(NoSuchEntity, match="The user with name nobody cannot be found."):
        env("iam", "EnableMFADevice", {"UserName": "nobody", **params})
    env("iam", "CreateUser", {"UserName": "alice"})
    missing = f"arn:aws:iam::{env.account}:mfa/missing"
    with pytest.raises(NoSuchEntity, match=f"VirtualMFADevice with serial number {missing} doesn't exist."):
        env("iam", "EnableMFADevice", {"UserName": "alice", **params, "SerialNumber": missing})


def test_eight_devices_per_user(env: Env) -> None:
    env("iam", "CreateUser", {"UserName": "alice"})
    for i in range(mfa.DEVICES_PER_USER + 1):
        serial, seed = new_device(env, f"d{i}")
        params = {"UserName": "alice", "SerialNumber": serial,
                  "AuthenticationCode1": code(seed, -1), "AuthenticationCode2": code(seed)}
        if i < mfa.DEVICES_PER_USER:
            env("iam", "EnableMFADevice", params)
        else:
            with pytest.raises(LimitExceeded, match="MFADevicesPerUser: 8"):
                env("iam", "EnableMFADevice", params)
    assert len(env("iam", "ListMFADevices", {"UserName": "alice"})["MFADevices"]) == 8


def test_deactivate_and_delete(env: Env) -> None:
    serial, _ = enabled_user(env)
    with pytest.raises(DeleteConflict, match="in use"):
        env("iam", "DeleteVirtualMFADevice", {"SerialNumber": serial})
    env("iam", "CreateUser", {"UserName": "bob"})
    with pytest.raises(NoSuchEntity):
        env("iam", "DeactivateMFADevice", {"UserName": "bob", "SerialNumber": serial})
    env("iam", "DeactivateMFADevice", {"UserName": "alice", "SerialNumber": serial})
    assert env("iam", "ListMFADevices", {"UserName": "alice"})["MFADevices"] == []
    env("iam", "DeleteVirtualMFADevice", {"SerialNumber": serial})
    with pytest.raises(NoSuchEntity, match="doesn't exist"):
        env("iam", "DeleteVirtualMFADevice", {"SerialNumber": serial})
    with pytest.raises(NoSuchEntity):
        env("iam", "ListMFADeviceTags", {"SerialNumber": serial})


def test_user_with_a_device_cannot_be_deleted(env: Env) -> None:
    enabled_user(env)
    with pytest.raises(DeleteConflict, match="must delete MFA device first"):
        env("iam", "DeleteUser", {"UserName": "alice"})


def test_list_virtual_devices_by_assignment(env: Env) -> None:
    serial, _ = enabled_user(env, device="a-assigned")
    spare, _ = new_device(env, "b-spare")
    assigned = env("iam", "ListVirtualMFADevices", {"AssignmentStatus": "Assigned"})["VirtualMFADevices"]
    assert [d["SerialNumber"] for d in assigned] == [serial]
    user = assigned[0]["User"]
    assert (user["UserName"], user["Arn"]) == ("alice", f"arn:aws:iam::{env.account}:user/alice")
    assert assigned[0]["EnableDate"] == NOW and "Base32StringSeed" not in assigned[0]
    unassigned = env("iam", "ListVirtualMFADevices", {"AssignmentStatus": "Unassigned"})["VirtualMFADevices"]
    assert unassigned == [{"SerialNumber": spare}]
    page = env("iam", "ListVirtualMFADevices", {"MaxItems": 1})
    assert page["IsTruncated"] and len(page["VirtualMFADevices"]) == 1
    rest = env("iam", "ListVirtualMFADevices", {"Marker": page["Marker"]})
    assert [d["SerialNumber"] for d in rest["VirtualMFADevices"]] == [spare]


def test_get_mfa_device(env: Env) -> None:
    serial, _ = enabled_user(env)
    assert env("iam", "GetMFADevice", {"SerialNumber": serial}) == {
        "UserName": "alice", "SerialNumber": serial, "EnableDate": NOW,
    }
    env("iam", "CreateUser", {"UserName": "bob"})
    with pytest.raises(NoSuchEntity):
        env("iam", "GetMFADevice", {"SerialNumber": serial, "UserName": "bob"})
    spare, _ = new_device(env, "spare")
    with pytest.raises(NoSuchEntity):
        env("iam", "GetMFADevice", {"SerialNumber": spare})


def test_get_mfa_device_without_user_name_is_the_calling_users(env: Env) -> None:
    """An IAM user is authorized on its own ARN when UserName is omitted: it reads its own
    devices only. Root reads any."""
    serial, _ = enabled_user(env)
    env("iam", "CreateUser", {"UserName": "bob"})
    assert env("iam", "GetMFADevice", {"SerialNumber": serial}, caller=env.user("alice"))["UserName"] == "alice"
    with pytest.raises(NoSuchEntity):
        env("iam", "GetMFADevice", {"SerialNumber": serial}, caller=env.user("bob"))
    assert env("iam", "GetMFADevice", {"SerialNumber": serial})["UserName"] == "alice"


def test_list_mfa_devices_defaults_to_the_calling_user(env: Env) -> None:
    serial, _ = enabled_user(env)
    devices = env("iam", "ListMFADevices", {}, caller=env.user("alice"))["MFADevices"]
    assert [d["SerialNumber"] for d in devices] == [serial]
    assert env("iam", "ListMFADevices")["MFADevices"] == []  # root has none


def test_tags(env: Env) -> None:
    serial, _ = new_device(env)
    env("iam", "TagMFADevice", {"SerialNumber": serial, "Tags": [{"Key": "a", "Value": "1"}]})
    env("iam", "UntagMFADevice", {"SerialNumber": serial, "TagKeys": ["A"]})
    assert env("iam", "ListMFADeviceTags", {"SerialNumber": serial})["Tags"] == []


def test_resync_after_drift(env: Env) -> None:
    serial, seed = enabled_user(env)
    alice = env.user("alice")
    env.now = NOW + timedelta(minutes=5)  # the server moved 10 steps on; the phone did not
    with pytest.raises(AccessDenied, match="invalid MFA one time pass code"):
        env.verify(alice, serial, code(seed, 1))
    params = {"UserName": "alice", "SerialNumber": serial}
    with pytest.raises(mfa.InvalidAuthenticationCode):
        env("iam", "ResyncMFADevice", {**params, "AuthenticationCode1": code(seed, 1), "AuthenticationCode2": code(seed, 3)})
    env("iam", "ResyncMFADevice", {**params, "AuthenticationCode1": code(seed, 1), "AuthenticationCode2": code(seed, 2)})
    assert env.verify(alice, serial, code(seed, 3)) is True
    env.now += timedelta(seconds=30)
    assert env.verify(alice, serial, code(seed, 4)) is True  # the drift is remembered


def test_resync_window_is_bounded(env: Env) -> None:
    serial, seed = enabled_user(env)
    env.now = NOW + timedelta(minutes=30)
    with pytest.raises(mfa.InvalidAuthenticationCode):
        env("iam", "ResyncMFADevice", {
            "UserName": "alice", "SerialNumber": serial,
            "AuthenticationCode1": code(seed, 1), "AuthenticationCode2": code(seed, 2),
        })


def test_session_mfa_codes(env: Env) -> None:
    serial, seed = enabled_user(env)
    alice = env.user("alice")
    assert env.verify(alice, None, None) is False
    env.now = NOW + timedelta(seconds=30)
    assert env.verify(alice, serial, code(seed, 1)) is True
    with pytest.raises(AccessDenied) as replay:
        env.verify(alice, serial, code(seed, 1))
    assert replay.value.message == "MultiFactorAuthentication failed with invalid MFA one time pass code. "
    with pytest.raises(AccessDenied, match="invalid MFA one time pass code"):
        env.verify(alice, serial, code(seed, 5))
    assert env.verify(alice, serial, code(seed, 2)) is True  # +1 step of skew


def test_session_mfa_refuses_another_users_device(env: Env) -> None:
    serial, seed = enabled_user(env)
    env("iam", "CreateUser", {"UserName": "bob"})
    for caller in (env.user("bob"), env.root()):
        with pytest.raises(AccessDenied, match="associated with this user"):
            env.verify(caller, serial, code(seed))
    with pytest.raises(AccessDenied, match="associated with this user"):
        env.verify(env.user("alice"), f"arn:aws:iam::{env.account}:mfa/other", code(seed))
    spare, spare_seed = new_device(env, "spare")
    with pytest.raises(AccessDenied, match="associated with this user"):
        env.verify(env.user("alice"), spare, code(spare_seed))  # not enabled


def test_root_device(env: Env) -> None:
    serial, seed = new_device(env, "root-account-mfa-device")
    with pytest.raises(mfa.InvalidAuthenticationCode):
        env.enable_root(serial, code(seed), code(seed))
    env.enable_root(serial, code(seed, -1), code(seed))
    assert env("iam", "ListMFADevices")["MFADevices"] == [{"SerialNumber": serial, "EnableDate": NOW}]
    assert env("iam", "GetMFADevice", {"SerialNumber": serial}) == {"SerialNumber": serial, "EnableDate": NOW}
    listed = env("iam", "ListVirtualMFADevices", {"AssignmentStatus": "Assigned"})["VirtualMFADevices"]
    assert listed[0]["User"]["Arn"] == f"arn:aws:iam::{env.account}:root"
    summary = env("iam", "GetAccountSummary")["SummaryMap"]
    assert (summary["MFADevices"], summary["MFADevicesInUse"], summary["AccountMFAEnabled"]) == (1, 1, 1)
    env.now = NOW + timedelta(seconds=30)
    assert env.verify(env.root(), serial, code(seed, 1)) is True
    env("iam", "DeactivateMFADevice", {"SerialNumber": serial})
    summary = env("iam", "GetAccountSummary")["SummaryMap"]
    assert (summary["MFADevices"], summary["MFADevicesInUse"], summary["AccountMFAEnabled"]) == (1, 0, 0)


def test_root_enable_is_for_root_only(env: Env) -> None:
    env("iam", "CreateUser", {"UserName": "alice"})
    serial, seed = new_device(env)
    alice = env.user("alice")
    with env.runtime.store.begin() as conn, pytest.raises(AccessDenied):
        mfa.enable_root_device(env._call(conn, alice), serial, code(seed, -1), code(seed))


def test_serial_limits_are_botocores() -> None:
    from botocore.loaders import Loader

    shape = Loader().load_service_model("iam", "service-2")["shapes"]["serialNumberType"]
    assert (shape["max"], shape["pattern"]) == (mfa.SERIAL_MAX, mfa.SERIAL_PATTERN.pattern)
