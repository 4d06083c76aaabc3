"""``iamd audit``'s checks on hand-written reports, and the store source on both backends."""

from __future__ import annotations

import io
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, update

from iamd.analysis import audit
from iamd.analysis.audit import Snapshot, report_time, run_checks
from iamd.services.iam import credential_report
from iamd.services.iam.credential_report import COLUMNS, iso

NOW = datetime(2025, 6, 1, 12, 0, 0, tzinfo=UTC)
ACCOUNT = "123456789012"


def ago(days: float) -> str:
    return iso(NOW - timedelta(days=days))


def row(user: str, **cells: str) -> dict[str, str]:
    base = dict.fromkeys(COLUMNS, "N/A") | {
        "user": user,
        "arn": f"arn:aws:iam::{ACCOUNT}:" + ("root" if user == "<root_account>" else f"user/{user}"),
        "user_creation_time": ago(400),
        "password_enabled": "false",
        "mfa_active": "true",
        "access_key_1_active": "false",
        "access_key_2_active": "false",
        "cert_1_active": "false",
        "cert_2_active": "false",
    }
    return base | cells


CLEAN_ROOT = row("<root_account>", password_enabled="not_supported", password_last_used="no_information",
                 password_last_changed="not_supported", password_next_rotation="not_supported")


def snap(*rows: dict[str, str], policy: bool = True) -> Snapshot:
    return Snapshot([CLEAN_ROOT, *rows] if not rows or rows[0]["user"] != "<root_account>" else list(rows),
                    policy, NOW, "test")


def found(snapshot: Snapshot, **kw: int) -> list[tuple[str, str, str]]:
    return [(f.check, f.principal, f.detail) for f in run_checks(snapshot, NOW, **kw)]


def test_clean_account() -> None:
    fresh_key = {"access_key_1_active": "true", "access_key_1_last_rotated": ago(10),
                 "access_key_1_last_used_date": ago(1)}
    assert found(snap(row("alice", password_enabled="true", **fresh_key))) == []


def test_root_name_matches_the_report() -> None:
    assert audit.ROOT_NAME == credential_report.ROOT_NAME


@pytest.mark.parametrize(("cells", "expected"), [
    ({"mfa_active": "false"}, [("user_without_mfa", "bob", "the user has no MFA device")]),
    ({"mfa_active": "false", "password_enabled": "true"}, [
        ("user_without_mfa", "bob", "the user has no MFA device"),
        ("console_without_mfa", "bob", "the user can sign in with a password but has no MFA device"),
    ]),
    ({"access_key_1_active": "true", "access_key_1_last_rotated": ago(91), "access_key_1_last_used_date": ago(1)},
     [("old_access_key", "bob", "access key 1 is 91 days old")]),
    ({"access_key_1_active": "true", "access_key_1_last_rotated": ago(89), "access_key_1_last_used_date": ago(1)},
     []),
    ({"access_key_2_active": "true", "access_key_2_last_rotated": ago(5)},
     [("unused_access_key", "bob", "access key 2 has never been used")]),
    ({"access_key_1_active": "true", "access_key_1_last_rotated": ago(50), "access_key_1_last_used_date": ago(91)},
     [("unused_access_key", "bob", "access key 1 last used 91 days ago")]),
    ({"access_key_1_active": "false", "access_key_1_last_rotated": ago(500)},
     [("inactive_access_key", "bob", "access key 1 is inactive")]),
    ({"access_key_1_active": "true", "access_key_1_last_rotated": ago(200), "access_key_1_last_used_date": ago(100)},
     [("old_access_key", "bob", "access key 1 is 200 days old"),
      ("unused_access_key", "bob", "access key 1 last used 100 days ago")]),
])
def test_user_checks(cells: dict[str, str], expected: list[tuple[str, str, str]]) -> None:
    assert found(snap(row("bob", **cells))) == expected


def test_thresholds() -> None:
    key = {"access_key_1_active": "true", "access_key_1_last_rotated": ago(31), "access_key_1_last_used_date": ago(8)}
    s = snap(row("bob", **key))
    assert found(s) == []
    assert found(s, max_key_age=30, max_unused_days=7) == [
        ("old_access_key", "bob", "access key 1 is 31 days old"),
        ("unused_access_key", "bob", "access key 1 last used 8 days ago"),
    ]


