"""IAM OpenID Connect identity providers: the issuers an account trusts for web identity.

Rules as AWS applies them (IAM API Reference, CreateOpenIDConnectProvider and the others;
``reference_iam-quotas.md``), with AWS's messages where moto's recordings of AWS show them:

- ``Url`` must begin with ``https://``, name a host, and carry no query or fragment ("Per the OIDC
  standard, path components are allowed but query parameters are not"): else ValidationError
  "Invalid Open ID Connect Provider URL". The provider is then known by ``HOST/PATH`` (no scheme,
  no trailing slash), which is what ``GetOpenIDConnectProvider`` returns as ``Url`` and what ends
  its ARN, ``arn:aws:iam::ID:oidc-provider/HOST/PATH``.
- thumbprints are optional ("AWS secures communication with OIDC identity providers using our
  library of trusted root certificate authorities"); at most 5 (InvalidInput "Thumbprint list
  must contain fewer than 5 entries."), each 40 hex digits;
- at most 100 client ids (LimitExceeded "Cannot exceed quota for
  ClientIdsPerOpenIdConnectProvider: 100"), duplicates kept once;
- at most 100 providers per account; one per URL (EntityAlreadyExists);
- a provider named by an ARN that is not one of the account's is NoSuchEntity "OpenIDConnect
  Provider not found for arn ARN".

Trusted identity propagation (``ContextProvider``, ``IdentityCenterInstanceArn``) needs IAM
Identity Center, which iamd does not have: asking for it is a clear InvalidInput, never a silent
success. ``UpdateOpenIDConnectProvider``, which only manages it, checks its request as AWS
documents ("provide either the new value or the corresponding Remove flag in a single request,
but not both"; "a single request can change either the context provider or the IAM Identity Center
association, but not both") and the provider (NoSuchEntity); removing either configuration
succeeds (no provider of iamd has one), setting one is that same InvalidInput.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Row

from iamd.auth.ids import new_unique_id
from iamd.errors import ValidationError
from iamd.services.context import Call
from iamd.services.iam import tagging
from iamd.services.iam.common import check_new_tags
from iamd.services.iam.errors import EntityAlreadyExists, InvalidInput, LimitExceeded, NoSuchEntity
from iamd.services.registry import action
from iamd.store import oidc_providers as repo
from iamd.store import tags as tag_store

TAG_TYPE = "oidc-provider"
PROVIDERS_QUOTA = 100
CLIENT_IDS_QUOTA = 100
THUMBPRINTS_QUOTA = 5
INVALID_URL = "Invalid Open ID Connect Provider URL"
_THUMBPRINT = re.compile(r"[0-9A-Fa-f]{40}")
NO_IDENTITY_CENTER = (
    "iamd does not support trusted identity propagation (ContextProvider, IdentityCenterInstanceArn): "
    "it has no IAM Identity Center."
)


def provider_url(url: str) -> str:
    """``https://HOST/PATH/`` → ``HOST/PATH``, or ValidationError as AWS words it."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValidationError(INVALID_URL) from None
    if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment or "@" in parts.netloc:
        raise ValidationError(INVALID_URL)
    if port is not None and not 0 < port < 65536:
        raise ValidationError(INVALID_URL)
    return (parts.netloc + parts.path).rstrip("/")


def provider_arn(account_id: str, url: str) -> str:
    return f"arn:aws:iam::{account_id}:oidc-provider/{url}"


def url_of_arn(arn: str, account_id: str) -> str | None:
    prefix = f"arn:aws:iam::{account_id}:oidc-provider/"
    return arn[len(prefix):] if arn.startswith(prefix) and len(arn) > len(prefix) else None


def get_row(call: Call, arn: str) -> Row[Any]:
    url = url_of_arn(arn, call.account_id)
    row = repo.get(call.conn, call.account_id, url) if url is not None else None
    if row is None:
        raise NoSuchEntity(f"OpenIDConnect Provider not found for arn {arn}")
    return row


def _unique(items: list[str], *, fold: bool = False) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = item.lower() if fold else item
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def check_thumbprints(given: list[str] | None) -> list[str]:
    thumbprints = _unique(list(given or []), fold=True)
    if len(thumbprints) > THUMBPRINTS_QUOTA:
        raise InvalidInput("Thumbprint list must contain fewer than 5 entries.")
    for thumbprint in thumbprints:
        if not _THUMBPRINT.fullmatch(thumbprint):
            raise InvalidInput(f"Thumbprint {thumbprint} is not a hexadecimal SHA-1 fingerprint of 40 digits.")
    return [t.lower() for t in thumbprints]


def _client_ids_limit(client_ids: list[str]) -> None:
    if len(client_ids) > CLIENT_IDS_QUOTA:
        raise LimitExceeded(f"Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: {CLIENT_IDS_QUOTA}")


