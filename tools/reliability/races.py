"""Concurrency races against running iamd servers: every quota and uniqueness rule, under fire.

Each scenario sets up fresh entities, then releases several threads at once (a barrier) on the
same rule, spread over every endpoint given (two ``iamd serve`` processes sharing one database
make the race cross-process), and checks afterwards that the rule held *exactly*: e.g. six
concurrent CreateAccessKey calls on one user give two keys and four ``LimitExceeded``, never three
keys and never a 500. Every response must be a 200 or the AWS error the rule names.

The scenarios are in ``race_scenarios.py`` beside this file. ``make reliability`` runs them
against two processes on one SQLite file and on PostgreSQL; ``tests/functional/test_quota_races.py``
too. Reusable:
``run(endpoints, access_key_id, secret_access_key, rounds=…)`` returns a ``Report``;
``serve_pair(data_dir, db)`` starts two processes sharing one database to run it against. On the
command line, ``python -m tools.reliability.races --pair [--db URL] --rounds N`` (two fresh processes) or
``--endpoint URL [--endpoint URL2]`` (running servers, root credentials in ``AWS_*``) prints:

    races: requests 1234, 5xx 0, unexpected 0, violations 0

and exits 1 when any rule broke. Clients never retry (``total_max_attempts=1``), so a 5xx is seen.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .race_scenarios import SCENARIOS, THREADS, Call, Fixtures, Outcome, Round, counts, fixtures, invoke

__all__ = ["SCENARIOS", "THREADS", "Report", "counts", "invoke", "make_client", "race", "run", "serve_pair"]


@dataclass
class Report:
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    server_errors: int = 0
    malformed: int = 0
    unexpected: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.server_errors or self.unexpected or self.violations)

    def line(self, where: str = "") -> str:
        """One line: requests, 5xx, malformed error bodies, other unexpected answers, and the rules
        broken (a quota passed, a name taken twice, a write reported done but lost)."""
        return (
            f"races{f' ({where})' if where else ''}: requests {self.requests}, 5xx {self.server_errors}, "
            f"malformed error bodies {self.malformed}, unexpected {len(self.unexpected)}, "
            f"violations or writes lost {len(self.violations)}"
        )


# --- the driver -------------------------------------------------------------------------


def make_client(endpoint: str, access_key_id: str, secret_access_key: str) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(retries={"total_max_attempts": 1, "mode": "standard"}, max_pool_connections=THREADS * 2,
                    connect_timeout=10, read_timeout=60)
    return boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=access_key_id,
                        aws_secret_access_key=secret_access_key, config=config)


def race(clients: Sequence[Any], calls: list[Call]) -> list[Outcome]:
    """Release every call at once (one thread each, behind a barrier); outcomes in call order."""
    barrier = threading.Barrier(len(calls))
    out: list[Outcome] = [(0, "?")] * len(calls)

    def worker(i: int) -> None:
        client = clients[i % len(clients)]
        barrier.wait()
        try:
            out[i] = invoke(client, calls[i])
        except Exception as err:  # noqa: BLE001 - a transport failure is an outcome, reported
            out[i] = (0, f"transport:{type(err).__name__}")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def run(
    endpoints: Sequence[str],
    access_key_id: str,
    secret_access_key: str,
    *,
    rounds: int = 3,
    scenarios: Sequence[Callable[[Any, str, Fixtures], Round]] = SCENARIOS,
    prefix: str | None = None,
) -> Report:
    """Run every scenario ``rounds`` times; calls alternate between ``endpoints``."""
    report = Report()
    setup = make_client(endpoints[0], access_key_id, secret_access_key)
    # One client per racing thread, alternating endpoints: calls of one race reach both processes.
    clients = [make_client(endpoints[i % len(endpoints)], access_key_id, secret_access_key)
               for i in range(THREADS * 2)]
    fx = fixtures(setup)
    prefix = prefix or f"race{os.getpid()}x{threading.get_ident() % 10000}"
    serial = itertools.count()
    for n in range(rounds):
        for scenario in scenarios:
            tag = f"{prefix}-{next(serial)}"
            rnd = scenario(setup, tag, fx)
            outcomes = race(clients[n % 2:], rnd.calls)
            report.requests += len(outcomes)
            for status, code in outcomes:
                report.statuses[status] += 1
                report.codes[code or "OK"] += 1
                if status >= 500 or status == 0:
                    report.server_errors += 1
                    report.unexpected.append(f"{scenario.__name__}: HTTP {status} {code}")
                elif code == "?":
                    report.malformed += 1
                    report.unexpected.append(f"{scenario.__name__}: malformed error body (HTTP {status})")
            report.violations += [f"{scenario.__name__} round {n}: {v}" for v in rnd.check(setup, outcomes)]
    return report


@contextlib.contextmanager
def serve_pair(data_dir: Path, db: str = "", log_dir: Path | None = None,
               extra_args: Sequence[str] = ()) -> Iterator[tuple[Any, Any]]:
    """Two ``iamd serve`` processes on one database (``db``, else ``data_dir``'s SQLite file) and
    one data folder, hence one master key; the second serves the account the first created, so
    both take the first's root key (``.access_key_id``, ``.secret_access_key``)."""
    from iamd.testing import IamdServer

    args = ["--data-dir", str(data_dir), "--log-level", "info", *(["--db", db] if db else []), *extra_args]
    first = IamdServer(extra_args=args, log_path=log_dir / "first.log" if log_dir else None)
    with first:
        second = IamdServer(extra_args=args, log_path=log_dir / "second.log" if log_dir else None)
        second.access_key_id, second.secret_access_key = first.access_key_id, first.secret_access_key
        with second:
            yield first, second


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--endpoint", action="append", help="an iamd endpoint (repeat for several); "
                    "credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY")
    ap.add_argument("--pair", action="store_true",
                    help="start two fresh iamd processes sharing one database and race through both")
    ap.add_argument("--db", default="", help="with --pair: a PostgreSQL URL (default: one SQLite file)")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    if args.pair:
        with tempfile.TemporaryDirectory(prefix="iamd-races-") as tmp, serve_pair(Path(tmp) / "data", args.db) as (a, b):
            report = run([a.endpoint, b.endpoint], a.access_key_id, a.secret_access_key, rounds=args.rounds)
    elif args.endpoint:
        report = run(args.endpoint, os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"],
                     rounds=args.rounds)
    else:
        ap.error("give --endpoint or --pair")
    print(report.line())
    for line in (report.unexpected + report.violations)[:20]:
        print("  " + line)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