def test_root_and_account_checks() -> None:
    root = CLEAN_ROOT | {"mfa_active": "false", "access_key_1_active": "true", "access_key_1_last_rotated": ago(1),
                         "access_key_2_active": "false", "access_key_2_last_rotated": ago(2)}
    assert found(snap(root, policy=False)) == [
        ("no_password_policy", ACCOUNT, "the account has no password policy"),
        ("root_access_key", "<root_account>", "access key 1 is present (active)"),
        ("root_access_key", "<root_account>", "access key 2 is present (inactive)"),
        ("root_without_mfa", "<root_account>", "the root user has no MFA device"),
    ]


def test_report_time() -> None:
    assert report_time("2014-08-29T21:47:05+00:00") == datetime(2014, 8, 29, 21, 47, 5, tzinfo=UTC)
    assert [report_time(v) for v in ("N/A", "no_information", "not_supported")] == [None, None, None]


def test_renderings() -> None:
    s = snap(row("bob", mfa_active="false"), policy=False)
    findings = run_checks(s, NOW)
    table = audit.render_table(findings, s)
    lines = table.splitlines()
    assert lines[0] == f"account {ACCOUNT}: 1 user, credential report of 2025-06-01T12:00:00Z"
    assert lines[2].split() == ["CHECK", "PRINCIPAL", "DETAIL"]
    assert lines[3].startswith("no_password_policy  ") and lines[-1] == "2 findings"
    doc = json.loads(audit.render_json(findings, s, max_key_age=90, max_unused_days=30))
    assert doc["account_id"] == ACCOUNT and doc["thresholds"] == {"max_key_age_days": 90, "max_unused_days": 30}
    assert doc["findings"][1] == {"check": "user_without_mfa", "principal": "bob",
                                  "arn": f"arn:aws:iam::{ACCOUNT}:user/bob", "detail": "the user has no MFA device"}
    assert doc["summary"] == {"findings": 2, "by_check": {"no_password_policy": 1, "user_without_mfa": 1}}
    assert audit.render_table([], snap()).endswith("no findings\n")


# --- the store source ------------------------------------------------------------------------


class Planted:
    """A store account with one of each problem and one clean user; the findings it must produce."""

    def __init__(self, url: str) -> None:
        from iamd.auth.secretbox import SecretBox
        from iamd.services.accounts import create_account
        from iamd.store import schema as s
        from iamd.store.engine import Store

        self.account = f"{random.randrange(10**11, 10**12):012d}"
        now = datetime.now(UTC)
        store = Store(url)
        store.migrate()

        def user(name: str) -> str:
            uid = "AIDA" + name.upper().ljust(17, "X")
            conn.execute(insert(s.users).values(user_id=uid, account_id=self.account, name=name,
                                                name_lower=name, path="/", created_at=now))
            return uid

        def key(uid: str | None, key_id: str, age: int, status: str = "Active", used: int | None = None) -> None:
            conn.execute(insert(s.access_keys).values(
                access_key_id=key_id, account_id=self.account, user_id=uid, secret_sealed=b"x", status=status,
                created_at=now - timedelta(days=age),
                last_used_at=None if used is None else now - timedelta(days=used),
                last_used_service=None if used is None else "iam",
                last_used_region=None if used is None else "us-east-1",
            ))

        def mfa(uid: str) -> None:
            conn.execute(insert(s.mfa_devices).values(
                device_id="D" + uid, account_id=self.account, serial_number=f"arn:aws:iam::{self.account}:mfa/{uid}",
                name=uid, name_lower=uid.lower(), path="/", seed_sealed=b"x", user_id=uid, created_at=now,
                enabled_at=now,
            ))

        with store.begin() as conn:
            create_account(conn, SecretBox(bytes(32)), self.account, now)
            conn.execute(update(s.access_keys).where(s.access_keys.c.account_id == self.account)
                         .values(last_used_at=now, last_used_service="iam", last_used_region="us-east-1"))
            good = self.good = user("good")
            mfa(good)
            key(good, "AKIAGOOD000000000001", age=10, used=1)
            console = user("console")
            conn.execute(insert(s.login_profiles).values(user_id=console, password_hash="h",
                                                         password_reset_required=False, created_at=now,
                                                         password_last_changed=now))
            stale = user("stale")
            mfa(stale)
            key(stale, "AKIASTALE00000000001", age=120, used=100)
            key(stale, "AKIASTALE00000000002", age=5, status="Inactive")
            idle = user("idle")
            mfa(idle)
            key(idle, "AKIAIDLE000000000001", age=3)
        store.close()
        self.expected = [
            ("no_password_policy", self.account),
            ("cloudtrail_not_enabled", self.account),
            ("root_access_key", "<root_account>"),
            ("root_without_mfa", "<root_account>"),
            ("user_without_mfa", "console"),
            ("console_without_mfa", "console"),
            ("unused_access_key", "idle"),
            ("old_access_key", "stale"),
            ("unused_access_key", "stale"),
            ("inactive_access_key", "stale"),
        ]


