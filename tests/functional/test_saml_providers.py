"""SAML providers through boto3 and the aws CLI: every operation, its errors, tags, keys."""

from __future__ import annotations

import datetime as dt
from datetime import UTC, datetime
from typing import Any

import pytest
from functional_helpers import allow, denied, error, new_user
from saml_idp import SamlIdp, certificate, pem_key, rsa_key

ACCOUNT = "123456789012"


@pytest.fixture(scope="module")
def idp() -> SamlIdp:
    return SamlIdp()


def arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:saml-provider/{name}"


def test_create_get_list_delete(iam: Any, idp: SamlIdp) -> None:
    out = iam.create_saml_provider(Name="Okta", SAMLMetadataDocument=idp.metadata(),
                                   Tags=[{"Key": "team", "Value": "sec"}])
    assert out["SAMLProviderArn"] == arn("Okta")
    assert out["Tags"] == [{"Key": "team", "Value": "sec"}]
    got = iam.get_saml_provider(SAMLProviderArn=arn("Okta"))
    assert got["SAMLMetadataDocument"] == idp.metadata()
    assert len(got["SAMLProviderUUID"]) >= 22 and got["SAMLProviderUUID"].isupper()
    assert got["SAMLKeyHashes"][0]["IssuerURL"] == idp.entity_id
    assert len(got["SAMLKeyHashes"][0]["KeyHashes"]) == 1
    assert got["PrivateKeyList"] == []
    assert got["ValidUntil"] > datetime.now(UTC) + dt.timedelta(days=365 * 99)
    assert got["Tags"] == [{"Key": "team", "Value": "sec"}]
    listed = iam.list_saml_providers()["SAMLProviderList"]
    assert [p["Arn"] for p in listed] == [arn("Okta")]
    assert listed[0]["IsTrustedIdentityPropagationEnabled"] is False
    iam.delete_saml_provider(SAMLProviderArn=arn("Okta"))
    assert iam.list_saml_providers()["SAMLProviderList"] == []
    assert error(iam.get_saml_provider, SAMLProviderArn=arn("Okta"))["Code"] == "NoSuchEntity"


def test_valid_until_comes_from_the_metadata(iam: Any, idp: SamlIdp) -> None:
    until = datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)
    iam.create_saml_provider(Name="p", SAMLMetadataDocument=idp.metadata(valid_until=until))
    assert iam.get_saml_provider(SAMLProviderArn=arn("p"))["ValidUntil"] == until


@pytest.mark.parametrize(
    "document",
    [
        "x" * 1000,  # not XML
        "<md:EntityDescriptor xmlns:md='urn:oasis:names:tc:SAML:2.0:metadata' entityID='e'/>" + " " * 1000,
        "<?xml version='1.0'?><!DOCTYPE r [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><r>&x;</r>" + " " * 1000,
    ],
    ids=["not-xml", "no-signing-certificate", "xxe"],
)
def test_metadata_that_is_not_saml_metadata_is_invalid_input(iam: Any, document: str) -> None:
    err = error(iam.create_saml_provider, Name="p", SAMLMetadataDocument=document)
    assert (err["Code"], err["Message"], err["HTTPStatus"]) == ("InvalidInput", "Could not parse metadata", 400)
    assert iam.list_saml_providers()["SAMLProviderList"] == []


def test_metadata_key_kinds(iam: Any) -> None:
    """1,024-bit RSA is AWS's minimum; a DSA key signs nothing SAML IdPs use."""
    from cryptography.hazmat.primitives.asymmetric import dsa

    small = SamlIdp(key=rsa_key(1024))
    iam.create_saml_provider(Name="ok1024", SAMLMetadataDocument=small.metadata())
    weak = certificate(dsa.generate_private_key(2048))  # type: ignore[arg-type]
    err = error(iam.create_saml_provider, Name="dsa", SAMLMetadataDocument=small.metadata(certs=[weak]))
    assert err["Message"] == "Could not parse metadata"


def test_model_limits_are_validation_errors(server: Any, idp: SamlIdp) -> None:
    from botocore.config import Config

    iam = server.client("iam", config=Config(parameter_validation=False))
    assert error(iam.create_saml_provider, Name="p", SAMLMetadataDocument="<a/>" * 10)["Code"] == "ValidationError"
    assert error(iam.create_saml_provider, Name="bad name", SAMLMetadataDocument=idp.metadata())["Code"] == (
        "ValidationError"
    )
    assert error(iam.create_saml_provider, Name="p", SAMLMetadataDocument=idp.metadata(),
                 AssertionEncryptionMode="Sometimes")["Code"] == "ValidationError"


def test_names_are_unique(iam: Any, idp: SamlIdp) -> None:
    iam.create_saml_provider(Name="Okta", SAMLMetadataDocument=idp.metadata())
    err = error(iam.create_saml_provider, Name="okta", SAMLMetadataDocument=idp.metadata())
    assert (err["Code"], err["HTTPStatus"]) == ("EntityAlreadyExists", 409)


