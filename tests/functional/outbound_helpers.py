"""What the outbound federation tests share: an external service's verification of a token, and a
role session to call with."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import jwt
from functional_helpers import allow, as_creds, doc, new_user

from iamd.testing import IamdServer

NS = "https://sts.amazonaws.com/"


def fetch(url: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:  # noqa: S310 - the test server
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def verify(token: str, issuer: str, audience: str | list[str]) -> dict[str, Any]:
    """What an external service does: discovery → jwks_uri → the key of the token's kid."""
    status, discovery = fetch(f"{issuer}/.well-known/openid-configuration")
    assert status == 200 and discovery["issuer"] == issuer
    client = jwt.PyJWKClient(discovery["jwks_uri"], cache_keys=False, cache_jwk_set=False)
    key = client.get_signing_key_from_jwt(token)
    return jwt.decode(
        token, key.key, algorithms=discovery["id_token_signing_alg_values_supported"],
        audience=audience, issuer=issuer, options={"require": ["iss", "aud", "sub", "exp", "iat", "jti"]},
    )


def role_session_creds(iam: Any, server: IamdServer, name: str, *statements: dict[str, Any],
                       **assume: Any) -> tuple[str, dict[str, Any]]:
    """A new role ``name`` with ``statements``, assumed by a user: its ARN and the credentials."""
    _, key = new_user(iam, f"{name}-assumer", allow("sts:AssumeRole"))
    trust = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{server.account_id}:root"},
                 "Action": "sts:AssumeRole"})
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]
    iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=doc(*statements))
    creds = as_creds(server, "sts", key).assume_role(RoleArn=role["Arn"], RoleSessionName="job", **assume)
    return role["Arn"], creds["Credentials"]


def role_session(iam: Any, server: IamdServer, name: str, *statements: dict[str, Any], **assume: Any) -> Any:
    """An STS client acting as a session of a new role (``role_session_creds``), and the role's ARN."""
    arn, creds = role_session_creds(iam, server, name, *statements, **assume)
    return arn, as_creds(server, "sts", creds)
