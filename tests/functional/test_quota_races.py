"""Quotas and uniqueness hold across two ``iamd serve`` processes sharing one database.

Real concurrent boto3 clients (``tools/reliability/races.py``) race on every rule through both processes at
once, on PostgreSQL and on one SQLite file; each rule must hold exactly and every response be a
200 or the AWS error. A second account races the first for one account alias: the alias is unique
across accounts, which no per-account lock covers, so the database constraint must answer
EntityAlreadyExists, not a 500.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from functional_helpers import error
from tools.reliability import races

from iamd.testing import IamdServer

ROUNDS = 4


@pytest.fixture(autouse=True)
def _clean() -> None:
    """These tests run their own servers, not the session's ephemeral one."""


@contextlib.contextmanager
def _pair(tmp_path: Path, db_args: list[str]) -> Iterator[tuple[IamdServer, IamdServer]]:
    """Two processes on one database (``races.serve_pair``); neither may have logged a 500."""
    with races.serve_pair(tmp_path / "data", db_args[1] if db_args else "", log_dir=tmp_path) as pair:
        yield pair
    for log in ("first.log", "second.log"):
        _assert_no_internal_failure(tmp_path / log)


def _assert_no_internal_failure(log: Path) -> None:
    """The server logs every InternalFailure (a 500) as "request <id> failed" with its traceback."""
    text = log.read_text()
    assert not re.search(r"iamd\.api request \S+ failed", text), text[-4000:]


@pytest.fixture(params=["postgresql", "sqlite"])
def db_args(request: pytest.FixtureRequest) -> list[str]:
    if request.param == "postgresql":
        return ["--db", request.getfixturevalue("empty_pg_url")]
    return []  # the data folder's iamd.db, shared by both


@pytest.fixture
def pair(db_args: list[str], tmp_path: Path) -> Iterator[tuple[IamdServer, IamdServer]]:
    with _pair(tmp_path, db_args) as servers:
        yield servers


def _report(report: Any) -> str:
    return "\n".join([report.line(), *report.unexpected[:20], *report.violations[:20]])


def test_every_quota_and_uniqueness_rule_holds_across_two_processes(
    pair: tuple[IamdServer, IamdServer], db_args: list[str], tmp_path: Path
) -> None:
    first, second = pair
    report = races.run([first.endpoint, second.endpoint], first.access_key_id, first.secret_access_key,
                       rounds=ROUNDS)
    assert report.ok, _report(report)
    assert report.requests >= ROUNDS * len(races.SCENARIOS) * 3
    assert report.codes["LimitExceeded"] and report.codes["EntityAlreadyExists"]
    # Both processes appended to one audit chain, in one order.
    verify = subprocess.run([sys.executable, "-m", "iamd.cli", "trail", "verify", "--data-dir",
                             str(tmp_path / "data"), *db_args], capture_output=True, text=True, timeout=120)
    assert verify.returncode == 0, verify.stdout + verify.stderr


def _second_account(db_args: list[str], data: Path) -> tuple[str, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "iamd.cli", "account", "create", "--data-dir", str(data), *db_args],
        capture_output=True, text=True, timeout=120, check=True,
    )
    values = dict(line.split("=", 1) for line in proc.stdout.splitlines() if "=" in line)
    return values["AWS_ACCESS_KEY_ID"], values["AWS_SECRET_ACCESS_KEY"]


def test_one_account_alias_across_accounts(db_args: list[str], tmp_path: Path) -> None:
    with _pair(tmp_path, db_args) as (first, second):
        other_key = _second_account(db_args, tmp_path / "data")
        clients = []
        for i in range(races.THREADS):
            endpoint = (first, second)[i % 2].endpoint
            key = (first.access_key_id, first.secret_access_key) if i % 4 < 2 else other_key
            clients.append(races.make_client(endpoint, *key))
        for n in range(ROUNDS):
            alias = f"shared-alias-{n}"
            outcomes = races.race(clients, [("create_account_alias", {"AccountAlias": alias})] * races.THREADS)
            codes = races.counts(outcomes)
            assert set(codes) <= {"", "EntityAlreadyExists"}, outcomes
            owners = {i % 4 < 2 for i, (_, code) in enumerate(outcomes) if code == ""}
            assert len(owners) == 1, outcomes  # one account won, every call of the other lost