def test_missing_and_malformed_arns(iam: Any, idp: SamlIdp) -> None:
    for op in (iam.get_saml_provider, iam.delete_saml_provider, iam.list_saml_provider_tags):
        assert error(op, SAMLProviderArn=arn("ghost"))["Code"] == "NoSuchEntity"
        assert error(op, SAMLProviderArn="arn:aws:iam::123456789012:role/x")["Code"] == "InvalidInput"
    assert error(iam.update_saml_provider, SAMLProviderArn=arn("ghost"),
                 SAMLMetadataDocument=idp.metadata())["Code"] == "NoSuchEntity"
    assert error(iam.tag_saml_provider, SAMLProviderArn=arn("ghost"), Tags=[{"Key": "a", "Value": "b"}])["Code"] == (
        "NoSuchEntity"
    )
    assert error(iam.untag_saml_provider, SAMLProviderArn=arn("ghost"), TagKeys=["a"])["Code"] == "NoSuchEntity"


def test_update_metadata_rotates_signing_certificates(iam: Any, idp: SamlIdp) -> None:
    iam.create_saml_provider(Name="p", SAMLMetadataDocument=idp.metadata())
    second = certificate(rsa_key())
    iam.update_saml_provider(SAMLProviderArn=arn("p"), SAMLMetadataDocument=idp.metadata(certs=[idp.cert, second]))
    got = iam.get_saml_provider(SAMLProviderArn=arn("p"))
    assert len(got["SAMLKeyHashes"][0]["KeyHashes"]) == 2
    err = error(iam.update_saml_provider, SAMLProviderArn=arn("p"), SAMLMetadataDocument="y" * 1000)
    assert err["Code"] == "InvalidInput"
    assert iam.get_saml_provider(SAMLProviderArn=arn("p"))["SAMLMetadataDocument"] == got["SAMLMetadataDocument"]
    assert error(iam.update_saml_provider, SAMLProviderArn=arn("p"))["Code"] == "InvalidInput"


def test_private_keys_are_listed_never_returned_at_most_two(iam: Any, idp: SamlIdp) -> None:
    keys = [pem_key(rsa_key()) for _ in range(3)]
    iam.create_saml_provider(Name="p", SAMLMetadataDocument=idp.metadata(), AddPrivateKey=keys[0],
                             AssertionEncryptionMode="Required")
    iam.update_saml_provider(SAMLProviderArn=arn("p"), AddPrivateKey=keys[1])
    got = iam.get_saml_provider(SAMLProviderArn=arn("p"))
    assert got["AssertionEncryptionMode"] == "Required"
    assert len(got["PrivateKeyList"]) == 2
    assert "PRIVATE KEY" not in str(got)
    err = error(iam.update_saml_provider, SAMLProviderArn=arn("p"), AddPrivateKey=keys[2])
    assert err["Code"] == "LimitExceeded"
    first, second = (k["KeyId"] for k in got["PrivateKeyList"])
    iam.update_saml_provider(SAMLProviderArn=arn("p"), RemovePrivateKey=first)
    # Required needs a key: the last one cannot go.
    assert error(iam.update_saml_provider, SAMLProviderArn=arn("p"), RemovePrivateKey=second)["Code"] == "InvalidInput"
    assert error(iam.update_saml_provider, SAMLProviderArn=arn("p"),
                 RemovePrivateKey="A" * 26)["Code"] == "InvalidInput"
    iam.update_saml_provider(SAMLProviderArn=arn("p"), AssertionEncryptionMode="Allowed", RemovePrivateKey=second)
    assert iam.get_saml_provider(SAMLProviderArn=arn("p"))["PrivateKeyList"] == []


def test_bad_private_keys_and_required_without_key(iam: Any, idp: SamlIdp) -> None:
    assert error(iam.create_saml_provider, Name="p", SAMLMetadataDocument=idp.metadata(),
                 AddPrivateKey="-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----")["Code"] == "InvalidInput"
    assert error(iam.create_saml_provider, Name="p", SAMLMetadataDocument=idp.metadata(),
                 AssertionEncryptionMode="Required")["Code"] == "InvalidInput"
    assert iam.list_saml_providers()["SAMLProviderList"] == []


