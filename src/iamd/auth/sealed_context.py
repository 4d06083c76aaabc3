"""Encryption contexts: what each sealed secret is bound to, besides the master key.

A sealed secret opens only with the context it was sealed for, so an edit of the database that
moves a row — an access key to another user or account, an MFA device to another user — leaves a
secret that no longer opens, rather than one that now authenticates as the new owner. The context
names the table, the account, the owner and the row's id (AWS KMS calls this an encryption
context); it is encoded as a JSON array, which no two different contexts share.

Owners:

- an access key: the IAM user's id, or ``root`` for the account's root key;
- an MFA seed: the user's id, ``root``, or ``""`` while the device is assigned to nobody (enabling
  and deactivating a device re-seal its seed for its new owner);
- a server certificate's private key: the certificate itself (its id), in its account;
- a SAML provider's assertion-decryption key: the provider (its id) and the key (its id);
- the trail's digest-signing key: the trail (no account), the key itself (its id);
- an outbound web identity federation signing key: its account and the key (its id).
"""

from __future__ import annotations

import json

__all__ = [
    "ROOT",
    "access_key",
    "mfa_owner",
    "mfa_seed",
    "outbound_signing_key",
    "saml_private_key",
    "server_certificate_key",
    "trail_signing_key",
]

ROOT = "root"


def _context(table: str, account_id: str, owner: str, row_id: str, *more: str) -> str:
    return json.dumps([table, account_id, owner, row_id, *more], separators=(",", ":"))


def access_key(account_id: str, user_id: str | None, access_key_id: str) -> str:
    """A secret access key's context: its account, its user (or root) and its id."""
    return _context("access_keys", account_id, user_id or ROOT, access_key_id)


def mfa_owner(user_id: str | None, assigned_to_root: bool) -> str:
    """Who holds an MFA device, as its seed's context names it."""
    if assigned_to_root:
        return ROOT
    return user_id or ""


def mfa_seed(account_id: str, device_id: str, serial_number: str, owner: str) -> str:
    """A TOTP seed's context: the device (id and serial) and the user it is assigned to."""
    return _context("mfa_devices", account_id, owner, device_id, serial_number)


def server_certificate_key(account_id: str, server_certificate_id: str) -> str:
    """A server certificate's private key: bound to the certificate and its account."""
    return _context("server_certificates", account_id, server_certificate_id, server_certificate_id)


def saml_private_key(account_id: str, provider_id: str, key_id: str) -> str:
    """A SAML provider's assertion-decryption key: bound to the provider and the key's id."""
    return _context("saml_private_keys", account_id, provider_id, key_id)


def trail_signing_key(key_id: str) -> str:
    """The audit trail's digest-signing key: bound to its key id, outside every account."""
    return _context("audit_signing_keys", "", "trail", key_id)


def outbound_signing_key(account_id: str, key_id: str) -> str:
    """A key signing an account's outbound web identity tokens: bound to the account and key id."""
    return _context("outbound_signing_keys", account_id, "outbound", key_id)
