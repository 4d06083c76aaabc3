"""Attacks on web identity federation (docs/security.md, "OIDC federation"), from the outside:
a low-privilege user, another account, an unauthenticated caller steering iamd's fetches, a
role session reusing what it got."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from functional_helpers import OTHER_ACCOUNT, allow, as_creds, error, new_user
from oidc_issuer import Issuer, LoopbackCA, SigningKey
from web_identity_env import ACCOUNT, WebIdentityEnv

from iamd.testing import IamdServer


@pytest.fixture(scope="module")
def accounts_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[WebIdentityEnv, dict[str, str]]]:
    """A server with two accounts (a data folder, as an operator runs it) trusting the test CA."""
    folder = tmp_path_factory.mktemp("oidc-sec")
    ca = LoopbackCA(folder)
    issuer = Issuer(ca)
    data = folder / "data"
    server = IamdServer(extra_args=["--data-dir", str(data), "--oidc-ca-bundle", str(ca.ca_file)],
                        log_path=folder / "iamd.log")
    with server:
        out = subprocess.run(
            [sys.executable, "-m", "iamd.cli", "account", "create", "--data-dir", str(data),
             "--new-account-id", OTHER_ACCOUNT], capture_output=True, text=True, timeout=60, check=True).stdout
        pairs = dict(line.split("=", 1) for line in out.splitlines() if line.startswith("AWS_"))
        other = {"AccessKeyId": pairs["AWS_ACCESS_KEY_ID"], "SecretAccessKey": pairs["AWS_SECRET_ACCESS_KEY"]}
        yield WebIdentityEnv(server, issuer, ca, SigningKey(), SigningKey(), folder), other
    issuer.close()


def test_another_accounts_provider_is_not_this_accounts(accounts_env: tuple[WebIdentityEnv, dict[str, str]]) -> None:
    """A trust policy naming another account's provider never matches: the token's issuer is
    looked up in the role's own account."""
    env, other_key = accounts_env
    other_iam = as_creds(env.server, "iam", other_key)
    other_arn = other_iam.create_open_id_connect_provider(
        Url=env.issuer.url, ClientIDList=["sts.amazonaws.com"])["OpenIDConnectProviderArn"]
    try:
        assert other_arn.startswith(f"arn:aws:iam::{OTHER_ACCOUNT}:")
        role = env.role(federated=other_arn, name="cross")
        try:
            err = env.refused(role, env.issuer.token())
            assert err["Code"] == "InvalidIdentityToken" and "No OpenIDConnect provider found" in err["Message"]
            mine = env.provider()
            assert env.refused(role, env.issuer.token())["Code"] == "AccessDenied"  # names theirs, not mine
            env.iam().delete_open_id_connect_provider(OpenIDConnectProviderArn=mine)
            # This account's principals cannot read or change the other account's provider.
            assert error(env.iam().get_open_id_connect_provider, OpenIDConnectProviderArn=other_arn)["Code"] == \
                "AccessDenied"
            assert error(env.iam().add_client_id_to_open_id_connect_provider, OpenIDConnectProviderArn=other_arn,
                         ClientID="mine")["Code"] == "AccessDenied"
        finally:
            env.iam().delete_role(RoleName="cross")
    finally:
        other_iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=other_arn)


@pytest.fixture
def env(accounts_env: tuple[WebIdentityEnv, dict[str, str]]) -> Iterator[WebIdentityEnv]:
    environment, _ = accounts_env
    yield environment
    iam = environment.iam()
    for provider in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]:
        iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=provider["Arn"])
    for role in iam.list_roles()["Roles"]:
        for name in iam.list_role_policies(RoleName=role["RoleName"])["PolicyNames"]:
            iam.delete_role_policy(RoleName=role["RoleName"], PolicyName=name)
        iam.delete_role(RoleName=role["RoleName"])
    for user in iam.list_users()["Users"]:
        for name in iam.list_user_policies(UserName=user["UserName"])["PolicyNames"]:
            iam.delete_user_policy(UserName=user["UserName"], PolicyName=name)
        for key in iam.list_access_keys(UserName=user["UserName"])["AccessKeyMetadata"]:
            iam.delete_access_key(UserName=user["UserName"], AccessKeyId=key["AccessKeyId"])
        iam.delete_user(UserName=user["UserName"])


