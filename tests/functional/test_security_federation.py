"""Security: what GetFederationToken and GetSessionToken credentials may do.

- Passing session tags needs ``sts:TagSession`` ("In addition to the action that matches the API
  operation, you must have the following permissions-only action in your policy: sts:TagSession",
  IAM User Guide, "Passing session tags in AWS STS"); for GetFederationToken it is authorized on
  the user being federated (the SAR's ``user`` resource type of sts:TagSession).
- Once allowed, "session tags override a user tag with the same key", case-insensitively
  (GetFederationToken's ``Tags`` documentation): one value per key reaches ``aws:PrincipalTag``.
- Federated-user credentials "cannot call any IAM operations using the CLI or the Amazon Web
  Services API" and no STS operation but GetCallerIdentity; GetSessionToken credentials cannot
  call IAM without MFA, and of STS only AssumeRole and GetCallerIdentity. IAM refuses such a
  token as invalid (``InvalidClientTokenId``, as AWS answers GetSessionToken credentials without
  MFA); STS answers AccessDenied.
"""

from __future__ import annotations

from typing import Any

import pytest
from functional_helpers import allow, as_creds, denied, doc, error, new_user

from iamd.testing import IamdServer

EVERYTHING = doc(allow("*"))


def _broker(iam: Any, *statements: dict[str, Any], tags: list[dict[str, str]] | None = None) -> tuple[str, Any]:
    arn = iam.create_user(UserName="broker", Tags=tags or [])["User"]["Arn"]
    iam.put_user_policy(UserName="broker", PolicyName="p", PolicyDocument=doc(*statements))
    return arn, iam.create_access_key(UserName="broker")["AccessKey"]


def test_session_tags_need_tag_session(server: IamdServer, iam: Any) -> None:
    arn, key = _broker(iam, allow("sts:GetFederationToken"))
    sts = as_creds(server, "sts", key)
    sts.get_federation_token(Name="fed", Policy=EVERYTHING)  # no tags: no sts:TagSession needed
    message = denied(sts.get_federation_token, Name="fed", Policy=EVERYTHING, Tags=[{"Key": "team", "Value": "prod"}])
    assert message.startswith(
        f"User: {arn} is not authorized to perform: sts:TagSession on resource: {arn} "
        "because no identity-based policy allows the sts:TagSession action"
    )


