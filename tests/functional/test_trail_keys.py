"""The digest-signing key's public half, published; verification with it alone; rotations of the
signing key and of the master key (the README's steps) keep every digest verifiable; the HTTP
copy sink (issue 14, items 4 and 5)."""

from __future__ import annotations

import base64
import http.server
import json
import os
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_der_public_key
from functional_helpers import poll

from iamd.audit.copies import from_json, load_pem, pem
from iamd.audit.signing import DigestVerifier
from iamd.cli import main
from iamd.testing import IamdServer

CADENCE = ["--trail-digest-interval", "1"]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out.strip()


def serve(data: Path, *more: str, env: dict[str, str] | None = None, like: IamdServer | None = None) -> IamdServer:
    """A server on ``data``; ``like``: with the root key of the server that created the account."""
    server = IamdServer(extra_args=["--data-dir", str(data), *CADENCE, *more], env=env)
    if like is not None:
        server.access_key_id, server.secret_access_key = like.access_key_id, like.secret_access_key
    return server


@pytest.fixture
def no_master_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IAMD_MASTER_KEY", raising=False)
    monkeypatch.delenv("IAMD_PREVIOUS_MASTER_KEYS", raising=False)


def test_public_key_published_and_enough_to_verify(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_master_env: None
) -> None:
    data = tmp_path / "data"
    with serve(data) as server:
        server.client("iam").create_user(UserName="k1")
        listed = server.client("cloudtrail").list_public_keys()["PublicKeyList"]
    code, out = run(capsys, "trail", "public-key", "--data-dir", str(data))
    assert code == 0 and out.startswith("-----BEGIN PUBLIC KEY-----")
    published = load_pem(out.encode())
    # ListPublicKeys: the key in use now, DER, its fingerprint the id digests name.
    assert len(listed) == 1 and listed[0]["Fingerprint"] == published.key_id
    der = load_der_public_key(listed[0]["Value"])
    assert isinstance(der, Ed25519PublicKey) and pem(der) == out + "\n"
    assert "ValidityEndTime" not in listed[0]
    # Verify with the public key alone: no master key, no copy.
    key_file = tmp_path / "trail.pem"
    key_file.write_text(out + "\n")
    (data / "master.key").unlink()
    empty = tmp_path / "none"
    code, out = run(capsys, "trail", "verify", "--data-dir", str(data), "--digests", str(empty),
                    "--public-key", str(key_file), "--strict")
    assert code == 0 and "read from the database" not in out, out
    # Another key does not verify it.
    other = tmp_path / "other.pem"
    other.write_text(pem(Ed25519PrivateKey.generate().public_key()))
    code, out = run(capsys, "trail", "verify", "--data-dir", str(data), "--digests", str(empty),
                    "--public-key", str(other))
    assert code == 1 and "not a trusted public key" in out


def test_signing_key_rotation_keeps_history(tmp_path: Path, capsys: pytest.CaptureFixture[str], no_master_env: None) -> None:
    data, digests = tmp_path / "data", tmp_path / "data" / "trail-digests"
    with serve(data) as server:
        server.client("iam").create_user(UserName="r1")
        poll(lambda: list(digests.glob("*/*.json")))
        code, out = run(capsys, "trail", "rotate-signing-key", "--data-dir", str(data))
        assert code == 0 and out.startswith("signing key "), out
        server.client("iam").create_user(UserName="r2")  # the running server signs with the new key
        ct = server.client("cloudtrail")
        poll(lambda: len(ct.list_public_keys(StartTime=0)["PublicKeyList"]) == 2)
        keys = ct.list_public_keys(StartTime=0)["PublicKeyList"]
        current = ct.list_public_keys()["PublicKeyList"]
    assert [k["Fingerprint"] for k in current] == [keys[1]["Fingerprint"]]
    assert "ValidityEndTime" in keys[0]
    signers = {from_json(p.read_text()).key_id for p in digests.glob("*/*.json")}
    assert signers == {k["Fingerprint"] for k in keys}
    assert {p.stem for p in digests.glob("*/public-keys/*.pem")} == signers
    code, out = run(capsys, "trail", "verify", "--data-dir", str(data), "--strict")
    assert code == 0, out
    code, out = run(capsys, "trail", "public-key", "--all", "--data-dir", str(data))
    assert [k["Fingerprint"] for k in json.loads(out)] == [k["Fingerprint"] for k in keys]


