"""A rolling master-key rotation on a shared PostgreSQL database, with traffic: 0 failed requests.

Two ``iamd serve`` processes share one database. Client threads call both all along with
long-term keys and session tokens, some made before the rotation and some during it (on
whichever server, so sealed under whichever key it held), failing over to the other server only
while one restarts — as a load balancer would. The README's steps, one server at a time:

1. deploy K2 decrypt-only (``IAMD_NEXT_MASTER_KEYS``);
2. promote it (``IAMD_MASTER_KEY`` = K2, ``IAMD_PREVIOUS_MASTER_KEYS`` = K1);
3. ``iamd keys reseal``;

then, after the sessions K1 sealed would have expired, drop K1. Every response during the
rotation must be a success; the guards must refuse the steps out of order (promoting before every
server has the key, re-sealing before every server is promoted).
"""

from __future__ import annotations

import base64
import os
import random
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError
from functional_helpers import doc

from iamd.testing import IamdServer, free_port

K1, K2 = (base64.b64encode(os.urandom(32)).decode() for _ in range(2))
CONFIG = Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=60)
ACCOUNT = "123456789012"


@pytest.fixture(autouse=True)
def _clean() -> None:
    """This test runs its own servers."""


class Node:
    """One server of the pair, restarted on the same port under other keys."""

    def __init__(self, name: str, db: str, tmp: Path, root: tuple[str, str]) -> None:
        self.name, self.db, self.tmp, self.root = name, db, tmp, root
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.server: IamdServer | None = None

    def start(self, **env: str) -> None:
        srv = IamdServer(extra_args=["--data-dir", str(self.tmp / self.name), "--db", self.db], env=env,
                         log_path=self.tmp / f"{self.name}.log")
        srv.port, srv.endpoint = self.port, self.endpoint
        srv.access_key_id, srv.secret_access_key = self.root
        self.server = srv.start()

    def restart(self, **env: str) -> None:
        assert self.server is not None
        self.server.stop()
        self.start(**env)


class Traffic:
    """Client threads: each call goes to a random server, and to the other if that one is down."""

    def __init__(self, nodes: list[Node]) -> None:
        self.nodes = nodes
        self.pool: list[dict[str, Any]] = []  # credentials: AccessKeyId, SecretAccessKey[, SessionToken]
        self.lock = threading.Lock()
        self.ok = 0
        self.failures: list[str] = []
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []

    def call(self, creds: dict[str, Any], service: str, op: str, clients: dict[Any, Any], **kw: Any) -> Any:
        order = random.sample(self.nodes, len(self.nodes))
        for n, node in enumerate(order):
            key = (node.endpoint, service, creds["AccessKeyId"])
            if key not in clients:
                clients[key] = boto3.client(  # type: ignore[call-overload]
                    service, endpoint_url=node.endpoint, region_name="us-east-1", config=CONFIG,
                    aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                    aws_session_token=creds.get("SessionToken"),
                )
            try:
                result = getattr(clients[key], op)(**kw)
            except (EndpointConnectionError, ConnectionClosedError):
                if n == len(order) - 1:
                    raise
                continue  # that server is restarting
            with self.lock:
                self.ok += 1
            return result
        raise AssertionError("unreachable")

    def guarded(self, creds: dict[str, Any], service: str, op: str, clients: dict[Any, Any], **kw: Any) -> Any:
        """``call``, a failure recorded rather than raised."""
        try:
            return self.call(creds, service, op, clients, **kw)
        except (ClientError, EndpointConnectionError, ConnectionClosedError) as err:
            with self.lock:
                self.failures.append(f"{op} with {creds['AccessKeyId']}: {err}")
            return None

    def reader(self) -> None:
        clients: dict[Any, Any] = {}
        while not self.stopping.is_set():
            with self.lock:
                creds = random.choice(self.pool)
            self.guarded(creds, "sts", "get_caller_identity", clients)
            if "SessionToken" not in creds:
                self.guarded(creds, "iam", "list_users", clients, MaxItems=5)

    def writer(self, root: dict[str, Any], role_arn: str) -> None:
        """New keys and sessions all along: sealed by whichever server, under whichever key."""
        clients: dict[Any, Any] = {}
        policy = doc({"Effect": "Allow", "Action": ["iam:ListUsers", "sts:AssumeRole"], "Resource": "*"})
        n = 0
        while not self.stopping.is_set():
            n += 1
            name = f"u{n}"
            self.guarded(root, "iam", "create_user", clients, UserName=name)
            self.guarded(root, "iam", "put_user_policy", clients, UserName=name, PolicyName="p", PolicyDocument=policy)
            made = self.guarded(root, "iam", "create_access_key", clients, UserName=name)
            if made is None:
                continue
            key = made["AccessKey"]
            sessions = [
                self.guarded(key, "sts", "get_session_token", clients),
                self.guarded(key, "sts", "assume_role", clients, RoleArn=role_arn, RoleSessionName=name),
            ]
            with self.lock:
                self.pool.append(key)
                self.pool.extend(s["Credentials"] for s in sessions if s is not None)

    def start(self, root: dict[str, Any], role_arn: str, readers: int = 3) -> None:
        self.threads = [threading.Thread(target=self.reader, daemon=True) for _ in range(readers)]
        self.threads.append(threading.Thread(target=self.writer, args=(root, role_arn), daemon=True))
        for t in self.threads:
            t.start()

    def settle(self, calls: int = 30) -> None:
        """Let at least ``calls`` more calls succeed (counted, not timed)."""
        with self.lock:
            target = self.ok + calls
        for _ in range(6000):
            with self.lock:
                if self.ok >= target or self.failures:
                    return
            self.stopping.wait(0.05)
        raise AssertionError("traffic stalled")

    def stop(self) -> None:
        self.stopping.set()
        for t in self.threads:
            t.join(timeout=120)


