"""``X-Forwarded-For`` and ``X-Forwarded-Proto`` count only from ``--trusted-proxies``.

Behind a TLS-terminating proxy the client's request was sent over TLS, so a trusted proxy's
``X-Forwarded-Proto: https`` makes ``aws:SecureTransport`` true. From anyone else — a local
process on 127.0.0.1 included, which uvicorn's own proxy-header handling would have trusted — the
headers change nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from functional_helpers import allow, denied, doc

from iamd.testing import IamdServer

POLICY = doc(
    allow("iam:GetUser", Bool={"aws:SecureTransport": "true"}),
    allow("iam:ListUsers", IpAddress={"aws:SourceIp": "203.0.113.7/32"}),
)


@pytest.fixture(scope="module")
def behind_proxy() -> Iterator[IamdServer]:
    with IamdServer(extra_args=["--ephemeral", "--trusted-proxies", "127.0.0.1"]) as srv:
        yield srv


def user_with_headers(srv: IamdServer, name: str, headers: dict[str, str]) -> Any:
    """An IAM client of a fresh user with ``POLICY`` whose every request carries ``headers``."""
    root = srv.client("iam")
    root.create_user(UserName=name)
    root.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=POLICY)
    key = root.create_access_key(UserName=name)["AccessKey"]
    iam = srv.client("iam", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])

    def add(request: Any, **_: Any) -> None:
        for header, value in headers.items():
            request.headers[header] = value

    iam.meta.events.register("before-sign.iam", add)
    return iam


def test_a_trusted_proxy_sets_secure_transport_and_source_ip(behind_proxy: IamdServer) -> None:
    iam = user_with_headers(behind_proxy, "proxied",
                            {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"})
    assert iam.get_user()["User"]["UserName"] == "proxied"
    assert iam.list_users()["Users"]


@pytest.mark.parametrize("proto", ["http", "https, http", "http, https", "https,", ""])
def test_secure_transport_needs_every_forwarded_proto_to_be_https(behind_proxy: IamdServer, proto: str) -> None:
    # A proxy that appends to a client's forged "https" leaves its own "http" in the list.
    iam = user_with_headers(behind_proxy, f"proto-{abs(hash(proto))}", {"X-Forwarded-Proto": proto})
    denied(iam.get_user)


def test_without_trusted_proxies_the_headers_are_ignored(server: IamdServer) -> None:
    iam = user_with_headers(server, "direct", {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"})
    denied(iam.get_user)
    denied(iam.list_users)
