"""AWS-format identifiers: unique ids, access key ids and secret access keys.

Real AWS ids are a four-letter type prefix followed by characters of the base32 alphabet
(A-Z and 2-7): ``AIDAJQABLZS4A3QDU576Q`` (21 characters), ``AKIAIOSFODNN7EXAMPLE`` (20). Tools and
policies match on those shapes (``aws:userid`` patterns, secret scanners), so iamd mints the same.
Every character comes from ``secrets``: ids are unguessable, not merely unique.
"""

from __future__ import annotations

import secrets
import string

__all__ = [
    "ID_ALPHABET",
    "SECRET_ALPHABET",
    "UNIQUE_ID_PREFIXES",
    "new_unique_id",
    "new_access_key_id",
    "new_secret_access_key",
]

ID_ALPHABET = string.ascii_uppercase + "234567"
SECRET_ALPHABET = string.ascii_letters + string.digits + "/+"

# AWS's documented unique-id prefixes ("IAM identifiers: unique identifiers").
UNIQUE_ID_PREFIXES = {
    "ABIA": "AWS STS service bearer token",
    "ACCA": "context-specific credential",
    "AGPA": "user group",
    "AIDA": "IAM user",
    "AIPA": "Amazon EC2 instance profile",
    "AKIA": "access key",
    "ANPA": "managed policy",
    "ANVA": "version in a managed policy",
    "APKA": "public key",
    "AROA": "role",
    "ASCA": "certificate",
    "ASIA": "temporary (AWS STS) access key",
}

_UNIQUE_ID_BODY = 17
_ACCESS_KEY_BODY = 16
_SECRET_LENGTH = 40


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _check_prefix(prefix: str) -> None:
    if len(prefix) != 4 or not prefix.isascii() or not prefix.isupper():
        raise ValueError(f"an id prefix is four upper-case letters, not {prefix!r}")


def new_unique_id(prefix: str) -> str:
    """A 21-character unique id: ``prefix`` (e.g. ``AIDA`` for a user) and 17 base32 characters."""
    _check_prefix(prefix)
    return prefix + _random(ID_ALPHABET, _UNIQUE_ID_BODY)


def new_access_key_id(prefix: str = "AKIA") -> str:
    """A 20-character access key id: ``AKIA`` (long-term) or ``ASIA`` (temporary) and 16 more."""
    _check_prefix(prefix)
    return prefix + _random(ID_ALPHABET, _ACCESS_KEY_BODY)


def new_secret_access_key() -> str:
    """A 40-character secret from the base64 alphabet, as AWS issues them (~238 bits)."""
    return _random(SECRET_ALPHABET, _SECRET_LENGTH)
