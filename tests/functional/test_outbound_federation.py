"""Outbound web identity federation, black-box: boto3 enables it, gets a token, and the test
verifies the token as an external service would — discovery document and JWKS fetched over HTTP
from the issuer URL, signature and claims checked with PyJWT."""

from __future__ import annotations

import base64
import json
from typing import Any

import jwt
import pytest
from botocore.config import Config
from cryptography.hazmat.primitives.asymmetric import rsa
from functional_helpers import allow, as_creds, error, new_user
from outbound_helpers import NS, fetch, role_session, verify

from iamd.testing import IamdServer


def enable(iam: Any) -> str:
    return str(iam.enable_outbound_web_identity_federation()["IssuerIdentifier"])


def test_enable_disable_info_as_aws_documents(iam: Any, server: IamdServer) -> None:
    assert error(iam.get_outbound_web_identity_federation_info)["Code"] == "FeatureDisabled"
    assert error(iam.disable_outbound_web_identity_federation)["Code"] == "FeatureDisabled"
    issuer = enable(iam)
    assert issuer.startswith(server.endpoint + "/_iamd/outbound/")
    err = error(iam.enable_outbound_web_identity_federation)
    assert (err["Code"], err["HTTPStatus"]) == ("FeatureEnabled", 409)
    info = iam.get_outbound_web_identity_federation_info()
    assert (info["IssuerIdentifier"], info["JwtVendingEnabled"]) == (issuer, True)
    iam.disable_outbound_web_identity_federation()
    err = error(iam.disable_outbound_web_identity_federation)
    assert (err["Code"], err["HTTPStatus"]) == ("FeatureDisabled", 404)
    info = iam.get_outbound_web_identity_federation_info()
    assert (info["IssuerIdentifier"], info["JwtVendingEnabled"]) == (issuer, False)
    assert enable(iam) == issuer  # the same issuer again: external trust survives


@pytest.mark.parametrize("algorithm", ["RS256", "ES384"])
def test_a_token_verifies_with_the_published_keys(iam: Any, server: IamdServer, algorithm: str) -> None:
    issuer = enable(iam)
    arn, key = new_user(iam, "alice", allow("sts:GetWebIdentityToken"))
    iam.tag_user(UserName="alice", Tags=[{"Key": "team", "Value": "data"}])
    out = as_creds(server, "sts", key).get_web_identity_token(
        Audience=["https://api.example.com"], SigningAlgorithm=algorithm, DurationSeconds=900
    )
    token = out["WebIdentityToken"]
    assert jwt.get_unverified_header(token)["alg"] == algorithm
    claims = verify(token, issuer, "https://api.example.com")
    assert claims["sub"] == arn
    assert claims["aud"] == "https://api.example.com"
    assert claims["exp"] - claims["iat"] == 900
    assert claims["exp"] == int(out["Expiration"].timestamp())
    assert claims[NS]["aws_account"] == server.account_id
    assert claims[NS]["principal_id"] == arn
    assert claims[NS]["principal_tags"] == {"team": "data"}
    assert "request_tags" not in claims[NS]


def test_role_session_audiences_and_request_tags(iam: Any, sts: Any, server: IamdServer) -> None:
    issuer = enable(iam)
    role_arn, session = role_session(iam, server, "worker",
                                     allow(["sts:GetWebIdentityToken", "sts:TagGetWebIdentityToken"]))
    iam.tag_role(RoleName="worker", Tags=[{"Key": "env", "Value": "prod"}])
    token = session.get_web_identity_token(
        Audience=["a", "b"], SigningAlgorithm="ES384", Tags=[{"Key": "job-id", "Value": "42"}]
    )["WebIdentityToken"]
    claims = verify(token, issuer, "b")
    assert claims["aud"] == ["a", "b"]
    assert claims["sub"] == role_arn == claims[NS]["principal_id"]
    assert claims[NS]["principal_tags"] == {"env": "prod"}
    assert claims[NS]["request_tags"] == {"job-id": "42"}
    assert claims["exp"] - claims["iat"] == 300  # AWS's default