def test_from_store_finds_the_planted_problems(store_url: str) -> None:
    planted = Planted(store_url)
    snapshot = audit.from_store(store_url, planted.account)
    got = [(f.check, f.principal) for f in run_checks(snapshot, datetime.now(UTC))]
    assert got == planted.expected


def test_run_on_a_data_dir(tmp_path: Path) -> None:
    planted = Planted(f"sqlite:///{tmp_path / 'iamd.db'}")
    before = (tmp_path / "iamd.db").stat().st_mtime_ns
    out, err = io.StringIO(), io.StringIO()
    code = audit.run(data_dir=str(tmp_path), account_id=planted.account, as_json=True, out=out, err=err)
    assert code == audit.EXIT_FINDINGS, err.getvalue()
    doc = json.loads(out.getvalue())
    assert [(f["check"], f["principal"]) for f in doc["findings"]] == planted.expected
    assert doc["source"] == "store"
    assert (tmp_path / "iamd.db").stat().st_mtime_ns == before


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"data_dir": "/nonexistent/iamd"}, "no iamd database at /nonexistent/iamd/iamd.db"),
    ({"data_dir": "x", "endpoint_url": "http://127.0.0.1:1"}, "not both"),
    ({"db": "sqlite://", "max_key_age": -1}, "must not be negative"),
])
def test_errors_exit_2(kwargs: dict[str, Any], message: str) -> None:
    err = io.StringIO()
    assert audit.run(out=io.StringIO(), err=err, **kwargs) == audit.EXIT_ERROR
    assert message in err.getvalue()


def test_unknown_account_exit_2(tmp_path: Path) -> None:
    Planted(f"sqlite:///{tmp_path / 'iamd.db'}")
    err = io.StringIO()
    assert audit.run(data_dir=str(tmp_path), account_id="000000000001", out=io.StringIO(), err=err) == 2
    assert "no account 000000000001" in err.getvalue()


def test_unreachable_server_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    err = io.StringIO()
    assert audit.run(endpoint_url="http://127.0.0.1:9", out=io.StringIO(), err=err) == audit.EXIT_ERROR
    assert err.getvalue().startswith("iamd audit: ")


def test_clean_store_exits_0(tmp_path: Path) -> None:
    from iamd.store import schema as s
    from iamd.store.cloudtrail_schema import ct_trails
    from iamd.store.engine import Store

    planted = Planted(f"sqlite:///{tmp_path / 'iamd.db'}")
    store = Store(f"sqlite:///{tmp_path / 'iamd.db'}")
    with store.begin() as conn:
        for table in (s.access_keys, s.login_profiles, s.mfa_devices):
            conn.execute(table.delete())
        conn.execute(s.users.delete().where(s.users.c.name != "good"))
        conn.execute(insert(s.mfa_devices).values(
            device_id="ROOTMFA", account_id=planted.account, serial_number="root-mfa", name="root",
            name_lower="root", path="/", seed_sealed=b"x", user_id=planted.good,
            created_at=datetime.now(UTC), enabled_at=datetime.now(UTC),
        ))
        conn.execute(insert(s.mfa_devices).values(
            device_id="ROOTMFA2", account_id=planted.account, serial_number="root-mfa-2", name="root2",
            name_lower="root2", path="/", seed_sealed=b"x", assigned_to_root=True,
            created_at=datetime.now(UTC), enabled_at=datetime.now(UTC),
        ))
        conn.execute(insert(s.password_policies).values(
            account_id=planted.account, minimum_password_length=14, require_symbols=True, require_numbers=True,
            require_uppercase_characters=True, require_lowercase_characters=True,
            allow_users_to_change_password=True, max_password_age=90, password_reuse_prevention=24,
            hard_expiry=False,
        ))
        conn.execute(insert(ct_trails).values(  # multi-region, logging, management events, validation
            trail_id="0" * 32, account_id=planted.account, home_region="us-east-1", name="audit", s3_bucket="logs",
            include_global=True, multi_region=True, organization=False, validation=True, is_logging=True,
            created_at=datetime.now(UTC), delivered_seq=0,
        ))
    store.close()
    out = io.StringIO()
    assert audit.run(data_dir=str(tmp_path), account_id=planted.account, out=out, err=io.StringIO()) == 0
    assert out.getvalue().endswith("no findings\n")
