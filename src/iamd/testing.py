"""Run an ephemeral iamd inside a test suite: start it, point SDKs at it, reset it between tests.

    from iamd.testing import IamdServer

    @pytest.fixture(scope="session")
    def iamd():
        with IamdServer() as server:
            yield server

    @pytest.fixture(autouse=True)
    def clean_iamd(iamd):
        iamd.reset()          # back to the just-started state, in milliseconds

The server is a real ``iamd serve --ephemeral`` process on a free loopback port; its root
credentials are generated here and passed in, so the fixture knows them without parsing output.
"""

from __future__ import annotations

import os
import secrets
import socket
import string
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

ALNUM = string.ascii_uppercase + string.digits


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def signed_request(
    endpoint: str, path: str, access_key_id: str, secret_access_key: str, body: bytes = b"", service: str = "iam"
) -> int:
    """POST ``path`` signed with SigV4; returns the HTTP status."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    req = AWSRequest(method="POST", url=endpoint + path, data=body)
    SigV4Auth(Credentials(access_key_id, secret_access_key), service, "us-east-1").add_auth(req)
    prepared = urllib.request.Request(endpoint + path, data=body, headers=dict(req.headers.items()), method="POST")
    try:
        with urllib.request.urlopen(prepared, timeout=10) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


def set_clock_offset(endpoint: str, access_key_id: str, secret_access_key: str, seconds: float) -> None:
    """Shift an ``--ephemeral`` server's clock by ``seconds`` from real time (0 restores it)."""
    body = f"offset_seconds={seconds}".encode()
    status = signed_request(endpoint, "/_iamd/clock", access_key_id, secret_access_key, body=body)
    if status != 204:
        raise RuntimeError(f"iamd clock change failed with HTTP {status}")


def reset(endpoint: str, access_key_id: str, secret_access_key: str) -> None:
    """Restore an ``--ephemeral`` server to its just-started state (root of the first account only)."""
    status = signed_request(endpoint, "/_iamd/reset", access_key_id, secret_access_key)
    if status != 204:
        raise RuntimeError(f"iamd reset failed with HTTP {status}")


class IamdServer:
    """A real ``iamd serve --ephemeral`` subprocess on a free loopback port."""

    def __init__(self, *, account_id: str = "123456789012", extra_args: list[str] | None = None,
                 env: dict[str, str] | None = None, log_path: Path | None = None,
                 preexec: Callable[[], None] | None = None) -> None:
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.account_id = account_id
        self.access_key_id = "AKIA" + "".join(secrets.choice(ALNUM) for _ in range(16))
        self.secret_access_key = secrets.token_urlsafe(30)[:40]
        self.extra_args = extra_args if extra_args is not None else ["--ephemeral"]
        self.extra_env = env or {}
        self.log_path = log_path
        # Run in the server process before it starts (e.g. lower its resource limits in a test).
        self.preexec = preexec
        self.process: subprocess.Popen[bytes] | None = None
        self._log: Any = None

    @property
    def env(self) -> dict[str, str]:
        """Environment variables that point an aws CLI / SDK at this server as root."""
        return {
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": self.endpoint,
        }

    def client(self, service: str, **kwargs: Any) -> Any:
        import boto3

        params: dict[str, Any] = {
            "endpoint_url": self.endpoint,
            "region_name": "us-east-1",
            "aws_access_key_id": self.access_key_id,
            "aws_secret_access_key": self.secret_access_key,
        }
        params.update(kwargs)
        if service == "iamd":
            # iamd's own service: its model is iamd's, found through botocore's ``data_path``
            # (what ``AWS_DATA_PATH`` sets), on a session of its own.
            import botocore.session

            from iamd.data import models_path

            core = botocore.session.Session()
            core.set_config_variable("data_path", str(models_path()))
            return boto3.session.Session(botocore_session=core).client(service, **params)  # type: ignore[call-overload]
        # boto3-stubs overloads client() per literal service name and has no overload for a str.
        return boto3.client(service, **params)  # type: ignore[call-overload]

    def start(self, timeout: float = 20.0) -> IamdServer:
        env = os.environ | self.extra_env | {
            "IAMD_ROOT_ACCESS_KEY_ID": self.access_key_id,
            "IAMD_ROOT_SECRET_ACCESS_KEY": self.secret_access_key,
        }
        cmd = [sys.executable, "-m", "iamd.cli", "serve", "--port", str(self.port),
               "--account-id", self.account_id, *self.extra_args]
        self._log = open(self.log_path, "ab") if self.log_path else None  # noqa: SIM115 - closed in stop()
        out = self._log if self._log is not None else subprocess.DEVNULL
        self.process = subprocess.Popen(
            cmd, env=env, stdout=out, stderr=subprocess.STDOUT, preexec_fn=self.preexec  # noqa: PLW1509
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"iamd exited with {self.process.returncode} before serving")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.02)
        self.stop()
        raise RuntimeError("iamd did not start in time")

    def reset(self) -> None:
        reset(self.endpoint, self.access_key_id, self.secret_access_key)

    def set_clock_offset(self, seconds: float) -> None:
        """Time travel: the server acts as if ``seconds`` had passed (sessions expire, …)."""
        set_clock_offset(self.endpoint, self.access_key_id, self.secret_access_key, seconds)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> IamdServer:
        if self.process is not None and self.process.poll() is None:
            return self  # started already (``with IamdServer(...).start() as srv``)
        return self.start()

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()
