"""Login profiles, ChangePassword and the sign-in verification, on both store backends."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from iamd.auth import passwords
from iamd.auth.caller import Caller
from iamd.errors import AccessDenied, ValidationError
from iamd.services.iam.errors import (
    ConcurrentModification,
    EntityAlreadyExists,
    InvalidInput,
    InvalidUserType,
    NoSuchEntity,
    PasswordPolicyViolation,
)
from iamd.services.iam.login_profiles import LoginOutcome, verify_login
from iamd.services.runtime import Runtime
from iamd.store import schema

GOOD = "Corr3ct-horse"
OTHER = "Battery-St4ple"


@pytest.fixture(autouse=True)
def _cheap_hashing() -> Iterator[None]:
    with passwords.parameters(passwords.CHEAP):
        yield


def _user(invoke, name: str = "alice") -> Caller:
    user = invoke("iam", "CreateUser", {"UserName": name})["User"]
    account = user["Arn"].split(":")[4]
    return Caller(account, user["Arn"], user["UserId"], "user", "AKIAUSERKEY", user_name=name)


def test_create_get_delete(invoke) -> None:
    _user(invoke)
    created = invoke(
        "iam", "CreateLoginProfile", {"UserName": "alice", "Password": GOOD, "PasswordResetRequired": True}
    )
    profile = created["LoginProfile"]
    assert profile["UserName"] == "alice" and profile["PasswordResetRequired"] is True
    assert set(profile) == {"UserName", "CreateDate", "PasswordResetRequired"}
    assert invoke("iam", "GetLoginProfile", {"UserName": "alice"}) == created
    invoke("iam", "DeleteLoginProfile", {"UserName": "alice"})
    with pytest.raises(NoSuchEntity, match="^Login Profile for User alice cannot be found.$"):
        invoke("iam", "GetLoginProfile", {"UserName": "alice"})
    with pytest.raises(NoSuchEntity, match="^Login Profile for User alice cannot be found.$"):
        invoke("iam", "DeleteLoginProfile", {"UserName": "alice"})


def test_create_twice_and_unknown_user(invoke) -> None:
    _user(invoke)
    invoke("iam", "CreateLoginProfile", {"UserName": "alice", "Password": GOOD})
    with pytest.raises(EntityAlreadyExists, match="^Login Profile for user alice already exists.$"):
        invoke("iam", "CreateLoginProfile", {"UserName": "alice", "Password": OTHER})
    with pytest.raises(NoSuchEntity, match="^The user with name nobody cannot be found.$"):
        invoke("iam", "CreateLoginProfile", {"UserName": "nobody", "Password": GOOD})
    with pytest.raises(ValidationError):
        invoke("iam", "CreateLoginProfile", {"UserName": "alice"})


def test_user_name_defaults_to_the_calling_user(invoke) -> None:
    alice = _user(invoke)
    invoke("iam", "CreateLoginProfile", {"Password": GOOD}, caller=alice)
    assert invoke("iam", "GetLoginProfile", {}, caller=alice)["LoginProfile"]["UserName"] == "alice"
    with pytest.raises(InvalidInput, match="non-User credentials"):
        invoke("iam", "GetLoginProfile", {})


def test_update_password_and_reset_flag(invoke, runtime: Runtime, account: str) -> None:
    _user(invoke)
    invoke("iam", "CreateLoginProfile", {"UserName": "alice", "Password": GOOD})
    before = _stored(runtime, account, "alice")
    invoke("iam", "UpdateLoginProfile", {"UserName": "alice", "PasswordResetRequired": True})
    assert (
        invoke("iam", "GetLoginProfile", {"UserName": "alice"})["LoginProfile"]["PasswordResetRequired"]
        is True
    )
    assert _stored(runtime, account, "alice").password_hash == before.password_hash
    invoke("iam", "UpdateLoginProfile", {"UserName": "alice", "Password": OTHER})
    after = _stored(runtime, account, "alice")
    assert passwords.verify_password(after.password_hash, OTHER).ok
    assert after.password_last_changed >= before.password_last_changed
    assert after.password_reset_required is True  # untouched without the member
    with pytest.raises(PasswordPolicyViolation):
        invoke("iam", "UpdateLoginProfile", {"UserName": "alice", "Password": "short"})
    with pytest.raises(NoSuchEntity):
        invoke("iam", "UpdateLoginProfile", {"UserName": "ghost", "Password": OTHER})


def test_create_enforces_the_default_policy(invoke) -> None:
    _user(invoke)
    with pytest.raises(PasswordPolicyViolation, match="^Password should have a minimum length of 8$"):
        invoke("iam", "CreateLoginProfile", {"UserName": "alice", "Password": "Ab1!"})
    with pytest.raises(PasswordPolicyViolation, match="at least three of the following"):
        invoke("iam", "CreateLoginProfile", {"UserName": "alice", "Password": "alllowercase1"})
    with pytest.raises(NoSuchEntity):
        invoke("iam", "GetLoginProfile", {"UserName": "alice"})  # nothing half-created


def test_change_password(invoke, runtime: Runtime, account: str) -> None:
    alice = _user(invoke)
    invoke(
        "iam", "CreateLoginProfile", {"UserName": "alice", "Password": GOOD, "PasswordResetRequired": True}
    )
    invoke("iam", "ChangePassword", {"OldPassword": GOOD, "NewPassword": OTHER}, caller=alice)
    stored = _stored(runtime, account, "alice")
    assert passwords.verify_password(stored.password_hash, OTHER).ok
    assert stored.password_reset_required is False  # cleared by the user's own change


def test_change_password_refusals(invoke) -> None:
    alice = _user(invoke)
    with pytest.raises(NoSuchEntity, match="^Login Profile for User alice cannot be found.$"):
        invoke("iam", "ChangePassword", {"OldPassword": GOOD, "NewPassword": OTHER}, caller=alice)
    invoke("iam", "CreateLoginProfile", {"UserName": "alice", "Password": GOOD})
    with pytest.raises(AccessDenied, match="^The old password was incorrect.$"):
        invoke("iam", "ChangePassword", {"OldPassword": OTHER, "NewPassword": OTHER}, caller=alice)
    with pytest.raises(PasswordPolicyViolation):
        invoke("iam", "ChangePassword", {"OldPassword": GOOD, "NewPassword": "weak"}, caller=alice)
    with pytest.raises(InvalidUserType, match="^Only IAM Users can change their own password.$"):
        invoke("iam", "ChangePassword", {"OldPassword": GOOD, "NewPassword": OTHER})  # root
    role = Caller(
        alice.account_id,
        f"arn:aws:sts::{alice.account_id}:assumed-role/r/s",
        "AROAX:s",
        "assumed-role",
        "ASIA",
    )
    with pytest.raises(InvalidUserType):
        invoke("iam", "ChangePassword", {"OldPassword": GOOD, "NewPassword": OTHER}, caller=role)


def test_password_never_stored_in_the_clear(invoke, runtime: Runtime) -> None:
    _user(invoke)
    invoke("iam", "CreateLoginProfile", {"UserName": "alice", "Password": GOOD})
    invoke("iam", "UpdateAccountPasswordPolicy", {"PasswordReusePrevention": 3})
    invoke("iam", "UpdateLoginProfile", {"UserName": "alice", "Password": OTHER})
    with runtime.store.begin() as conn:
        rows = [*conn.execute(select(schema.login_profiles)), *conn.execute(select(schema.password_history))]
    text = repr(rows)
    assert GOOD not in text and OTHER not in text and "$argon2id$" in text


def test_delete_user_requires_deleting_the_login_profile(invoke) -> None:
    from iamd.services.iam.errors import DeleteConflict

    _user(invoke)
    invoke("iam", "CreateLoginProfile", {"UserName": "alice", "Password": GOOD})
    with pytest.raises(DeleteConflict, match="login profile"):
        invoke("iam", "DeleteUser", {"UserName": "alice"})
    invoke("iam", "DeleteLoginProfile", {"UserName": "alice"})
    invoke("iam", "DeleteUser", {"UserName": "alice"})


# --- verify_login ------------------------------------------------------------------------------


def _login(runtime: Runtime, account: str, name: str, password: str, now: datetime):
    with runtime.store.begin() as conn:
        return verify_login(conn, account, name, password, now)


def _stored(runtime: Runtime, account: str, name: str):
    with runtime.store.begin() as conn:
        return conn.execute(
            select(schema.login_profiles, schema.users.c.password_last_used)
            .join(schema.users, schema.users.c.user_id == schema.login_profiles.c.user_id)
            .where(schema.users.c.name == name, schema.users.c.account_id == account)
        ).one()


def test_verify_login_success_records_last_used(invoke, runtime: Runtime, account: str) -> None:
    _user(invoke)
    invoke("iam", "CreateLoginProfile", {"UserName": "alice", "Password": GOOD})
    now = datetime.now(UTC) + timedelta(minutes=5)
    result = _login(runtime, account, "ALICE", GOOD, now)  # user names are case-insensitive
    assert result.ok and result.outcome is LoginOutcome.SUCCESS and result.user_name == "alice"
    assert result.expires_at is None
    assert _stored(runtime, account, "alice").password_last_used == now.replace(microsecond=now.microsecond)
    assert invoke("iam", "GetUser", {"UserName": "alice"})["User"]["PasswordLastUsed"] == now


@pytest.mark.parametrize(("name", "password"), [("alice", OTHER), ("nobody", GOOD), ("bob", GOOD)])
def test_verify_login_failures_look_alike(
    invoke, runtime: Runtime, account: str, name: str, password: str
) -> None:
    _user(invoke)
    _user(invoke, "bob")  # no login profile
    invoke("iam", "CreateLoginProfile", {"UserName": "alice", "Password": GOOD})
    result = _login(runtime, account, name, password, datetime.now(UTC))
    assert result.outcome is LoginOutcome.FAILED and result.user_id is None and not result.ok
    assert _stored(runtime, account, "alice").password_last_used is None


def test_verify_login_reset_required(invoke, runtime: Runtime, account: str) -> None:
    _user(invoke)
    invoke(
        "iam", "CreateLoginProfile", {"UserName": "alice", "Password": GOOD, "PasswordResetRequired": True}
    )
    result = _login(runtime, account, "alice", GOOD, datetime.now(UTC))
    assert result.outcome is LoginOutcome.RESET_REQUIRED and result.must_change_password and not result.ok
    assert _stored(runtime, account, "alice").password_last_used is not None


@pytest.mark.parametrize(
    ("hard_expiry", "outcome", "records"),
    [(False, LoginOutcome.EXPIRED, True), (True, LoginOutcome.EXPIRED_ADMIN_RESET, False)],
)
def test_verify_login_expiry(
    invoke, runtime: Runtime, account: str, hard_expiry: bool, outcome, records
) -> None:
    _user(invoke)
    invoke("iam", "CreateLoginProfile", {"UserName": "alice", "Password": GOOD})
    invoke("iam", "UpdateAccountPasswordPolicy", {"MaxPasswordAge": 30, "HardExpiry": hard_expiry})
    changed = _stored(runtime, account, "alice").password_last_changed
    fresh = _login(runtime, account, "alice", GOOD, changed + timedelta(days=29))
    assert fresh.ok and fresh.expires_at == changed + timedelta(days=30)
    with runtime.store.begin() as conn:
        conn.execute(
            schema.users.update().values(password_last_used=None).where(schema.users.c.account_id == account)
        )
    late = _login(runtime, account, "alice", GOOD, changed + timedelta(days=30))
    assert late.outcome is outcome and not late.ok
    assert (_stored(runtime, account, "alice").password_last_used is not None) is records


def test_verify_login_rehashes_outdated_parameters(invoke, runtime: Runtime, account: str) -> None:
    _user(invoke)
    invoke("iam", "CreateLoginProfile", {"UserName": "alice", "Password": GOOD})
    stronger = passwords.Argon2Parameters(time_cost=2, memory_kib=16, parallelism=1)
    with passwords.parameters(stronger):
        assert _login(runtime, account, "alice", GOOD, datetime.now(UTC)).ok
    new_hash = _stored(runtime, account, "alice").password_hash
    assert "m=16,t=2,p=1" in new_hash and passwords.verify_password(new_hash, GOOD).ok


# --- a change that lands between the unlocked checks and the lock --------------------------------
# Argon2 runs before the account's lock; ``meanwhile`` makes another call commit right then.


@pytest.fixture
def meanwhile(monkeypatch: pytest.MonkeyPatch) -> Callable[[Callable[[], object]], None]:
    def arrange(change: Callable[[], object]) -> None:
        real = passwords.hash_password
        pending = [change]

        def hash_then_change(password: str) -> str:
            hashed = real(password)
            if pending:
                pending.pop()()
            return hashed

        monkeypatch.setattr(passwords, "hash_password", hash_then_change)

    return arrange


def test_change_password_loses_to_a_reset_meanwhile(invoke, meanwhile) -> None:
    alice = _user(invoke)
    invoke("iam", "CreateLoginProfile", {"UserName": "alice", "Password": GOOD})
    meanwhile(lambda: invoke("iam", "UpdateLoginProfile", {"UserName": "alice", "Password": "Adm1n-chosen"}))
    with pytest.raises(ConcurrentModification):
        invoke("iam", "ChangePassword", {"OldPassword": GOOD, "NewPassword": OTHER}, caller=alice)
    # The administrator's password stands; the old one does not come back.
    invoke("iam", "ChangePassword", {"OldPassword": "Adm1n-chosen", "NewPassword": OTHER}, caller=alice)


def test_a_policy_change_meanwhile_is_a_concurrent_modification(invoke, meanwhile) -> None:
    _user(invoke)
    invoke("iam", "CreateLoginProfile", {"UserName": "alice", "Password": GOOD})
    meanwhile(lambda: invoke("iam", "UpdateAccountPasswordPolicy", {"MinimumPasswordLength": 20}))
    with pytest.raises(ConcurrentModification):
        invoke("iam", "UpdateLoginProfile", {"UserName": "alice", "Password": OTHER})
    with pytest.raises(PasswordPolicyViolation):  # checked again, it is too short now
        invoke("iam", "UpdateLoginProfile", {"UserName": "alice", "Password": OTHER})


def test_a_profile_created_meanwhile_already_exists(invoke, meanwhile) -> None:
    _user(invoke)
    meanwhile(lambda: invoke("iam", "CreateLoginProfile", {"UserName": "alice", "Password": OTHER}))
    with pytest.raises(EntityAlreadyExists, match="^Login Profile for user alice already exists.$"):
        invoke("iam", "CreateLoginProfile", {"UserName": "alice", "Password": GOOD})


def test_the_reset_flag_alone_takes_the_lock_and_needs_a_profile(invoke) -> None:
    _user(invoke)
    with pytest.raises(NoSuchEntity):
        invoke("iam", "UpdateLoginProfile", {"UserName": "alice", "PasswordResetRequired": True})
