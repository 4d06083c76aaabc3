"""The trust policy decides with the keys AWS provides for web identity: the condition-key matrix
(``HOST/PATH:aud``, ``:sub`` with StringLike, ``:oaud``, ``:amr``, ``sts:RoleSessionName``), the
``Federated`` principal, and the README's documented roles — GitHub Actions (``sub`` =
``repo:ORG/REPO:ref:refs/heads/main``) and the seed's "Google user → federate via OIDC → AWS role"
— against tokens signed for those issuers' names, with their JWKS registered (``--oidc-jwks``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from oidc_issuer import signed_token
from web_identity_env import ACCOUNT, GITHUB, GOOGLE, WebIdentityEnv, fresh, make_env

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(scope="module")
def module_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebIdentityEnv]:
    yield from make_env(tmp_path_factory)


@pytest.fixture
def env(module_env: WebIdentityEnv) -> WebIdentityEnv:
    return fresh(module_env)


MAIN = "repo:acme/app:ref:refs/heads/main"
P = "{provider}"  # replaced by the loopback issuer's HOST:PORT

MATRIX: list[tuple[str, dict[str, Any], dict[str, Any], bool]] = [
    ("aud equals", {"StringEquals": {f"{P}:aud": "sts.amazonaws.com"}}, {}, True),
    ("aud differs", {"StringEquals": {f"{P}:aud": "other-client"}}, {}, False),
    ("sub equals", {"StringEquals": {f"{P}:sub": MAIN}}, {}, True),
    ("sub StringLike branch", {"StringLike": {f"{P}:sub": "repo:acme/*:ref:refs/heads/main"}}, {}, True),
    ("sub StringLike other branch", {"StringLike": {f"{P}:sub": "repo:acme/*:ref:refs/heads/main"}},
     {"sub": "repo:acme/app:ref:refs/heads/feature"}, False),
    ("sub StringLike pull request", {"StringLike": {f"{P}:sub": "repo:acme/app:ref:*"}},
     {"sub": "repo:acme/app:pull_request"}, False),
    ("sub of another org", {"StringLike": {f"{P}:sub": "repo:acme/*"}}, {"sub": "repo:evil/app:ref:refs/heads/main"},
     False),
    ("aud and sub together", {"StringEquals": {f"{P}:aud": "sts.amazonaws.com", f"{P}:sub": MAIN}}, {}, True),
    ("azp is the aud key", {"StringEquals": {f"{P}:aud": "sts.amazonaws.com"}},
     {"aud": ["web-app", "sts.amazonaws.com"], "azp": "sts.amazonaws.com"}, True),
    ("oaud is the token's aud", {"ForAnyValue:StringEquals": {f"{P}:oaud": "web-app"}},
     {"aud": ["web-app", "sts.amazonaws.com"], "azp": "sts.amazonaws.com"}, True),
    ("amr", {"ForAnyValue:StringLike": {f"{P}:amr": "authenticated"}}, {"amr": ["authenticated", "pwd"]}, True),
    ("amr unauthenticated", {"ForAnyValue:StringLike": {f"{P}:amr": "authenticated"}}, {"amr": ["unauthenticated"]},
     False),
    ("case-insensitive key name", {"StringEquals": {f"{P.upper()}:SUB": MAIN}}, {}, True),
    ("a key of another provider", {"StringEquals": {"accounts.google.com:sub": MAIN}}, {}, False),
    ("key missing, IfExists", {"StringEqualsIfExists": {f"{P}:amr": "x"}}, {}, True),
    ("session name", {"StringLike": {"sts:RoleSessionName": "ci-*"}}, {}, True),
    ("session name differs", {"StringLike": {"sts:RoleSessionName": "deploy-*"}}, {}, False),
    ("aws:FederatedProvider", {"StringEquals": {"aws:FederatedProvider": "{arn}"}}, {}, True),
    ("Null sub", {"Null": {f"{P}:sub": "false"}}, {}, True),
]


def _fill(value: Any, env: WebIdentityEnv) -> Any:
    text = json.dumps(value).replace("{PROVIDER}", env.issuer.host_path.upper())
    return json.loads(text.replace(P, env.issuer.host_path).replace("{arn}", env.provider_arn))


@pytest.mark.parametrize(("what", "condition", "claims", "allowed"), MATRIX, ids=[m[0] for m in MATRIX])
def test_condition_key_matrix(env: WebIdentityEnv, what: str, condition: dict[str, Any],
                              claims: dict[str, Any], allowed: bool) -> None:
    env.provider()
    role = env.role(_fill(condition, env))
    token = env.issuer.token(**({"sub": MAIN} | claims))
    if allowed:
        assert env.assume(role, token, session="ci-42")["AssumedRoleUser"]["Arn"].endswith("/ci-42"), what
    else:
        err = env.refused(role, token, session="ci-42")
        assert (err["Code"], err["Message"]) == ("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")


@pytest.mark.parametrize(
    "federated",
    [
        "arn:aws:iam::210987654321:oidc-provider/{host}",  # another account's provider of the same issuer
        f"arn:aws:iam::{ACCOUNT}:oidc-provider/elsewhere.example.com",
        "{host}",  # the bare issuer name is not the IAM provider
        "accounts.google.com",
    ],
)
def test_the_federated_principal_must_be_this_provider(env: WebIdentityEnv, federated: str) -> None:
    env.provider()
    role = env.role(federated=federated.replace("{host}", env.issuer.host_path))
    assert env.refused(role, env.issuer.token())["Code"] == "AccessDenied"


def _readme_policy(marker: str) -> dict[str, Any]:
    """The trust policy the README documents after ``marker``: the first ```json block below it."""
    text = README.read_text(encoding="utf-8")
    block = text[text.index(marker):].split("```json", 1)[1].split("```", 1)[0]
    return dict(json.loads(block))


def _role_from(env: WebIdentityEnv, policy: dict[str, Any], name: str) -> str:
    text = json.dumps(policy).replace("111122223333", ACCOUNT)
    return str(env.iam().create_role(RoleName=name, AssumeRolePolicyDocument=text)["Role"]["Arn"])


def test_readme_github_actions_role(env: WebIdentityEnv) -> None:
    env.iam().create_open_id_connect_provider(Url=f"https://{GITHUB}", ClientIDList=["sts.amazonaws.com"])
    role = _role_from(env, _readme_policy("<!-- github-actions-role -->"), "github-deploy")

    def token(sub: str, aud: str = "sts.amazonaws.com") -> str:
        return signed_token(env.github_key, f"https://{GITHUB}", sub=sub, aud=aud)

    out = env.assume(role, token("repo:ORG/REPO:ref:refs/heads/main"))
    assert out["Provider"] == f"arn:aws:iam::{ACCOUNT}:oidc-provider/{GITHUB}"
    for sub in ("repo:ORG/REPO:ref:refs/heads/dev", "repo:ORG/OTHER:ref:refs/heads/main", "repo:ORG/REPO:pull_request"):
        assert env.refused(role, token(sub))["Code"] == "AccessDenied", sub
    assert env.refused(role, token("repo:ORG/REPO:ref:refs/heads/main", aud="other"))["Code"] == "InvalidIdentityToken"
    # The registered JWKS is used, nothing is fetched: the trail says no connection method.
    assert "additionalEventData" not in [e for e in env.trail() if "errorCode" not in e][0]


def test_readme_google_web_identity_role(env: WebIdentityEnv) -> None:
    """The seed's web identity role: Google is built in (no IAM provider); the trust policy's
    accounts.google.com:aud holds the app's client id."""
    role = _role_from(env, _readme_policy("<!-- google-web-identity-role -->"), "google-users")

    def token(aud: str, **claims: Any) -> str:
        return signed_token(env.google_key, f"https://{GOOGLE}", sub="110169484474386276334", aud=aud, **claims)

    out = env.assume(role, token("123456789012-abc.apps.googleusercontent.com"), session="alice")
    assert out["Provider"] == GOOGLE and out["SubjectFromWebIdentityToken"] == "110169484474386276334"
    assert out["Audience"] == "123456789012-abc.apps.googleusercontent.com"
    assert env.refused(role, token("someone-elses-app.apps.googleusercontent.com"))["Code"] == "AccessDenied"
    (event,) = [e for e in env.trail() if "errorCode" not in e]
    assert event["userIdentity"]["identityProvider"] == GOOGLE
    assert event["userIdentity"]["principalId"] == (
        "accounts.google.com:123456789012-abc.apps.googleusercontent.com:110169484474386276334")
