"""The credential report on both store backends, compared field by field with the state planted.

Login profiles, MFA devices and signing certificates are inserted as rows: the report reads the
tables, whichever action wrote them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import insert, update

from iamd.services.iam.credential_report import COLUMNS, build_rows, iso, parse_csv, render_csv
from iamd.services.iam.errors import CredentialReportExpired, CredentialReportNotPresent
from iamd.store import schema

T0 = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


class Plant:
    """Direct writes to the credential tables of one account."""

    def __init__(self, runtime: Any, account: str, invoke: Any) -> None:
        self.runtime, self.account, self.invoke = runtime, account, invoke

    def run(self, stmt: Any) -> None:
        with self.runtime.store.begin() as conn:
            conn.execute(stmt)

    def user(self, name: str, path: str = "/", created: datetime = T0) -> str:
        uid = self.invoke("iam", "CreateUser", {"UserName": name, "Path": path})["User"]["UserId"]
        self.run(update(schema.users).where(schema.users.c.user_id == uid).values(created_at=created))
        return uid

    def login_profile(self, uid: str, changed: datetime) -> None:
        self.run(insert(schema.login_profiles).values(
            user_id=uid, password_hash="$argon2id$placeholder", password_reset_required=False,
            created_at=changed, password_last_changed=changed,
        ))

    def password_used(self, uid: str, when: datetime) -> None:
        self.run(update(schema.users).where(schema.users.c.user_id == uid).values(password_last_used=when))

    def mfa(self, uid: str | None, name: str) -> None:
        self.run(insert(schema.mfa_devices).values(
            device_id="MFA" + name.upper(), account_id=self.account,
            serial_number=f"arn:aws:iam::{self.account}:mfa/{name}", name=name, name_lower=name.lower(),
            path="/", seed_sealed=b"x", user_id=uid, assigned_to_root=uid is None, created_at=T0,
            enabled_at=T0 if uid or name.startswith("root") else None,
        ))

    def key(self, user: str | None, created: datetime, *, status: str = "Active",
            used: tuple[datetime, str, str] | None = None) -> str:
        params = {"UserName": user} if user else {}
        key_id = self.invoke("iam", "CreateAccessKey", params)["AccessKey"]["AccessKeyId"]
        values: dict[str, Any] = {"created_at": created, "status": status}
        if used:
            values |= {"last_used_at": used[0], "last_used_service": used[1], "last_used_region": used[2]}
        self.run(update(schema.access_keys).where(schema.access_keys.c.access_key_id == key_id).values(**values))
        return key_id

    def cert(self, uid: str | None, cert_id: str, uploaded: datetime, status: str = "Active") -> None:
        self.run(insert(schema.signing_certificates).values(
            certificate_id=cert_id, account_id=self.account, user_id=uid, body="-----BEGIN CERTIFICATE-----",
            status=status, uploaded_at=uploaded,
        ))

    def password_policy(self, max_age: int | None) -> None:
        self.run(insert(schema.password_policies).values(
            account_id=self.account, minimum_password_length=8, require_symbols=False, require_numbers=False,
            require_uppercase_characters=False, require_lowercase_characters=False,
            allow_users_to_change_password=True, max_password_age=max_age, password_reuse_prevention=None,
            hard_expiry=False,
        ))

    def drop_root_keys(self) -> None:
        self.run(schema.access_keys.delete().where(
            schema.access_keys.c.account_id == self.account, schema.access_keys.c.user_id.is_(None)
        ))


@pytest.fixture
def plant(runtime: Any, account: str, invoke: Any) -> Plant:
    return Plant(runtime, account, invoke)


def report(invoke: Any) -> list[dict[str, str]]:
    invoke("iam", "GenerateCredentialReport")
    out = invoke("iam", "GetCredentialReport")
    assert out["ReportFormat"] == "text/csv"
    content = out["Content"]
    assert isinstance(content, bytes)
    assert content.decode().split("\n")[0] == ",".join(COLUMNS)
    return parse_csv(content)


NO_KEY = {"active": "false", "last_rotated": "N/A", "last_used_date": "N/A",
          "last_used_region": "N/A", "last_used_service": "N/A"}
NO_CERTS = {"cert_1_active": "false", "cert_1_last_rotated": "N/A",
            "cert_2_active": "false", "cert_2_last_rotated": "N/A"}


def key_cols(n: int, **vals: str) -> dict[str, str]:
    return {f"access_key_{n}_{k}": v for k, v in (NO_KEY | vals).items()}


def test_generate_then_get(invoke) -> None:
    before = datetime.now(UTC)
    with pytest.raises(CredentialReportNotPresent) as err:
        invoke("iam", "GetCredentialReport")
    assert (err.value.code, err.value.status) == ("ReportNotPresent", 410)
    assert invoke("iam", "GenerateCredentialReport") == {
        "State": "STARTED", "Description": "No report exists. Starting a new report generation task",
    }
    assert invoke("iam", "GenerateCredentialReport") == {"State": "COMPLETE"}
    got = invoke("iam", "GetCredentialReport")
    assert got["GeneratedTime"].microsecond == 0
    assert before.replace(microsecond=0) <= got["GeneratedTime"] <= datetime.now(UTC)


def test_report_is_reused_for_four_hours_then_expires(invoke, plant, runtime, account) -> None:
    invoke("iam", "GenerateCredentialReport")
    plant.user("late")
    assert invoke("iam", "GenerateCredentialReport") == {"State": "COMPLETE"}
    assert [r["user"] for r in parse_csv(invoke("iam", "GetCredentialReport")["Content"])] == ["<root_account>"]

    t = schema.credential_reports
    plant.run(update(t).where(t.c.account_id == account).values(
        generated_at=datetime.now(UTC) - timedelta(hours=4, seconds=1)
    ))
    with pytest.raises(CredentialReportExpired) as err:
        invoke("iam", "GetCredentialReport")
    assert (err.value.code, err.value.status) == ("ReportExpired", 410)
    assert invoke("iam", "GenerateCredentialReport")["State"] == "STARTED"
    assert [r["user"] for r in report(invoke)] == ["<root_account>", "late"]


def test_root_row(invoke, plant, account, runtime) -> None:
    created = invoke("iam", "ListAccessKeys")["AccessKeyMetadata"][0]
    rows = report(invoke)
    with runtime.store.connect() as conn:
        account_created = conn.execute(
            schema.accounts.select().where(schema.accounts.c.account_id == account)
        ).one().created_at
    assert rows[0] == {
        "user": "<root_account>",
        "arn": f"arn:aws:iam::{account}:root",
        "user_creation_time": iso(account_created),
        "password_enabled": "not_supported",
        "password_last_used": "no_information",
        "password_last_changed": "not_supported",
        "password_next_rotation": "not_supported",
        "mfa_active": "false",
        **key_cols(1, active="true", last_rotated=iso(created["CreateDate"])),
        **key_cols(2),
        **NO_CERTS,
    }


def test_root_with_mfa_and_no_keys(invoke, plant) -> None:
    plant.drop_root_keys()
    plant.mfa(None, "root-account-mfa-device")
    plant.cert(None, "ROOTCERT", at(3), status="Inactive")
    row = report(invoke)[0]
    assert row["mfa_active"] == "true"
    assert {k: row[k] for k in key_cols(1) | key_cols(2)} == key_cols(1) | key_cols(2)
    assert (row["cert_1_active"], row["cert_1_last_rotated"]) == ("false", iso(at(3)))


def test_users_field_by_field(invoke, plant, account) -> None:
    plant.password_policy(max_age=90)
    alice = plant.user("alice", path="/eng/", created=at(0))
    plant.login_profile(alice, changed=at(1))
    plant.password_used(alice, at(5))
    plant.mfa(alice, "alice")
    old = plant.key("alice", at(2), status="Inactive")
    new = plant.key("alice", at(10), used=(at(11), "iam", "us-east-1"))
    plant.cert(alice, "CERTB", at(20))
    plant.cert(alice, "CERTA", at(4), status="Inactive")

    bob = plant.user("bob", created=at(1))
    plant.key("bob", at(3))

    carol = plant.user("Carol", created=at(2))
    plant.login_profile(carol, changed=at(6))

    dave = plant.user("dave", created=at(3))
    plant.password_used(dave, at(7))  # a password used once, since removed
    plant.mfa(None, "unassigned")  # created, never enabled: nobody's MFA
    assert old and new and bob

    rows = report(invoke)
    assert [r["user"] for r in rows] == ["<root_account>", "alice", "bob", "Carol", "dave"]
    by = {r["user"]: r for r in rows}
    assert by["alice"] == {
        "user": "alice",
        "arn": f"arn:aws:iam::{account}:user/eng/alice",
        "user_creation_time": iso(at(0)),
        "password_enabled": "true",
        "password_last_used": iso(at(5)),
        "password_last_changed": iso(at(1)),
        "password_next_rotation": iso(at(91)),
        "mfa_active": "true",
        **key_cols(1, active="false", last_rotated=iso(at(2))),
        **key_cols(2, active="true", last_rotated=iso(at(10)), last_used_date=iso(at(11)),
                   last_used_region="us-east-1", last_used_service="iam"),
        "cert_1_active": "false", "cert_1_last_rotated": iso(at(4)),
        "cert_2_active": "true", "cert_2_last_rotated": iso(at(20)),
    }
    assert by["bob"] == {
        "user": "bob",
        "arn": f"arn:aws:iam::{account}:user/bob",
        "user_creation_time": iso(at(1)),
        "password_enabled": "false",
        "password_last_used": "N/A",
        "password_last_changed": "N/A",
        "password_next_rotation": "N/A",
        "mfa_active": "false",
        **key_cols(1, active="true", last_rotated=iso(at(3))),
        **key_cols(2),
        **NO_CERTS,
    }
    assert {k: by["Carol"][k] for k in COLUMNS[3:8]} == {
        "password_enabled": "true",
        "password_last_used": "no_information",
        "password_last_changed": iso(at(6)),
        "password_next_rotation": iso(at(96)),
        "mfa_active": "false",
    }
    assert {k: by["dave"][k] for k in COLUMNS[3:8]} == {
        "password_enabled": "false",
        "password_last_used": iso(at(7)),
        "password_last_changed": "N/A",
        "password_next_rotation": "N/A",
        "mfa_active": "false",
    }


def test_no_rotation_without_max_age(invoke, plant) -> None:
    plant.password_policy(max_age=None)
    uid = plant.user("erin")
    plant.login_profile(uid, changed=at(1))
    assert report(invoke)[1]["password_next_rotation"] == "N/A"


def test_key_last_use_without_region(invoke, plant) -> None:
    plant.user("s3user")
    plant.key("s3user", at(1), used=(at(2), "s3", ""))
    row = report(invoke)[1]
    assert (row["access_key_1_last_used_date"], row["access_key_1_last_used_region"],
            row["access_key_1_last_used_service"]) == (iso(at(2)), "N/A", "s3")


def test_accounts_do_not_mix(invoke, runtime, plant) -> None:
    from iamd.services.accounts import create_account

    with runtime.store.begin() as conn:
        create_account(conn, runtime.secretbox, "999999999999" if plant.account != "999999999999"
                       else "888888888888", datetime.now(UTC))
    plant.user("mine")
    with runtime.store.connect() as conn:
        names = [r["user"] for r in build_rows(conn, plant.account)]
    assert names == ["<root_account>", "mine"]


def test_csv_format() -> None:
    rows = [dict.fromkeys(COLUMNS, "x") | {"user": "a,b"}]
    text = render_csv(rows)
    assert not text.endswith("\n") and "\r" not in text
    assert text.split("\n")[1].startswith('"a,b",x')
    assert parse_csv(text) == rows
    assert iso(datetime(2014, 8, 29, 21, 47, 5, 123456, tzinfo=UTC)) == "2014-08-29T21:47:05+00:00"
    plus_two = timezone(timedelta(hours=2))
    assert iso(datetime(2014, 8, 29, 23, 47, 5, tzinfo=plus_two)) == "2014-08-29T21:47:05+00:00"
