"""AssumeRoleWithSAML end to end: a test IdP signs, boto3 and the aws CLI call unsigned, the
credentials act as the role and only as the role."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore import UNSIGNED
from botocore.config import Config
from functional_helpers import as_creds, denied, doc, error
from saml_idp import AWS_SAML, SamlIdp

ACCOUNT = "123456789012"
PROVIDER = f"arn:aws:iam::{ACCOUNT}:saml-provider/TestIdP"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/saml-reader"


def trust(*conditions: dict[str, Any], actions: list[str] | None = None) -> str:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": {"Federated": PROVIDER},
                                 "Action": actions or ["sts:AssumeRoleWithSAML"]}
    if conditions:
        statement["Condition"] = {k: v for c in conditions for k, v in c.items()}
    return doc(statement)


AUD = {"StringEquals": {"SAML:aud": AWS_SAML}}


@pytest.fixture(scope="module")
def idp() -> SamlIdp:
    return SamlIdp()


@pytest.fixture
def setup(iam: Any, idp: SamlIdp) -> SamlIdp:
    iam.create_saml_provider(Name="TestIdP", SAMLMetadataDocument=idp.metadata())
    iam.create_role(RoleName="saml-reader", AssumeRolePolicyDocument=trust(AUD))
    iam.put_role_policy(RoleName="saml-reader", PolicyName="read",
                        PolicyDocument=doc({"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*"}))
    return idp


@pytest.fixture
def unsigned(server: Any) -> Any:
    return server.client("sts", config=Config(signature_version=UNSIGNED))


def assume(sts: Any, assertion: str, role: str = ROLE, provider: str = PROVIDER, **kw: Any) -> Any:
    return sts.assume_role_with_saml(RoleArn=role, PrincipalArn=provider, SAMLAssertion=assertion, **kw)


def test_credentials_act_as_the_role_only(setup: SamlIdp, unsigned: Any, server: Any) -> None:
    out = assume(unsigned, setup.response(ROLE, PROVIDER).b64())
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/saml-reader/alice"
    assert out["Subject"] == "alice@example.test"
    assert out["SubjectType"] == "persistent"
    assert out["Issuer"] == setup.entity_id
    assert out["Audience"] == AWS_SAML
    import base64
    import hashlib

    expected = base64.b64encode(hashlib.sha1(f"{setup.entity_id}{ACCOUNT}/TestIdP".encode()).digest()).decode()
    assert out["NameQualifier"] == expected
    creds = out["Credentials"]
    identity = as_creds(server, "sts", creds).get_caller_identity()
    assert identity["Arn"] == out["AssumedRoleUser"]["Arn"]
    role_iam = as_creds(server, "iam", creds)
    role_iam.list_roles()
    denied(role_iam.list_users)


def test_every_signing_form_is_accepted(setup: SamlIdp, unsigned: Any) -> None:
    for sign in ("assertion", "response", "both"):
        assume(unsigned, setup.response(ROLE, PROVIDER, sign=sign).b64())


def test_the_aws_cli(setup: SamlIdp, aws: Any) -> None:
    out = aws("sts", "assume-role-with-saml", "--role-arn", ROLE, "--principal-arn", PROVIDER,
              "--saml-assertion", setup.response(ROLE, PROVIDER).b64())
    creds = out["Credentials"]
    env = {"AWS_ACCESS_KEY_ID": creds["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
           "AWS_SESSION_TOKEN": creds["SessionToken"]}
    who = aws("sts", "get-caller-identity", env=env)
    assert who["Arn"].endswith(":assumed-role/saml-reader/alice")
    aws("iam", "list-roles", env=env)
    refused = aws.run("iam", "list-users", env=env, check=False)
    assert refused.returncode != 0 and "AccessDenied" in refused.stderr


def test_session_duration_and_tags(setup: SamlIdp, unsigned: Any, iam: Any, server: Any) -> None:
    iam.update_assume_role_policy(RoleName="saml-reader", PolicyDocument=trust(
        AUD, actions=["sts:AssumeRoleWithSAML", "sts:TagSession", "sts:SetSourceIdentity"]))
    attrs = {
        "https://aws.amazon.com/SAML/Attributes/SessionDuration": ["900"],
        "https://aws.amazon.com/SAML/Attributes/PrincipalTag:Project": ["Marketing"],
        "https://aws.amazon.com/SAML/Attributes/PrincipalTag:CostCenter": ["12345"],
        "https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys": ["Project"],
        "https://aws.amazon.com/SAML/Attributes/SourceIdentity": ["DiegoRamirez"],
    }
    out = assume(unsigned, setup.response(ROLE, PROVIDER, attributes=attrs).b64(), DurationSeconds=3600)
    from functional_helpers import seconds_left

    assert seconds_left(out["Credentials"]) <= 900
    assert out["SourceIdentity"] == "DiegoRamirez"
    assert "PackedPolicySize" in out


def test_tags_need_tag_session(setup: SamlIdp, unsigned: Any) -> None:
    attrs = {"https://aws.amazon.com/SAML/Attributes/PrincipalTag:Project": ["x"]}
    err = error(assume, sts=unsigned, assertion=setup.response(ROLE, PROVIDER, attributes=attrs).b64())
    assert (err["Code"], err["Message"]) == ("AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML")


@pytest.mark.parametrize(
    ("condition", "allowed"),
    [
        ({"StringEquals": {"SAML:aud": AWS_SAML}}, True),
        ({"StringEquals": {"SAML:aud": "https://other.example/saml"}}, False),
        ({"StringLike": {"SAML:sub": "*@example.test"}}, True),
        ({"StringLike": {"SAML:sub": "*@corp.test"}}, False),
        ({"StringEquals": {"SAML:sub_type": "persistent"}}, True),
        ({"StringEquals": {"SAML:sub_type": "transient"}}, False),
        ({"StringEquals": {"SAML:iss": "https://idp.example.test/saml"}}, True),
        ({"StringEquals": {"SAML:doc": f"{ACCOUNT}/TestIdP"}}, True),
        ({"ForAnyValue:StringEquals": {"SAML:edupersonaffiliation": "staff"}}, True),
        ({"ForAnyValue:StringEquals": {"SAML:edupersonaffiliation": "faculty"}}, False),
        ({"StringEquals": {"sts:RoleSessionName": "alice"}}, True),
        ({"StringEquals": {"sts:RoleSessionName": "bob"}}, False),
    ],
)
def test_condition_key_matrix(setup: SamlIdp, unsigned: Any, iam: Any, condition: dict[str, Any],
                              allowed: bool) -> None:
    iam.update_assume_role_policy(RoleName="saml-reader", PolicyDocument=trust(condition))
    attrs = {"urn:oid:1.3.6.1.4.1.5923.1.1.1.1": ["member", "staff"]}
    assertion = setup.response(ROLE, PROVIDER, attributes=attrs).b64()
    if allowed:
        assume(unsigned, assertion)
    else:
        err = error(assume, sts=unsigned, assertion=assertion)
        assert err["Code"] == "AccessDenied", err


def test_namequalifier_condition(setup: SamlIdp, unsigned: Any, iam: Any) -> None:
    import base64
    import hashlib

    qualifier = base64.b64encode(hashlib.sha1(f"{setup.entity_id}{ACCOUNT}/TestIdP".encode()).digest()).decode()
    iam.update_assume_role_policy(RoleName="saml-reader",
                                  PolicyDocument=trust({"StringEquals": {"SAML:namequalifier": qualifier}}))
    assume(unsigned, setup.response(ROLE, PROVIDER).b64())


def test_the_trail_records_a_saml_user(setup: SamlIdp, unsigned: Any, server: Any) -> None:
    assume(unsigned, setup.response(ROLE, PROVIDER).b64())
    trail = server.client("cloudtrail")
    from functional_helpers import poll

    def found() -> Any:
        events = trail.lookup_events(LookupAttributes=[{"AttributeKey": "EventName",
                                                        "AttributeValue": "AssumeRoleWithSAML"}])["Events"]
        return events or None

    event = json.loads(poll(found)[0]["CloudTrailEvent"])
    assert event["userIdentity"]["type"] == "SAMLUser"
    assert event["userIdentity"]["userName"] == "alice@example.test"
    assert event["requestParameters"]["sAMLAssertion"] == "HIDDEN_DUE_TO_SECURITY_REASONS"
    assert "SecretAccessKey" not in json.dumps(event) or "HIDDEN" in json.dumps(event)


def test_session_policy_and_duration_limits(setup: SamlIdp, unsigned: Any, server: Any) -> None:
    narrow = doc({"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"})
    out = assume(unsigned, setup.response(ROLE, PROVIDER).b64(), Policy=narrow)
    assert "PackedPolicySize" in out
    denied(as_creds(server, "iam", out["Credentials"]).list_roles)
    err = error(assume, sts=unsigned, assertion=setup.response(ROLE, PROVIDER).b64(), DurationSeconds=7200)
    assert (err["Code"], err["Message"]) == (
        "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
    err = error(assume, sts=unsigned, assertion=setup.response(ROLE, PROVIDER).b64(), Policy="{not json")
    assert err["Code"] == "MalformedPolicyDocument"


def test_a_signed_call_is_also_accepted(setup: SamlIdp, sts: Any) -> None:
    """SDKs with credentials configured may sign the call anyway; the assertion still decides."""
    out = assume(sts, setup.response(ROLE, PROVIDER).b64())
    assert out["AssumedRoleUser"]["Arn"].endswith("/alice")


def test_deleting_the_provider_stops_sign_ins(setup: SamlIdp, unsigned: Any, iam: Any) -> None:
    iam.delete_saml_provider(SAMLProviderArn=PROVIDER)
    err = error(assume, sts=unsigned, assertion=setup.response(ROLE, PROVIDER).b64())
    assert (err["Code"], err["Message"]) == ("InvalidIdentityToken", "Specified provider doesn't exist.")


def test_expired_metadata_stops_sign_ins(idp: SamlIdp, unsigned: Any, iam: Any) -> None:
    from datetime import UTC, datetime, timedelta

    iam.create_saml_provider(Name="TestIdP", SAMLMetadataDocument=idp.metadata(
        valid_until=datetime.now(UTC) - timedelta(days=1)))
    iam.create_role(RoleName="saml-reader", AssumeRolePolicyDocument=trust(AUD))
    err = error(assume, sts=unsigned, assertion=idp.response(ROLE, PROVIDER).b64())
    assert err["Code"] == "InvalidIdentityToken" and "validUntil" in err["Message"]


def test_the_session_carries_saml_sub_into_permission_policies(setup: SamlIdp, unsigned: Any, iam: Any,
                                                                server: Any) -> None:
    """``${saml:sub}`` in the role's permission policy is the assertion's NameID."""
    for name in ("alice", "bob"):
        iam.create_user(UserName=name)
    iam.put_role_policy(RoleName="saml-reader", PolicyName="self", PolicyDocument=doc(
        {"Effect": "Allow", "Action": "iam:GetUser", "Resource": f"arn:aws:iam::{ACCOUNT}:user/${{saml:sub}}",
         "Condition": {"StringEquals": {"saml:sub_type": "persistent"}}}))
    out = assume(unsigned, setup.response(ROLE, PROVIDER, name_id="alice").b64())
    role_iam = as_creds(server, "iam", out["Credentials"])
    role_iam.get_user(UserName="alice")
    denied(role_iam.get_user, UserName="bob")
