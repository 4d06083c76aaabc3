"""``iamd analyze escalation`` as an operator runs it: against a running server (``--endpoint-url``,
through ListEscalationPaths) and against its data folder read-only; both list the same paths and
exit 1, a clean account exits 0, a missing folder exits 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from iamd.testing import IamdServer

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def analyze(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "iamd.cli", "analyze", "escalation", *args],
                          env=os.environ | (env or {}), capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[IamdServer, Path]]:
    data_dir = tmp_path_factory.mktemp("escalation-data")
    with IamdServer(extra_args=["--data-dir", str(data_dir)]) as server:
        iam = server.client("iam")
        iam.create_role(RoleName="admin", AssumeRolePolicyDocument=doc(
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}))
        iam.attach_role_policy(RoleName="admin", PolicyArn=ADMIN)
        iam.create_user(UserName="passer")
        iam.put_user_policy(UserName="passer", PolicyName="p", PolicyDocument=doc(
            {"Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": "*"}))
        yield server, data_dir


def test_store_and_server_agree_and_exit_1(planted: tuple[IamdServer, Path]) -> None:
    server, data_dir = planted
    local = analyze("--data-dir", str(data_dir), "--json")
    assert local.returncode == 1, local.stderr
    remote = analyze("--endpoint-url", server.endpoint, "--json", env=server.env)
    assert remote.returncode == 1, remote.stderr
    here, there = json.loads(local.stdout), json.loads(remote.stdout)
    assert here["paths"] == there["paths"] and here["account_id"] == there["account_id"] == server.account_id
    passer = [p for p in here["paths"] if p["PrincipalArn"].endswith(":user/passer")]
    assert passer[0]["Edges"][0]["Method"] == "iam:PassRole to ec2.amazonaws.com"
    text = analyze("--data-dir", str(data_dir), "--principal-arn", passer[0]["PrincipalArn"])
    assert text.returncode == 1
    assert "--[iam:PassRole to ec2.amazonaws.com]--> arn:aws:iam::" in text.stdout
    assert "allowed: iam:PassRole on arn:aws:iam::" in text.stdout


def test_a_principal_without_paths_exits_0(planted: tuple[IamdServer, Path]) -> None:
    server, data_dir = planted
    role = f"arn:aws:iam::{server.account_id}:role/admin"
    clean = analyze("--data-dir", str(data_dir), "--principal-arn", role)
    assert clean.returncode == 0, clean.stderr
    assert "0 escalation paths" in clean.stdout


def test_errors_exit_2(planted: tuple[IamdServer, Path]) -> None:
    server, data_dir = planted
    assert analyze("--data-dir", "/nonexistent/iamd-data").returncode == 2
    both = analyze("--data-dir", str(data_dir), "--endpoint-url", server.endpoint)
    assert both.returncode == 2 and "not both" in both.stderr
    denied = analyze("--endpoint-url", server.endpoint,
                     env=server.env | {"AWS_ACCESS_KEY_ID": "AKIAAAAAAAAAAAAAAAAA", "AWS_SECRET_ACCESS_KEY": "x" * 40})
    assert denied.returncode == 2


def test_data_path_prints_the_folder_of_the_shipped_model() -> None:
    out = subprocess.run([sys.executable, "-m", "iamd.cli", "data-path"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    model = json.loads((Path(out.stdout.strip()) / "iamd" / "2026-12-01" / "service-2.json").read_text())
    meta = model["metadata"]
    assert (meta["signingName"], meta["protocol"], meta["jsonVersion"], meta["targetPrefix"]) == (
        "iamd", "json", "1.1", "Iamd_20261201")
    assert "ListEscalationPaths" in model["operations"]
