"""``iamd audit`` as a cron job runs it: against a running server, and against its data folder.

The account has exactly one of each problem; both ways must list exactly those, and agree.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, update

from iamd.store import schema
from iamd.store.engine import Store
from iamd.testing import IamdServer


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    data_dir = tmp_path_factory.mktemp("audit-data")
    server = IamdServer(extra_args=["--data-dir", str(data_dir)])
    db = Store(f"sqlite:///{data_dir / 'iamd.db'}")
    with server:
        iam = server.client("iam")
        acct = server.account_id
        now = datetime.now(UTC)
        ids = {n: iam.create_user(UserName=n)["User"]["UserId"]
               for n in ("good", "nomfa", "console", "oldkey", "idle", "stale", "inactive")}
        keys = {n: iam.create_access_key(UserName=n)["AccessKey"]
                for n in ("good", "oldkey", "idle", "stale", "inactive")}
        for n in ("good", "oldkey", "stale"):
            server.client("sts", aws_access_key_id=keys[n]["AccessKeyId"],
                          aws_secret_access_key=keys[n]["SecretAccessKey"]).get_caller_identity()
        iam.update_access_key(UserName="inactive", AccessKeyId=keys["inactive"]["AccessKeyId"], Status="Inactive")
        # Writes the batched last-used times, so the edits below are not overwritten by a later batch.
        iam.get_access_key_last_used(AccessKeyId=keys["good"]["AccessKeyId"])

        k = schema.access_keys.c
        with db.begin() as conn:
            conn.execute(update(schema.access_keys).where(k.access_key_id == keys["oldkey"]["AccessKeyId"])
                         .values(created_at=now - timedelta(days=200)))
            conn.execute(update(schema.access_keys).where(k.access_key_id == keys["stale"]["AccessKeyId"])
                         .values(last_used_at=now - timedelta(days=120)))
            conn.execute(insert(schema.login_profiles).values(
                user_id=ids["console"], password_hash="$argon2id$planted", password_reset_required=False,
                created_at=now, password_last_changed=now))
            for n in ("good", "oldkey", "idle", "stale", "inactive"):
                conn.execute(insert(schema.mfa_devices).values(
                    device_id="DEV" + n.upper(), account_id=acct, serial_number=f"arn:aws:iam::{acct}:mfa/{n}",
                    name=n, name_lower=n, path="/", seed_sealed=b"planted", user_id=ids[n], created_at=now,
                    enabled_at=now))
        yield {"server": server, "data_dir": data_dir, "account": acct}
        db.close()


EXPECTED = [
    ("no_password_policy", "ACCOUNT"),
    ("cloudtrail_not_enabled", "ACCOUNT"),  # no trail at all
    ("root_access_key", "<root_account>"),
    ("root_without_mfa", "<root_account>"),
    ("user_without_mfa", "console"),
    ("console_without_mfa", "console"),
    ("unused_access_key", "idle"),
    ("inactive_access_key", "inactive"),
    ("user_without_mfa", "nomfa"),
    ("old_access_key", "oldkey"),
    ("unused_access_key", "stale"),
]


def iamd_audit(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | (env or {})
    return subprocess.run([sys.executable, "-m", "iamd.cli", "audit", *args], env=full, cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def expected(account: str) -> list[tuple[str, str]]:
    return [(check, account if who == "ACCOUNT" else who) for check, who in EXPECTED]


def test_against_the_server_json(planted: dict[str, Any]) -> None:
    server = planted["server"]
    env = {k: v for k, v in server.env.items() if k != "AWS_ENDPOINT_URL"}
    proc = iamd_audit("--endpoint-url", server.endpoint, "--json", env=env)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert [(f["check"], f["principal"]) for f in doc["findings"]] == expected(planted["account"])
    details = {(f["check"], f["principal"]): f["detail"] for f in doc["findings"]}
    assert details[("old_access_key", "oldkey")] == "access key 1 is 200 days old"
    assert details[("unused_access_key", "stale")] == "access key 1 last used 120 days ago"
    assert details[("unused_access_key", "idle")] == "access key 1 has never been used"
    assert doc["source"] == server.endpoint and doc["account_id"] == planted["account"]


def test_against_the_server_table_with_env_endpoint(planted: dict[str, Any]) -> None:
    proc = iamd_audit(env=planted["server"].env)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith(f"account {planted['account']}: 7 users, credential report of ")
    assert lines[2].split() == ["CHECK", "PRINCIPAL", "DETAIL"]
    assert [tuple(line.split()[:2]) for line in lines[3:-2]] == expected(planted["account"])
    assert lines[-1] == f"{len(EXPECTED)} findings"


def test_against_the_data_dir(planted: dict[str, Any]) -> None:
    proc = iamd_audit("--data-dir", str(planted["data_dir"]), "--json")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert [(f["check"], f["principal"]) for f in doc["findings"]] == expected(planted["account"])
    assert doc["source"] == "store"


def test_thresholds_change_the_findings(planted: dict[str, Any]) -> None:
    proc = iamd_audit("--data-dir", str(planted["data_dir"]), "--json", "--max-key-age", "365",
                      "--max-unused-days", "180")
    got = [(f["check"], f["principal"]) for f in json.loads(proc.stdout)["findings"]]
    assert ("old_access_key", "oldkey") not in got and ("unused_access_key", "stale") not in got
    assert ("unused_access_key", "idle") in got  # never used is flagged whatever the threshold


@pytest.mark.parametrize("args", [
    ("--endpoint-url", "http://127.0.0.1:9"),
    ("--data-dir", "/nonexistent/iamd-data"),
])
def test_errors_exit_2(args: tuple[str, ...], planted: dict[str, Any]) -> None:
    env = planted["server"].env | {"AWS_MAX_ATTEMPTS": "1"}
    proc = iamd_audit(*args, env=env)
    assert proc.returncode == 2
    assert proc.stdout == "" and proc.stderr.startswith("iamd audit: ")


def test_denied_caller_exit_2(planted: dict[str, Any]) -> None:
    server = planted["server"]
    iam = server.client("iam")
    iam.create_user(UserName="auditor")
    key = iam.create_access_key(UserName="auditor")["AccessKey"]
    try:
        env = server.env | {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
        proc = iamd_audit(env=env)
        assert proc.returncode == 2 and "AccessDenied" in proc.stderr
    finally:
        iam.delete_access_key(UserName="auditor", AccessKeyId=key["AccessKeyId"])
        iam.delete_user(UserName="auditor")
