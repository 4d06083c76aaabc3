"""SAML 2.0 identity providers: the IdP's metadata, its signing keys, assertion decryption keys.

Create/Get/Update/Delete/List SAMLProvider(s) and the provider's tags, as the IAM API Reference
defines them. The metadata document is parsed at upload (``auth/saml_metadata``: hardened XML,
at least one signing certificate, AWS's limits) and what AssumeRoleWithSAML needs is stored
beside it, so a sign-in never re-reads the document. ``ValidUntil`` is the metadata's
``validUntil``, or 100 years from creation when it has none (as AWS shows it).

Private keys (``AddPrivateKey``) decrypt encrypted assertions: at most two per provider (AWS's
``PrivateKeyList`` limit; add the new one, then remove the old one, to rotate), sealed with the
master key and bound to the provider (``auth/sealed_context.saml_private_key``), never returned —
GetSAMLProvider lists their ids and upload times only. ``AssertionEncryptionMode`` ``Required``
needs a key; with it, AssumeRoleWithSAML refuses unencrypted assertions.

Trusted identity propagation (``ContextProvider``) is stored and returned as given, after AWS's
documented checks; iamd has no IAM Identity Center, so ``IdentityCenterInstanceArn`` is refused.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import Row, delete, func, insert, select

from iamd.auth import sealed_context
from iamd.auth.ids import ID_ALPHABET
from iamd.auth.saml_decrypt import load_private_key
from iamd.auth.saml_metadata import BadMetadata, IdpMetadata, read
from iamd.services.context import Call
from iamd.services.iam import tagging
from iamd.services.iam.common import check_new_tags
from iamd.services.iam.errors import EntityAlreadyExists, InvalidInput, LimitExceeded, NoSuchEntity
from iamd.services.registry import action
from iamd.store import tags as tag_store
from iamd.store.named import NamedRepo
from iamd.store.saml_schema import saml_private_keys, saml_providers

PROVIDERS_QUOTA = 100  # "SAML providers in an AWS account" (reference_iam-quotas.md)
PRIVATE_KEYS_QUOTA = 2  # PrivateKeyList's max in the model
TAG_TYPE = "saml-provider"
DEFAULT_VALIDITY = timedelta(days=36525)
_ARN = re.compile(r"arn:aws:iam::(\d{12}):saml-provider/([\w.+=,@-]{1,128})")
_CONTEXT_KEY = re.compile(r"[A-Za-z0-9_.:/=+\-@#]+(?: [A-Za-z0-9_.:/=+\-@#]+)*")

repo = NamedRepo(saml_providers, "provider_id")


def new_uuid() -> str:
    """``SAMLProviderUUID`` and private key ids: 26 characters of [A-Z2-7] (the model's pattern)."""
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(26))


def provider_arn(row: Row[Any]) -> str:
    return f"arn:aws:iam::{row.account_id}:saml-provider/{row.name}"


def parse_arn(arn: str) -> tuple[str, str] | None:
    """(account, name) of a SAML provider ARN, or None."""
    match = _ARN.fullmatch(arn)
    return (match.group(1), match.group(2)) if match else None


def get_row(call: Call, arn: str) -> Row[Any]:
    parsed = parse_arn(arn)
    if parsed is None:
        raise InvalidInput(f"ARN {arn} is not valid.")
    account, name = parsed
    row = repo.get_by_name(call.conn, account, name) if account == call.account_id else None
    if row is None or row.name != name:
        raise NoSuchEntity(f"Manifest not found for arn {arn}")
    return row


def _metadata(document: str) -> IdpMetadata:
    try:
        return read(document)
    except BadMetadata as err:
        raise InvalidInput(str(err)) from None


def _signing_json(parsed: IdpMetadata) -> str:
    return json.dumps({k: [base64.b64encode(d).decode("ascii") for d in v] for k, v in parsed.signing.items()})


def signing_of(row: Row[Any]) -> dict[str, list[bytes]]:
    """The provider's entity ids and their signing certificates (DER)."""
    return {k: [base64.b64decode(d) for d in v] for k, v in json.loads(row.signing).items()}


def _check_private_key(pem: str) -> None:
    try:
        load_private_key(pem)
    except ValueError:
        raise InvalidInput(
            "The private key is not valid. Provide an unencrypted PEM RSA private key of at least 2048 bits."
        ) from None