def test_context_provider_and_identity_center(iam: Any, idp: SamlIdp) -> None:
    context = {"SubjectSourceKey": "email", "SubjectTypeValue": "user",
               "KeyDefinitionList": [{"SourceKey": "dept", "TargetKey": "department"}]}
    iam.create_saml_provider(Name="p", SAMLMetadataDocument=idp.metadata(), ContextProvider=context)
    assert iam.get_saml_provider(SAMLProviderArn=arn("p"))["ContextProvider"] == context
    assert error(iam.update_saml_provider, SAMLProviderArn=arn("p"), ContextProvider=context,
                 SAMLMetadataDocument=idp.metadata())["Code"] == "InvalidInput"
    iam.update_saml_provider(SAMLProviderArn=arn("p"), RemoveContextProvider=True)
    assert "ContextProvider" not in iam.get_saml_provider(SAMLProviderArn=arn("p"))
    assert error(iam.create_saml_provider, Name="q", SAMLMetadataDocument=idp.metadata(),
                 ContextProvider={"SubjectSourceKey": " lead"})["Code"] == "InvalidInput"
    assert error(iam.create_saml_provider, Name="q", SAMLMetadataDocument=idp.metadata(), ContextProvider=context,
                 IdentityCenterInstanceArn="arn:aws:sso:::instance/ssoins-1")["Code"] == "InvalidInput"


def test_tags(iam: Any, idp: SamlIdp) -> None:
    iam.create_saml_provider(Name="p", SAMLMetadataDocument=idp.metadata())
    iam.tag_saml_provider(SAMLProviderArn=arn("p"), Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "1"}])
    assert iam.list_saml_provider_tags(SAMLProviderArn=arn("p"))["Tags"] == [
        {"Key": "b", "Value": "2"}, {"Key": "a", "Value": "1"}]
    assert iam.get_saml_provider(SAMLProviderArn=arn("p"))["Tags"] == [
        {"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]
    iam.untag_saml_provider(SAMLProviderArn=arn("p"), TagKeys=["b"])
    assert iam.list_saml_provider_tags(SAMLProviderArn=arn("p"))["Tags"] == [{"Key": "a", "Value": "1"}]
    many = [{"Key": f"k{i}", "Value": "v"} for i in range(50)]
    assert error(iam.tag_saml_provider, SAMLProviderArn=arn("p"), Tags=many)["Code"] == "LimitExceeded"


def test_quota_of_one_hundred(iam: Any, idp: SamlIdp) -> None:
    document = idp.metadata()
    for i in range(100):
        iam.create_saml_provider(Name=f"p{i}", SAMLMetadataDocument=document)
    err = error(iam.create_saml_provider, Name="p100", SAMLMetadataDocument=document)
    assert err["Code"] == "LimitExceeded"


def test_a_user_needs_permission_and_resource_tags_apply(iam: Any, idp: SamlIdp, client_for: Any) -> None:
    iam.create_saml_provider(Name="prod", SAMLMetadataDocument=idp.metadata(), Tags=[{"Key": "env", "Value": "prod"}])
    iam.create_saml_provider(Name="dev", SAMLMetadataDocument=idp.metadata(), Tags=[{"Key": "env", "Value": "dev"}])
    _, key = new_user(iam, "dev-admin", allow("iam:GetSAMLProvider", "*", StringEquals={"aws:ResourceTag/env": "dev"}),
                      allow("iam:CreateSAMLProvider", arn("dev-*")))
    user = client_for("iam", key)
    user.get_saml_provider(SAMLProviderArn=arn("dev"))
    assert f"on resource: {arn('prod')}" in denied(user.get_saml_provider, SAMLProviderArn=arn("prod"))
    user.create_saml_provider(Name="dev-2", SAMLMetadataDocument=idp.metadata())
    assert arn("evil") in denied(user.create_saml_provider, Name="evil", SAMLMetadataDocument=idp.metadata())
    denied(user.delete_saml_provider, SAMLProviderArn=arn("prod"))


def test_the_aws_cli(aws: Any, idp: SamlIdp, tmp_path: Any) -> None:
    path = tmp_path / "metadata.xml"
    path.write_text(idp.metadata())
    out = aws("iam", "create-saml-provider", "--name", "cli", "--saml-metadata-document", f"file://{path}")
    assert out["SAMLProviderArn"] == arn("cli")
    got = aws("iam", "get-saml-provider", "--saml-provider-arn", arn("cli"))
    assert got["SAMLMetadataDocument"] == idp.metadata()
    aws("iam", "delete-saml-provider", "--saml-provider-arn", arn("cli"))
    assert aws("iam", "list-saml-providers")["SAMLProviderList"] == []


def test_quota_holds_under_concurrency(iam: Any, idp: SamlIdp, server: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from botocore.exceptions import ClientError

    document = idp.metadata()
    for i in range(95):
        iam.create_saml_provider(Name=f"p{i}", SAMLMetadataDocument=document)

    def create(i: int) -> str:
        client = server.client("iam")
        try:
            client.create_saml_provider(Name=f"race{i}", SAMLMetadataDocument=document)
            return "ok"
        except ClientError as err:
            return str(err.response["Error"]["Code"])

    with ThreadPoolExecutor(10) as pool:
        outcomes = list(pool.map(create, range(10)))
    assert sorted(outcomes) == ["LimitExceeded"] * 5 + ["ok"] * 5
    assert len(iam.list_saml_providers()["SAMLProviderList"]) == 100