def test_refused_while_disabled_and_without_permission(iam: Any, server: IamdServer) -> None:
    _, key = new_user(iam, "bob", allow("sts:GetWebIdentityToken"))
    bob = as_creds(server, "sts", key)
    err = error(bob.get_web_identity_token, Audience=["x"], SigningAlgorithm="RS256")
    assert (err["Code"], err["HTTPStatus"]) == ("OutboundWebIdentityFederationDisabledException", 403)
    enable(iam)
    bob.get_web_identity_token(Audience=["x"], SigningAlgorithm="RS256")
    iam.disable_outbound_web_identity_federation()
    assert error(bob.get_web_identity_token, Audience=["x"], SigningAlgorithm="RS256")["Code"] == (
        "OutboundWebIdentityFederationDisabledException"
    )
    _, key = new_user(iam, "carol", allow("sts:GetCallerIdentity"))
    iam.enable_outbound_web_identity_federation()
    err = error(as_creds(server, "sts", key).get_web_identity_token, Audience=["x"], SigningAlgorithm="RS256")
    assert err["Code"] == "AccessDenied" and "sts:GetWebIdentityToken" in err["Message"]


def test_tags_need_their_own_action_and_conditions_apply(iam: Any, server: IamdServer) -> None:
    enable(iam)
    only_api = allow("sts:GetWebIdentityToken", **{"ForAllValues:StringEquals": {"sts:IdentityTokenAudience": "api"},
                                                    "NumericLessThanEquals": {"sts:DurationSeconds": 300}})
    _, key = new_user(iam, "dave", only_api)
    dave = as_creds(server, "sts", key)
    dave.get_web_identity_token(Audience=["api"], SigningAlgorithm="RS256", DurationSeconds=300)
    for bad in ({"Audience": ["api", "other"]}, {"Audience": ["api"], "DurationSeconds": 600},
                {"Audience": ["api"], "Tags": [{"Key": "k", "Value": "v"}]}):
        err = error(dave.get_web_identity_token, SigningAlgorithm="RS256", **{"DurationSeconds": 300, **bad})
        assert err["Code"] == "AccessDenied", bad
    assert "sts:TagGetWebIdentityToken" in error(
        dave.get_web_identity_token, SigningAlgorithm="RS256", Audience=["api"], DurationSeconds=300,
        Tags=[{"Key": "k", "Value": "v"}],
    )["Message"]


@pytest.mark.parametrize(
    "params",
    [
        {"Audience": ["x"], "SigningAlgorithm": "HS256"},
        {"Audience": ["x"], "SigningAlgorithm": "RS256", "SubjectMode": "OriginIdentity"},
        {"Audience": ["x"], "SigningAlgorithm": "RS256", "Scope": "read"},
        {"Audience": ["x"], "SigningAlgorithm": "RS256", "DurationSeconds": 59},
        {"Audience": ["x"], "SigningAlgorithm": "RS256", "DurationSeconds": 3601},
        {"Audience": [], "SigningAlgorithm": "RS256"},
        {"Audience": ["x"] * 11, "SigningAlgorithm": "RS256"},
        {"Audience": ["x" * 1001], "SigningAlgorithm": "RS256"},
        {"Audience": ["x"], "SigningAlgorithm": "RS256", "Tags": [{"Key": "k", "Value": "1"}, {"Key": "K", "Value": "2"}]},
        {"Audience": ["x"], "SigningAlgorithm": "RS256", "Tags": [{"Key": f"k{i}", "Value": "v"} for i in range(51)]},
    ],
    ids=["alg", "origin", "scope", "short", "long", "no-aud", "11-aud", "long-aud", "dup-tag", "51-tags"],
)
def test_bad_input_is_a_validation_error(iam: Any, server: IamdServer, params: dict[str, Any]) -> None:
    enable(iam)
    sts = server.client("sts", config=Config(parameter_validation=False))  # the server's checks, not boto3's
    err = error(sts.get_web_identity_token, **params)
    assert (err["Code"], err["HTTPStatus"]) == ("ValidationError", 400), err


