"""Helpers the functional tests share: policy documents, clients acting with a key or a session,
and the errors they expect.

``conftest.py`` makes this module importable as ``functional_helpers`` (the suite runs with
``--import-mode=importlib``, which does not put test folders on ``sys.path``).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from iamd.testing import IamdServer

ENCODED = ". Encoded authorization failure message: "
# The second account the cross-account tests create (the ``two_accounts`` fixture).
OTHER_ACCOUNT = "210987654321"


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: str | list[str], resource: str | list[str] = "*", **condition: Any) -> dict[str, Any]:
    """An Allow statement; keyword arguments are its condition operators (``StringEquals={…}``)."""
    st: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        st["Condition"] = condition
    return st


def error(fn: Callable[..., Any], **kwargs: Any) -> dict[str, Any]:
    """``error(iam.get_user, UserName="x")`` → the ClientError's Error dict and HTTP status."""
    try:
        fn(**kwargs)
    except ClientError as err:
        return {**err.response["Error"], "HTTPStatus": err.response["ResponseMetadata"]["HTTPStatusCode"]}
    raise AssertionError(f"{fn.__name__} succeeded, an error was expected")


def denied(fn: Callable[..., Any], **kwargs: Any) -> str:
    """Call ``fn``; it must fail with AWS's AccessDenied (HTTP 403) — ``AccessDeniedException``
    for a JSON-protocol service (Organizations, CloudTrail). Returns the message."""
    err = error(fn, **kwargs)
    assert (err["Code"], err["HTTPStatus"]) == (access_denied_code(fn), 403), err
    return str(err["Message"])


def access_denied_code(fn: Callable[..., Any]) -> str:
    """The code a policy denial has for the client ``fn`` is a method of."""
    protocol = getattr(getattr(fn, "__self__", None), "meta", None)
    json_protocol = protocol is not None and protocol.service_model.protocol in ("json", "rest-json")
    return "AccessDeniedException" if json_protocol else "AccessDenied"


def as_creds(server: IamdServer, service: str, creds: dict[str, Any], **kw: Any) -> Any:
    """A client acting with an access key or temporary credentials (``SessionToken``)."""
    return server.client(
        service,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds.get("SessionToken"),
        **kw,
    )


def clients(server: IamdServer, creds: dict[str, Any]) -> tuple[Any, Any]:
    """IAM and STS clients acting with ``creds``."""
    return as_creds(server, "iam", creds), as_creds(server, "sts", creds)


def new_user(iam: Any, name: str, *statements: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A user with an inline policy of ``statements`` (if any); its ARN and a fresh access key."""
    arn = iam.create_user(UserName=name)["User"]["Arn"]
    if statements:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=doc(*statements))
    return arn, iam.create_access_key(UserName=name)["AccessKey"]


def seconds_left(creds: dict[str, Any]) -> float:
    """Seconds until temporary credentials expire."""
    return float((creds["Expiration"] - datetime.now(UTC)).total_seconds())


def lifetime(call: Callable[[], dict[str, Any]]) -> tuple[dict[str, Any], float, float]:
    """Make an STS call; its response and the shortest and longest lifetime its credentials can
    have been issued with, from readings of the clock taken before and after the call (AWS
    truncates the expiration to the second). The lifetime asked for lies between the two however
    slowly the call ran: ``out, low, high = lifetime(...)``; ``assert low <= 900 <= high``."""
    before = datetime.now(UTC).replace(microsecond=0)
    out = call()
    after = datetime.now(UTC)
    expiration: datetime = out["Credentials"]["Expiration"]
    return out, (expiration - after).total_seconds(), (expiration - before).total_seconds()


def non_space(text: str) -> int:
    """A policy's size as AWS counts it: characters that are not white space."""
    return sum(1 for ch in text if not ch.isspace())


def sized(size: int, *, indent: int | None = None) -> str:
    """A valid policy of exactly ``size`` characters that are not white space."""

    def policy(sid: str) -> str:
        statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Sid": sid}
        return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, indent=indent)

    out = policy("A" * (size - non_space(policy(""))))
    assert non_space(out) == size
    return out


def self_signed_certificate() -> tuple[str, str]:
    """A fresh self-signed certificate valid for 30 days and its private key, both PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "example.com")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    pem_key = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode(), pem_key.decode()


def poll(check: Callable[[], Any], attempts: int = 400, pause: float = 0.05) -> Any:
    """``check()``'s first truthy value; a bounded number of attempts, never a clock."""
    for _ in range(attempts):
        value = check()
        if value:
            return value
        time.sleep(pause)
    raise AssertionError(f"not reached after {attempts} attempts")