@contextlib.contextmanager
def _holding_the_lock(db: str, data: Path, account_id: str) -> Iterator[None]:
    """Another process holds the lock a change needs: SQLite's write lock, or the account row."""
    if db:
        import psycopg

        with psycopg.connect(db) as conn:
            conn.execute("SELECT 1 FROM accounts WHERE account_id = %s FOR UPDATE", (account_id,))
            yield
            conn.rollback()
    else:
        conn = sqlite3.connect(data / "iamd.db", isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield
            conn.execute("ROLLBACK")
        finally:
            conn.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_change_that_cannot_get_its_lock_is_service_unavailable(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Past ``--lock-timeout`` a change answers 503 ServiceUnavailable (SDKs retry it), reads go on,
    a refused request never waits for the lock, and the change succeeds once the lock is free."""
    db = request.getfixturevalue("empty_pg_url") if backend == "postgresql" else ""
    data = tmp_path / "data"
    server = IamdServer(extra_args=["--data-dir", str(data), "--lock-timeout", "0.2", *(["--db", db] if db else [])],
                        log_path=tmp_path / "iamd.log")
    with server:
        iam = races.make_client(server.endpoint, server.access_key_id, server.secret_access_key)
        iam.create_user(UserName="before")
        key = iam.create_access_key(UserName="before")["AccessKey"]
        iam.create_login_profile(UserName="before", Password="Str0ng-Passw0rd!x")
        iam.put_user_policy(UserName="before", PolicyName="own-password", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "iam:ChangePassword", "Resource": "*"}]}))
        nobody = races.make_client(server.endpoint, key["AccessKeyId"], key["SecretAccessKey"])
        forger = races.make_client(server.endpoint, server.access_key_id, "not-the-secret")
        with _holding_the_lock(db, data, server.account_id):
            err = error(iam.create_user, UserName="blocked")
            assert (err["Code"], err["HTTPStatus"]) == ("ServiceUnavailable", 503)
            assert iam.get_user(UserName="before")["User"]["UserName"] == "before"
            assert error(nobody.create_user, UserName="blocked")["Code"] == "AccessDenied"
            assert error(forger.create_user, UserName="blocked")["Code"] == "SignatureDoesNotMatch"
            # Passwords are checked (Argon2) before the lock is taken: a wrong one answers at once.
            wrong = error(nobody.change_password, OldPassword="Wr0ng-passw0rd!", NewPassword="N3w-passw0rd!x")
            assert (wrong["Code"], wrong["Message"]) == ("AccessDenied", "The old password was incorrect.")
            # A read that happens to flush last-used times (due each second) still succeeds when
            # that write cannot get SQLite's lock.
            time.sleep(1.1)
            assert iam.get_user(UserName="before")["User"]["UserName"] == "before"
        iam.create_user(UserName="blocked")
    _assert_no_internal_failure(tmp_path / "iamd.log")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_processes_starting_at_once_on_a_new_database_share_one_account(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Migrations and the first account are made once, whichever process gets there first."""
    db_args = ["--db", request.getfixturevalue("empty_pg_url")] if backend == "postgresql" else []
    servers = [IamdServer(extra_args=["--data-dir", str(tmp_path / "data"), *db_args],
                          log_path=tmp_path / f"{i}.log") for i in range(3)]
    failures: list[BaseException] = []

    def start(server: IamdServer) -> None:
        try:
            server.start(timeout=60)
        except BaseException as err:  # noqa: BLE001 - reported below
            failures.append(err)

    threads = [threading.Thread(target=start, args=(s,)) for s in servers]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not failures, [(tmp_path / f"{i}.log").read_text()[-2000:] for i in range(3)]
        valid = []
        for candidate in servers:
            outcome = races.invoke(races.make_client(servers[0].endpoint, candidate.access_key_id,
                                                     candidate.secret_access_key), ("get_account_summary", {}))
            if outcome == (200, ""):
                valid.append(candidate)
        assert len(valid) == 1  # the root key of the process that created the account
        for server in servers:
            client = races.make_client(server.endpoint, valid[0].access_key_id, valid[0].secret_access_key)
            assert races.invoke(client, ("create_user", {"UserName": f"via-{server.port}"})) == (200, "")
    finally:
        for server in servers:
            server.stop()
