"""Virtual MFA devices (TOTP): create, enable, resync, deactivate, delete, list, get, tag.

A device is created unassigned; EnableMFADevice assigns it to a user once two consecutive codes
prove the user holds the seed. The seed is sealed at rest (``SecretBox``, bound to the device
and to the user holding it, ``sealed_context.mfa_seed``; enabling and deactivating re-seal it for
the new holder) and shown once, at creation. The TOTP rules — ±1 step of skew, drift, replay — are
``auth/totp.py``'s; this module keeps each device's ``last_used_step`` and ``drift_steps``, and
every code check (enable, resync, STS) goes through ``mfa_attempts``' back-off on wrong codes.

The root user: AWS lets root assign itself a virtual MFA device only in the console ("You cannot
enable an MFA device for the AWS account root user with the AWS CLI, AWS API …",
``id_credentials_mfa_enable_cliapi.md``), so ``EnableMFADevice`` always names a user and
``enable_root_device`` is the hook for the console; root's device then shows in
``ListMFADevices``/``GetMFADevice``/``DeactivateMFADevice`` called by root without ``UserName``,
and in ``ListVirtualMFADevices`` with root as its ``User``.
"""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import segno
from sqlalchemy import ColumnElement, Row, func, select, update

from iamd.auth import sealed_context, totp
from iamd.auth.secretbox import SecretBoxError
from iamd.errors import AccessDenied
from iamd.services.context import Call
from iamd.services.iam import mfa_attempts, tagging
from iamd.services.iam.common import arn, check_new_tags, paginate
from iamd.services.iam.errors import (
    DeleteConflict,
    EntityAlreadyExists,
    InvalidAuthenticationCode,
    InvalidInput,
    LimitExceeded,
    NoSuchEntity,
)
from iamd.services.iam.users import caller_user_name, get_user_row
from iamd.services.registry import action
from iamd.store import schema
from iamd.store import tags as tag_store
from iamd.store.locks import lock_account

devices = schema.mfa_devices

# botocore's serialNumberType, the SerialNumber of every other MFA operation: a device whose serial
# breaks it could be created but never enabled, tagged or deleted. CreateVirtualMFADevice's own
# Path (any printable ASCII, 512) and name (no maximum) do not imply it, so it is checked here.
SERIAL_MAX = 256
SERIAL_PATTERN = re.compile(r"[\w+=/:,.@-]+", re.ASCII)

# "MFA devices in use per user: 8" (reference_iam-quotas.md).
DEVICES_PER_USER = 8


INVALID_CODE = "Authentication code for device is not valid."
# STS's answers when SerialNumber/TokenCode do not prove MFA (AccessDenied, as AWS words them).
STS_WRONG_CODE = "MultiFactorAuthentication failed with invalid MFA one time pass code. "
STS_LOCKED = "MultiFactorAuthentication failed: too many invalid MFA one time pass codes for this device; try again after {}. "
IAM_LOCKED = "Authentication code for device is not valid: too many invalid codes for this device; try again after {}."
STS_WRONG_SERIAL = (
    "MultiFactorAuthentication failed, unable to validate MFA code.  "
    "Please verify your MFA serial number is valid and associated with this user."
)


@dataclass(frozen=True)
class Holder:
    """Who a device is (to be) assigned to: an IAM user, or the account's root when ``user`` is None."""

    user: Row[Any] | None

    @property
    def values(self) -> dict[str, Any]:
        if self.user is None:
            return {"user_id": None, "assigned_to_root": True}
        return {"user_id": self.user.user_id, "assigned_to_root": False}

    @property
    def owner(self) -> str:
        """The owner an assigned device's seed is sealed for (``sealed_context.mfa_owner``)."""
        return sealed_context.mfa_owner(None if self.user is None else self.user.user_id, self.user is None)

    def owns(self, row: Row[Any]) -> bool:
        if self.user is None:
            return bool(row.assigned_to_root)
        return bool(row.user_id == self.user.user_id)

    def where(self, call: Call) -> Any:
        if self.user is None:
            return (devices.c.account_id == call.account_id) & devices.c.assigned_to_root.is_(True)
        return devices.c.user_id == self.user.user_id


