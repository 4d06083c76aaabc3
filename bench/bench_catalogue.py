"""Action catalogue: cost of the lazy first load and of each lookup.

The catalogue is read on first use, inside some request, so that first use must stay well under
150 ms; lookups run on every authorized request, so they must cost well under a microsecond.
Loads are timed in fresh interpreters (the median of several), lookups in a warm loop.

    .venv/bin/python bench/bench_catalogue.py
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[1] / "src")
sys.path.insert(0, SRC)

from iamd.authz import catalogue as cat  # noqa: E402

PROCESSES, ROUNDS, PER_ROUND = 7, 15, 20_000

COLD = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
t0 = time.perf_counter()
from iamd.authz import catalogue as cat
t1 = time.perf_counter()
cat.action("iam:CreateUser")
t2 = time.perf_counter()
cat.action("s3:GetObject")
t3 = time.perf_counter()
cat.actions_matching("*")
t4 = time.perf_counter()
cat.condition_key_type("aws:SourceIp")
t5 = time.perf_counter()
print(json.dumps([t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4]))
"""
COLD_ROWS = [
    "import iamd.authz.catalogue",
    "first lookup: read + parse + compile iam",
    "first lookup in another service (s3)",
    "compile every service (actions_matching('*'))",
    "first condition_key_type (key tables)",
]


def cold_ms() -> list[float]:
    runs = [
        json.loads(subprocess.run([sys.executable, "-c", COLD, SRC], check=True, capture_output=True).stdout)
        for _ in range(PROCESSES)
    ]
    return [statistics.median(r[i] for r in runs) * 1e3 for i in range(len(COLD_ROWS))]


def warm_ns(fn, arg: str) -> float:
    fn(arg)
    best = []
    for _ in range(ROUNDS):
        t = time.perf_counter_ns()
        for _ in range(PER_ROUND):
            fn(arg)
        best.append((time.perf_counter_ns() - t) / PER_ROUND)
    return statistics.median(best)


def uncached_matching(pattern: str) -> object:
    return cat.actions_matching.__wrapped__(pattern)


def main() -> None:
    print(f"catalogue {cat.source()}")
    print(f"{'cold (fresh process, median of ' + str(PROCESSES) + ')':<52} {'ms':>10}")
    for label, ms in zip(COLD_ROWS, cold_ms(), strict=True):
        print(f"  {label:<50} {ms:>10.1f}")
    cat.actions_matching("*")
    print(f"{'warm lookup':<52} {'ns':>10}")
    rows = [
        ("action('iam:CreateUser')", cat.action, "iam:CreateUser"),
        ("action('IAM:createuser')", cat.action, "IAM:createuser"),
        ("action('iam:NoSuchAction') (miss)", cat.action, "iam:NoSuchAction"),
        ("is_read_only('s3:GetObject')", cat.is_read_only, "s3:GetObject"),
        ("condition_key_type('aws:SourceIp')", cat.condition_key_type, "aws:SourceIp"),
        ("condition_key_type('aws:RequestTag/team')", cat.condition_key_type, "aws:RequestTag/team"),
        ("actions_matching('iam:Get*') (cached)", cat.actions_matching, "iam:Get*"),
    ]
    for label, fn, arg in rows:
        print(f"  {label:<50} {warm_ns(fn, arg):>10.0f}")
    t = time.perf_counter()
    n = len(uncached_matching("ec2:Describe*"))
    print(f"  {'actions_matching(ec2:Describe*) uncached, ' + str(n) + ' hits':<50} "
          f"{(time.perf_counter() - t) * 1e9:>10.0f}")  # fmt: skip


if __name__ == "__main__":
    main()
