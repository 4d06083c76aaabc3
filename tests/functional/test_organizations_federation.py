"""Organizations meets federation: a member account's role that trusts an OIDC provider is still
under its account's RCPs, and ``aws:ResourceOrgID`` reaches the trust decision, because an RCP
covers AssumeRoleWithWebIdentity on a role as it covers AssumeRole ("Resource control policies",
supported services: AWS STS)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from org_helpers import RCP, Org, rcp_deny
from web_identity_env import WebIdentityEnv, fresh, make_env


@pytest.fixture(scope="module")
def module_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebIdentityEnv]:
    yield from make_env(tmp_path_factory)


@pytest.fixture
def env(module_env: WebIdentityEnv) -> WebIdentityEnv:
    return fresh(module_env)


def _member_role(env: WebIdentityEnv, org: Org, member: str, condition: dict[str, Any] | None = None) -> str:
    """A role of the member account trusting the test issuer, registered in that account."""
    iam = org.as_admin(member)
    provider = iam.create_open_id_connect_provider(Url=env.issuer.url, ClientIDList=["sts.amazonaws.com"])
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Federated": provider["OpenIDConnectProviderArn"]},
        "Action": "sts:AssumeRoleWithWebIdentity",
    }
    if condition:
        statement["Condition"] = condition
    made = iam.create_role(
        RoleName="ci", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    )
    return str(made["Role"]["Arn"])


def test_an_rcp_denying_web_identity_stops_it_in_the_member_account(env: WebIdentityEnv) -> None:
    org = Org(env.server, RCP)
    member = org.account("fed")
    role = _member_role(env, org, member)
    token = env.issuer.token()
    assert env.assume(role, token)["AssumedRoleUser"]["Arn"].startswith(f"arn:aws:sts::{member}:assumed-role/ci/")
    guard = org.policy("no-web-identity", rcp_deny("sts:AssumeRoleWithWebIdentity"), ptype=RCP, attach=(member,))
    refused = env.refused(role, env.issuer.token())
    assert (refused["Code"], refused["HTTPStatus"]) == ("AccessDenied", 403)
    # The next request after the RCP leaves sees it gone.
    org.client.detach_policy(PolicyId=guard, TargetId=member)
    assert env.assume(role, env.issuer.token())["Credentials"]["AccessKeyId"].startswith("ASIA")


def test_resource_org_id_reaches_the_trust_policy(env: WebIdentityEnv) -> None:
    org = Org(env.server)
    member = org.account("fed")
    role = _member_role(env, org, member, {"StringEquals": {"aws:ResourceOrgID": org.id}})
    assert env.assume(role, env.issuer.token())["Credentials"]["AccessKeyId"].startswith("ASIA")
    other = _member_role(env, org, org.account("fed2"), {"StringEquals": {"aws:ResourceOrgID": "o-someoneelse"}})
    assert env.refused(other, env.issuer.token())["Code"] == "AccessDenied"


def test_a_closed_member_accounts_role_cannot_be_federated_into(env: WebIdentityEnv) -> None:
    org = Org(env.server)
    member = org.account("fed")
    role = _member_role(env, org, member)
    org.client.close_account(AccountId=member)
    assert env.refused(role, env.issuer.token())["Code"] == "AccessDenied"