@action("iam", "CreateOpenIDConnectProvider")
def create_open_id_connect_provider(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    if p.get("ContextProvider") is not None or p.get("IdentityCenterInstanceArn") is not None:
        raise InvalidInput(NO_IDENTITY_CENTER)
    url = provider_url(p["Url"])
    thumbprints = check_thumbprints(p.get("ThumbprintList"))
    client_ids = _unique(list(p.get("ClientIDList") or []))
    _client_ids_limit(client_ids)
    new_tags = check_new_tags(p.get("Tags"))
    # The API layer holds the account's lock for IAM changes (store/locks.py): the count and the
    # uniqueness check cannot race another writer; the unique constraint backs the latter.
    if repo.get(call.conn, call.account_id, url) is not None:
        raise EntityAlreadyExists("Unknown")
    if repo.count(call.conn, call.account_id) >= PROVIDERS_QUOTA:
        raise LimitExceeded(f"Cannot exceed quota for OpenIdConnectProvidersPerAccount: {PROVIDERS_QUOTA}")
    provider_id = new_unique_id("AOIP")
    repo.insert_provider(
        call.conn, provider_id=provider_id, account_id=call.account_id, url=url,
        client_ids=client_ids, thumbprints=thumbprints, created_at=call.now,
    )
    tag_store.put_tags(call.conn, TAG_TYPE, provider_id, new_tags)
    out: dict[str, Any] = {"OpenIDConnectProviderArn": provider_arn(call.account_id, url)}
    if new_tags:
        out["Tags"] = new_tags
    return out


@action("iam", "GetOpenIDConnectProvider")
def get_open_id_connect_provider(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    row = get_row(call, p["OpenIDConnectProviderArn"])
    out: dict[str, Any] = {
        "Url": row.url,
        "ClientIDList": repo.client_ids(row),
        "ThumbprintList": repo.thumbprints(row),
        "CreateDate": row.created_at,
    }
    tags = tag_store.list_tags(call.conn, TAG_TYPE, row.provider_id)
    if tags:
        out["Tags"] = tags
    return out


@action("iam", "ListOpenIDConnectProviders")
def list_open_id_connect_providers(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    rows = repo.list_all(call.conn, call.account_id)
    return {"OpenIDConnectProviderList": [{"Arn": provider_arn(r.account_id, r.url)} for r in rows]}


@action("iam", "DeleteOpenIDConnectProvider")
def delete_open_id_connect_provider(call: Call, p: dict[str, Any]) -> None:
    row = get_row(call, p["OpenIDConnectProviderArn"])
    tag_store.drop_all(call.conn, TAG_TYPE, row.provider_id)
    repo.remove(call.conn, row.provider_id)
    return None


@action("iam", "AddClientIDToOpenIDConnectProvider")
def add_client_id(call: Call, p: dict[str, Any]) -> None:
    row = get_row(call, p["OpenIDConnectProviderArn"])
    client_ids = repo.client_ids(row)
    if p["ClientID"] in client_ids:
        return None  # AWS: adding a client id already there succeeds and changes nothing
    client_ids.append(p["ClientID"])
    _client_ids_limit(client_ids)
    repo.set_lists(call.conn, row.provider_id, client_ids=client_ids)
    return None


@action("iam", "RemoveClientIDFromOpenIDConnectProvider")
def remove_client_id(call: Call, p: dict[str, Any]) -> None:
    """"This operation is idempotent; it does not fail or return an error if you try to remove a
    client ID that does not exist" (IAM API Reference)."""
    row = get_row(call, p["OpenIDConnectProviderArn"])
    client_ids = repo.client_ids(row)
    if p["ClientID"] in client_ids:
        repo.set_lists(call.conn, row.provider_id, client_ids=[c for c in client_ids if c != p["ClientID"]])
    return None


@action("iam", "UpdateOpenIDConnectProviderThumbprint")
def update_thumbprint(call: Call, p: dict[str, Any]) -> None:
    """"The list that you pass with this operation completely replaces the existing list"."""
    row = get_row(call, p["OpenIDConnectProviderArn"])
    repo.set_lists(call.conn, row.provider_id, thumbprints=check_thumbprints(p["ThumbprintList"]))
    return None


@action("iam", "UpdateOpenIDConnectProvider")
def update_open_id_connect_provider(call: Call, p: dict[str, Any]) -> None:
    context, remove_context = p.get("ContextProvider"), bool(p.get("RemoveContextProvider"))
    center, remove_center = p.get("IdentityCenterInstanceArn"), bool(p.get("RemoveIdentityCenterInstance"))
    if context is not None and remove_context:
        raise InvalidInput("Specify either ContextProvider or RemoveContextProvider, not both.")
    if center is not None and remove_center:
        raise InvalidInput("Specify either IdentityCenterInstanceArn or RemoveIdentityCenterInstance, not both.")
    changes_context = context is not None or remove_context
    changes_center = center is not None or remove_center
    if changes_context and changes_center:
        raise InvalidInput(
            "A request can change either the context provider or the IAM Identity Center association, not both."
        )
    if not (changes_context or changes_center):
        raise InvalidInput(
            "Specify one of ContextProvider, RemoveContextProvider, IdentityCenterInstanceArn or "
            "RemoveIdentityCenterInstance."
        )
    get_row(call, p["OpenIDConnectProviderArn"])
    if context is not None or center is not None:
        raise InvalidInput(NO_IDENTITY_CENTER)
    return None


tagging.register(
    "OpenIDConnectProvider",
    TAG_TYPE,
    lambda call, p: get_row(call, p["OpenIDConnectProviderArn"]).provider_id,
)