def _keys_cli(db: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "iamd.cli", "keys", *args, "--db", db],
                          env=os.environ | env, capture_output=True, text=True)


@pytest.fixture
def pair(empty_pg_url: str, tmp_path: Path) -> Iterator[tuple[Node, Node, str]]:
    seed = IamdServer()
    root = (seed.access_key_id, seed.secret_access_key)
    a, b = Node("a", empty_pg_url, tmp_path, root), Node("b", empty_pg_url, tmp_path, root)
    a.start(IAMD_MASTER_KEY=K1)
    b.start(IAMD_MASTER_KEY=K1)
    try:
        yield a, b, empty_pg_url
    finally:
        for node in (a, b):
            if node.server is not None:
                node.server.stop()
    for name in ("a", "b"):
        log = (tmp_path / f"{name}.log").read_text()
        assert not re.search(r"iamd\.api request \S+ failed", log), log[-4000:]


def test_a_rolling_rotation_fails_no_request(pair: tuple[Node, Node, str], tmp_path: Path) -> None:
    a, b, db = pair
    assert a.server is not None
    iam = a.server.client("iam")
    root = {"AccessKeyId": a.root[0], "SecretAccessKey": a.root[1]}
    iam.create_user(UserName="alice")
    iam.put_user_policy(UserName="alice", PolicyName="p", PolicyDocument=doc(
        {"Effect": "Allow", "Action": ["iam:ListUsers", "sts:AssumeRole"], "Resource": "*"}))
    alice = iam.create_access_key(UserName="alice")["AccessKey"]
    trust = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"})
    role_arn = iam.create_role(RoleName="app", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    iam.put_role_policy(RoleName="app", PolicyName="p", PolicyDocument=doc(
        {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}))
    k1_session = a.server.client("sts", aws_access_key_id=alice["AccessKeyId"],
                                 aws_secret_access_key=alice["SecretAccessKey"]).get_session_token()["Credentials"]
    traffic = Traffic([a, b])
    traffic.pool += [root, alice, k1_session]
    traffic.start(root, role_arn)
    try:
        traffic.settle()
        # 1. Deploy K2 decrypt-only, one server at a time.
        a.restart(IAMD_MASTER_KEY=K1, IAMD_NEXT_MASTER_KEYS=K2)
        traffic.settle()
        # Promoting while b cannot open K2 would lock b out: refused.
        early = IamdServer(extra_args=["--db", db, "--data-dir", str(tmp_path / "c")],
                           env={"IAMD_MASTER_KEY": K2, "IAMD_PREVIOUS_MASTER_KEYS": K1}, log_path=tmp_path / "c.log")
        with pytest.raises(RuntimeError, match="exited with 2"):
            early.start()
        assert "IAMD_NEXT_MASTER_KEYS first" in (tmp_path / "c.log").read_text()
        b.restart(IAMD_MASTER_KEY=K1, IAMD_NEXT_MASTER_KEYS=K2)
        traffic.settle()
        # 2. Promote K2, one server at a time; K1 stays decrypt-only.
        a.restart(IAMD_MASTER_KEY=K2, IAMD_PREVIOUS_MASTER_KEYS=K1)
        traffic.settle()
        # Re-sealing while b still seals with K1: refused.
        refused = _keys_cli(db, "reseal", IAMD_MASTER_KEY=K2, IAMD_PREVIOUS_MASTER_KEYS=K1)
        assert refused.returncode == 1 and "still seal with another master key" in refused.stderr, refused
        b.restart(IAMD_MASTER_KEY=K2, IAMD_PREVIOUS_MASTER_KEYS=K1)
        traffic.settle()
        # 3. Re-seal every stored secret under K2; K1 is retired.
        done = _keys_cli(db, "reseal", IAMD_MASTER_KEY=K2, IAMD_PREVIOUS_MASTER_KEYS=K1)
        assert done.returncode == 0 and "retired master key" in done.stdout, done
        traffic.settle(60)
    finally:
        traffic.stop()
    print(f"rotation traffic: {traffic.ok} successful calls, {len(traffic.failures)} failed, "
          f"{len(traffic.pool)} credentials")
    assert not traffic.failures, traffic.failures[:20]
    assert traffic.ok >= 300
    status = _keys_cli(db, "status", IAMD_MASTER_KEY=K2)
    assert status.returncode == 0 and status.stdout.count("retired") == 1, status

    # Later, once K1's sessions have expired: drop K1. Every long-term key opens (re-sealed);
    # a session K1 sealed does not (it would have expired by now).
    a.restart(IAMD_MASTER_KEY=K2)
    b.restart(IAMD_MASTER_KEY=K2)
    clients: dict[Any, Any] = {}
    long_term = [c for c in traffic.pool if "SessionToken" not in c]
    assert len(long_term) >= 3
    for creds in long_term:
        traffic.call(creds, "sts", "get_caller_identity", clients)
    with pytest.raises(ClientError, match="InvalidClientTokenId"):
        traffic.call(k1_session, "sts", "get_caller_identity", clients)