def _context_provider(value: dict[str, Any] | None) -> str | None:
    """Check a ContextProvider as its documentation states it, and store it as JSON."""
    if value is None:
        return None
    keys = [value["SubjectSourceKey"], value.get("SubjectTypeSourceKey")]
    keys += [k for d in value.get("KeyDefinitionList") or [] for k in (d["SourceKey"], d.get("TargetKey"))]
    for key in keys:
        if key is not None and not _CONTEXT_KEY.fullmatch(key):
            raise InvalidInput(f"The context key {key!r} has characters that are not allowed.")
    if value.get("SubjectTypeValue") is not None and value.get("SubjectTypeSourceKey") is not None:
        raise InvalidInput("SubjectTypeValue and SubjectTypeSourceKey are mutually exclusive.")
    return json.dumps(value, sort_keys=True)


def _refuse_identity_center(p: dict[str, Any]) -> None:
    if p.get("IdentityCenterInstanceArn") is not None:
        raise InvalidInput("iamd has no IAM Identity Center: IdentityCenterInstanceArn cannot be set.")


def _key_rows(call: Call, provider_id: str) -> list[Row[Any]]:
    k = saml_private_keys
    query = select(k).where(k.c.provider_id == provider_id).order_by(k.c.uploaded_at, k.c.key_id)
    return list(call.conn.execute(query).all())


def _add_private_key(call: Call, row_account: str, provider_id: str, pem: str) -> None:
    count = call.conn.execute(
        select(func.count()).select_from(saml_private_keys).where(saml_private_keys.c.provider_id == provider_id)
    ).scalar_one()
    if count >= PRIVATE_KEYS_QUOTA:
        raise LimitExceeded(f"Cannot exceed quota for PrivateKeysPerSAMLProvider: {PRIVATE_KEYS_QUOTA}")
    key_id = new_uuid()
    call.conn.execute(
        insert(saml_private_keys).values(
            key_id=key_id,
            provider_id=provider_id,
            account_id=row_account,
            # INVARIANT: sealed and bound to this provider and key id; no action reads it back out.
            private_key_sealed=call.runtime.secretbox.seal(
                pem, sealed_context.saml_private_key(row_account, provider_id, key_id)
            ),
            uploaded_at=call.now,
        )
    )


