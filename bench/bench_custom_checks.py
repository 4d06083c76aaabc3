"""Benchmark the custom policy checks: decision time of CheckNoNewAccess on seeded random pairs.

Run: ``.venv/bin/python bench/bench_custom_checks.py [PAIRS]``. Decides ``PAIRS`` (default 100)
identity-policy pairs and 40 resource-policy pairs from the random corpus the tests use
(``tests/unit/analysis/random_policies.py``), in process, and prints the median and p99 decision
time (parse, encode, solve, verify the counter-example with the engine) per answer, and how many
were PASS, FAIL or undecided (time bound reached: 10 s per check).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.unit.analysis.random_policies import pairs  # noqa: E402

from iamd.analysis.smt_checks import CheckTimeout, Undecidable, check_no_new_access  # noqa: E402


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def run(label: str, corpus: list[tuple[str, str]], policy_type: str) -> None:
    times: list[float] = []
    tally = {"PASS": 0, "FAIL": 0, "undecided": 0}
    for old, new in corpus:
        start = time.perf_counter()
        try:
            tally[check_no_new_access(new, old, policy_type, timeout_ms=10_000).result] += 1
        except (CheckTimeout, Undecidable):
            tally["undecided"] += 1
        times.append(time.perf_counter() - start)
    print(
        f"{label:<22} {len(corpus):>4} pairs  median {statistics.median(times) * 1000:8.1f} ms  "
        f"p99 {p99(times) * 1000:8.1f} ms  max {max(times) * 1000:8.1f} ms  {tally}"
    )


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    run("identity policies", pairs(11, count), "IDENTITY_POLICY")
    run("resource policies", pairs(12, 40, resource_policy=True), "RESOURCE_POLICY")


if __name__ == "__main__":
    main()
