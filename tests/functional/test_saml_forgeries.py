"""Forged and broken SAML responses: each refused with AWS's error, none giving credentials, every
attempt in the trail.

The forgeries are the known attacks on SAML service providers: a key the provider does not
trust, no signature, XML signature wrapping (an unsigned assertion beside the signed one; the
signed one moved into ``Extensions`` and a forged one put where it was), a comment inside the
NameID, XXE and entity expansion, oversized documents; and the broken: expired, not yet valid,
wrong audience, wrong recipient, a role pair the assertion does not grant, missing session name.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore import UNSIGNED
from botocore.config import Config
from functional_helpers import doc, error, poll
from lxml import etree
from saml_idp import AWS_SAML, DS, SAML, SAMLP, SamlIdp, SamlResponse, rsa_key, sign_element

ACCOUNT = "123456789012"
PROVIDER = f"arn:aws:iam::{ACCOUNT}:saml-provider/TestIdP"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/saml-admin"
OTHER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/other"
TRUST = doc({"Effect": "Allow", "Principal": {"Federated": PROVIDER}, "Action": "sts:AssumeRoleWithSAML",
             "Condition": {"StringEquals": {"SAML:aud": AWS_SAML}}})


@pytest.fixture(scope="module")
def idp() -> SamlIdp:
    return SamlIdp()


@pytest.fixture
def unsigned(server: Any, iam: Any, idp: SamlIdp) -> Any:
    iam.create_saml_provider(Name="TestIdP", SAMLMetadataDocument=idp.metadata())
    for name in ("saml-admin", "other"):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)
    return server.client("sts", config=Config(signature_version=UNSIGNED))


def nameid(a: etree._Element) -> etree._Element:
    found = a.find(f".//{{{SAML}}}NameID")
    assert found is not None
    return found


def wrap_beside(idp: SamlIdp) -> str:
    r = idp.response(ROLE, PROVIDER)
    evil = copy.deepcopy(r.assertion())
    evil.remove(evil.find(f"{{{DS}}}Signature"))
    nameid(evil).text = "admin@example.test"
    r.root.insert(2, evil)
    return r.b64()


def wrap_extensions(idp: SamlIdp) -> str:
    r = idp.response(ROLE, PROVIDER)
    good = r.assertion()
    r.root.remove(good)
    etree.SubElement(r.root, f"{{{SAMLP}}}Extensions").append(good)
    evil = copy.deepcopy(good)
    nameid(evil).text = "admin@example.test"
    r.root.append(evil)
    return r.b64()


def tampered(idp: SamlIdp) -> str:
    r = idp.response(ROLE, PROVIDER, session_name="alice")
    nameid(r.assertion()).text = "admin@example.test"
    return r.b64()


def response_signed_assertion_swapped(idp: SamlIdp) -> str:
    """A response signed over one assertion, then that assertion replaced by another one."""
    r = idp.response(ROLE, PROVIDER, sign="response")
    other = idp.response(OTHER_ROLE, PROVIDER, sign="none").assertion()
    r.root.replace(r.assertion(), other)
    return r.b64()


def xxe(idp: SamlIdp) -> str:
    body = idp.response(ROLE, PROVIDER).xml()
    return base64.b64encode(b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + body).decode()


def laughs(idp: SamlIdp) -> str:
    entities = '<!ENTITY a "lol">' + "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">'
                                             for p, c in zip("abcdefgh", "bcdefghi", strict=True))
    body = f'<!DOCTYPE r [{entities}]><samlp:Response xmlns:samlp="{SAMLP}">&i;</samlp:Response>'
    return base64.b64encode(body.encode()).decode()


def oversized(idp: SamlIdp) -> str:
    r = idp.response(ROLE, PROVIDER, attributes={"urn:x": ["x" * 80_000]})
    return r.b64()


CASES = {
    "wrong-key": (lambda idp: idp.response(ROLE, PROVIDER, key=rsa_key()).b64(), "InvalidIdentityToken",
                  "Response signature invalid"),
    "unsigned": (lambda idp: idp.response(ROLE, PROVIDER, sign="none").b64(), "InvalidIdentityToken",
                 "Response signature invalid"),
    "tampered": (tampered, "InvalidIdentityToken", "Response signature invalid"),
    "wrap-beside": (wrap_beside, "InvalidIdentityToken", None),
    "wrap-extensions": (wrap_extensions, "InvalidIdentityToken", None),
    "response-signature-over-another-assertion": (response_signed_assertion_swapped, "InvalidIdentityToken",
                                                  "Response signature invalid"),
    "xxe": (xxe, "InvalidIdentityToken", None),
    "billion-laughs": (laughs, "InvalidIdentityToken", None),
    "expired": (lambda idp: idp.response(ROLE, PROVIDER, issued=datetime.now(UTC) - dt.timedelta(hours=1)).b64(),
                "ExpiredTokenException", "Token must be redeemed within 5 minutes of issuance"),
    "not-yet-valid": (lambda idp: idp.response(ROLE, PROVIDER, issued=datetime.now(UTC) + dt.timedelta(hours=1)).b64(),
                      "InvalidIdentityToken", None),
    "wrong-audience": (lambda idp: idp.response(ROLE, PROVIDER, audience="https://app.example/saml").b64(),
                       "InvalidIdentityToken", None),
    "wrong-recipient": (lambda idp: idp.response(ROLE, PROVIDER, recipient="https://evil.example/acs").b64(),
                        "InvalidIdentityToken", None),
    "role-not-granted": (lambda idp: idp.response(ROLE, PROVIDER, role_value=f"{OTHER_ROLE},{PROVIDER}").b64(),
                         "AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML"),
    "no-session-name": (lambda idp: idp.response(ROLE, PROVIDER, session_name=None).b64(), "InvalidIdentityToken",
                        "RoleSessionName is required in AuthnResponse"),
    "bad-session-name": (lambda idp: idp.response(ROLE, PROVIDER, session_name="John Doe").b64(),
                         "InvalidIdentityToken", "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}"),
    "other-issuer": (lambda idp: idp.response(ROLE, PROVIDER, issuer="https://evil.example/saml").b64(),
                     "InvalidIdentityToken", "Issuer not present in specified provider"),
    "not-base64": (lambda idp: "this is not base64!", "InvalidIdentityToken", None),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_forged_and_broken_responses_are_refused(case: str, idp: SamlIdp, unsigned: Any, server: Any) -> None:
    make, code, message = CASES[case]
    assertion = make(idp)
    err = error(unsigned.assume_role_with_saml, RoleArn=ROLE, PrincipalArn=PROVIDER, SAMLAssertion=assertion)
    assert err["Code"] == code, err
    if message is not None:
        assert err["Message"] == message
    assert "Credentials" not in err
    trail = server.client("cloudtrail")

    def recorded() -> Any:
        events = trail.lookup_events(LookupAttributes=[{"AttributeKey": "EventName",
                                                        "AttributeValue": "AssumeRoleWithSAML"}])["Events"]
        return [json.loads(e["CloudTrailEvent"]) for e in events] or None

    event = poll(recorded)[0]
    assert event["errorCode"] == code
    assert event["userIdentity"]["type"] == "SAMLUser"
    assert event["requestParameters"]["sAMLAssertion"] == "HIDDEN_DUE_TO_SECURITY_REASONS"


def test_oversized_assertion_is_refused(idp: SamlIdp, unsigned: Any, server: Any) -> None:
    """Past the model's 100,000 characters, before anything is parsed."""
    unchecked = server.client("sts", config=Config(signature_version=UNSIGNED, parameter_validation=False))
    err = error(unchecked.assume_role_with_saml, RoleArn=ROLE, PrincipalArn=PROVIDER, SAMLAssertion=oversized(idp))
    assert err["Code"] == "ValidationError", err


