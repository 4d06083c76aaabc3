"""How SAML federation is attacked, and that each attack fails (docs/security.md, "SAML").

- an unauthenticated caller: only AssumeRoleWithSAML goes unsigned, and it gives nothing
  without a response signed by a key of the provider;
- a low-privilege user: registering its own IdP's metadata and a role trusting it takes IAM
  permissions (CreateSAMLProvider, CreateRole); without them, nothing is created;
- a role session: the same, its role's permissions bound what it can register;
- another account: its provider cannot vouch for this account's roles, even named in the
  Role attribute and trusted by the role.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore import UNSIGNED
from botocore.config import Config
from functional_helpers import OTHER_ACCOUNT, allow, as_creds, denied, doc, error, new_user
from saml_idp import AWS_SAML, SamlIdp

from iamd.testing import IamdServer

ACCOUNT = "123456789012"


def trust(provider: str) -> str:
    return doc({"Effect": "Allow", "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithSAML",
                "Condition": {"StringEquals": {"SAML:aud": AWS_SAML}}})


def test_a_low_privilege_user_cannot_register_an_idp_or_a_role(iam: Any, client_for: Any) -> None:
    _, key = new_user(iam, "intern", allow("iam:List*"))
    user = client_for("iam", key)
    mine = SamlIdp(entity_id="https://evil.example/saml")
    denied(user.create_saml_provider, Name="Mine", SAMLMetadataDocument=mine.metadata())
    provider = f"arn:aws:iam::{ACCOUNT}:saml-provider/Mine"
    denied(user.create_role, RoleName="backdoor", AssumeRolePolicyDocument=trust(provider))
    assert iam.list_saml_providers()["SAMLProviderList"] == []


def test_a_user_allowed_to_register_gets_only_what_it_may_attach(iam: Any, client_for: Any, server: Any) -> None:
    """With CreateSAMLProvider and CreateRole but no policy-attaching rights, the self-made role
    is one with no permissions: federation grants what the role holds, nothing more."""
    _, key = new_user(iam, "builder", allow(["iam:CreateSAMLProvider", "iam:CreateRole"]))
    user = client_for("iam", key)
    mine = SamlIdp(entity_id="https://evil.example/saml")
    provider = user.create_saml_provider(Name="Mine", SAMLMetadataDocument=mine.metadata())["SAMLProviderArn"]
    role = user.create_role(RoleName="self", AssumeRolePolicyDocument=trust(provider))["Role"]["Arn"]
    denied(user.put_role_policy, RoleName="self", PolicyName="all",
           PolicyDocument=doc(allow("*")))
    sts = server.client("sts", config=Config(signature_version=UNSIGNED))
    creds = sts.assume_role_with_saml(RoleArn=role, PrincipalArn=provider,
                                      SAMLAssertion=mine.response(role, provider).b64())["Credentials"]
    denied(as_creds(server, "iam", creds).list_users)


def test_a_role_session_is_bound_by_its_role(iam: Any, client_for: Any, server: Any) -> None:
    _, key = new_user(iam, "dev", allow("sts:AssumeRole"))
    iam.create_role(RoleName="ops", AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/dev"}, "Action": "sts:AssumeRole"}))
    iam.put_role_policy(RoleName="ops", PolicyName="p", PolicyDocument=doc(allow("iam:GetSAMLProvider")))
    creds = client_for("sts", key).assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/ops",
                                               RoleSessionName="s1")["Credentials"]
    denied(as_creds(server, "iam", creds).create_saml_provider, Name="x", SAMLMetadataDocument=SamlIdp().metadata())


def test_no_credentials_without_a_signed_response(iam: Any, server: Any) -> None:
    idp = SamlIdp()
    provider = iam.create_saml_provider(Name="P", SAMLMetadataDocument=idp.metadata())["SAMLProviderArn"]
    role = iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust(provider))["Role"]["Arn"]
    sts = server.client("sts", config=Config(signature_version=UNSIGNED))
    for forged in (idp.response(role, provider, sign="none"), SamlIdp(entity_id=idp.entity_id).response(role, provider)):
        err = error(sts.assume_role_with_saml, RoleArn=role, PrincipalArn=provider, SAMLAssertion=forged.b64())
        assert err["Code"] == "InvalidIdentityToken"
    # The other unsigned calls stay refused.
    assert error(server.client("iam", config=Config(signature_version=UNSIGNED)).list_saml_providers)["Code"] in (
        "MissingAuthenticationToken", "AccessDenied", "InvalidClientTokenId")


@pytest.fixture
def other_account(two_accounts: tuple[IamdServer, dict[str, str]]) -> tuple[IamdServer, Any, Any]:
    server, root = two_accounts
    return server, server.client("iam"), as_creds(server, "iam", root)


def test_another_accounts_provider_cannot_vouch_for_this_accounts_role(other_account: Any) -> None:
    server, iam, other_iam = other_account
    idp = SamlIdp(entity_id="https://other.example/saml")
    theirs = other_iam.create_saml_provider(Name="Theirs", SAMLMetadataDocument=idp.metadata())["SAMLProviderArn"]
    assert f":{OTHER_ACCOUNT}:" in theirs
    # Even a role of this account that trusts the other account's provider is not reachable.
    role = iam.create_role(RoleName="trusts-theirs", AssumeRolePolicyDocument=trust(theirs))["Role"]["Arn"]
    sts = server.client("sts", config=Config(signature_version=UNSIGNED))
    try:
        err = error(sts.assume_role_with_saml, RoleArn=role, PrincipalArn=theirs,
                    SAMLAssertion=idp.response(role, theirs).b64())
        assert (err["Code"], err["Message"]) == ("AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML")
        # Nor by naming this account's provider ARN with the other IdP's signature.
        mine = iam.create_saml_provider(Name="Mine", SAMLMetadataDocument=SamlIdp().metadata())["SAMLProviderArn"]
        err = error(sts.assume_role_with_saml, RoleArn=role, PrincipalArn=mine,
                    SAMLAssertion=idp.response(role, mine).b64())
        assert err["Code"] == "InvalidIdentityToken"
        # The other account cannot read this account's providers.
        denied(other_iam.get_saml_provider, SAMLProviderArn=mine)
    finally:
        iam.delete_role(RoleName="trusts-theirs")
        for p in iam.list_saml_providers()["SAMLProviderList"]:
            iam.delete_saml_provider(SAMLProviderArn=p["Arn"])
        other_iam.delete_saml_provider(SAMLProviderArn=theirs)


def test_the_private_key_is_hidden_in_the_trail(iam: Any, server: Any) -> None:
    import json

    from functional_helpers import poll
    from saml_idp import pem_key, rsa_key

    key = pem_key(rsa_key())
    iam.create_saml_provider(Name="P", SAMLMetadataDocument=SamlIdp().metadata(), AddPrivateKey=key)
    trail = server.client("cloudtrail")

    def found() -> Any:
        return trail.lookup_events(LookupAttributes=[{"AttributeKey": "EventName",
                                                      "AttributeValue": "CreateSAMLProvider"}])["Events"] or None

    event = json.loads(poll(found)[0]["CloudTrailEvent"])
    assert event["requestParameters"]["addPrivateKey"] == "HIDDEN_DUE_TO_SECURITY_REASONS"
    assert "PRIVATE KEY" not in json.dumps(event)
