"""AWS's checks of a policy document, in AWS's order: the first failing check is the answer.

IAM reports one error per document, and which one depends on the order of its passes, so a
document with several faults must be checked pass by pass over *all* statements, not statement
by statement. The passes (docs/policy-validation.md lists every check):

1. syntax: JSON, known elements, element types, Effect spelled in any case, condition blocks
   (an unknown operator is only refused with a non-empty block) → "Syntax errors in policy.";
2. version (identity and boundary documents only) → "Policy document must be version
   2012-10-17 or greater.";
3. legacy parsing: Effect case, Date condition values, then each statement's resources, which
   also records the first resource-format error → "The policy failed legacy parsing";
4. Sid characters, then Sid uniqueness;
5. every statement has actions → "Policy statement must contain actions.";
6. the first resource-format error recorded in pass 3;
7. action vendor prefixes (all ``Action`` elements, then all ``NotAction`` elements);
8. per policy type: Resource prohibited in trust policies, Principal prohibited, resources
   required, Principal required and valid, trust-policy actions.

The checks run on the position-keeping JSON tree, so every error carries a line and column.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

from . import validator as v
from .conditions import UnknownOperator
from .conditions.operators import split_operator
from .document import PolicyType
from .errors import PolicySyntaxError
from .jsonloc import Locator, Node
from .legacy import legacy_date_ok
from .resources import legacy_resource_ok, resource_error

Members = dict[str, tuple[Node, Node]]
_SCALARS = ("str", "num", "bool")


def _members(node: Node) -> Members:
    return cast(Members, node.value)


def _items(node: Node) -> list[Node]:
    return cast("list[Node]", node.value) if node.kind == "arr" else [node]


def statement_nodes(root: Node) -> list[Node]:
    return _items(_members(root)["Statement"][1])


class Checker:
    def __init__(self, policy_type: PolicyType, locator: Locator) -> None:
        self.type = policy_type
        self.locator = locator

    def fail(self, message: str, node: Node) -> PolicySyntaxError:
        return PolicySyntaxError(message, *self.locator.position(node.start))

    def syntax(self, node: Node) -> PolicySyntaxError:
        return self.fail(v.SYNTAX_ERRORS, node)

    def run(self, root: Node) -> None:
        self.document_syntax(root)
        statements = [_members(n) for n in statement_nodes(root)]
        nodes = statement_nodes(root)
        version = _members(root).get("Version")
        if v.version_required(self.type) and (version is None or version[1].value != "2012-10-17"):
            raise self.fail(v.VERSION_REQUIRED, version[1] if version else root)
        resource_error_found = self.legacy(statements)
        self.sids(statements)
        for m, node in zip(statements, nodes, strict=True):
            field = "Action" if "Action" in m else "NotAction" if "NotAction" in m else None
            if field is None or (m[field][1].kind == "arr" and not m[field][1].value):
                raise self.fail(v.MUST_CONTAIN_ACTIONS, m[field][1] if field else node)
        if resource_error_found:
            raise self.fail(*resource_error_found)
        for field in ("Action", "NotAction"):
            for m in statements:
                for item in _items(m[field][1]) if field in m else ():
                    message = v.action_error(cast(str, item.value))
                    if message:
                        raise self.fail(message, item)
        for m, node in zip(statements, nodes, strict=True):
            self.type_rules(m, node)

    # --- pass 1 ---------------------------------------------------------------------------

    def document_syntax(self, root: Node) -> None:
        if root.kind != "obj":
            raise self.syntax(root)
        members = _members(root)
        for name, (key, _) in members.items():
            if name not in v.TOP_LEVEL:
                raise self.syntax(key)
        if "Version" in members and members["Version"][1].value not in v.VERSIONS:
            raise self.syntax(members["Version"][1])
        if "Id" in members and members["Id"][1].kind != "str":
            raise self.syntax(members["Id"][1])
        if "Statement" not in members:
            raise self.syntax(root)
        body = members["Statement"][1]
        if body.kind not in ("obj", "arr") or not _items(body):
            raise self.syntax(body)
        for node in _items(body):
            self.statement_syntax(node)

    def statement_syntax(self, node: Node) -> None:
        if node.kind != "obj":
            raise self.syntax(node)
        m = _members(node)
        for name, (key, _) in m.items():
            if name not in v.STATEMENT_FIELDS:
                raise self.syntax(key)
        for field, other in (
            ("Action", "NotAction"),
            ("Resource", "NotResource"),
            ("Principal", "NotPrincipal"),
        ):
            if field in m and other in m:
                raise self.syntax(m[other][0])
        if "Effect" not in m:
            if self.type in (PolicyType.RESOURCE, PolicyType.TRUST):
                raise self.fail(v.MISSING_EFFECT, node)
            raise self.syntax(node)
        effect = m["Effect"][1]
        if effect.kind != "str" or cast(str, effect.value).lower() not in ("allow", "deny"):
            raise self.syntax(effect)
        for field in ("Action", "NotAction", "Resource", "NotResource"):
            if field in m:
                self.strings(m[field][1], nulls=field.endswith("Resource"))
        if "Sid" in m and m["Sid"][1].kind != "str":
            raise self.syntax(m["Sid"][1])
        if "Condition" in m:
            self.condition_syntax(m["Condition"][1])
        for field in ("Principal", "NotPrincipal"):
            if field in m:
                self.principal_syntax(m[field][1])

    def strings(self, node: Node, nulls: bool = False) -> None:
        if node.kind == "str":
            return
        if node.kind != "arr":
            raise self.syntax(node)
        for item in _items(node):
            if item.kind != "str" and not (nulls and item.kind == "null"):
                raise self.syntax(item)

    def condition_syntax(self, node: Node) -> None:
        if node.kind != "obj":
            raise self.syntax(node)
        for operator, (op_node, block) in _members(node).items():
            if block.kind != "obj":
                raise self.syntax(block)
            for _key, values in _members(block).values():
                if values.kind == "arr":
                    for item in _items(values):
                        if item.kind not in _SCALARS:
                            raise self.syntax(item)
                elif values.kind not in _SCALARS:
                    raise self.syntax(values)
            try:
                split_operator(operator)
            except UnknownOperator:
                if block.value:
                    if self.type is PolicyType.RESOURCE:
                        raise self.fail(v.INVALID_CONDITION.format(operator=operator), op_node) from None
                    raise self.syntax(op_node) from None

    def principal_syntax(self, node: Node) -> None:
        if node.kind == "str":
            if node.value != "*":
                raise self.syntax(node)
            return
        if node.kind != "obj" or not node.value:
            raise self.syntax(node)
        for kind, (kind_node, ids) in _members(node).items():
            if kind not in v.PRINCIPAL_KINDS:
                raise self.syntax(kind_node)
            self.strings(ids)
            if ids.kind == "arr" and not ids.value:
                raise self.syntax(ids)

    # --- passes 3 and 4 -------------------------------------------------------------------

    def legacy(self, statements: list[Members]) -> tuple[str, Node] | None:
        """Pass 3; returns the first resource-format error, which IAM reports only in pass 6."""
        for m in statements:
            effect = m["Effect"][1]
            if effect.value not in ("Allow", "Deny"):
                raise self.fail(v.LEGACY_PARSING, effect)
            for operator, (_op, block) in _members(m["Condition"][1]).items() if "Condition" in m else ():
                if not _is_date(operator):
                    continue
                for _key, values in _members(block).values():
                    for item in _items(values):
                        if item.kind == "bool" or not legacy_date_ok(cast(str, item.value)):
                            raise self.fail(v.LEGACY_PARSING, item)
        found: tuple[str, Node] | None = None
        if self.type is PolicyType.TRUST:  # any Resource is refused outright in pass 8
            return None
        for field in ("Resource", "NotResource"):
            for m in statements:
                if field not in m:
                    continue
                node = m[field][1]
                # A lone "" is checked; in a list, nulls and "" are skipped (AWS accepts them).
                items = [node] if node.kind == "str" else [i for i in _items(node) if i.kind == "str" and i.value]
                if found is None:
                    for item in sorted(items, key=lambda i: cast(str, i.value)):
                        message = resource_error(cast(str, item.value))
                        if message:
                            found = (message, item)
                            break
                if found is None:
                    for item in items:
                        if not legacy_resource_ok(cast(str, item.value)):
                            raise self.fail(v.LEGACY_PARSING, item)
        return found

    def sids(self, statements: list[Members]) -> None:
        for m in statements:
            if "Sid" in m:
                message = v.sid_error(self.type, cast(str, m["Sid"][1].value))
                if message:
                    raise self.fail(message, m["Sid"][1])
        seen: set[str] = set()
        for m in statements:
            sid = cast(str, m["Sid"][1].value) if "Sid" in m else ""
            if sid and sid in seen:
                raise self.fail(v.SID_NOT_UNIQUE, m["Sid"][1])
            seen.add(sid)

    # --- pass 8 ---------------------------------------------------------------------------

    def type_rules(self, m: Members, node: Node) -> None:
        if self.type is PolicyType.TRUST:
            # Before the Principal: an identity policy sent to CreateRole gets this answer.
            for prohibited in ("Resource", "NotResource"):
                if prohibited in m:
                    raise self.fail(v.PROHIBITED.format(field=prohibited), m[prohibited][0])
        principal = "Principal" if "Principal" in m else "NotPrincipal" if "NotPrincipal" in m else None
        if principal and not v.principal_allowed(self.type):
            raise self.fail(v.principal_prohibited_message(self.type, principal), m[principal][0])
        if v.resource_required(self.type):
            field = "Resource" if "Resource" in m else "NotResource" if "NotResource" in m else None
            if field is None or all(i.kind == "null" for i in _items(m[field][1])):
                raise self.fail(v.MUST_CONTAIN_RESOURCES, m[field][1] if field else node)
        if principal is None and v.principal_required(self.type):
            raise self.fail(v.missing_principal_message(self.type), node)
        if principal and m[principal][1].kind == "obj":
            for kind, (_k, ids) in _members(m[principal][1]).items():
                for item in _items(ids):
                    message = v.principal_error(kind, cast(str, item.value))
                    if message:
                        raise self.fail(message, item)
        if self.type is PolicyType.TRUST:
            for item in _iter_actions(m):
                message = v.trust_action_error(cast(str, item.value))
                if message:
                    raise self.fail(message, item)


def _iter_actions(m: Members) -> Iterator[Node]:
    for field in ("Action", "NotAction"):
        if field in m:
            yield from _items(m[field][1])


def _is_date(operator: str) -> bool:
    try:
        return split_operator(operator)[1].startswith("date")
    except UnknownOperator:
        return False