def test_a_comment_in_the_name_id_does_not_shorten_it(idp: SamlIdp, unsigned: Any) -> None:
    """The IdP signed ``user@evil.com.good.com``; a comment inserted after signing splits the text
    node, and a reader taking the first text node would see ``user@evil.com``."""
    r = idp.response(ROLE, PROVIDER, name_id="user@evil.com.good.com", sign="none")
    signed = sign_element(r.assertion(), idp.key, idp.cert)
    node = nameid(signed)
    node.text = "user@evil.com"
    comment = etree.Comment("")
    comment.tail = ".good.com"
    node.append(comment)
    r.root.replace(r.assertion(), signed)
    out = unsigned.assume_role_with_saml(RoleArn=ROLE, PrincipalArn=PROVIDER, SAMLAssertion=r.b64())
    assert out["Subject"] == "user@evil.com.good.com"


def test_unknown_provider_and_other_accounts_provider(idp: SamlIdp, unsigned: Any) -> None:
    ghost = f"arn:aws:iam::{ACCOUNT}:saml-provider/Ghost"
    err = error(unsigned.assume_role_with_saml, RoleArn=ROLE, PrincipalArn=ghost,
                SAMLAssertion=idp.response(ROLE, ghost).b64())
    assert (err["Code"], err["Message"]) == ("InvalidIdentityToken", "Specified provider doesn't exist.")
    # The same IdP registered in another account does not make this account's trust policy match.
    other = "arn:aws:iam::210987654321:saml-provider/TestIdP"
    err = error(unsigned.assume_role_with_saml, RoleArn=ROLE, PrincipalArn=other,
                SAMLAssertion=idp.response(ROLE, other).b64())
    assert err["Code"] == "InvalidIdentityToken"