def test_a_low_privilege_user_cannot_plant_an_issuer(env: WebIdentityEnv, client_for: Any) -> None:
    """Trusting an issuer needs iam:CreateOpenIDConnectProvider and a role that trusts it
    (iam:CreateRole / UpdateAssumeRolePolicy): without them, an issuer the user controls leads
    nowhere; with them the user is as privileged as AWS makes that (docs/security.md)."""
    _, key = new_user(env.iam(), "dev", allow("iam:GetUser", "*"))
    dev = as_creds(env.server, "iam", key)
    assert error(dev.create_open_id_connect_provider, Url=env.issuer.url)["Code"] == "AccessDenied"
    assert error(dev.create_role, RoleName="mine", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": env.provider_arn},
                                                "Action": "sts:AssumeRoleWithWebIdentity"}]}))["Code"] == "AccessDenied"
    # An admin's provider and role: a user allowed to add client ids to *another* provider only
    # cannot add its own application to this one.
    arn = env.provider()
    env.role({"StringEquals": {f"{env.issuer.host_path}:aud": "sts.amazonaws.com"}})
    env.iam().put_user_policy(UserName="dev", PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [allow("iam:AddClientIDToOpenIDConnectProvider",
                                                     f"arn:aws:iam::{ACCOUNT}:oidc-provider/other.example.com")]}))
    assert error(dev.add_client_id_to_open_id_connect_provider, OpenIDConnectProviderArn=arn,
                 ClientID="evil-app")["Code"] == "AccessDenied"
    assert env.iam().get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ClientIDList"] == ["sts.amazonaws.com"]


def test_only_registered_issuers_are_ever_contacted(env: WebIdentityEnv) -> None:
    """An unauthenticated caller cannot make iamd fetch from a URL of its choosing: the token's
    issuer must be a provider of the role's account before anything is fetched."""
    unregistered = Issuer(env.ca)
    try:
        env.provider()
        role = env.role()
        err = env.refused(role, unregistered.token())
        assert err["Code"] == "InvalidIdentityToken" and unregistered.requests == []
        # A role in an account with no such provider, or an account that does not exist.
        for arn in (role, f"arn:aws:iam::{OTHER_ACCOUNT}:role/none", "arn:aws:iam::999999999999:role/x"):
            assert env.refused(arn, unregistered.token())["Code"] == "InvalidIdentityToken"
        assert unregistered.requests == []
    finally:
        unregistered.close()


def test_a_provider_that_is_not_an_issuer_tells_nothing(env: WebIdentityEnv) -> None:
    """A provider URL pointing at something else (here iamd's own port, which speaks no TLS)
    fails with the fixed IDPCommunicationError text: nothing of the answer leaks."""
    port = env.server.endpoint.rsplit(":", 1)[1]
    iam = env.iam()
    arn = iam.create_open_id_connect_provider(Url=f"https://127.0.0.1:{port}", ClientIDList=["sts.amazonaws.com"])[
        "OpenIDConnectProviderArn"]
    role = env.role(federated=arn)
    fake = Issuer(env.ca)
    try:
        fake_token = fake.token(iss=f"https://127.0.0.1:{port}")
    finally:
        fake.close()
    err = env.refused(role, fake_token)
    assert err["Code"] == "IDPCommunicationError" and port not in err["Message"] and "HTTP" not in err["Message"]


def test_a_web_identity_session_chains_as_a_role_session(env: WebIdentityEnv) -> None:
    """What the session got it keeps, and no more: chaining is capped at one hour and keeps the
    source identity the token set."""
    env.provider()
    first = env.role(actions=("sts:AssumeRoleWithWebIdentity", "sts:SetSourceIdentity"), name="first",
                     permissions=allow("sts:AssumeRole", "*"))
    env.iam().create_role(RoleName="second", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": first},
                                                "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"]}]}))
    out = env.assume(first, env.issuer.token(**{"https://aws.amazon.com/source_identity": "alice"}))
    sts = env.client("sts", out["Credentials"])
    second = f"arn:aws:iam::{ACCOUNT}:role/second"
    assert error(sts.assume_role, RoleArn=second, RoleSessionName="chained", DurationSeconds=7200)["Code"] == "ValidationError"
    assert error(sts.assume_role, RoleArn=second, RoleSessionName="chained", SourceIdentity="mallory")["Code"] == "AccessDenied"
    chained = sts.assume_role(RoleArn=second, RoleSessionName="chained")
    assert chained["SourceIdentity"] == "alice"