@action("iam", "CreateSAMLProvider")
def create_saml_provider(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    name = p["Name"]
    new_tags = check_new_tags(p.get("Tags"))
    _refuse_identity_center(p)
    parsed = _metadata(p["SAMLMetadataDocument"])
    key = p.get("AddPrivateKey")
    if key is not None:
        _check_private_key(key)
    mode = p.get("AssertionEncryptionMode")
    if mode == "Required" and key is None:
        raise InvalidInput("AssertionEncryptionMode Required needs a private key (AddPrivateKey).")
    context = _context_provider(p.get("ContextProvider"))
    if repo.get_by_name(call.conn, call.account_id, name) is not None:
        raise EntityAlreadyExists(f"SAMLProvider {name} already exists.")
    if repo.count(call.conn, call.account_id) >= PROVIDERS_QUOTA:
        raise LimitExceeded(f"Cannot exceed quota for SAMLProvidersPerAccount: {PROVIDERS_QUOTA}")
    provider_id = new_uuid()
    repo.insert(
        call.conn,
        provider_id=provider_id,
        account_id=call.account_id,
        name=name,
        metadata_document=p["SAMLMetadataDocument"],
        signing=_signing_json(parsed),
        valid_until=parsed.valid_until or call.now + DEFAULT_VALIDITY,
        assertion_encryption_mode=mode,
        context_provider=context,
        created_at=call.now,
    )
    if key is not None:
        _add_private_key(call, call.account_id, provider_id, key)
    tag_store.put_tags(call.conn, TAG_TYPE, provider_id, new_tags)
    out: dict[str, Any] = {"SAMLProviderArn": f"arn:aws:iam::{call.account_id}:saml-provider/{name}"}
    if new_tags:
        out["Tags"] = new_tags
    return out


@action("iam", "GetSAMLProvider")
def get_saml_provider(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    row = get_row(call, p["SAMLProviderArn"])
    parsed = IdpMetadata(signing_of(row), row.valid_until)
    out: dict[str, Any] = {
        "SAMLProviderUUID": row.provider_id,
        "SAMLMetadataDocument": row.metadata_document,
        "SAMLKeyHashes": parsed.key_hashes(),
        "CreateDate": row.created_at,
        "ValidUntil": row.valid_until,
        "PrivateKeyList": [{"KeyId": k.key_id, "Timestamp": k.uploaded_at} for k in _key_rows(call, row.provider_id)],
    }
    if row.assertion_encryption_mode:
        out["AssertionEncryptionMode"] = row.assertion_encryption_mode
    if row.context_provider:
        out["ContextProvider"] = json.loads(row.context_provider)
    tags = sorted(tag_store.list_tags(call.conn, TAG_TYPE, row.provider_id), key=lambda t: t["Key"])
    if tags:
        out["Tags"] = tags
    return out


@action("iam", "UpdateSAMLProvider")
def update_saml_provider(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    row = get_row(call, p["SAMLProviderArn"])
    _refuse_identity_center(p)
    metadata_change = any(
        p.get(k) is not None
        for k in ("SAMLMetadataDocument", "AssertionEncryptionMode", "AddPrivateKey", "RemovePrivateKey")
    )
    context_change = p.get("ContextProvider") is not None or bool(p.get("RemoveContextProvider"))
    if p.get("ContextProvider") is not None and p.get("RemoveContextProvider"):
        raise InvalidInput("ContextProvider and RemoveContextProvider are mutually exclusive.")
    if metadata_change and context_change:
        raise InvalidInput("A request can change either the context provider or the provider metadata, not both.")
    if not metadata_change and not context_change and not p.get("RemoveIdentityCenterInstance"):
        raise InvalidInput("Specify at least one of SAMLMetadataDocument, AssertionEncryptionMode, AddPrivateKey, "
                           "RemovePrivateKey, ContextProvider or RemoveContextProvider.")
    changes: dict[str, Any] = {}
    if p.get("SAMLMetadataDocument") is not None:
        parsed = _metadata(p["SAMLMetadataDocument"])
        changes.update(metadata_document=p["SAMLMetadataDocument"], signing=_signing_json(parsed),
                       valid_until=parsed.valid_until or call.now + DEFAULT_VALIDITY)
    if p.get("AddPrivateKey") is not None:
        _check_private_key(p["AddPrivateKey"])
    remove = p.get("RemovePrivateKey")
    keys = _key_rows(call, row.provider_id)
    if remove is not None and remove not in {k.key_id for k in keys}:
        raise InvalidInput(f"The private key {remove} does not exist for this SAML provider.")
    mode = p.get("AssertionEncryptionMode") or row.assertion_encryption_mode
    remaining = len(keys) - (1 if remove is not None else 0) + (1 if p.get("AddPrivateKey") is not None else 0)
    if mode == "Required" and remaining == 0:
        raise InvalidInput("AssertionEncryptionMode Required needs at least one private key.")
    if p.get("AssertionEncryptionMode") is not None:
        changes["assertion_encryption_mode"] = p["AssertionEncryptionMode"]
    if p.get("ContextProvider") is not None:
        changes["context_provider"] = _context_provider(p["ContextProvider"])
    if p.get("RemoveContextProvider"):
        changes["context_provider"] = None
    if remove is not None:
        call.conn.execute(delete(saml_private_keys).where(saml_private_keys.c.key_id == remove))
    if p.get("AddPrivateKey") is not None:
        _add_private_key(call, row.account_id, row.provider_id, p["AddPrivateKey"])
    if changes:
        repo.update(call.conn, row.provider_id, **changes)
    return {"SAMLProviderArn": provider_arn(row)}


@action("iam", "DeleteSAMLProvider")
def delete_saml_provider(call: Call, p: dict[str, Any]) -> None:
    row = get_row(call, p["SAMLProviderArn"])
    tag_store.drop_all(call.conn, TAG_TYPE, row.provider_id)
    repo.delete(call.conn, row.provider_id)  # its private keys go with it (ON DELETE CASCADE)
    return None


@action("iam", "ListSAMLProviders")
def list_saml_providers(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    t = saml_providers
    rows = call.conn.execute(select(t).where(t.c.account_id == call.account_id).order_by(t.c.name_lower)).all()
    return {
        "SAMLProviderList": [
            {
                "Arn": provider_arn(r),
                "ValidUntil": r.valid_until,
                "CreateDate": r.created_at,
                "IsTrustedIdentityPropagationEnabled": False,
            }
            for r in rows
        ]
    }


tagging.register("SAMLProvider", TAG_TYPE, lambda call, p: get_row(call, p["SAMLProviderArn"]).provider_id)
