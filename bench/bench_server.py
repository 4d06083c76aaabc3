"""Server benchmark: iamd vs moto's server, side by side, same client workload, one run.

Measures server-process CPU (utime+stime from /proc) per call, so client cost and loopback latency
do not count; plus iamd's start-up time to the first served request and the ephemeral reset.
Budget (DESIGN.md): <= 0.25 ms CPU per authenticated single-entity call, <= 10 ms per 1,000-item page.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from iamd.testing import IamdServer, free_port  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
READ_ONLY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"}]}'
USERS = 1000
CALLS = 400
RUNS = 5


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def per_call_ms(pid: int, fn, n: int) -> float:
    samples = []
    for _ in range(RUNS):
        before = cpu_seconds(pid)
        for _ in range(n):
            fn()
        samples.append((cpu_seconds(pid) - before) / n * 1000)
    return statistics.median(samples)


def client(endpoint: str, key: str, secret: str, service: str = "iam"):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key=secret)


def workload(pid: int, iam) -> dict:
    for i in range(USERS):
        iam.create_user(UserName=f"user-{i:04d}")
    key = iam.create_access_key(UserName="user-0000")["AccessKey"]
    iam.put_user_policy(UserName="user-0000", PolicyName="read", PolicyDocument=READ_ONLY)
    return {"key": key}


def measure(pid: int, endpoint: str, key: dict) -> dict[str, float]:
    as_user = client(endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    as_user.get_user(UserName="user-0500")
    get_user = per_call_ms(pid, lambda: as_user.get_user(UserName="user-0500"), CALLS)
    list_page = per_call_ms(pid, lambda: as_user.list_users(MaxItems=1000), 10)
    return {"GetUser (ms CPU/call)": get_user, "ListUsers 1,000 (ms CPU/page)": list_page}


def bench_iamd() -> tuple[dict[str, float], dict[str, float]]:
    starts = []
    for _ in range(3):
        t0 = time.perf_counter()
        srv = IamdServer().start()
        client(srv.endpoint, srv.access_key_id, srv.secret_access_key, "sts").get_caller_identity()
        starts.append(time.perf_counter() - t0)
        srv.stop()
    with IamdServer() as srv:
        resets = []
        for _ in range(20):
            t0 = time.perf_counter()
            srv.reset()
            resets.append(time.perf_counter() - t0)
        root = client(srv.endpoint, srv.access_key_id, srv.secret_access_key)
        setup = workload(srv.process.pid, root)
        results = measure(srv.process.pid, srv.endpoint, setup["key"])
    extra = {"start to first response (s)": statistics.median(starts),
             "ephemeral reset (ms, HTTP round trip)": statistics.median(resets) * 1000}
    return results, extra


def bench_moto() -> dict[str, float] | None:
    try:
        import moto  # noqa: F401
    except ImportError:
        return None
    port = free_port()
    env = os.environ | {"INITIAL_NO_AUTH_ACTION_COUNT": str(USERS + 3), "MOTO_ACCOUNT_ID": "123456789012"}
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-p", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        root = client(endpoint, "AKIAIOSFODNN7EXAMPLE", "x" * 40)
        import socket

        for _ in range(400):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        setup = workload(proc.pid, root)
        return measure(proc.pid, endpoint, setup["key"])
    finally:
        proc.terminate()
        proc.wait()


def main() -> None:
    ours, extra = bench_iamd()
    theirs = bench_moto()
    print(f"{'server benchmark (median of ' + str(RUNS) + ' runs)':<42}{'iamd':>12}{'moto':>12}{'moto/iamd':>12}")
    for name, value in ours.items():
        peer = theirs.get(name) if theirs else None
        ratio = f"{peer / value:>11.1f}x" if peer else f"{'-':>12}"
        peer_s = f"{peer:>12.3f}" if peer else f"{'-':>12}"
        print(f"{name:<42}{value:>12.3f}{peer_s}{ratio}")
    for name, value in extra.items():
        print(f"{name:<42}{value:>12.3f}")


if __name__ == "__main__":
    main()