def test_replay_within_validity_is_accepted_as_on_aws(idp: SamlIdp, unsigned: Any) -> None:
    """AWS accepts an assertion again while it is valid (one sign-in, several roles)."""
    r = idp.response(ROLE, PROVIDER, role_value=None)
    for _ in range(2):
        unsigned.assume_role_with_saml(RoleArn=ROLE, PrincipalArn=PROVIDER, SAMLAssertion=r.b64())


def test_required_encryption_refuses_plain_assertions(idp: SamlIdp, unsigned: Any, iam: Any) -> None:
    from saml_idp import pem_key

    key = rsa_key()
    iam.update_saml_provider(SAMLProviderArn=PROVIDER, AddPrivateKey=pem_key(key), AssertionEncryptionMode="Required")
    err = error(unsigned.assume_role_with_saml, RoleArn=ROLE, PrincipalArn=PROVIDER,
                SAMLAssertion=idp.response(ROLE, PROVIDER).b64())
    assert err["Code"] == "InvalidIdentityToken"
    for gcm in (True, False):
        encrypted = idp.response(ROLE, PROVIDER, encrypt_to=key.public_key(), gcm=gcm)
        unsigned.assume_role_with_saml(RoleArn=ROLE, PrincipalArn=PROVIDER, SAMLAssertion=encrypted.b64())
    wrong = idp.response(ROLE, PROVIDER, encrypt_to=rsa_key().public_key())
    err = error(unsigned.assume_role_with_saml, RoleArn=ROLE, PrincipalArn=PROVIDER, SAMLAssertion=wrong.b64())
    assert err["Code"] == "InvalidIdentityToken"


def test_key_rotation_in_metadata(idp: SamlIdp, unsigned: Any, iam: Any) -> None:
    """Metadata with the old and the new certificate accepts both; the old one dropped, it stops."""
    new = SamlIdp(entity_id=idp.entity_id)
    iam.update_saml_provider(SAMLProviderArn=PROVIDER, SAMLMetadataDocument=idp.metadata(certs=[idp.cert, new.cert]))
    for signer in (idp, new):
        unsigned.assume_role_with_saml(RoleArn=ROLE, PrincipalArn=PROVIDER,
                                       SAMLAssertion=signer.response(ROLE, PROVIDER).b64())
    iam.update_saml_provider(SAMLProviderArn=PROVIDER, SAMLMetadataDocument=new.metadata())
    err = error(unsigned.assume_role_with_saml, RoleArn=ROLE, PrincipalArn=PROVIDER,
                SAMLAssertion=idp.response(ROLE, PROVIDER).b64())
    assert err["Message"] == "Response signature invalid"


_ = SamlResponse
