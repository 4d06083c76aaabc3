"""The servers a run talks to, and the entities the fuzzer aims at.

``fresh_server`` is ``iamd serve --ephemeral`` on a free loopback port (``iamd.testing``);
``Fixtures`` creates, after every reset, a few named entities whose names the fuzzer uses as its
valid baseline values (so hostile values reach past ``NoSuchEntity`` into the actions) and a
low-privilege user whose key signs part of the traffic. ``shared_pair`` starts two processes on
one store (an SQLite file, or a PostgreSQL database) for the races.
"""

from __future__ import annotations

import json
import os
import resource
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from iamd.testing import IamdServer

from .wire import Identity

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "999999999999"
LOW_PRIV = "fz-lowpriv"
# The low-privilege user may read, and nothing else: the fuzzer's calls with its key exercise
# authorization (AccessDenied) after a successful parse.
READ_ONLY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["iam:Get*", "iam:List*", "sts:GetCallerIdentity"], "Resource": "*"}]})
# ... and assume fz-role (with session tags and policies), so that STS's hostile inputs reach
# the session-policy and tag parsing with a caller AWS would let through.
LOW_PRIV_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["iam:Get*", "iam:List*", "sts:GetCallerIdentity"], "Resource": "*"},
    {"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
     "Resource": f"arn:aws:iam::{ACCOUNT}:role/fz-role"}]})
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]})


def root_identity(server: IamdServer) -> Identity:
    return Identity("root", server.access_key_id, server.secret_access_key)


@contextmanager
def fresh_server(log: Path | None = None, nofile: int | None = None) -> Iterator[IamdServer]:
    """An ephemeral server; ``nofile`` caps its descriptors (as a default 1,024-descriptor
    process would be), set in our own soft limit only while it forks."""
    server = IamdServer(log_path=log)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if nofile is not None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(nofile, hard), hard))
    try:
        server.start()
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Fixtures:
    """Names and ids of the entities the baseline values point at, rebuilt after each reset."""

    server: IamdServer
    low_priv: Identity | None = None
    role_session: Identity | None = None
    access_key_id: str = "AKIAFUZZFUZZFUZZFUZZ"

    @property
    def names(self) -> dict[str, str]:
        a = ACCOUNT
        return {
            "UserName": "fz-user", "GroupName": "fz-group", "RoleName": "fz-role",
            "PolicyName": "fz-inline", "InstanceProfileName": "fz-profile",
            "PolicyArn": f"arn:aws:iam::{a}:policy/fz-policy", "RoleArn": f"arn:aws:iam::{a}:role/fz-role",
            "AccessKeyId": self.access_key_id, "SerialNumber": f"arn:aws:iam::{a}:mfa/fz-mfa",
            "VirtualMFADeviceName": "fz-mfa", "Arn": f"arn:aws:iam::{a}:user/fz-user",
            "PolicySourceArn": f"arn:aws:iam::{a}:user/fz-user", "RoleSessionName": "fz-session",
            "Name": "fz-trail", "TrailName": "fz-trail", "VersionId": "v1",
            "ServerCertificateName": "fz-cert", "AccountAlias": "fz-alias",
        }

    def rebuild(self) -> None:
        self.server.reset()
        iam = self.server.client("iam")
        iam.create_user(UserName="fz-user", Tags=[{"Key": "team", "Value": "fuzz"}])
        self.access_key_id = iam.create_access_key(UserName="fz-user")["AccessKey"]["AccessKeyId"]
        iam.create_group(GroupName="fz-group")
        iam.add_user_to_group(GroupName="fz-group", UserName="fz-user")
        iam.create_role(RoleName="fz-role", AssumeRolePolicyDocument=TRUST)
        iam.create_policy(PolicyName="fz-policy", PolicyDocument=READ_ONLY)
        iam.put_user_policy(UserName="fz-user", PolicyName="fz-inline", PolicyDocument=READ_ONLY)
        iam.create_instance_profile(InstanceProfileName="fz-profile")
        iam.create_virtual_mfa_device(VirtualMFADeviceName="fz-mfa")
        iam.create_user(UserName=LOW_PRIV)
        iam.put_user_policy(UserName=LOW_PRIV, PolicyName="read", PolicyDocument=LOW_PRIV_POLICY)
        key = iam.create_access_key(UserName=LOW_PRIV)["AccessKey"]
        self.low_priv = Identity("low-priv", key["AccessKeyId"], key["SecretAccessKey"])
        iam.put_role_policy(RoleName="fz-role", PolicyName="read", PolicyDocument=READ_ONLY)
        sts = self.server.client("sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
        creds = sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/fz-role", RoleSessionName="fz-session")
        creds = creds["Credentials"]
        self.role_session = Identity("role-session", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])


def pg_admin_url() -> str | None:
    """The PostgreSQL server the test suite uses, when one answers."""
    base = os.environ.get("IAMD_TEST_PG", "postgresql://127.0.0.1:5432/test")
    url = base.replace("postgresql://", "postgresql://postgres@", 1)
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=2):
            return url
    except Exception:  # noqa: BLE001 - any failure means "not reachable here"
        return None


@contextmanager
def pg_schema(admin: str) -> Iterator[str]:
    """A database URL whose search_path is a fresh schema, dropped afterwards."""
    import psycopg

    schema = "iamd_rel_" + secrets.token_hex(4)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{admin}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def client(server: IamdServer, service: str = "iam", **kw: Any) -> Any:
    """A boto3 client that never retries: a retry would hide a failure, or double a write."""
    from botocore.config import Config

    kw.setdefault("config", Config(retries={"max_attempts": 1}))
    return server.client(service, **kw)
