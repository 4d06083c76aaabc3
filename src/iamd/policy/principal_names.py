"""How a stored document names IAM users and roles: by unique id, not by a name that can be reused.

IAM User Guide, "AWS JSON policy elements: Principal": a user or role ARN in a role trust policy
"transforms to the … unique principal ID when you save the policy. This helps mitigate the risk
of someone escalating their privileges by removing and recreating the role or user", and "IAM
uses a reverse transformation back to the … ARN when the trust policy is displayed"; once the
entity is gone the id itself is shown. Both directions rename the ``AWS`` entries of
``Principal``/``NotPrincipal`` in place, so the rest of the text stays as its author wrote it.

Finding which entity an ARN or id stands for is the store's business: the service passes the
mapping in. Accounts, sessions, services, providers and ``*`` are never renamed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

from .jsonloc import Node, read_json

# What IAM stores in place of a user's or a role's ARN (IAM identifiers, "Unique identifiers").
UNIQUE_ID = re.compile(r"(?:AIDA|AROA)[A-Z0-9]{17}")
# A user or role ARN: (account, "user"/"role", "/path/name").
USER_OR_ROLE_ARN = re.compile(r"arn:aws:iam::(\d{12}):(user|role)(/.+)", re.S)


@dataclass(frozen=True, slots=True)
class PrincipalName:
    """One string of an ``AWS`` entry: its value and where its JSON token sits in the text."""

    value: str
    start: int
    end: int


def is_bindable(value: str) -> bool:
    """A user or role ARN (to bind to its entity's id) or an id already bound."""
    return USER_OR_ROLE_ARN.fullmatch(value) is not None or UNIQUE_ID.fullmatch(value) is not None


def _members(node: Node) -> dict[str, tuple[Node, Node]]:
    return cast("dict[str, tuple[Node, Node]]", node.value) if node.kind == "obj" else {}


def _elements(node: Node) -> list[Node]:
    return cast("list[Node]", node.value) if node.kind == "arr" else [node]


def principal_names(text: str) -> tuple[PrincipalName, ...]:
    """Every user or role ARN and unique id in the ``AWS`` entries of ``text``'s Principal and
    NotPrincipal elements, in document order. ``text`` is a document the parser accepted."""
    root, _ = read_json(text)
    out: list[PrincipalName] = []
    statements = _members(root).get("Statement")
    for statement in _elements(statements[1]) if statements else ():
        for field in ("Principal", "NotPrincipal"):
            element = _members(statement).get(field)
            entry = _members(element[1]).get("AWS") if element else None
            for node in _elements(entry[1]) if entry else ():
                if node.kind == "str" and is_bindable(cast(str, node.value)):
                    out.append(PrincipalName(cast(str, node.value), node.start, node.end))
    return tuple(out)


def rename(text: str, names: tuple[PrincipalName, ...], mapping: Mapping[str, str]) -> str:
    """``text`` with each of ``names`` found in ``mapping`` replaced by its mapped value."""
    pieces: list[str] = []
    last = 0
    for name in names:
        new = mapping.get(name.value)
        if new is None or new == name.value:
            continue
        pieces += [text[last : name.start], json.dumps(new)]
        last = name.end
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)
