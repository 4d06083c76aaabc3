"""AssumeRoleWithWebIdentity end to end: a token from the loopback issuer, boto3 and the aws CLI,
credentials that act as the role and only with its permissions, the trail, the key cache."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from functional_helpers import error
from web_identity_env import ACCOUNT, WebIdentityEnv, fresh, make_env

from iamd.testing import IamdServer

LIST_USERS = {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}


@pytest.fixture(scope="module")
def module_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebIdentityEnv]:
    yield from make_env(tmp_path_factory)


@pytest.fixture
def env(module_env: WebIdentityEnv) -> WebIdentityEnv:
    return fresh(module_env)


def test_boto3_session_acts_as_the_role_and_only_with_its_permissions(env: WebIdentityEnv) -> None:
    env.provider()
    role = env.role({"StringEquals": {f"{env.issuer.host_path}:aud": "sts.amazonaws.com"}}, permissions=LIST_USERS)
    token = env.issuer.token(sub="repo:acme/app:ref:refs/heads/main")
    out = env.assume(role, token, DurationSeconds=900)
    assert out["SubjectFromWebIdentityToken"] == "repo:acme/app:ref:refs/heads/main"
    assert out["Provider"] == env.provider_arn and out["Audience"] == "sts.amazonaws.com"
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/web/ci"
    assert out["AssumedRoleUser"]["AssumedRoleId"].startswith("AROA")
    assert out["AssumedRoleUser"]["AssumedRoleId"].endswith(":ci") and "SourceIdentity" not in out
    creds = out["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    who = env.client("sts", creds).get_caller_identity()
    assert who["Arn"] == out["AssumedRoleUser"]["Arn"] and who["UserId"] == out["AssumedRoleUser"]["AssumedRoleId"]
    iam = env.client("iam", creds)
    iam.list_users()
    assert error(iam.create_user, UserName="nope")["Code"] == "AccessDenied"
    assert error(iam.list_roles)["Code"] == "AccessDenied"


def test_aws_cli_without_any_credentials(env: WebIdentityEnv, tmp_path: Any) -> None:
    import subprocess
    import sys
    from pathlib import Path

    env.provider()
    role = env.role(permissions=LIST_USERS)
    cli = str(Path(sys.executable).with_name("aws"))
    bare = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    bare.update(AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="", AWS_CONFIG_FILE=str(tmp_path / "none"),
                AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"))

    def aws(*args: str, extra: dict[str, str] | None = None) -> Any:
        proc = subprocess.run([cli, "--endpoint-url", env.server.endpoint, *args], env=bare | (extra or {}),
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    out = aws("sts", "assume-role-with-web-identity", "--role-arn", role, "--role-session-name", "cli",
              "--web-identity-token", env.issuer.token())
    creds = out["Credentials"]
    as_role = {"AWS_ACCESS_KEY_ID": creds["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
               "AWS_SESSION_TOKEN": creds["SessionToken"]}
    assert aws("sts", "get-caller-identity", extra=as_role)["Arn"].endswith(":assumed-role/web/cli")
    assert "Users" in aws("iam", "list-users", extra=as_role)
    denied = subprocess.run([cli, "--endpoint-url", env.server.endpoint, "iam", "list-roles"],
                            env=bare | as_role, capture_output=True, text=True, timeout=60)
    assert denied.returncode != 0 and "AccessDenied" in denied.stderr


def test_the_trail_records_the_web_identity_user_and_its_session(env: WebIdentityEnv) -> None:
    env.provider()
    role = env.role(permissions=LIST_USERS)
    out = env.assume(role, env.issuer.token(sub="user-123456"))
    (event,) = env.trail()
    assert event["userIdentity"] == {
        "type": "WebIdentityUser",
        "principalId": f"{env.provider_arn}:sts.amazonaws.com:user-123456",
        "userName": "user-123456",
        "identityProvider": env.provider_arn,
    }
    assert event["additionalEventData"] == {"identityProviderConnectionVerificationMethod": "IAMTrustStore"}
    assert event["recipientAccountId"] == ACCOUNT and event["eventSource"] == "sts.amazonaws.com"
    assert event["requestParameters"]["webIdentityToken"] == "HIDDEN_DUE_TO_SECURITY_REASONS"
    assert event["responseElements"]["subjectFromWebIdentityToken"] == "user-123456"
    assert event["responseElements"]["credentials"]["accessKeyId"] == out["Credentials"]["AccessKeyId"]
    env.client("iam", out["Credentials"]).list_users()
    ct = env.server.client("cloudtrail")
    from functional_helpers import poll

    def later() -> Any:
        events = ct.lookup_events(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "ListUsers"}])
        return [json.loads(e["CloudTrailEvent"]) for e in events["Events"]]

    (used,) = poll(later)
    context = used["userIdentity"]["sessionContext"]
    assert used["userIdentity"]["type"] == "AssumedRole"
    assert context["webIdFederationData"] == {"federatedProvider": env.provider_arn, "attributes": {}}


def test_keys_are_fetched_once_and_cached(env: WebIdentityEnv) -> None:
    env.provider()
    role = env.role()
    before = env.issuer.jwks_fetches()
    for _ in range(5):
        env.assume(role, env.issuer.token())
    assert env.issuer.jwks_fetches() == before + 1


def test_a_rotated_key_is_fetched_once_and_made_up_kids_do_not_storm(env: WebIdentityEnv) -> None:
    """A kid not in the cache refetches (the issuer rotated) — at most once a minute per issuer."""
    env.provider()
    role = env.role()
    env.assume(role, env.issuer.token())
    fetched = env.issuer.jwks_fetches()
    new = env.issuer.rotate()
    # Within a minute of the last fetch an unknown kid is refused without fetching again.
    for _ in range(3):
        assert env.refused(role, env.issuer.token(key=new))["Code"] == "InvalidIdentityToken"
    assert env.issuer.jwks_fetches() == fetched
    env.server.set_clock_offset(61)
    try:
        assert env.assume(role, env.issuer.token(key=new, lifetime=3600))["Credentials"]
        assert env.issuer.jwks_fetches() == fetched + 1
        for _ in range(3):  # a made-up kid: one more fetch at most, then the rate limit holds
            assert env.refused(role, env.issuer.token(key=new, lifetime=3600, headers={"kid": "made-up"}))[
                "Code"] == "InvalidIdentityToken"
        assert env.issuer.jwks_fetches() == fetched + 1
    finally:
        env.server.set_clock_offset(0)


def test_a_token_may_be_presented_again_until_it_expires(env: WebIdentityEnv) -> None:
    """As on AWS: STS does not remember tokens (docs/security.md, "Token replay")."""
    env.provider()
    role = env.role()
    token = env.issuer.token()
    first, second = env.assume(role, token), env.assume(role, token)
    assert first["Credentials"]["AccessKeyId"] != second["Credentials"]["AccessKeyId"]


def test_session_tags_and_source_identity_from_the_token(env: WebIdentityEnv) -> None:
    env.provider()
    role = env.role(
        {"StringEquals": {"aws:RequestTag/team": "ci", "sts:SourceIdentity": "alice"}},
        actions=("sts:AssumeRoleWithWebIdentity", "sts:TagSession", "sts:SetSourceIdentity"),
        permissions={"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*",
                     "Condition": {"StringEquals": {"aws:PrincipalTag/team": "ci", "aws:SourceIdentity": "alice"}}},
    )
    tags = {"principal_tags": {"team": ["ci"]}, "transitive_tag_keys": ["team"]}
    token = env.issuer.token(**{"https://aws.amazon.com/tags": tags, "https://aws.amazon.com/source_identity": "alice"})
    out = env.assume(role, token)
    assert out["SourceIdentity"] == "alice" and out["PackedPolicySize"] >= 1
    env.client("iam", out["Credentials"]).list_users()
    other = env.issuer.token(**{"https://aws.amazon.com/tags": {"principal_tags": {"team": ["ops"]}},
                                "https://aws.amazon.com/source_identity": "alice"})
    assert env.refused(role, other)["Code"] == "AccessDenied"


@pytest.mark.parametrize(
    "claim",
    [
        {"principal_tags": "team"},
        {"principal_tags": {"team": ["a", "b"]}},
        {"principal_tags": {"bad key!": ["x"]}},
        {"principal_tags": {f"k{i}": ["v"] for i in range(51)}},
        {"principal_tags": {"team": ["ci"]}, "transitive_tag_keys": "team"},
    ],
)
def test_malformed_session_tags_are_rejected_claims(env: WebIdentityEnv, claim: Any) -> None:
    env.provider()
    role = env.role(actions=("sts:AssumeRoleWithWebIdentity", "sts:TagSession"))
    err = env.refused(role, env.issuer.token(**{"https://aws.amazon.com/tags": claim}))
    assert (err["Code"], err["HTTPStatus"]) == ("IDPRejectedClaim", 403), err


def test_duration_limits(env: WebIdentityEnv) -> None:
    env.provider()
    role = env.role(max_session=3600)
    assert env.refused(role, env.issuer.token(), DurationSeconds=7200)["Code"] == "ValidationError"
    out = env.assume(role, env.issuer.token())
    assert out["Credentials"]["Expiration"]


def test_deleting_the_provider_or_its_client_id_stops_new_sessions(env: WebIdentityEnv) -> None:
    arn = env.provider()
    role = env.role()
    env.assume(role, env.issuer.token())
    iam = env.iam()
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="sts.amazonaws.com")
    err = env.refused(role, env.issuer.token())
    assert err["Code"] == "InvalidIdentityToken" and err["Message"] == "Incorrect token audience"
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    err = env.refused(role, env.issuer.token())
    assert err["Code"] == "InvalidIdentityToken"
    assert err["Message"] == f"No OpenIDConnect provider found in your account for {env.issuer.url}"


def test_unsigned_by_post_and_get(env: WebIdentityEnv) -> None:
    import urllib.error
    import urllib.parse
    import urllib.request

    env.provider()
    role = env.role()
    query = urllib.parse.urlencode({"Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15", "RoleArn": role,
                                    "RoleSessionName": "raw", "WebIdentityToken": env.issuer.token()})
    for req in (urllib.request.Request(env.server.endpoint + "/?" + query, method="GET"),
                urllib.request.Request(env.server.endpoint + "/", data=query.encode(), method="POST",
                                       headers={"Content-Type": "application/x-www-form-urlencoded"})):
        with urllib.request.urlopen(req, timeout=10) as resp:
            body = resp.read().decode()
        assert resp.status == 200 and "<AssumedRoleId>" in body, body


def test_root_can_still_sign_it(env: WebIdentityEnv) -> None:
    """A signed call works too (its signature must verify), and grants nothing beyond the token."""
    env.provider()
    role = env.role()
    server: IamdServer = env.server
    out = server.client("sts").assume_role_with_web_identity(
        RoleArn=role, RoleSessionName="signed", WebIdentityToken=env.issuer.token())
    assert out["AssumedRoleUser"]["Arn"].endswith("/web/signed")