def test_a_session_cannot_mint_a_token_that_outlives_it(iam: Any, sts: Any, server: IamdServer) -> None:
    enable(iam)
    _, session = role_session(iam, server, "short", allow("sts:GetWebIdentityToken"), DurationSeconds=900)
    session.get_web_identity_token(Audience=["x"], SigningAlgorithm="RS256", DurationSeconds=600)
    err = error(session.get_web_identity_token, Audience=["x"], SigningAlgorithm="RS256", DurationSeconds=1200)
    assert (err["Code"], err["HTTPStatus"]) == ("SessionDurationEscalationException", 403)


def _tamper(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "arn:aws:iam::123456789012:user/admin"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def test_forged_and_tampered_tokens_fail(iam: Any, sts: Any) -> None:
    issuer = enable(iam)
    token = sts.get_web_identity_token(Audience=["x"], SigningAlgorithm="RS256")["WebIdentityToken"]
    verify(token, issuer, "x")
    with pytest.raises(jwt.InvalidSignatureError):
        verify(_tamper(token), issuer, "x")
    with pytest.raises(jwt.InvalidAudienceError):
        verify(token, issuer, "y")
    claims = jwt.decode(token, options={"verify_signature": False})
    kid = {"kid": jwt.get_unverified_header(token)["kid"]}
    # Unsigned (alg none), or signed by an attacker's own key under the real key's kid: refused.
    unsigned = jwt.encode(claims, None, algorithm="none", headers=kid)
    with pytest.raises(jwt.PyJWTError):
        verify(unsigned, issuer, "x")
    attacker = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(jwt.InvalidSignatureError):
        verify(jwt.encode(claims, attacker, algorithm="RS256", headers=kid), issuer, "x")
    _, jwks = fetch(f"{issuer}/.well-known/jwks.json")
    assert all("d" not in k and "p" not in k for k in jwks["keys"])  # public halves only


def test_discovery_endpoints_are_public_and_reveal_nothing_else(iam: Any, server: IamdServer) -> None:
    issuer = enable(iam)
    status, jwks = fetch(f"{issuer}/.well-known/jwks.json")
    assert status == 200 and sorted(k["alg"] for k in jwks["keys"]) == ["ES384", "RS256"]
    base = server.endpoint + "/_iamd/outbound/"
    for path in ("00000000-0000-4000-8000-000000000000/.well-known/jwks.json", "x/.well-known/jwks.json",
                 issuer.rsplit("/", 1)[1] + "/.well-known/other", "../reset/.well-known/jwks.json"):
        assert fetch(base + path)[0] == 404, path
    iam.disable_outbound_web_identity_federation()
    assert fetch(f"{issuer}/.well-known/jwks.json")[1] == jwks  # earlier tokens still verify


def test_the_aws_cli_as_the_user_guide_shows(aws: Any, server: IamdServer) -> None:
    """"Getting started with outbound identity federation": enable, then request a token."""
    issuer = aws("iam", "enable-outbound-web-identity-federation")["IssuerIdentifier"]
    assert aws("iam", "get-outbound-web-identity-federation-info")["JwtVendingEnabled"] is True
    # (aws CLI v1 would fetch an https:// parameter value as a URL: a plain audience here.)
    out = aws("sts", "get-web-identity-token", "--audience", "my-service",
              "--signing-algorithm", "ES384", "--duration-seconds", "300")
    claims = verify(out["WebIdentityToken"], issuer, "my-service")
    assert claims["sub"] == f"arn:aws:iam::{server.account_id}:root"
    aws("iam", "disable-outbound-web-identity-federation")
