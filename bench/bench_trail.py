"""Audit trail cost: API throughput with ``--audit-trail on`` vs ``off``, side by side, one run.

Two ephemeral servers start together and take the same workload in alternating runs (so drift of
the machine hits both alike); each run starts from a reset server. Per run: calls per second seen
by one client, and the server process's CPU (utime+stime of all its threads, from /proc) per call,
read after the batch writer's window (0.5 s) so queued read-only events are paid for in the run
that made them. The table gives medians over the runs.

Workloads (authenticated as root, SigV4):
- mixed: per user CreateUser, TagUser, GetUser, ListUsers (MaxItems 20): half changes (each event
  in the change's own transaction), half reads (events batched off the hot path);
- changes: CreateUser, TagUser only;   - reads: GetUser, ListUsers only.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from iamd.testing import IamdServer  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
USERS = 60  # per run; 4 calls each in the mixed workload
RUNS = 5
SETTLE = 0.6  # the recorder writes queued events within 0.5 s


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def iam_client(srv: IamdServer) -> Any:
    return boto3.client(
        "iam",
        endpoint_url=srv.endpoint,
        region_name="us-east-1",
        aws_access_key_id=srv.access_key_id,
        aws_secret_access_key=srv.secret_access_key,
    )


def mixed(iam: Any, run: int) -> int:
    for i in range(USERS):
        name = f"u{run}-{i}"
        iam.create_user(UserName=name)
        iam.tag_user(UserName=name, Tags=[{"Key": "team", "Value": "bench"}])
        iam.get_user(UserName=name)
        iam.list_users(MaxItems=20)
    return USERS * 4


def changes(iam: Any, run: int) -> int:
    for i in range(USERS * 2):
        name = f"c{run}-{i}"
        iam.create_user(UserName=name)
        iam.tag_user(UserName=name, Tags=[{"Key": "team", "Value": "bench"}])
    return USERS * 4


def reads(iam: Any, run: int) -> int:
    for i in range(USERS * 2):
        iam.get_user(UserName=f"r-{i % 20}")
        iam.list_users(MaxItems=20)
    return USERS * 4


def seed_reads(iam: Any) -> None:
    for i in range(20):
        iam.create_user(UserName=f"r-{i}")


WORKLOADS: list[tuple[str, Callable[[Any, int], int]]] = [("mixed", mixed), ("changes", changes), ("reads", reads)]


def one_run(srv: IamdServer, iam: Any, work: Callable[[Any, int], int], run: int) -> tuple[float, float]:
    """(calls/s, server CPU ms per call) of one run on a freshly reset server."""
    srv.reset()
    if work is reads:
        seed_reads(iam)  # changes: their events are already written
    assert srv.process is not None
    pid = srv.process.pid
    cpu0, t0 = cpu_seconds(pid), time.perf_counter()
    calls = work(iam, run)
    wall = time.perf_counter() - t0
    time.sleep(SETTLE)
    cpu = cpu_seconds(pid) - cpu0
    return calls / wall, cpu / calls * 1000


def main() -> None:
    servers = {
        "off": IamdServer(extra_args=["--ephemeral", "--audit-trail", "off"]),
        "on": IamdServer(extra_args=["--ephemeral", "--audit-trail", "on"]),
    }
    for srv in servers.values():
        srv.start()
    try:
        clients = {mode: iam_client(srv) for mode, srv in servers.items()}
        for mode, srv in servers.items():  # warm-up: connections, caches, first-use compilation
            one_run(srv, clients[mode], mixed, -1)
        results: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for name, work in WORKLOADS:
            for run in range(RUNS):
                for mode in ("off", "on") if run % 2 == 0 else ("on", "off"):
                    results.setdefault((name, mode), []).append(one_run(servers[mode], clients[mode], work, run))
    finally:
        for srv in servers.values():
            srv.stop()

    print(f"audit trail on vs off: {USERS * 4} calls per run, median of {RUNS} runs, same machine, same run")
    header = f"{'workload':<9} {'metric':<22} {'trail off':>10} {'trail on':>10} {'on/off':>7}"
    print(header)
    print("-" * len(header))
    for name, _ in WORKLOADS:
        off, on = results[(name, "off")], results[(name, "on")]
        for label, index, fmt in (("calls/s", 0, "{:10.0f}"), ("server CPU ms/call", 1, "{:10.3f}")):
            a = statistics.median(r[index] for r in off)
            b = statistics.median(r[index] for r in on)
            print(f"{name:<9} {label:<22} {fmt.format(a)} {fmt.format(b)} {b / a:7.2f}")


if __name__ == "__main__":
    main()