def _not_found(serial: str) -> NoSuchEntity:
    return NoSuchEntity(f"VirtualMFADevice with serial number {serial} doesn't exist.")


def get_device(call: Call, serial: str) -> Row[Any]:
    row = call.conn.execute(
        select(devices).where(devices.c.account_id == call.account_id, devices.c.serial_number == serial)
    ).first()
    if row is None:
        raise _not_found(serial)
    return row


def _is_enabled(row: Row[Any]) -> bool:
    return row.enabled_at is not None


def _seed_context(row: Row[Any], owner: str) -> str:
    return sealed_context.mfa_seed(row.account_id, row.device_id, row.serial_number, owner)


def _seed(call: Call, row: Row[Any]) -> str:
    """The device's seed; it opens only for the owner it was sealed for (``sealed_context``), so a
    device row moved to another user in the database proves nothing for anyone."""
    owner = sealed_context.mfa_owner(row.user_id, row.assigned_to_root)
    return call.runtime.secretbox.open(row.seed_sealed, aad=_seed_context(row, owner))


def _reseal_for(call: Call, row: Row[Any], owner: str) -> bytes:
    """The device's seed sealed anew for ``owner`` (enabling and deactivating change the owner);
    a seed that does not open (its row was moved by a database edit) stays as unusable as it is."""
    try:
        seed = _seed(call, row)
    except SecretBoxError:
        return bytes(row.seed_sealed)
    return call.runtime.secretbox.seal(seed, aad=_seed_context(row, owner))


def _checked(
    call: Call, row: Row[Any], verify: Callable[[str], int | None], locked: Callable[[datetime], Exception]
) -> int | None:
    """``verify(seed)`` — the step a code belongs to, or None — under the device's attempt limit
    (``mfa_attempts``): a locked device raises ``locked(until)`` without checking the code."""
    until = mfa_attempts.claim(call, row.device_id)
    if until is not None:
        raise locked(until)
    try:
        seed: str | None = _seed(call, row)
    except SecretBoxError:  # the row was moved to this owner by a database edit: no code is valid
        seed = None
    step = verify(seed) if seed is not None else None
    if step is not None:
        mfa_attempts.clear(call, row.device_id)
    return step


def _iam_locked(until: datetime) -> Exception:
    return InvalidAuthenticationCode(IAM_LOCKED.format(_when(until)))


def _sts_locked(until: datetime) -> Exception:
    return AccessDenied(STS_LOCKED.format(_when(until)))


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _caller_holder(call: Call) -> Holder:
    """The caller's own devices, for the members AWS lets default to the caller."""
    if call.caller.is_root:
        return Holder(None)
    return Holder(get_user_row(call, caller_user_name(call)))


def _holder(call: Call, user_name: str | None) -> Holder:
    return Holder(get_user_row(call, user_name)) if user_name is not None else _caller_holder(call)


def _account_label(call: Call) -> str:
    alias = call.conn.execute(
        select(schema.accounts.c.alias).where(schema.accounts.c.account_id == call.account_id)
    ).scalar()
    return alias or call.account_id


def qr_code_png(uri: str) -> bytes:
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="png", scale=4, border=4)
    return out.getvalue()


def _check_serial(serial: str) -> None:
    if len(serial) > SERIAL_MAX:
        raise InvalidInput(
            f"The serial number of the MFA device would be {len(serial)} characters long;"
            f" the path and name must give at most {SERIAL_MAX}."
        )
    if SERIAL_PATTERN.fullmatch(serial) is None:
        raise InvalidInput(
            f"The serial number of the MFA device, {serial}, may contain only letters, digits and _+=/:,.@-"
        )


