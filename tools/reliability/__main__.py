"""``python -m tools.reliability``: run the parts, print one line each, exit 1 when a target is missed.

Targets: fuzz — at least ``--min-requests`` fuzzed requests, no HTTP 500, no malformed body, no
exception in the server's log;
tamper — every tampered request refused with AWS's code (and every control accepted); slow —
the authenticated calls succeed; races — no quota violation, no write lost, no 5xx.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from . import fuzz, races, slow, tamper
from .servers import Fixtures, fresh_server, pg_admin_url, pg_schema

PARTS = ("fuzz", "tamper", "slow", "races")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m tools.reliability", description=__doc__)
    p.add_argument("--seed", type=int, default=9, help="the fuzzer's seed (same seed, same requests)")
    p.add_argument("--requests", type=int, default=9600, help="fuzzed requests to send (about)")
    p.add_argument("--min-requests", type=int, default=9000, help="fewer than this misses the fuzz target")
    p.add_argument("--time-limit", type=float, default=600.0, help="seconds the fuzzer may take")
    p.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated subset of {','.join(PARTS)}")
    p.add_argument("--services", default=",".join(fuzz.SERVICES), help="services to fuzz (comma-separated)")
    p.add_argument("--findings", type=int, default=25, help="findings to print per part")
    p.add_argument("--log-dir", type=Path, default=None, help="keep the servers' logs here")
    p.add_argument("--half-open", type=int, default=1100)
    p.add_argument("--slowloris", type=int, default=50)
    p.add_argument("--observe", type=float, default=20.0, help="seconds to watch stalled sockets")
    p.add_argument("--rounds", type=int, default=3, help="rounds of each race")
    p.add_argument("--no-postgres", action="store_true", help="race on SQLite only")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        print(f"unknown parts: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    logs = args.log_dir or Path(tempfile.mkdtemp(prefix="iamd-reliability-"))
    logs.mkdir(parents=True, exist_ok=True)
    missed: list[str] = []
    details: list[str] = []
    started = time.monotonic()
    if "fuzz" in parts or "tamper" in parts:
        with fresh_server(log=logs / "fuzz.log") as server:
            fixtures = Fixtures(server)
            if "fuzz" in parts:
                tally = fuzz.run(fixtures, seed=args.seed, requests=args.requests, time_limit=args.time_limit,
                                  services=tuple(s.strip() for s in args.services.split(",") if s.strip()))
                print(tally.summary(), flush=True)
                details += [f.line() for f in tally.findings[: args.findings]]
                if tally.http_500 or tally.malformed or tally.transport or tally.tracebacks:
                    missed.append("fuzz: HTTP 500, malformed bodies, transport failures or server tracebacks")
                if tally.requests < args.min_requests:
                    missed.append(f"fuzz: {tally.requests} requests, fewer than {args.min_requests}")
            if "tamper" in parts:
                result = tamper.run(fixtures)
                print(result.summary(), flush=True)
                details += [o.line() for o in result.mismatches[: args.findings]]
                if result.mismatches:
                    missed.append("tamper: tampered requests not refused with AWS's code")
    if "slow" in parts:
        with fresh_server(log=logs / "slow.log", nofile=1024) as server:
            outcome = slow.run(server, half_open=args.half_open, slowloris=args.slowloris, observe=args.observe)
            print(outcome.summary(), flush=True)
            if not outcome.ok:
                missed.append("slow: an authenticated call failed under stalled connections")
    if "races" in parts:
        for backend, result in _races(args, logs):
            print(result.line(f"{backend}, 2 processes"), flush=True)
            details += (result.unexpected + result.violations)[: args.findings]
            if not result.ok:
                missed.append(f"races ({backend}): violations, lost writes or errors")
    for line in details:
        print(line)
    print(f"reliability: {'all targets met' if not missed else 'MISSED: ' + '; '.join(missed)} "
          f"({time.monotonic() - started:.0f} s; server logs in {logs})")
    return 1 if missed else 0


def _races(args: argparse.Namespace, logs: Path) -> list[tuple[str, races.Report]]:
    """Every quota and uniqueness race (``races.py``) against two processes on one SQLite file,
    then on PostgreSQL when it answers."""
    out = []
    with tempfile.TemporaryDirectory(prefix="iamd-race-sqlite-") as data, \
            races.serve_pair(Path(data), log_dir=_folder(logs / "races-sqlite")) as (a, b):
        out.append(("sqlite", races.run([a.endpoint, b.endpoint], a.access_key_id, a.secret_access_key,
                                        rounds=args.rounds)))
    admin = None if args.no_postgres else pg_admin_url()
    if admin is None:
        print("races (postgresql): skipped, no PostgreSQL at 127.0.0.1:5432" if not args.no_postgres else
              "races (postgresql): skipped (--no-postgres)", flush=True)
        return out
    with pg_schema(admin) as url, tempfile.TemporaryDirectory(prefix="iamd-race-pg-") as data, \
            races.serve_pair(Path(data), db=url, log_dir=_folder(logs / "races-pg")) as (a, b):
        out.append(("postgresql", races.run([a.endpoint, b.endpoint], a.access_key_id, a.secret_access_key,
                                            rounds=args.rounds)))
    return out


def _folder(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


if __name__ == "__main__":
    sys.exit(main())
