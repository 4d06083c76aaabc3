"""Binding the users and roles a stored policy's ``Principal`` names to their unique ids.

IAM User Guide, "AWS JSON policy elements: Principal": when a trust policy naming a user or role
ARN is saved, the ARN "transforms to the … unique principal ID", and "IAM uses a reverse
transformation back to the … ARN when the trust policy is displayed"; once the entity is
deleted the id is shown, and a new entity of the same name does not match. An ARN naming no
entity of any account of this iamd (or an id no entity has) is refused as AWS refuses it:
``MalformedPolicyDocument: Invalid principal in policy: "AWS":"…"``.

``bind`` gives the text to store (ids in place of ARNs); ``shown`` the text to return (current
ARNs in place of the ids whose entity exists). Role trust policies are the stored policies with
a ``Principal`` today; resource policies use the same pair.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from sqlalchemy import Connection, select

from iamd.policy.principal_names import UNIQUE_ID, USER_OR_ROLE_ARN, principal_names, rename
from iamd.policy.validator import INVALID_PRINCIPAL
from iamd.services.iam.common import arn
from iamd.services.iam.errors import MalformedPolicyDocument
from iamd.store.named import NamedRepo
from iamd.store.repos import roles, users

_KINDS: dict[str, tuple[NamedRepo, str]] = {"user": (users, "user_id"), "role": (roles, "role_id")}
_ID_PREFIX = {"AIDA": "user", "AROA": "role"}

# A page of roles repeats a few documents; parse each distinct one once.
_names_of = lru_cache(maxsize=4096)(principal_names)


def _maybe_bound(document: str) -> bool:
    """A cheap test first: most trust policies name services and accounts, never an id."""
    return "AIDA" in document or "AROA" in document


def _entity_id(conn: Connection, value: str) -> str | None:
    """The unique id of the user or role ``value`` names (an ARN, exact in path and case, or an id)."""
    if UNIQUE_ID.fullmatch(value):
        repo, _ = _KINDS[_ID_PREFIX[value[:4]]]
        return value if repo.get_by_id(conn, value) is not None else None
    match = USER_OR_ROLE_ARN.fullmatch(value)
    assert match is not None
    account, kind, path_and_name = match.groups()
    repo, id_column = _KINDS[kind]
    row = repo.get_by_name(conn, account, path_and_name.rsplit("/", 1)[1])
    if row is None or arn(row.account_id, kind, row.path, row.name) != value:
        return None
    return str(getattr(row, id_column))


def bind(conn: Connection, document: str) -> str:
    """The form of a validated ``document`` to store: each user or role ARN in a Principal or
    NotPrincipal replaced by its entity's unique id."""
    names = principal_names(document)
    ids: dict[str, str] = {}
    for name in names:
        entity_id = _entity_id(conn, name.value)
        if entity_id is None:
            raise MalformedPolicyDocument(INVALID_PRINCIPAL.format(kind="AWS", value=name.value))
        ids[name.value] = entity_id
    return rename(document, names, ids)


def _current_arns(conn: Connection, ids: set[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for kind, (repo, id_column) in _KINDS.items():
        wanted = [i for i in ids if _ID_PREFIX[i[:4]] == kind]
        if not wanted:
            continue
        t = repo.table
        query = select(t.c[id_column], t.c.account_id, t.c.path, t.c.name).where(t.c[id_column].in_(wanted))
        for entity_id, account_id, path, name in conn.execute(query):
            out[entity_id] = arn(account_id, kind, path, name)
    return out


def shown(conn: Connection, documents: Iterable[str]) -> dict[str, str]:
    """Stored document → the text to return, for those that differ: each id whose entity
    still exists becomes that entity's current ARN (it may have been renamed); the ids of
    deleted entities stay. One query per entity kind, whatever the number of documents."""
    bound = {d: _names_of(d) for d in set(documents) if _maybe_bound(d)}
    ids = {n.value for names in bound.values() for n in names if UNIQUE_ID.fullmatch(n.value)}
    if not ids:
        return {}
    arns = _current_arns(conn, ids)
    out: dict[str, str] = {}
    for document, names in bound.items():
        text = rename(document, names, arns)
        if text != document:
            out[document] = text
    return out
