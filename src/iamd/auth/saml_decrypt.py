"""Opening an ``EncryptedAssertion`` (XML Encryption 1.1) with a provider's private keys.

AWS's SAML providers take "a .pem file that uses AES-GCM or AES-CBC encryption algorithm to
decrypt SAML assertions" (CreateSAMLProvider, IAM API Reference): the IdP encrypts the assertion
with a fresh AES key (``EncryptedData``) and that key with the provider's RSA public key
(``EncryptedKey``, RSA-OAEP). Each of the provider's keys (at most two, for rotation) is tried.
The plaintext is parsed as hardened as the response itself.
"""

from __future__ import annotations

import base64
import binascii

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from lxml import etree

from iamd.auth.saml_xml import NS, UnsafeXml, parse

XENC = NS["xenc"]
XENC11 = NS["xenc11"]
_CBC = {f"{XENC}aes128-cbc": 16, f"{XENC}aes192-cbc": 24, f"{XENC}aes256-cbc": 32}
_GCM = {f"{XENC11}aes128-gcm": 16, f"{XENC11}aes192-gcm": 24, f"{XENC11}aes256-gcm": 32}
_OAEP_SHA1 = f"{XENC}rsa-oaep-mgf1p"
_OAEP = f"{XENC11}rsa-oaep"
_DIGESTS: dict[str, type[hashes.HashAlgorithm]] = {
    "http://www.w3.org/2000/09/xmldsig#sha1": hashes.SHA1,
    "http://www.w3.org/2001/04/xmlenc#sha256": hashes.SHA256,
    "http://www.w3.org/2001/04/xmlenc#sha512": hashes.SHA512,
}
_MGF: dict[str, type[hashes.HashAlgorithm]] = {
    "http://www.w3.org/2009/xmlenc11#mgf1sha1": hashes.SHA1,
    "http://www.w3.org/2009/xmlenc11#mgf1sha256": hashes.SHA256,
    "http://www.w3.org/2009/xmlenc11#mgf1sha512": hashes.SHA512,
}
MAX_PLAINTEXT = 100_000
UNDECRYPTABLE = "the assertion could not be decrypted"


class DecryptionFailed(ValueError):
    """No key of the provider opens the assertion, or it is not well-formed XML Encryption."""


def load_private_key(pem: str) -> rsa.RSAPrivateKey:
    """An unencrypted RSA private key in PEM; raises ``ValueError``."""
    try:
        key = serialization.load_pem_private_key(pem.strip().encode("latin-1"), password=None)
    except (TypeError, ValueError) as err:
        raise ValueError(str(err)) from None
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < 2048:
        raise ValueError("not an RSA private key of at least 2048 bits")
    return key


def decrypt_assertion(encrypted: etree._Element, private_keys: list[str]) -> etree._Element:
    data = encrypted.find("xenc:EncryptedData", NS)
    if data is None:
        raise DecryptionFailed("EncryptedAssertion has no EncryptedData")
    method = data.find("xenc:EncryptionMethod", NS)
    cipher_value = data.find("xenc:CipherData/xenc:CipherValue", NS)
    encrypted_key = data.find("ds:KeyInfo/xenc:EncryptedKey", NS)
    if encrypted_key is None:
        encrypted_key = encrypted.find("xenc:EncryptedKey", NS)
    if method is None or cipher_value is None or encrypted_key is None:
        raise DecryptionFailed("EncryptedData is incomplete")
    ciphertext = _b64(cipher_value.text)
    for pem in private_keys:
        try:
            key = _unwrap(encrypted_key, load_private_key(pem))
            plaintext = _decrypt(method.get("Algorithm") or "", key, ciphertext)
        except (ValueError, InvalidTag):
            continue
        try:
            root = parse(plaintext, MAX_PLAINTEXT)
        except UnsafeXml:
            break
        if root.tag == f"{{{NS['saml']}}}Assertion":
            return root
        break
    # One message for every failure after the ciphertext was read: AES-CBC is unauthenticated,
    # and telling bad padding from bad XML would be a padding oracle.
    raise DecryptionFailed(UNDECRYPTABLE)


def _b64(text: str | None) -> bytes:
    try:
        return base64.b64decode("".join((text or "").split()), validate=True)
    except (binascii.Error, ValueError):
        raise DecryptionFailed("CipherValue is not base64") from None


def _unwrap(encrypted_key: etree._Element, private_key: rsa.RSAPrivateKey) -> bytes:
    method = encrypted_key.find("xenc:EncryptionMethod", NS)
    value = encrypted_key.find("xenc:CipherData/xenc:CipherValue", NS)
    if method is None or value is None:
        raise DecryptionFailed("EncryptedKey is incomplete")
    algorithm = method.get("Algorithm")
    digest_method = method.find("ds:DigestMethod", NS)
    digest = _DIGESTS.get(digest_method.get("Algorithm", "") if digest_method is not None else "", hashes.SHA1)
    mgf: type[hashes.HashAlgorithm]
    if algorithm == _OAEP_SHA1:
        mgf = hashes.SHA1
    elif algorithm == _OAEP:
        mgf_method = method.find("xenc11:MGF", NS)
        mgf = _MGF.get(mgf_method.get("Algorithm", "") if mgf_method is not None else "", hashes.SHA1)
    else:
        raise DecryptionFailed("unsupported key transport (RSA-OAEP only)")
    return private_key.decrypt(_b64(value.text), padding.OAEP(mgf=padding.MGF1(mgf()), algorithm=digest(), label=None))


def _decrypt(algorithm: str, key: bytes, ciphertext: bytes) -> bytes:
    if algorithm in _GCM and len(key) == _GCM[algorithm]:
        return AESGCM(key).decrypt(ciphertext[:12], ciphertext[12:], None)
    if algorithm in _CBC and len(key) == _CBC[algorithm] and len(ciphertext) >= 32 and len(ciphertext) % 16 == 0:
        decryptor = Cipher(algorithms.AES(key), modes.CBC(ciphertext[:16])).decryptor()
        padded = decryptor.update(ciphertext[16:]) + decryptor.finalize()
        pad = padded[-1]
        if not 1 <= pad <= 16:
            raise ValueError("bad padding")
        # XML Encryption padding: only the last byte (the count) is defined.
        return padded[:-pad]
    raise DecryptionFailed("unsupported content encryption (AES-GCM or AES-CBC only)")
