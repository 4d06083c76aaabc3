"""``iamd serve --tls-cert/--tls-key``: HTTPS with a test CA's certificate, and ``aws:SecureTransport``
true on it (false on the plain-HTTP session server), decided by a policy as AWS decides it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import SSLError
from functional_helpers import allow, denied, doc
from oidc_issuer import LoopbackCA

from iamd.testing import IamdServer

# Anything, but only over TLS: the deny-unless-TLS statement AWS's documentation recommends.
TLS_ONLY = doc(
    allow("iam:*"),
    {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
)


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> LoopbackCA:
    return LoopbackCA(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def tls_server(ca: LoopbackCA) -> Iterator[IamdServer]:
    srv = IamdServer(extra_args=["--ephemeral", "--tls-cert", str(ca.cert_file), "--tls-key", str(ca.key_file)])
    srv.endpoint = srv.endpoint.replace("http://", "https://")
    with srv:
        yield srv


def client(srv: IamdServer, service: str, ca: LoopbackCA, key: dict[str, Any] | None = None) -> Any:
    creds = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]} if key else {}
    return srv.client(service, verify=str(ca.ca_file), **creds)


def tls_only_user(iam: Any, name: str) -> dict[str, Any]:
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="tls-only", PolicyDocument=TLS_ONLY)
    key: dict[str, Any] = iam.create_access_key(UserName=name)["AccessKey"]
    return key


def test_https_serves_the_api_and_secure_transport_is_true(tls_server: IamdServer, ca: LoopbackCA) -> None:
    iam = client(tls_server, "iam", ca)
    key = tls_only_user(iam, "tls-alice")
    assert client(tls_server, "sts", ca, key).get_caller_identity()["Arn"].endswith(":user/tls-alice")
    assert client(tls_server, "iam", ca, key).get_user()["User"]["UserName"] == "tls-alice"


def test_plain_http_is_not_secure_transport(server: IamdServer) -> None:
    iam = server.client("iam")
    key = tls_only_user(iam, "http-bob")
    bob = server.client("iam", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    message = denied(bob.get_user)
    assert "with an explicit deny in an identity-based policy" in message


def test_a_client_that_does_not_trust_the_ca_refuses_the_server(tls_server: IamdServer) -> None:
    sts = boto3.client("sts", endpoint_url=tls_server.endpoint, region_name="us-east-1",
                       aws_access_key_id=tls_server.access_key_id,
                       aws_secret_access_key=tls_server.secret_access_key)
    with pytest.raises(SSLError):
        sts.get_caller_identity()


def test_the_banner_names_the_https_endpoint(ca: LoopbackCA, tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "iamd.cli", "serve", "--data-dir", str(tmp_path / "d"), "--port", "0",
         "--tls-cert", str(ca.cert_file), "--tls-key", str(ca.key_file)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("iamd listening on https://127.0.0.1:")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.parametrize(("flags", "message"), [
    (["--tls-cert", "CERT"], "--tls-cert and --tls-key go together"),
    (["--tls-key", "KEY"], "--tls-cert and --tls-key go together"),
    (["--tls-cert", "CERT", "--tls-key", "OTHER"], "--tls-cert/--tls-key:"),
    (["--tls-cert", "MISSING", "--tls-key", "KEY"], "--tls-cert/--tls-key:"),
])
def test_unusable_tls_files_stop_the_start_with_a_message(
    ca: LoopbackCA, tmp_path: Path, flags: list[str], message: str
) -> None:
    _, other_key, _ = ca.self_signed(tmp_path)  # a key that is not the certificate's
    files = {"CERT": ca.cert_file, "KEY": ca.key_file, "OTHER": other_key, "MISSING": tmp_path / "none.pem"}
    args = [str(files.get(f, f)) for f in flags]
    proc = subprocess.run(
        [sys.executable, "-m", "iamd.cli", "serve", "--data-dir", str(tmp_path / "d"), *args],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2
    assert message in proc.stderr
    assert not (tmp_path / "d").exists()  # refused before the store was touched


def test_iamd_audit_reaches_an_https_server_through_aws_ca_bundle(tls_server: IamdServer, ca: LoopbackCA) -> None:
    env = {**tls_server.env, "AWS_CA_BUNDLE": str(ca.ca_file), "AWS_ENDPOINT_URL": tls_server.endpoint}
    proc = subprocess.run([sys.executable, "-m", "iamd.cli", "audit", "--json"],
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr  # findings: the root key, no password policy
    assert json.loads(proc.stdout)["source"] == tls_server.endpoint
