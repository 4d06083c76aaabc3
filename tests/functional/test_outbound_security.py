"""Outbound web identity federation under attack: no credentials, a low-privilege user, a role
session, another account — and the audit trail of every call."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from functional_helpers import OTHER_ACCOUNT, allow, as_creds, denied, error, new_user
from outbound_helpers import fetch, role_session, verify

from iamd.testing import IamdServer

IAM_OPS = ("enable_outbound_web_identity_federation", "get_outbound_web_identity_federation_info",
           "disable_outbound_web_identity_federation")
TOKEN = {"Audience": ["https://api.example.com"], "SigningAlgorithm": "RS256"}


def test_unsigned_calls_are_refused(server: IamdServer, iam: Any) -> None:
    iam.enable_outbound_web_identity_federation()
    config = Config(signature_version=UNSIGNED)
    for op in IAM_OPS:
        assert error(getattr(server.client("iam", config=config), op))["Code"] == "MissingAuthenticationToken"
    err = error(server.client("sts", config=config).get_web_identity_token, **TOKEN)
    assert err["Code"] == "MissingAuthenticationToken"
    assert iam.get_outbound_web_identity_federation_info()["JwtVendingEnabled"] is True


def test_a_low_privilege_user_and_a_role_session_need_the_actions(server: IamdServer, iam: Any) -> None:
    _, key = new_user(iam, "low", allow("sts:GetWebIdentityToken"))
    low = as_creds(server, "iam", key)
    for op in IAM_OPS:
        message = denied(getattr(low, op))
        assert "on resource: *" in message
    _, session = role_session(iam, server, "reader", allow("iam:Get*"))
    iam.enable_outbound_web_identity_federation()
    assert "sts:GetWebIdentityToken" in denied(session.get_web_identity_token, **TOKEN)
    # Explicit deny wins over an Allow of everything.
    _, key = new_user(iam, "denied", allow("*"), {"Effect": "Deny", "Action": "sts:GetWebIdentityToken",
                                                    "Resource": "*"})
    denied(as_creds(server, "sts", key).get_web_identity_token, **TOKEN)


def test_calls_are_in_the_audit_trail_without_the_token(server: IamdServer, iam: Any, sts: Any) -> None:
    iam.enable_outbound_web_identity_federation()
    token = sts.get_web_identity_token(**TOKEN)["WebIdentityToken"]
    iam.disable_outbound_web_identity_federation()
    ct = server.client("cloudtrail")
    wanted = {"EnableOutboundWebIdentityFederation", "GetWebIdentityToken", "DisableOutboundWebIdentityFederation"}
    for _ in range(50):
        events = ct.lookup_events(MaxResults=50)["Events"]
        names = {e["EventName"] for e in events}
        if wanted <= names:
            break
        time.sleep(0.1)
    assert wanted <= names
    mint = next(e for e in events if e["EventName"] == "GetWebIdentityToken")
    assert mint["EventSource"] == "sts.amazonaws.com"
    assert token not in mint["CloudTrailEvent"] and token.split(".")[2] not in mint["CloudTrailEvent"]


@pytest.fixture(scope="module")
def other(two_accounts: tuple[IamdServer, dict[str, str]]) -> tuple[IamdServer, Any, Any, dict[str, str]]:
    srv, root_key = two_accounts
    return srv, srv.client("iam"), as_creds(srv, "iam", root_key), root_key


def test_another_accounts_issuer_does_not_verify_this_accounts_tokens(other: tuple[Any, ...]) -> None:
    srv, iam, other_iam, _ = other
    mine = iam.enable_outbound_web_identity_federation()["IssuerIdentifier"]
    theirs = other_iam.enable_outbound_web_identity_federation()["IssuerIdentifier"]
    try:
        assert mine != theirs
        token = srv.client("sts").get_web_identity_token(**TOKEN)["WebIdentityToken"]
        claims = verify(token, mine, TOKEN["Audience"][0])
        assert claims["https://sts.amazonaws.com/"]["aws_account"] == srv.account_id
        # An external service trusting the other account's issuer finds no key of this kid...
        client = jwt.PyJWKClient(f"{theirs}/.well-known/jwks.json", cache_keys=False, cache_jwk_set=False)
        with pytest.raises(jwt.PyJWKClientError):
            client.get_signing_key_from_jwt(token)
        # ...and no key of theirs verifies it, nor does the issuer check pass.
        for key in fetch(f"{theirs}/.well-known/jwks.json")[1]["keys"]:
            if key["alg"] == "RS256":
                with pytest.raises(jwt.InvalidSignatureError):
                    jwt.decode(token, jwt.PyJWK(key).key, algorithms=["RS256"], audience=TOKEN["Audience"][0])
        with pytest.raises(jwt.PyJWTError):
            verify(token, theirs, TOKEN["Audience"][0])
        # The other account's switch is its own: disabling it leaves this account's on.
        other_iam.disable_outbound_web_identity_federation()
        assert iam.get_outbound_web_identity_federation_info()["JwtVendingEnabled"] is True
        # A principal of the other account cannot reach this account's switch.
        assert other_iam.get_outbound_web_identity_federation_info()["IssuerIdentifier"] == theirs
    finally:
        for client in (iam, other_iam):
            try:
                client.disable_outbound_web_identity_federation()
            except client.exceptions.ClientError:
                pass


def test_other_account_principals_mint_for_their_own_account(other: tuple[Any, ...]) -> None:
    srv, _, other_iam, root_key = other
    other_iam.enable_outbound_web_identity_federation()
    try:
        # Root of the other account, calling STS: its own account in every claim.
        token = as_creds(srv, "sts", root_key).get_web_identity_token(**TOKEN)["WebIdentityToken"]
        claims = jwt.decode(token, options={"verify_signature": False})
        assert claims["sub"] == f"arn:aws:iam::{OTHER_ACCOUNT}:root"
        assert claims["https://sts.amazonaws.com/"]["aws_account"] == OTHER_ACCOUNT
        # The first account never enabled it: its principals are refused.
        assert error(srv.client("sts").get_web_identity_token, **TOKEN)["Code"] == (
            "OutboundWebIdentityFederationDisabledException"
        )
    finally:
        other_iam.disable_outbound_web_identity_federation()
