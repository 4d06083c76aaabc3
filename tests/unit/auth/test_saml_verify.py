"""The SAML response verifier: what it accepts, and the forgeries it refuses, without a server."""

from __future__ import annotations

import base64
import copy

import pytest
from lxml import etree
from saml_idp import DS, SAML, SAMLP, SamlIdp, pem_key, rsa_key, sign_element

from iamd.auth import saml_decrypt, saml_metadata
from iamd.auth.saml_verify import SIGNATURE_INVALID, SamlRejected, decode, verify

ROLE, PROVIDER = "arn:aws:iam::123456789012:role/r", "arn:aws:iam::123456789012:saml-provider/p"


@pytest.fixture(scope="module")
def idp() -> SamlIdp:
    return SamlIdp()


def certs(idp: SamlIdp) -> list:
    parsed = saml_metadata.read(idp.metadata())
    return saml_metadata.certificates(parsed.signing, idp.entity_id)


def check(idp: SamlIdp, b64: str, keys: list[str] | None = None, required: bool = False):
    return verify(decode(b64), certs(idp), keys or [], require_encryption=required)


@pytest.mark.parametrize("sign", ["assertion", "response", "both"])
def test_signed_responses_verify(idp: SamlIdp, sign: str) -> None:
    a = check(idp, idp.response(ROLE, PROVIDER, sign=sign).b64())
    assert (a.issuer, a.name_id, a.recipients) == (idp.entity_id, "alice@example.test",
                                                   ("https://signin.aws.amazon.com/saml",))
    assert a.attributes["https://aws.amazon.com/SAML/Attributes/Role"] == [f"{ROLE},{PROVIDER}"]


def refused(idp: SamlIdp, b64: str, **kw) -> str:
    with pytest.raises(SamlRejected) as caught:
        check(idp, b64, **kw)
    return caught.value.message


def test_unsigned_and_wrong_key(idp: SamlIdp) -> None:
    assert refused(idp, idp.response(ROLE, PROVIDER, sign="none").b64()) == SIGNATURE_INVALID
    assert refused(idp, idp.response(ROLE, PROVIDER, key=rsa_key()).b64()) == SIGNATURE_INVALID


def test_no_certificates_verifies_nothing(idp: SamlIdp) -> None:
    with pytest.raises(SamlRejected):
        verify(decode(idp.response(ROLE, PROVIDER).b64()), [], [], require_encryption=False)


def test_wrapping_variants(idp: SamlIdp) -> None:
    r = idp.response(ROLE, PROVIDER)
    evil = copy.deepcopy(r.assertion())
    evil.remove(evil.find(f"{{{DS}}}Signature"))
    r.root.append(evil)
    assert "exactly one assertion" in refused(idp, r.b64())
    # The whole signed assertion hidden inside the signature's Object of a forged one.
    r = idp.response(ROLE, PROVIDER)
    good = r.assertion()
    forged = copy.deepcopy(good)
    forged.find(f".//{{{SAML}}}NameID").text = "root"
    sig = forged.find(f"{{{DS}}}Signature")
    etree.SubElement(sig, f"{{{DS}}}Object").append(copy.deepcopy(good))
    r.root.replace(good, forged)
    assert "exactly one assertion" in refused(idp, r.b64())


def test_the_signed_element_must_be_the_assertion_or_response(idp: SamlIdp) -> None:
    """A signature over some inner element (the Subject) does not sign the assertion."""
    r = idp.response(ROLE, PROVIDER, sign="none")
    a = r.assertion()
    subject = a.find(f"{{{SAML}}}Subject")
    subject.set("ID", "_subj")
    signed_subject = sign_element(subject, idp.key, idp.cert)
    signature = signed_subject.find(f"{{{DS}}}Signature")
    signed_subject.remove(signature)
    a.replace(subject, signed_subject)
    a.find(f"{{{SAML}}}Issuer").addnext(signature)
    assert refused(idp, r.b64()) == SIGNATURE_INVALID


