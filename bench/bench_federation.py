"""AssumeRoleWithWebIdentity calls per second with the issuer's keys cached.

A real ``iamd serve --ephemeral`` (SQLite, audit trail on) and the tests' loopback HTTPS issuer
(``tests/functional/oidc_issuer.py``): one IAM OIDC provider, one role trusting it with an
``:aud`` and a ``:sub`` StringLike condition. The first call fetches the issuer's discovery
document and JWKS; every measured call after it verifies an RS256 token against the cached key,
evaluates the trust policy, issues a session and records the event. One client on one
keep-alive connection, raw HTTP (no SDK on the client side); the median of ``--runs`` runs of
``--calls`` calls. A second row times the token verification alone, in process (µs per token).

    .venv/bin/python bench/bench_federation.py [--runs 5] [--calls 300]
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "tests" / "functional"))
from oidc_issuer import Issuer, LoopbackCA  # noqa: E402

from iamd.auth.oidc import jwt_verify  # noqa: E402
from iamd.auth.oidc.fetch import TRUST_STORE  # noqa: E402
from iamd.auth.oidc.jwks import parse_jwks  # noqa: E402
from iamd.testing import IamdServer  # noqa: E402


def _setup(server: IamdServer, issuer: Issuer) -> str:
    iam = server.client("iam")
    arn = iam.create_open_id_connect_provider(Url=issuer.url, ClientIDList=["sts.amazonaws.com"])[
        "OpenIDConnectProviderArn"]
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": arn}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{issuer.host_path}:aud": "sts.amazonaws.com"},
                      "StringLike": {f"{issuer.host_path}:sub": "repo:acme/*:ref:refs/heads/main"}}}]}
    return str(iam.create_role(RoleName="bench", AssumeRolePolicyDocument=json.dumps(policy))["Role"]["Arn"])


def _run(port: int, body: bytes, calls: int) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    start = time.perf_counter()
    for _ in range(calls):
        conn.request("POST", "/", body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        if response.status != 200:
            raise SystemExit(f"call failed: {response.status} {data[:300]!r}")
    elapsed = time.perf_counter() - start
    conn.close()
    return calls / elapsed


def _verify_cost(issuer: Issuer, n: int = 2000) -> float:
    keys = parse_jwks(issuer.jwks(), 0.0, TRUST_STORE)
    token = issuer.token(lifetime=3600)
    now = datetime.now(UTC)
    start = time.perf_counter()
    for _ in range(n):
        header, _ = jwt_verify.unverified(token)
        claims = jwt_verify.verify(token, header, keys)
        jwt_verify.check_times(claims, now)
    return (time.perf_counter() - start) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="iamd-bench-oidc-"))
    ca = LoopbackCA(folder)
    issuer = Issuer(ca)
    try:
        with IamdServer(extra_args=["--ephemeral", "--oidc-ca-bundle", str(ca.ca_file)]) as server:
            role = _setup(server, issuer)
            token = issuer.token(lifetime=3600)
            body = urllib.parse.urlencode({"Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15",
                                           "RoleArn": role, "RoleSessionName": "bench",
                                           "WebIdentityToken": token}).encode()
            _run(server.port, body, 20)  # warm-up: fetches discovery + JWKS once, compiles the operation
            fetches = issuer.jwks_fetches()
            rates = [_run(server.port, body, args.calls) for _ in range(args.runs)]
            assert issuer.jwks_fetches() == fetches, "the JWKS was fetched again during the measured runs"
    finally:
        issuer.close()
    verify_us = _verify_cost(issuer)
    print(f"{'measure':<58} {'median':>10} {'min':>10} {'max':>10}")
    print(f"{'AssumeRoleWithWebIdentity calls/s (cached JWKS, 1 client)':<58} "
          f"{statistics.median(rates):>10.0f} {min(rates):>10.0f} {max(rates):>10.0f}")
    print(f"{'RS256 token verification, in process (µs/token)':<58} {verify_us:>10.1f}")
    print(f"({args.runs} runs of {args.calls} calls; JWKS fetched once, before the runs)")


if __name__ == "__main__":
    main()
