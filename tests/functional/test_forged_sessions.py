"""A previous master key is not a forging key: what its holder mints, a real server refuses.

The attacker here holds the previous master key K1 (leaked from an old deployment, say) and seals
session tokens with iamd's own ``issue``, claiming whatever they like for user alice. The server
runs with K2 current and K1 previous, as during and after a rotation. A token within AWS's
limits, issued now, opens — K1 is a key the server holds, which is the control that shows the
forgery is well formed — while a ten-year token, a post-dated one and one claiming a time after
K1's retirement are each refused with InvalidClientTokenId (never a 500).
"""

from __future__ import annotations

import base64
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from functional_helpers import as_creds, error

from iamd.auth.session_claims import SESSION_TOKEN
from iamd.auth.sessions import SessionKeyring, issue
from iamd.testing import IamdServer

K1, K2 = os.urandom(32), os.urandom(32)


def _b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


@pytest.fixture(autouse=True)
def _clean() -> None:
    """These tests run their own server on a data folder."""


@pytest.fixture
def rotated(tmp_path: Path) -> Iterator[tuple[IamdServer, dict[str, str], Path]]:
    """A server that ran under K1, now with K2 current and K1 previous; alice's ARN and id."""
    data = tmp_path / "data"
    first = IamdServer(extra_args=["--data-dir", str(data)], env={"IAMD_MASTER_KEY": _b64(K1)})
    with first:
        alice = first.client("iam").create_user(UserName="alice")["User"]
    env = {"IAMD_MASTER_KEY": _b64(K2), "IAMD_PREVIOUS_MASTER_KEYS": _b64(K1)}
    srv = IamdServer(extra_args=["--data-dir", str(data)], env=env, log_path=tmp_path / "iamd.log")
    srv.access_key_id, srv.secret_access_key = first.access_key_id, first.secret_access_key
    with srv:
        yield srv, {"arn": alice["Arn"], "id": alice["UserId"]}, data
    # Every refusal was an AWS error, never a 500 (logged as "request <id> failed").
    assert not re.search(r"iamd\.api request \S+ failed", (tmp_path / "iamd.log").read_text())


def _forge(alice: dict[str, str], issued_at: datetime, lifetime: timedelta) -> dict[str, Any]:
    claims, token = issue(
        SessionKeyring(K1), kind=SESSION_TOKEN, account_id="123456789012", issued_at=issued_at,
        expires_at=issued_at + lifetime, arn=alice["arn"], principal_id=alice["id"],
        source_arn=alice["arn"], source_id=alice["id"],
    )
    return {"AccessKeyId": claims.access_key_id, "SecretAccessKey": claims.secret_access_key, "SessionToken": token}


def _refused(srv: IamdServer, creds: dict[str, Any]) -> None:
    err = error(as_creds(srv, "sts", creds).get_caller_identity)
    assert (err["Code"], err["HTTPStatus"]) == ("InvalidClientTokenId", 403), err


def test_a_forgery_within_aws_limits_opens_the_control(rotated: Any) -> None:
    srv, alice, _ = rotated
    creds = _forge(alice, datetime.now(UTC), timedelta(hours=1))
    assert as_creds(srv, "sts", creds).get_caller_identity()["Arn"] == alice["arn"]


def test_a_ten_year_token_is_refused(rotated: Any) -> None:
    srv, alice, _ = rotated
    _refused(srv, _forge(alice, datetime.now(UTC), timedelta(days=3650)))
    _refused(srv, _forge(alice, datetime.now(UTC), timedelta(hours=36, seconds=1)))


def test_a_post_dated_token_is_refused(rotated: Any) -> None:
    srv, alice, _ = rotated
    _refused(srv, _forge(alice, datetime.now(UTC) + timedelta(days=1), timedelta(hours=1)))
    _refused(srv, _forge(alice, datetime.now(UTC) + timedelta(days=3650), timedelta(hours=36)))


def test_a_token_claiming_a_time_after_its_keys_retirement_is_refused(rotated: Any, tmp_path: Path) -> None:
    srv, alice, data = rotated
    env = os.environ | {"IAMD_MASTER_KEY": _b64(K2), "IAMD_PREVIOUS_MASTER_KEYS": _b64(K1)}
    out = subprocess.run([sys.executable, "-m", "iamd.cli", "keys", "reseal", "--data-dir", str(data)],
                         env=env, capture_output=True, text=True, check=True)
    assert "retired master key" in out.stdout
    # As if the retirement had happened two hours ago: the server reads it again on a restart.
    retired_at = datetime.now(UTC) - timedelta(hours=2)
    with sqlite3.connect(data / "iamd.db") as conn:
        conn.execute("UPDATE master_keys SET retired_at = ? WHERE retired_at IS NOT NULL",
                     (retired_at.replace(tzinfo=None).isoformat(sep=" "),))
    srv.stop()
    srv.start()
    before = _forge(alice, retired_at - timedelta(minutes=30), timedelta(hours=36))
    assert as_creds(srv, "sts", before).get_caller_identity()["Arn"] == alice["arn"]
    _refused(srv, _forge(alice, datetime.now(UTC) - timedelta(minutes=30), timedelta(hours=1)))
    _refused(srv, _forge(alice, datetime.now(UTC), timedelta(hours=1)))
