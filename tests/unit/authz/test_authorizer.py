"""Rules of authorizer.py that hold whatever the policies say: what temporary credentials of each
kind may call ("Comparing the AWS STS API operations"), and the actions a call implies."""

from datetime import UTC, datetime

import pytest

from iamd.auth.caller import Caller
from iamd.auth.session_claims import ASSUMED_ROLE, FEDERATED_USER, SESSION_TOKEN, SessionClaims
from iamd.authz.authorizer import _actions_of, _temporary_credential_limits
from iamd.authz.policy_sets import _with_session_tags
from iamd.errors import AccessDenied, InvalidClientTokenId

A = "123456789012"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _caller(kind: str | None, mfa: bool = False) -> Caller:
    if kind is None:
        return Caller(A, f"arn:aws:iam::{A}:user/bob", "AIDAEXAMPLE", "user", "AKIAEXAMPLE", "bob")
    arn = f"arn:aws:sts::{A}:federated-user/fed" if kind == FEDERATED_USER else f"arn:aws:iam::{A}:user/bob"
    claims = SessionClaims(
        kind=kind, account_id=A, access_key_id="ASIAEXAMPLE", secret_access_key="s", issued_at=NOW,
        expires_at=NOW, arn=arn, principal_id="p", source_arn=f"arn:aws:iam::{A}:user/bob", source_id="AIDAEXAMPLE",
        mfa_authenticated=mfa,
    )  # fmt: skip
    return Caller(A, arn, "p", kind if kind != SESSION_TOKEN else "user", "ASIAEXAMPLE", session=claims)


LIMITS = [
    # credentials, mfa, action, expected error (None: the policies decide)
    (FEDERATED_USER, False, "iam:CreateUser", InvalidClientTokenId),
    (FEDERATED_USER, True, "iam:ListUsers", InvalidClientTokenId),  # MFA does not help a federated user
    (FEDERATED_USER, False, "sts:GetAccessKeyInfo", AccessDenied),
    (FEDERATED_USER, False, "sts:DecodeAuthorizationMessage", AccessDenied),
    (FEDERATED_USER, False, "sts:AssumeRole", AccessDenied),
    (FEDERATED_USER, False, "sts:GetFederationToken", AccessDenied),
    (FEDERATED_USER, False, "sts:GetCallerIdentity", None),
    (FEDERATED_USER, False, "cloudtrail:LookupEvents", None),
    (SESSION_TOKEN, False, "iam:ListUsers", InvalidClientTokenId),
    (SESSION_TOKEN, True, "iam:ListUsers", None),
    (SESSION_TOKEN, True, "sts:GetAccessKeyInfo", AccessDenied),
    (SESSION_TOKEN, False, "sts:GetFederationToken", AccessDenied),
    (SESSION_TOKEN, False, "sts:AssumeRole", None),
    (ASSUMED_ROLE, False, "iam:ListUsers", None),
    (ASSUMED_ROLE, False, "sts:GetAccessKeyInfo", None),
    (None, False, "iam:ListUsers", None),
]


@pytest.mark.parametrize(("kind", "mfa", "action", "expected"), LIMITS)
def test_temporary_credential_limits(kind, mfa, action, expected):
    caller = _caller(kind, mfa)
    if expected is None:
        _temporary_credential_limits(caller, action)
        return
    with pytest.raises(expected) as raised:
        _temporary_credential_limits(caller, action)
    if action == "sts:GetFederationToken":
        assert str(raised.value) == "Cannot call GetFederationToken with session credentials"
    elif expected is AccessDenied:
        assert str(raised.value).startswith(f"User: {caller.arn} is not authorized to perform: {action} because")


@pytest.mark.parametrize(
    ("action", "params", "implied"),
    [
        ("sts:GetFederationToken", {"Name": "f"}, ["sts:GetFederationToken"]),
        ("sts:GetFederationToken", {"Name": "f", "Tags": [{"Key": "k", "Value": "v"}]},
         ["sts:GetFederationToken", "sts:TagSession"]),
        ("sts:AssumeRole", {"Tags": [{"Key": "k", "Value": "v"}], "SourceIdentity": "x"},
         ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]),
        ("organizations:CreatePolicy", {"Name": "p", "Tags": [{"Key": "k", "Value": "v"}]},
         ["organizations:CreatePolicy", "organizations:TagResource"]),
        ("organizations:CreateOrganizationalUnit", {"Name": "ou", "Tags": []},
         ["organizations:CreateOrganizationalUnit"]),
        ("organizations:CreateAccount", {"AccountName": "a"}, ["organizations:CreateAccount"]),
    ],
)  # fmt: skip
def test_session_tags_imply_tag_session(action, params, implied):
    assert _actions_of(action, params) == implied


@pytest.mark.parametrize(
    ("entity", "session", "expected"),
    [
        ({"Team": "dev", "site": "lyon"}, [("team", "prod")], {"site": "lyon", "team": "prod"}),
        ({"team": "dev"}, [("TEAM", "prod")], {"TEAM": "prod"}),
        ({"team": "dev"}, [], {"team": "dev"}),
        ({}, [("a", "1"), ("b", "2")], {"a": "1", "b": "2"}),
    ],
)
def test_session_tags_override_entity_tags_regardless_of_case(entity, session, expected):
    assert _with_session_tags(entity, session) == expected


def test_task_policy_arn_is_a_context_key() -> None:
    """``sts:TaskPolicyArn`` is the ARN inside AssumeRoot's PolicyDescriptorType."""
    from iamd.authz.context import RequestContext, _request_keys

    ctx = RequestContext()
    _request_keys(ctx, {"TaskPolicyArn": {"arn": "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"}})
    assert ctx.spellings()["sts:taskpolicyarn"] == "sts:TaskPolicyArn"
    assert "sts:taskpolicyarn" in ctx
