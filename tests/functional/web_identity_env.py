"""The web identity test environment: one iamd that trusts the test CA, a loopback issuer, and
JWKS registered for GitHub's and Google's issuers (the air-gapped path), shared by a module."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from functional_helpers import error, poll
from oidc_issuer import Issuer, SigningKey, TestCA

from iamd.testing import IamdServer

ACCOUNT = "123456789012"
GITHUB = "token.actions.githubusercontent.com"
GOOGLE = "accounts.google.com"


@dataclass
class WebIdentityEnv:
    server: IamdServer
    issuer: Issuer
    ca: TestCA
    github_key: SigningKey
    google_key: SigningKey
    folder: Path

    @property
    def provider_arn(self) -> str:
        return f"arn:aws:iam::{ACCOUNT}:oidc-provider/{self.issuer.host_path}"

    def iam(self) -> Any:
        return self.server.client("iam")

    def unsigned_sts(self) -> Any:
        """An STS client with no credentials at all: nothing could sign even if it tried."""
        return boto3.client("sts", endpoint_url=self.server.endpoint, region_name="us-east-1",
                            config=Config(signature_version=UNSIGNED))

    def client(self, service: str, creds: dict[str, Any]) -> Any:
        return boto3.client(service, endpoint_url=self.server.endpoint, region_name="us-east-1",
                            aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                            aws_session_token=creds["SessionToken"])

    def provider(self, client_ids: tuple[str, ...] = ("sts.amazonaws.com",), **kw: Any) -> str:
        made = self.iam().create_open_id_connect_provider(Url=self.issuer.url, ClientIDList=list(client_ids), **kw)
        return str(made["OpenIDConnectProviderArn"])

    def role(self, conditions: dict[str, Any] | None = None, *, name: str = "web", federated: str | None = None,
             actions: tuple[str, ...] = ("sts:AssumeRoleWithWebIdentity",), permissions: dict[str, Any] | None = None,
             max_session: int | None = None) -> str:
        statement: dict[str, Any] = {"Effect": "Allow", "Principal": {"Federated": federated or self.provider_arn},
                                     "Action": list(actions)}
        if conditions:
            statement["Condition"] = conditions
        kw: dict[str, Any] = {"MaxSessionDuration": max_session} if max_session else {}
        iam = self.iam()
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [statement]}), **kw)["Role"]["Arn"]
        if permissions is not None:
            iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [permissions]}))
        return str(arn)

    def assume(self, role_arn: str, token: str, session: str = "ci", **kw: Any) -> Any:
        return self.unsigned_sts().assume_role_with_web_identity(
            RoleArn=role_arn, RoleSessionName=session, WebIdentityToken=token, **kw)

    def refused(self, role_arn: str, token: str, session: str = "ci", **kw: Any) -> dict[str, Any]:
        """The error of an AssumeRoleWithWebIdentity that must fail (``functional_helpers.error``)."""
        return error(self.unsigned_sts().assume_role_with_web_identity,
                     RoleArn=role_arn, RoleSessionName=session, WebIdentityToken=token, **kw)

    def trail(self, error_code: str | None = None, n: int = 1) -> list[dict[str, Any]]:
        """The AssumeRoleWithWebIdentity events (with ``error_code``, if given), once ``n`` are there."""
        ct = self.server.client("cloudtrail")

        def found() -> list[dict[str, Any]]:
            events = ct.lookup_events(LookupAttributes=[
                {"AttributeKey": "EventName", "AttributeValue": "AssumeRoleWithWebIdentity"}])["Events"]
            out = [json.loads(e["CloudTrailEvent"]) for e in events]
            out = [r for r in out if error_code is None or r.get("errorCode") == error_code]
            return out if len(out) >= n else []

        return list(poll(found))


def make_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebIdentityEnv]:
    folder = tmp_path_factory.mktemp("oidc")
    ca = TestCA(folder)
    issuer = Issuer(ca)
    github_key, google_key = SigningKey(kid="gh-1"), SigningKey("EC", kid="google-1")
    (folder / "github.json").write_text(json.dumps({"keys": [github_key.jwk]}))
    (folder / "google.json").write_text(json.dumps({"keys": [google_key.jwk]}))
    registered = f"{GITHUB}={folder / 'github.json'},https://{GOOGLE}={folder / 'google.json'}"
    server = IamdServer(extra_args=["--ephemeral", "--oidc-ca-bundle", str(ca.ca_file), "--oidc-jwks", registered],
                        log_path=folder / "iamd.log")
    with server:
        yield WebIdentityEnv(server, issuer, ca, github_key, google_key, folder)
    issuer.close()


def fresh(env: WebIdentityEnv) -> WebIdentityEnv:
    env.server.reset()
    env.issuer.mode = "up"
    env.issuer.keys = env.issuer.keys[:1]
    return env
