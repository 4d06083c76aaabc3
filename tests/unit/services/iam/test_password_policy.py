"""The account password policy: its actions, every rule, reuse prevention, expiry helpers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from iamd.auth import passwords
from iamd.auth.caller import Caller
from iamd.services.iam.errors import NoSuchEntity, PasswordPolicyViolation
from iamd.services.iam.password_policy import (
    SYMBOLS,
    PasswordPolicy,
    check_password,
    is_expired,
    next_rotation,
)
from iamd.services.runtime import Runtime
from iamd.store import schema


@pytest.fixture(autouse=True)
def _cheap_hashing() -> Iterator[None]:
    with passwords.parameters(passwords.CHEAP):
        yield


def test_no_policy_until_one_is_set(invoke, account: str) -> None:
    message = f"^The Password Policy with domain name {account} cannot be found.$"
    with pytest.raises(NoSuchEntity, match=message):
        invoke("iam", "GetAccountPasswordPolicy")
    with pytest.raises(NoSuchEntity, match=r"^The account policy with name PasswordPolicy cannot be found\.$"):
        invoke("iam", "DeleteAccountPasswordPolicy")


def test_defaults_of_an_empty_update(invoke) -> None:
    invoke("iam", "UpdateAccountPasswordPolicy", {})
    assert invoke("iam", "GetAccountPasswordPolicy") == {
        "PasswordPolicy": {
            "MinimumPasswordLength": 6,
            "RequireSymbols": False,
            "RequireNumbers": False,
            "RequireUppercaseCharacters": False,
            "RequireLowercaseCharacters": False,
            "AllowUsersToChangePassword": False,
            "ExpirePasswords": False,
            "HardExpiry": False,
        }
    }


FULL = {
    "MinimumPasswordLength": 14,
    "RequireSymbols": True,
    "RequireNumbers": True,
    "RequireUppercaseCharacters": True,
    "RequireLowercaseCharacters": True,
    "AllowUsersToChangePassword": True,
    "MaxPasswordAge": 90,
    "PasswordReusePrevention": 24,
    "HardExpiry": True,
}


def test_every_field_round_trips_and_update_replaces(invoke) -> None:
    invoke("iam", "UpdateAccountPasswordPolicy", FULL)
    assert invoke("iam", "GetAccountPasswordPolicy")["PasswordPolicy"] == {**FULL, "ExpirePasswords": True}
    invoke("iam", "UpdateAccountPasswordPolicy", {"RequireNumbers": True})  # no partial updates
    got = invoke("iam", "GetAccountPasswordPolicy")["PasswordPolicy"]
    assert (
        got["MinimumPasswordLength"] == 6 and got["RequireNumbers"] is True and got["RequireSymbols"] is False
    )
    assert (
        "MaxPasswordAge" not in got
        and "PasswordReusePrevention" not in got
        and got["ExpirePasswords"] is False
    )
    invoke("iam", "DeleteAccountPasswordPolicy")
    with pytest.raises(NoSuchEntity):
        invoke("iam", "GetAccountPasswordPolicy")


STRICT = PasswordPolicy(
    minimum_password_length=10,
    require_symbols=True,
    require_numbers=True,
    require_uppercase_characters=True,
    require_lowercase_characters=True,
)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1!", "Password should have a minimum length of 10"),
        ("abcdefgh1!", "Password should have at least one uppercase letter"),
        ("ABCDEFGH1!", "Password should have at least one lowercase letter"),
        ("Abcdefghi!", "Password should have at least one number"),
        ("Abcdefghi1", "Password should have at least one symbol"),
        ("Abcdefgh1~", "Password should have at least one symbol"),  # ~ is not in AWS's set
        ("Abcdefgh1 ", "Password should have at least one symbol"),
    ],
)
def test_each_rule(password: str, message: str) -> None:
    with pytest.raises(PasswordPolicyViolation) as err:
        check_password(STRICT, password)
    assert err.value.message == message


@pytest.mark.parametrize("symbol", sorted(SYMBOLS))
def test_every_aws_symbol_counts(symbol: str) -> None:
    check_password(STRICT, f"Abcdefgh1{symbol}")


def test_symbol_set_is_aws_list() -> None:
    assert SYMBOLS == set("! @ # $ % ^ & * ( ) _ + - = [ ] { } | '".split())


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("Abcdef1", False),  # 7 characters
        ("abcdefgh", False),  # one kind
        ("abcdefg1", False),  # two kinds
        ("Abcdefg1", True),  # upper, lower, number
        ("abcdef1!", True),  # lower, number, symbol
        ("ABCDEF!!", False),
        ("ABCDEF!1", True),
    ],
)
def test_default_policy(password: str, ok: bool) -> None:
    if ok:
        check_password(None, password)
    else:
        with pytest.raises(PasswordPolicyViolation):
            check_password(None, password)


def test_custom_policy_replaces_the_default(invoke) -> None:
    invoke("iam", "CreateUser", {"UserName": "u"})
    invoke("iam", "UpdateAccountPasswordPolicy", {"MinimumPasswordLength": 6})
    invoke("iam", "CreateLoginProfile", {"UserName": "u", "Password": "simple"})  # fine under this policy


def test_enforced_on_create_update_and_change(invoke) -> None:
    user = invoke("iam", "CreateUser", {"UserName": "u"})["User"]
    me = Caller(user["Arn"].split(":")[4], user["Arn"], user["UserId"], "user", "AKIAU", user_name="u")
    invoke("iam", "UpdateAccountPasswordPolicy", {"MinimumPasswordLength": 12, "RequireSymbols": True})
    with pytest.raises(PasswordPolicyViolation, match="minimum length of 12"):
        invoke("iam", "CreateLoginProfile", {"UserName": "u", "Password": "short!"})
    invoke("iam", "CreateLoginProfile", {"UserName": "u", "Password": "long-enough-pw"})
    with pytest.raises(PasswordPolicyViolation, match="one symbol"):
        invoke("iam", "UpdateLoginProfile", {"UserName": "u", "Password": "no symbols here"})
    with pytest.raises(PasswordPolicyViolation, match="one symbol"):
        invoke(
            "iam",
            "ChangePassword",
            {"OldPassword": "long-enough-pw", "NewPassword": "no symbols here"},
            caller=me,
        )
    invoke(
        "iam",
        "ChangePassword",
        {"OldPassword": "long-enough-pw", "NewPassword": "another-long-pw"},
        caller=me,
    )


def _history(runtime: Runtime, user_id: str) -> int:
    with runtime.store.begin() as conn:
        return conn.execute(
            select(func.count())
            .select_from(schema.password_history)
            .where(schema.password_history.c.user_id == user_id)
        ).scalar_one()


def test_reuse_prevention_over_n_changes(invoke, runtime: Runtime) -> None:
    user = invoke("iam", "CreateUser", {"UserName": "u"})["User"]
    me = Caller(user["Arn"].split(":")[4], user["Arn"], user["UserId"], "user", "AKIAU", user_name="u")
    invoke("iam", "UpdateAccountPasswordPolicy", {"PasswordReusePrevention": 3})
    used = [f"Passw0rd-{i}" for i in range(5)]
    invoke("iam", "CreateLoginProfile", {"UserName": "u", "Password": used[0]})
    for old, new in zip(used, used[1:], strict=False):
        invoke("iam", "ChangePassword", {"OldPassword": old, "NewPassword": new}, caller=me)
    assert _history(runtime, user["UserId"]) == 3  # only the last N are kept
    current = used[-1]
    for recent in used[-3:]:  # the current password and the two before it
        with pytest.raises(PasswordPolicyViolation) as err:
            invoke("iam", "ChangePassword", {"OldPassword": current, "NewPassword": recent}, caller=me)
        assert err.value.message == "Password should not be one of your previous 3 passwords."
    with pytest.raises(PasswordPolicyViolation, match="previous 3 passwords"):
        invoke("iam", "UpdateLoginProfile", {"UserName": "u", "Password": used[-2]})  # admins too
    invoke(
        "iam", "ChangePassword", {"OldPassword": current, "NewPassword": used[1]}, caller=me
    )  # 4 ago: fine


def test_reuse_prevention_covers_a_password_set_before_the_policy(invoke, runtime: Runtime) -> None:
    user = invoke("iam", "CreateUser", {"UserName": "u"})["User"]
    invoke("iam", "CreateLoginProfile", {"UserName": "u", "Password": "Passw0rd-a"})
    assert _history(runtime, user["UserId"]) == 0  # nothing kept without reuse prevention
    invoke("iam", "UpdateAccountPasswordPolicy", {"PasswordReusePrevention": 1})
    with pytest.raises(PasswordPolicyViolation, match="previous 1 passwords"):
        invoke("iam", "UpdateLoginProfile", {"UserName": "u", "Password": "Passw0rd-a"})
    invoke("iam", "UpdateLoginProfile", {"UserName": "u", "Password": "Passw0rd-b"})
    invoke("iam", "DeleteAccountPasswordPolicy")
    invoke("iam", "UpdateLoginProfile", {"UserName": "u", "Password": "Passw0rd-b"})
    assert _history(runtime, user["UserId"]) == 0


T0 = datetime(2024, 1, 31, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (None, None),
        (PasswordPolicy(), None),
        (PasswordPolicy(max_password_age=1), T0 + timedelta(days=1)),
        (PasswordPolicy(max_password_age=90), datetime(2024, 4, 30, 12, 0, tzinfo=UTC)),
        (PasswordPolicy(max_password_age=1095), T0 + timedelta(days=1095)),
    ],
)
def test_next_rotation(policy: PasswordPolicy | None, expected: datetime | None) -> None:
    assert next_rotation(policy, T0) == expected


def test_is_expired() -> None:
    policy = PasswordPolicy(max_password_age=30)
    assert not is_expired(policy, T0, T0 + timedelta(days=30) - timedelta(seconds=1))
    assert is_expired(policy, T0, T0 + timedelta(days=30))
    assert not is_expired(None, T0, T0 + timedelta(days=3650))
