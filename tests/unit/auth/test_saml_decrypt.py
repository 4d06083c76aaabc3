"""Opening EncryptedAssertions: the algorithms AWS names, and one answer for every failure."""

from __future__ import annotations

import base64
import os

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from lxml import etree
from saml_idp import DS, SAML, XENC, XENC11, SamlIdp, pem_key, rsa_key

from iamd.auth.saml_decrypt import UNDECRYPTABLE, DecryptionFailed, decrypt_assertion

ROLE, PROVIDER = "arn:aws:iam::123456789012:role/r", "arn:aws:iam::123456789012:saml-provider/p"
KEY = rsa_key()


def encrypted(gcm: bool = True) -> etree._Element:
    r = SamlIdp().response(ROLE, PROVIDER, sign="none", encrypt_to=KEY.public_key(), gcm=gcm)
    found = r.root.find(f"{{{SAML}}}EncryptedAssertion")
    assert found is not None
    return found


def q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


@pytest.mark.parametrize("gcm", [True, False])
def test_both_ciphers(gcm: bool) -> None:
    assert decrypt_assertion(encrypted(gcm), [pem_key(KEY)]).tag == q(SAML, "Assertion")


def test_encrypted_key_beside_the_data_and_oaep_sha256() -> None:
    """``EncryptedKey`` as a sibling of ``EncryptedData`` (RetrievalMethod style), with XML
    Encryption 1.1's ``rsa-oaep`` and SHA-256 digest and MGF."""
    element = encrypted()
    data = element.find(q(XENC, "EncryptedData"))
    key_info = data.find(q(DS, "KeyInfo"))
    ek = key_info.find(q(XENC, "EncryptedKey"))
    data.remove(key_info)
    aes = os.urandom(32)
    plaintext = etree.tostring(decrypt_assertion(encrypted(), [pem_key(KEY)]))
    iv = os.urandom(12)
    data.find(f"{q(XENC, 'CipherData')}/{q(XENC, 'CipherValue')}").text = base64.b64encode(
        iv + AESGCM(aes).encrypt(iv, plaintext, None)).decode()
    method = ek.find(q(XENC, "EncryptionMethod"))
    method.set("Algorithm", f"{XENC11}rsa-oaep")
    etree.SubElement(method, q(DS, "DigestMethod")).set("Algorithm", "http://www.w3.org/2001/04/xmlenc#sha256")
    etree.SubElement(method, q(XENC11, "MGF")).set("Algorithm", "http://www.w3.org/2009/xmlenc11#mgf1sha256")
    wrapped = KEY.public_key().encrypt(aes, padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(),
                                                         label=None))
    ek.find(f"{q(XENC, 'CipherData')}/{q(XENC, 'CipherValue')}").text = base64.b64encode(wrapped).decode()
    element.append(ek)
    assert decrypt_assertion(element, [pem_key(KEY)]).tag == q(SAML, "Assertion")


def _edit(path: str, attribute: str | None = None, value: str = "") -> etree._Element:
    element = encrypted()
    target = element.find(path)
    assert target is not None
    if attribute:
        target.set(attribute, value)
    else:
        target.text = value
    return element


DATA = q(XENC, "EncryptedData")
CIPHER = f"{q(XENC, 'CipherData')}/{q(XENC, 'CipherValue')}"
EK = f"{DATA}/{q(DS, 'KeyInfo')}/{q(XENC, 'EncryptedKey')}"


@pytest.mark.parametrize(
    "element",
    [
        _edit(f"{DATA}/{q(XENC, 'EncryptionMethod')}", "Algorithm", "http://www.w3.org/2001/04/xmlenc#tripledes-cbc"),
        _edit(f"{EK}/{q(XENC, 'EncryptionMethod')}", "Algorithm", "http://www.w3.org/2001/04/xmlenc#rsa-1_5"),
        _edit(f"{DATA}/{CIPHER}", None, base64.b64encode(os.urandom(64)).decode()),
    ],
    ids=["3des", "rsa-1_5", "garbage"],
)
def test_one_message_for_every_failure(element: etree._Element) -> None:
    with pytest.raises(DecryptionFailed) as caught:
        decrypt_assertion(element, [pem_key(KEY)])
    assert str(caught.value) == UNDECRYPTABLE


def test_malformed_structures() -> None:
    with pytest.raises(DecryptionFailed):
        decrypt_assertion(etree.Element(q(SAML, "EncryptedAssertion")), [pem_key(KEY)])
    with pytest.raises(DecryptionFailed):
        decrypt_assertion(_edit(f"{DATA}/{CIPHER}", None, "not base64!"), [pem_key(KEY)])
    element = encrypted()
    element.find(DATA).remove(element.find(f"{DATA}/{q(DS, 'KeyInfo')}"))
    with pytest.raises(DecryptionFailed):
        decrypt_assertion(element, [pem_key(KEY)])


def test_plaintext_that_is_not_an_assertion() -> None:
    element = encrypted()
    aes = os.urandom(32)
    iv = os.urandom(12)
    element.find(f"{DATA}/{CIPHER}").text = base64.b64encode(iv + AESGCM(aes).encrypt(iv, b"<x/>", None)).decode()
    wrapped = KEY.public_key().encrypt(aes, padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(),
                                                         label=None))
    element.find(f"{EK}/{CIPHER}").text = base64.b64encode(wrapped).decode()
    with pytest.raises(DecryptionFailed) as caught:
        decrypt_assertion(element, [pem_key(KEY)])
    assert str(caught.value) == UNDECRYPTABLE