def test_comment_in_name_id_is_read_whole(idp: SamlIdp) -> None:
    r = idp.response(ROLE, PROVIDER, name_id="user@evil.com.good.com", sign="none")
    signed = sign_element(r.assertion(), idp.key, idp.cert)
    node = signed.find(f".//{{{SAML}}}NameID")
    node.text = "user@evil.com"
    comment = etree.Comment("x")
    comment.tail = ".good.com"
    node.append(comment)
    r.root.replace(r.assertion(), signed)
    assert check(idp, r.b64()).name_id == "user@evil.com.good.com"


@pytest.mark.parametrize(
    "payload",
    [
        b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
        b'<!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><r>&b;</r>',
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>'.encode("utf-16"),
        b"<r>" + b"x" * 200_000 + b"</r>",
        b"<unclosed>",
        b"<r/>",
    ],
    ids=["xxe", "laughs", "utf16-dtd", "too-large", "malformed", "not-a-response"],
)
def test_hostile_documents(payload: bytes) -> None:
    with pytest.raises(SamlRejected):
        decode(base64.b64encode(payload).decode())


def test_status_must_be_success(idp: SamlIdp) -> None:
    r = idp.response(ROLE, PROVIDER, sign="none")
    r.root.find(f"{{{SAMLP}}}Status/{{{SAMLP}}}StatusCode").set("Value", "urn:oasis:names:tc:SAML:2.0:status:Requester")
    signed = sign_element(r.root, idp.key, idp.cert)
    assert "Success" in refused(idp, base64.b64encode(etree.tostring(signed)).decode())


@pytest.mark.parametrize("gcm", [True, False])
@pytest.mark.parametrize("sign", ["assertion", "response"])
def test_encrypted_assertions(idp: SamlIdp, gcm: bool, sign: str) -> None:
    key = rsa_key()
    r = idp.response(ROLE, PROVIDER, sign=sign, encrypt_to=key.public_key(), gcm=gcm)
    a = check(idp, r.b64(), keys=[pem_key(rsa_key()), pem_key(key)], required=True)
    assert a.encrypted and a.name_id == "alice@example.test"
    assert refused(idp, r.b64(), keys=[pem_key(rsa_key())]) == f"Invalid SAML response: {saml_decrypt.UNDECRYPTABLE}"
    assert "no key" in refused(idp, r.b64())
    assert "requires encrypted" in refused(idp, idp.response(ROLE, PROVIDER).b64(), keys=[pem_key(key)], required=True)


def test_decryption_keys_must_be_rsa_2048() -> None:
    with pytest.raises(ValueError):
        saml_decrypt.load_private_key(pem_key(rsa_key(1024)))
    with pytest.raises(ValueError):
        saml_decrypt.load_private_key("not a key")


def _resign(idp: SamlIdp, **signer_args) -> str:
    """The assertion signed with another algorithm (and key material) than the IdP's; the
    attacker's signer allows what signxml's refuses (SHA-1)."""
    from signxml import XMLSigner

    class AnySigner(XMLSigner):  # type: ignore[misc]
        def check_deprecated_methods(self) -> None:
            return None

    r = idp.response(ROLE, PROVIDER, sign="none")
    key = signer_args.pop("key")
    signed = AnySigner(c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#", **signer_args).sign(
        r.assertion(), key=key, reference_uri=r.assertion().get("ID"),
        cert=[idp.cert] if "hmac" not in str(signer_args.get("signature_algorithm", "")) else None)
    r.root.replace(r.assertion(), signed)
    return r.b64()


def test_hmac_with_the_public_certificate_as_secret_is_refused(idp: SamlIdp) -> None:
    """XML's cousin of JWT's HS256-with-the-public-key: an HMAC keyed with the published certificate."""
    from cryptography.hazmat.primitives import serialization

    public = idp.cert.public_bytes(serialization.Encoding.PEM)
    forged = _resign(idp, key=public, signature_algorithm="hmac-sha256")
    assert refused(idp, forged) == SIGNATURE_INVALID


def test_sha1_signatures_are_refused(idp: SamlIdp) -> None:
    forged = _resign(idp, key=pem_key(idp.key).encode(), signature_algorithm="rsa-sha1", digest_algorithm="sha1")
    assert refused(idp, forged) == SIGNATURE_INVALID