@action("iam", "CreateVirtualMFADevice")
def create_virtual_mfa_device(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    name, path = p["VirtualMFADeviceName"], p.get("Path") or "/"
    serial = arn(call.account_id, "mfa", path, name)
    _check_serial(serial)
    new_tags = check_new_tags(p.get("Tags"))
    clash = call.conn.execute(
        select(devices.c.device_id).where(devices.c.account_id == call.account_id, devices.c.name_lower == name.lower())
    ).first()
    if clash is not None:
        raise EntityAlreadyExists("MFADevice entity at the same path and name already exists.")
    seed = totp.new_seed()
    device_id = uuid.uuid4().hex
    call.conn.execute(
        devices.insert().values(
            device_id=device_id,
            account_id=call.account_id,
            serial_number=serial,
            name=name,
            name_lower=name.lower(),
            path=path,
            seed_sealed=call.runtime.secretbox.seal(
                seed, aad=sealed_context.mfa_seed(call.account_id, device_id, serial, "")
            ),
            user_id=None,
            assigned_to_root=False,
            created_at=call.now,
            drift_steps=0,
        )
    )
    tag_store.put_tags(call.conn, "mfa", device_id, new_tags)
    label = _account_label(call)
    device: dict[str, Any] = {
        "SerialNumber": serial,
        "Base32StringSeed": seed.encode("ascii"),
        "QRCodePNG": qr_code_png(totp.provisioning_uri(seed, name, label)),
    }
    if new_tags:
        device["Tags"] = new_tags
    return {"VirtualMFADevice": device}


def _enable(call: Call, holder: Holder, serial: str, code1: str, code2: str) -> None:
    row = get_device(call, serial)
    _check_assignable(call, holder, row)
    step = _checked(
        call,
        row,
        lambda seed: totp.verify_consecutive(seed, code1, code2, call.now, row.last_used_step, drift=row.drift_steps),
        _iam_locked,
    )
    if step is None:
        raise InvalidAuthenticationCode(INVALID_CODE)
    # The codes were counted and checked in transactions of their own (``mfa_attempts``); the
    # account's lock is taken only now, and the rules are checked again under it.
    lock_account(call.conn, call.account_id)
    _check_assignable(call, holder, get_device(call, serial))
    won = call.conn.execute(
        update(devices)
        .where(devices.c.device_id == row.device_id, devices.c.enabled_at.is_(None), _unused(step))
        .values(**holder.values, enabled_at=call.now, last_used_step=step, seed_sealed=_reseal_for(call, row, holder.owner))
    ).rowcount
    if won != 1:  # the same codes were accepted by a racing call meanwhile
        raise InvalidAuthenticationCode(INVALID_CODE)


def _check_assignable(call: Call, holder: Holder, row: Row[Any]) -> None:
    if _is_enabled(row):
        raise EntityAlreadyExists("MFA Device is already in use.")
    in_use = call.conn.execute(
        select(func.count()).select_from(devices).where(holder.where(call), devices.c.enabled_at.is_not(None))
    ).scalar_one()
    if in_use >= DEVICES_PER_USER:
        raise LimitExceeded(f"Cannot exceed quota for MFADevicesPerUser: {DEVICES_PER_USER}")


def _unused(step: int) -> ColumnElement[bool]:
    """The device has accepted no code of ``step`` or later: a code is used once, even by racing calls."""
    return devices.c.last_used_step.is_(None) | (devices.c.last_used_step < step)


@action("iam", "EnableMFADevice", locks_itself=True)
def enable_mfa_device(call: Call, p: dict[str, Any]) -> None:
    holder = Holder(get_user_row(call, p["UserName"]))
    _enable(call, holder, p["SerialNumber"], p["AuthenticationCode1"], p["AuthenticationCode2"])
    return None


def enable_root_device(call: Call, serial: str, code1: str, code2: str) -> None:
    """Assign a virtual device to the account's root (the console's path; see the module doc)."""
    if not call.caller.is_root:
        raise AccessDenied("Only the root user can assign an MFA device to itself.")
    _enable(call, Holder(None), serial, code1, code2)


def _assigned_device(call: Call, holder: Holder, serial: str) -> Row[Any]:
    row = get_device(call, serial)
    if not _is_enabled(row) or not holder.owns(row):
        raise _not_found(serial)
    return row


@action("iam", "ResyncMFADevice", locks_itself=True)
def resync_mfa_device(call: Call, p: dict[str, Any]) -> None:
    """Find two consecutive codes within ``totp.RESYNC_WINDOW`` steps (±10 minutes) of the server's
    clock and remember how far the device runs ahead or behind (``drift_steps``)."""
    holder = Holder(get_user_row(call, p["UserName"]))
    row = _assigned_device(call, holder, p["SerialNumber"])
    step = _checked(
        call,
        row,
        lambda seed: totp.verify_consecutive(
            seed, p["AuthenticationCode1"], p["AuthenticationCode2"], call.now, row.last_used_step, totp.RESYNC_WINDOW
        ),
        _iam_locked,
    )
    if step is None:
        raise InvalidAuthenticationCode(INVALID_CODE)
    lock_account(call.conn, call.account_id)
    drift = step - totp.step_at(call.now)
    won = call.conn.execute(
        update(devices)
        .where(devices.c.device_id == row.device_id, devices.c.enabled_at.is_not(None), _unused(step))
        .values(last_used_step=step, drift_steps=drift)
    ).rowcount
    if won != 1:  # deactivated, or the same codes accepted by a racing call meanwhile
        raise InvalidAuthenticationCode(INVALID_CODE)
    return None


@action("iam", "DeactivateMFADevice")
def deactivate_mfa_device(call: Call, p: dict[str, Any]) -> None:
    holder = _holder(call, p.get("UserName"))
    row = _assigned_device(call, holder, p["SerialNumber"])
    # The replay mark stays: a code once accepted is refused even after re-enabling. The attempt
    # count does not: an administrator's deactivation is the way out of a lockout besides waiting.
    call.conn.execute(
        update(devices)
        .where(devices.c.device_id == row.device_id)
        .values(
            user_id=None,
            assigned_to_root=False,
            enabled_at=None,
            drift_steps=0,
            failed_attempts=0,
            locked_until=None,
            seed_sealed=_reseal_for(call, row, ""),
        )
    )
    return None


@action("iam", "DeleteVirtualMFADevice")
def delete_virtual_mfa_device(call: Call, p: dict[str, Any]) -> None:
    row = get_device(call, p["SerialNumber"])
    if _is_enabled(row):
        raise DeleteConflict("MFA device is still in use.")
    tag_store.drop_all(call.conn, "mfa", row.device_id)
    call.conn.execute(devices.delete().where(devices.c.device_id == row.device_id))
    return None


def _user_name_of(call: Call, row: Row[Any]) -> str | None:
    if row.user_id is None:
        return None
    return call.conn.execute(select(schema.users.c.name).where(schema.users.c.user_id == row.user_id)).scalar()


def _mfa_device_shape(user_name: str | None, row: Row[Any]) -> dict[str, Any]:
    """``MFADevice``; root's devices have no ``UserName``, as root's ``GetUser`` has none."""
    out: dict[str, Any] = {"SerialNumber": row.serial_number, "EnableDate": row.enabled_at}
    if user_name is not None:
        out["UserName"] = user_name
    return out


@action("iam", "ListMFADevices")
def list_mfa_devices(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    holder = _holder(call, p.get("UserName"))
    q = select(devices).where(holder.where(call), devices.c.enabled_at.is_not(None))
    rows, page = paginate(call.conn, q, devices.c.serial_number, p)
    name = holder.user.name if holder.user is not None else None
    return {"MFADevices": [_mfa_device_shape(name, r) for r in rows], **page}


@action("iam", "GetMFADevice")
def get_mfa_device(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    """Without ``UserName`` an IAM user reads only its own devices: the call was authorized on
    the caller's ARN (the member defaults to the caller), so it must not reach another user's.
    Root, and sessions (authorized on ``*``), read any device of the account."""
    serial = p["SerialNumber"]
    row = get_device(call, serial)
    if not _is_enabled(row):
        raise _not_found(serial)
    user_name = p.get("UserName")
    if user_name is None and call.caller.kind == "user":
        user_name = caller_user_name(call)
    if user_name is not None and not Holder(get_user_row(call, user_name)).owns(row):
        raise _not_found(serial)
    return _mfa_device_shape(_user_name_of(call, row), row)


def _root_user_shape(call: Call) -> dict[str, Any]:
    created = call.conn.execute(
        select(schema.accounts.c.created_at).where(schema.accounts.c.account_id == call.account_id)
    ).scalar_one()
    return {"Path": "/", "UserId": call.account_id, "Arn": f"arn:aws:iam::{call.account_id}:root", "CreateDate": created}


@action("iam", "ListVirtualMFADevices")
def list_virtual_mfa_devices(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    users = schema.users
    q = select(
        devices,
        users.c.name.label("user_name"),
        users.c.path.label("user_path"),
        users.c.created_at.label("user_created_at"),
    ).select_from(devices.outerjoin(users, users.c.user_id == devices.c.user_id))
    q = q.where(devices.c.account_id == call.account_id)
    status = p.get("AssignmentStatus") or "Any"
    if status == "Assigned":
        q = q.where(devices.c.enabled_at.is_not(None))
    elif status == "Unassigned":
        q = q.where(devices.c.enabled_at.is_(None))
    rows, page = paginate(call.conn, q, devices.c.serial_number, p)
    out = []
    for r in rows:
        item: dict[str, Any] = {"SerialNumber": r.serial_number}
        if r.enabled_at is not None:
            item["EnableDate"] = r.enabled_at
            if r.assigned_to_root:
                item["User"] = _root_user_shape(call)
            elif r.user_id is not None:
                item["User"] = {
                    "Path": r.user_path,
                    "UserName": r.user_name,
                    "UserId": r.user_id,
                    "Arn": arn(call.account_id, "user", r.user_path, r.user_name),
                    "CreateDate": r.user_created_at,
                }
        out.append(item)
    return {"VirtualMFADevices": out, **page}


tagging.register("MFADevice", "mfa", lambda call, p: get_device(call, p["SerialNumber"]).device_id)


def verify_session_code(call: Call, serial: str | None, code: str | None) -> bool:
    """STS's MFA check: ``serial`` is an enabled device of the caller (the IAM user or root whose
    long-term or GetSessionToken credentials sign the request) and ``code`` a fresh code of it.

    Returns True or raises AccessDenied with AWS's wording. The accepted step is recorded with a
    conditional update, so of two requests racing with one code only one wins.
    """
    caller = call.caller
    row = None
    if serial is not None and (caller.is_root or caller.kind == "user"):
        row = call.conn.execute(
            select(devices).where(devices.c.account_id == caller.account_id, devices.c.serial_number == serial)
        ).first()
    owned = row is not None and _is_enabled(row) and (
        bool(row.assigned_to_root) if caller.is_root else row.user_id == caller.user_id
    )
    if row is None or not owned:
        raise AccessDenied(STS_WRONG_SERIAL)
    if code is None:
        raise AccessDenied(STS_WRONG_CODE)
    step = _checked(
        call, row, lambda seed: totp.verify(seed, code, call.now, row.last_used_step, drift=row.drift_steps), _sts_locked
    )
    if step is None:
        raise AccessDenied(STS_WRONG_CODE)
    fresh = (devices.c.last_used_step.is_(None)) | (devices.c.last_used_step < step)
    won = call.conn.execute(
        update(devices).where(devices.c.device_id == row.device_id, fresh).values(last_used_step=step)
    ).rowcount
    if won != 1:
        raise AccessDenied(STS_WRONG_CODE)
    return True