def test_tag_session_conditions_limit_the_tags(server: IamdServer, iam: Any) -> None:
    """ABAC: the broker may pass only team=dev (aws:RequestTag) and no other key (aws:TagKeys)."""
    _, key = _broker(
        iam,
        allow("sts:GetFederationToken"),
        allow("sts:TagSession", StringEquals={"aws:RequestTag/team": "dev"},
              **{"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}),
    )  # fmt: skip
    sts = as_creds(server, "sts", key)
    sts.get_federation_token(Name="fed", Policy=EVERYTHING, Tags=[{"Key": "team", "Value": "dev"}])
    denied(sts.get_federation_token, Name="fed", Policy=EVERYTHING, Tags=[{"Key": "team", "Value": "prod"}])
    denied(
        sts.get_federation_token, Name="fed", Policy=EVERYTHING,
        Tags=[{"Key": "team", "Value": "dev"}, {"Key": "admin", "Value": "yes"}],
    )  # fmt: skip


def test_an_abac_guard_on_principal_tags_cannot_be_bypassed(server: IamdServer, iam: Any) -> None:
    """The review's attack: a broker tagged team=dev federates with ``Tags team=prod`` to pass a
    guard on ``aws:PrincipalTag/team``. Without sts:TagSession the call is refused."""
    prod_only = {"aws:PrincipalTag/team": "prod"}
    _, key = _broker(
        iam,
        allow("sts:GetFederationToken"),
        allow("cloudtrail:LookupEvents", StringEquals=prod_only),
        tags=[{"Key": "team", "Value": "dev"}],
    )
    sts = as_creds(server, "sts", key)
    denied(sts.get_federation_token, Name="fed", Policy=EVERYTHING, Tags=[{"Key": "team", "Value": "prod"}])
    fed = sts.get_federation_token(Name="fed", Policy=EVERYTHING)["Credentials"]
    denied(as_creds(server, "cloudtrail", fed).lookup_events, MaxResults=1)


@pytest.mark.parametrize(
    ("session_tag", "allowed"),
    [({"Key": "team", "Value": "prod"}, True), ({"Key": "TEAM", "Value": "prod"}, True),
     ({"Key": "team", "Value": "dev"}, False)],
)  # fmt: skip
def test_allowed_session_tags_override_the_users_case_insensitively(
    server: IamdServer, iam: Any, session_tag: dict[str, str], allowed: bool
) -> None:
    """With sts:TagSession allowed, AWS's rule applies: the session tag replaces the user's tag of
    the same key in any case (``Team=dev`` is gone, not a second value), the user's other tags stay."""
    guard = {"aws:PrincipalTag/team": "prod", "aws:PrincipalTag/site": "lyon"}
    _, key = _broker(
        iam,
        allow(["sts:GetFederationToken", "sts:TagSession"]),
        allow("cloudtrail:LookupEvents", StringEquals=guard),
        tags=[{"Key": "Team", "Value": "dev"}, {"Key": "site", "Value": "lyon"}],
    )
    fed = as_creds(server, "sts", key).get_federation_token(Name="fed", Policy=EVERYTHING, Tags=[session_tag])
    trail = as_creds(server, "cloudtrail", fed["Credentials"])
    if allowed:
        trail.lookup_events(MaxResults=1)
    else:
        denied(trail.lookup_events, MaxResults=1)


@pytest.mark.parametrize(
    ("service", "operation", "kwargs"),
    [
        ("iam", "create_user", {"UserName": "mallory"}),
        ("iam", "list_users", {}),
        ("iam", "get_user", {}),
        ("sts", "get_access_key_info", {"AccessKeyId": "AKIAIOSFODNN7EXAMPLE"}),
        ("sts", "decode_authorization_message", {"EncodedMessage": "x" * 20}),
        ("sts", "assume_role", {"RoleArn": "arn:aws:iam::123456789012:role/r", "RoleSessionName": "s1"}),
    ],
)
@pytest.mark.parametrize("issuer", ["user", "root"])
def test_federated_users_call_no_iam_and_only_get_caller_identity(
    server: IamdServer, iam: Any, service: str, operation: str, kwargs: dict[str, Any], issuer: str
) -> None:
    if issuer == "user":
        _, key = new_user(iam, "broker", allow("*"))
        sts = as_creds(server, "sts", key)
    else:
        sts = server.client("sts")
    fed = sts.get_federation_token(Name="fed", Policy=EVERYTHING)["Credentials"]
    client = as_creds(server, service, fed)
    err = error(getattr(client, operation), **kwargs)
    if service == "iam":
        assert (err["Code"], err["HTTPStatus"]) == ("InvalidClientTokenId", 403), err
        assert err["Message"] == "The security token included in the request is invalid."
    else:
        assert (err["Code"], err["HTTPStatus"]) == ("AccessDenied", 403), err
        assert "is not authorized to perform: sts:" in err["Message"]
    assert as_creds(server, "sts", fed).get_caller_identity()["Arn"].endswith(":federated-user/fed")
    if issuer == "user":
        iam.get_user(UserName="broker")  # nothing was created
        assert [u["UserName"] for u in iam.list_users()["Users"]] == ["broker"]


def test_session_token_credentials_without_mfa_are_refused_by_iam_alike(server: IamdServer, iam: Any) -> None:
    """GetSessionToken credentials without MFA: IAM answers as it does for federated users."""
    _, key = new_user(iam, "bob", allow("*"))
    creds = as_creds(server, "sts", key).get_session_token()["Credentials"]
    err = error(as_creds(server, "iam", creds).create_user, UserName="mallory")
    assert (err["Code"], err["HTTPStatus"]) == ("InvalidClientTokenId", 403), err
    assert "mallory" not in [u["UserName"] for u in iam.list_users()["Users"]]
