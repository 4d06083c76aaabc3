"""SigV4 verification cost per request, for the hot path's 0.25 ms budget (DESIGN.md).

Requests are signed once by botocore; the loop times iamd's ``parse_auth`` + ``verify`` (warm
signing-key cache, as in steady state) and, apart, a cold cache (a new key or a new day).

    .venv/bin/python bench/bench_sigv4.py
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime
from unittest import mock
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth as BotoSigV4Auth
from botocore.auth import SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from iamd.auth.signing_key import SigningKeyCache
from iamd.auth.sigv4 import HttpRequest, parse_auth, verify

AT = datetime(2026, 11, 29, tzinfo=UTC)
CREDS = Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", None)
TOKEN_CREDS = Credentials(CREDS.access_key, CREDS.secret_key, "FwoGZXIvYXdzEXAMPLE" * 20)
ROUNDS, PER_ROUND = 21, 2000


def signed(request: AWSRequest, signer) -> HttpRequest:
    with mock.patch("botocore.auth.get_current_datetime", return_value=AT.replace(tzinfo=None)):
        signer.add_auth(request)
    prepared = request.prepare()
    url = urlsplit(prepared.url)
    headers = list(request.headers.items()) + [("Host", url.netloc)]
    headers += [("User-Agent", "aws-cli/1.46 botocore/1.44"), ("Accept-Encoding", "identity")]
    body = prepared.body or b""
    return HttpRequest(
        prepared.method,
        url.path or "/",
        url.query,
        headers,
        body if isinstance(body, bytes) else body.encode(),
    )


def cases() -> dict[str, HttpRequest]:
    form = {"Action": "GetUser", "Version": "2010-05-08", "UserName": "alice"}
    list_users = {
        "Action": "ListUsers",
        "Version": "2010-05-08",
        "PathPrefix": "/engineering team/",
        "MaxItems": "100",
    }
    return {
        "POST form GetUser": signed(
            AWSRequest("POST", "https://iam.amazonaws.com/", data=form),
            BotoSigV4Auth(CREDS, "iam", "us-east-1"),
        ),
        "POST form + token": signed(
            AWSRequest("POST", "https://iam.amazonaws.com/", data=list_users),
            BotoSigV4Auth(TOKEN_CREDS, "iam", "us-east-1"),
        ),
        "GET query ListUsers": signed(
            AWSRequest("GET", "https://iam.amazonaws.com/", params=list_users),
            BotoSigV4Auth(CREDS, "iam", "us-east-1"),
        ),
        "GET presigned": signed(
            AWSRequest(
                "GET",
                "https://sts.amazonaws.com/",
                params={"Action": "GetCallerIdentity", "Version": "2011-06-15"},
            ),
            SigV4QueryAuth(CREDS, "sts", "us-east-1", 900),
        ),
    }


def time_us(fn) -> float:
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter_ns()
        for _ in range(PER_ROUND):
            fn()
        samples.append((time.perf_counter_ns() - start) / PER_ROUND / 1000)
    return statistics.median(samples)


def main() -> None:
    secret = CREDS.secret_key
    print(f"{'request':<22} {'parse us':>9} {'verify us':>10} {'both us':>8} {'cold key us':>12}")
    for name, req in cases().items():
        auth = parse_auth(req)
        verify(req, auth, secret, AT)
        parse = time_us(lambda req=req: parse_auth(req))
        check = time_us(lambda req=req, auth=auth: verify(req, auth, secret, AT))
        both = time_us(lambda req=req: verify(req, parse_auth(req), secret, AT))

        def cold(req=req, auth=auth) -> None:
            verify(req, auth, secret, AT, cache=SigningKeyCache(maxsize=1))

        print(f"{name:<22} {parse:>9.2f} {check:>10.2f} {both:>8.2f} {time_us(cold):>12.2f}")


if __name__ == "__main__":
    main()
