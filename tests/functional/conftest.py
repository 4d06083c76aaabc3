"""Black-box fixtures: one real ``iamd serve --ephemeral`` per session, reset before every test.

Tests drive it the way users do: boto3 clients and the aws CLI with ``--endpoint-url``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from functional_helpers import OTHER_ACCOUNT, as_creds, error

from iamd.testing import IamdServer

AWS_CLI = str(Path(sys.executable).with_name("aws"))


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IamdServer]:
    log = tmp_path_factory.mktemp("server") / "iamd.log"
    with IamdServer(log_path=log) as srv:
        yield srv


@pytest.fixture(autouse=True)
def _clean(server: IamdServer) -> None:
    server.reset()


@pytest.fixture
def iam(server: IamdServer) -> Any:
    return server.client("iam")


@pytest.fixture
def sts(server: IamdServer) -> Any:
    return server.client("sts")


@pytest.fixture
def client_for(server: IamdServer) -> Callable[[str, dict[str, Any]], Any]:
    """``client_for("sts", key)``: a boto3 client authenticated with a key from CreateAccessKey."""

    def make(service: str, key: dict[str, Any]) -> Any:
        return as_creds(server, service, key)

    return make


class AwsCli:
    """Run ``aws …`` against the server; returns parsed JSON (or raises with stderr)."""

    def __init__(self, server: IamdServer, cwd: Path) -> None:
        self.server = server
        self.cwd = cwd

    def run(self, *args: str, check: bool = True, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        full_env = os.environ | self.server.env | {"AWS_PAGER": ""} | (env or {})
        full_env.pop("AWS_PROFILE", None)
        cmd = [AWS_CLI, "--endpoint-url", self.server.endpoint, *args]
        proc = subprocess.run(cmd, env=full_env, cwd=self.cwd, capture_output=True, text=True, timeout=60)
        if check and proc.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
        return proc

    def __call__(self, *args: str, **kw: Any) -> Any:
        out = self.run(*args, **kw).stdout
        return json.loads(out) if out.strip().startswith(("{", "[")) else out


@pytest.fixture
def aws(server: IamdServer, tmp_path: Path) -> AwsCli:
    return AwsCli(server, tmp_path)


ErrorOf = Callable[..., dict[str, Any]]


@pytest.fixture
def error_of() -> ErrorOf:
    """``error_of(iam.get_user, UserName="x")`` → the ClientError's Error dict and HTTP status."""
    return error


@pytest.fixture(scope="module")
def two_accounts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[IamdServer, dict[str, str]]]:
    """A server with a data folder holding its first account and ``OTHER_ACCOUNT`` (made by the
    CLI, as an operator does); yields the server and OTHER_ACCOUNT's root key."""
    data = tmp_path_factory.mktemp("accounts")
    with IamdServer(extra_args=["--data-dir", str(data)]) as srv:
        out = subprocess.run(
            [sys.executable, "-m", "iamd.cli", "account", "create", "--data-dir", str(data),
             "--new-account-id", OTHER_ACCOUNT],
            capture_output=True, text=True, timeout=60, check=True,
        ).stdout
        pairs = dict(line.split("=", 1) for line in out.splitlines() if line.startswith("AWS_"))
        yield srv, {"AccessKeyId": pairs["AWS_ACCESS_KEY_ID"], "SecretAccessKey": pairs["AWS_SECRET_ACCESS_KEY"]}