def test_readme_master_key_rotation_keeps_the_trail_verifiable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_master_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's steps on one server (promote, `iamd keys reseal`, drop the old key): before,
    the digests were signed by a key derived from the master key and "digest 1 has a bad signature"."""
    data = tmp_path / "data"
    with serve(data) as first:
        first.client("iam").create_user(UserName="m1")
    old = (data / "master.key").read_text().strip()
    new = base64.b64encode(os.urandom(32)).decode()
    with serve(data, env={"IAMD_MASTER_KEY": new, "IAMD_PREVIOUS_MASTER_KEYS": old}, like=first) as server:
        server.client("iam").create_user(UserName="m2")
    monkeypatch.setenv("IAMD_MASTER_KEY", new)
    monkeypatch.setenv("IAMD_PREVIOUS_MASTER_KEYS", old)
    code, out = run(capsys, "keys", "reseal", "--data-dir", str(data))
    assert code == 0, out
    monkeypatch.delenv("IAMD_PREVIOUS_MASTER_KEYS")
    (data / "master.key").unlink()
    with serve(data, env={"IAMD_MASTER_KEY": new}, like=first) as server:
        server.client("iam").create_user(UserName="m3")
        assert server.client("iam").get_user(UserName="m1")["User"]["UserName"] == "m1"
    code, out = run(capsys, "trail", "verify", "--data-dir", str(data), "--strict")
    assert code == 0, out


class _Collector(http.server.BaseHTTPRequestHandler):
    received: dict[str, bytes] = {}

    def do_PUT(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received[self.path] = body
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[tuple[str, dict[str, bytes]]]:
    received: dict[str, bytes] = {}
    handler = type("Handler", (_Collector,), {"received": received})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/digests", received
    httpd.shutdown()
    httpd.server_close()


def test_http_sink_receives_every_digest_and_never_fails_a_request(
    tmp_path: Path, collector: tuple[str, dict[str, bytes]]
) -> None:
    url, received = collector
    data = tmp_path / "data"
    with serve(data, "--trail-digest-url", url) as server:
        server.client("iam").create_user(UserName="h1")
        poll(lambda: len([p for p in received if p.endswith(".json")]) >= 2)
    digests = sorted((p, from_json(b.decode())) for p, b in received.items() if p.endswith(".json"))
    keys = [load_pem(b) for p, b in received.items() if p.endswith(".pem")]
    assert keys and all(p.startswith("/digests/") for p, _ in digests)
    verifier = DigestVerifier(keys)
    assert all(verifier.problem(d) is None for _, d in digests)
    # A sink that refuses (nothing listens there) is logged and retried; requests still succeed.
    shutil.rmtree(data)
    with serve(data, "--trail-digest-url", "http://127.0.0.1:9/nowhere") as server:
        for i in range(3):
            server.client("iam").create_user(UserName=f"h{i + 2}")


def test_syslog_sink_receives_digests(tmp_path: Path) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.05)
    port = sock.getsockname()[1]
    got: list[str] = []

    def receive() -> bool:
        try:
            got.append(sock.recv(65536).decode())
        except TimeoutError:
            pass
        return len(got) >= 2

    try:
        with serve(tmp_path / "data", "--trail-digest-syslog", f"127.0.0.1:{port}") as server:
            server.client("iam").create_user(UserName="s1")
            poll(receive)
    finally:
        sock.close()
    assert all("iamd-trail-digest " in m for m in got)
    body = json.loads(got[-1][got[-1].index("{"):].rstrip("\x00"))
    assert body["digestSeq"] >= 2 and len(body["signature"]) == 128
