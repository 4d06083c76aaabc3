"""Parse and validate a policy document: JSON text → ``Policy``.

``parse_policy`` is total: on any input it returns a ``Policy`` or raises ``PolicySyntaxError``
with AWS's message, never anything else and never slowly (the JSON reader bounds nesting, and
no step is worse than sorting the resources of a statement). AWS's checks, in AWS's order, are
in ``checks``; this module builds the ``Policy`` and keeps only the structural checks it needs to
build one, so a document stored before a rule existed (``stored=True``) still compiles.
"""

from __future__ import annotations

from typing import cast

from . import validator as v
from .checks import Checker
from .conditions import UnknownOperator
from .conditions.operators import split_operator
from .document import Condition, Policy, PolicyType, Principal, Span, Statement
from .errors import Finding, PolicySyntaxError
from .jsonloc import Locator, Node, read_json
from .rcp import rcp_error

# Node.value's type follows Node.kind; each caller checks the kind before taking the value.


def _members(node: Node) -> dict[str, tuple[Node, Node]]:
    """An ``obj`` node's members by name, each as (key node, value node)."""
    return cast("dict[str, tuple[Node, Node]]", node.value)


def _elements(node: Node) -> list[Node]:
    """An ``arr`` node's elements, or the node itself when it is a scalar."""
    return cast("list[Node]", node.value) if node.kind == "arr" else [node]


def _str(node: Node) -> str:
    """A ``str`` or ``num`` node's text."""
    return cast(str, node.value)


class _Parser:
    def __init__(self, text: str, policy_type: PolicyType) -> None:
        self.text = text
        self.type = policy_type
        self.locator: Locator | None = None

    def fail(self, message: str, node: Node | None = None) -> PolicySyntaxError:
        if node is None or self.locator is None:
            return PolicySyntaxError(message)
        line, column = self.locator.position(node.start)
        return PolicySyntaxError(message, line, column)

    def span(self, node: Node) -> Span:
        assert self.locator is not None
        return Span(*self.locator.position(node.start), *self.locator.position(node.end))

    def strings(self, node: Node, allow_scalars: bool = False) -> tuple[str, ...]:
        """A string or a non-empty list of strings (condition values also take numbers and booleans)."""
        items = _elements(node)
        if node.kind == "arr" and not items and not allow_scalars:
            raise self.fail(v.SYNTAX_ERRORS, node)
        out: list[str] = []
        for item in items:
            if item.kind == "str":
                out.append(_str(item))
            elif allow_scalars and item.kind == "num":
                out.append(_str(item))
            elif allow_scalars and item.kind == "bool":
                out.append("true" if item.value else "false")
            else:
                raise self.fail(v.SYNTAX_ERRORS, item)
        return tuple(out)

    def parse(self, policy_id: str, stored: bool) -> Policy:
        try:
            root, self.locator = read_json(self.text)
        except PolicySyntaxError as err:
            if self.type is PolicyType.TRUST:
                raise PolicySyntaxError(v.INVALID_JSON, err.line, err.column) from None
            raise
        if not stored:
            Checker(self.type, self.locator).run(root)
        if root.kind != "obj":
            raise self.fail(v.SYNTAX_ERRORS, root)
        members = _members(root)
        for name, (key, _) in members.items():
            if name not in v.TOP_LEVEL:
                raise self.fail(v.SYNTAX_ERRORS, key)
        version = "2008-10-17"
        if "Version" in members:
            node = members["Version"][1]
            if node.kind != "str" or node.value not in v.VERSIONS:
                raise self.fail(v.SYNTAX_ERRORS, node)
            version = _str(node)
        doc_id = None
        if "Id" in members:
            node = members["Id"][1]
            if node.kind != "str":
                raise self.fail(v.SYNTAX_ERRORS, node)
            doc_id = _str(node)
        if "Statement" not in members:
            raise self.fail(v.SYNTAX_ERRORS, root)
        body = members["Statement"][1]
        nodes = _elements(body)
        if not nodes:
            raise self.fail(v.SYNTAX_ERRORS, body)
        statements = tuple(self.statement(i, n) for i, n in enumerate(nodes))
        policy = Policy(policy_id, self.type, version, doc_id, statements, self.text)
        if self.type is PolicyType.RCP and not stored:
            broken = rcp_error(policy)
            if broken is not None:
                message, st = broken
                raise PolicySyntaxError(message, st.span.line, st.span.column)
        return policy

    def statement(self, index: int, node: Node) -> Statement:
        if node.kind != "obj":
            raise self.fail(v.SYNTAX_ERRORS, node)
        m = _members(node)
        for name, (key, _) in m.items():
            if name not in v.STATEMENT_FIELDS:
                raise self.fail(v.SYNTAX_ERRORS, key)
        sid = None
        if "Sid" in m:
            sid_node = m["Sid"][1]
            if sid_node.kind != "str":
                raise self.fail(v.SYNTAX_ERRORS, sid_node)
            sid = _str(sid_node) or None
        if "Effect" not in m:
            raise self.fail(v.MISSING_EFFECT, node)
        effect_node = m["Effect"][1]
        if effect_node.kind != "str" or effect_node.value not in ("Allow", "Deny"):
            raise self.fail(v.SYNTAX_ERRORS, effect_node)
        principal, not_principal = self.principal(node, m)
        if "Action" in m and "NotAction" in m:
            raise self.fail(v.SYNTAX_ERRORS, m["NotAction"][0])
        if "Action" not in m and "NotAction" not in m:
            raise self.fail(v.MUST_CONTAIN_ACTIONS, node)
        action_field = "Action" if "Action" in m else "NotAction"
        actions = self.strings(m[action_field][1])
        resources, not_resource = self.resources(node, m)
        conditions = self.conditions(m["Condition"][1]) if "Condition" in m else ()
        return Statement(
            index=index,
            sid=sid,
            effect=_str(effect_node),
            actions=actions,
            not_action=action_field == "NotAction",
            resources=resources,
            not_resource=not_resource,
            principal=principal,
            not_principal=not_principal,
            conditions=conditions,
            span=self.span(node),
        )

    def principal(self, node: Node, m: dict[str, tuple[Node, Node]]) -> tuple[Principal | None, bool]:
        if "Principal" in m and "NotPrincipal" in m:
            raise self.fail(v.SYNTAX_ERRORS, m["NotPrincipal"][0])
        field = "Principal" if "Principal" in m else "NotPrincipal" if "NotPrincipal" in m else None
        if field is None:
            if v.principal_required(self.type):
                raise self.fail(v.MISSING_PRINCIPAL, node)
            return None, False
        key, value = m[field]
        if not v.principal_allowed(self.type):
            raise self.fail(v.principal_prohibited_message(self.type, field), key)
        if value.kind == "str":
            if value.value != "*":
                raise self.fail(v.SYNTAX_ERRORS, value)
            return Principal({"*": ("*",)}), field == "NotPrincipal"
        if value.kind != "obj" or not value.value:
            raise self.fail(v.SYNTAX_ERRORS, value)
        entries: dict[str, tuple[str, ...]] = {}
        for kind, (kind_node, ids_node) in _members(value).items():
            if kind not in v.PRINCIPAL_KINDS:
                raise self.fail(v.SYNTAX_ERRORS, kind_node)
            ids = self.strings(ids_node)
            for ident in ids:
                error = v.principal_error(kind, ident)
                if error:
                    raise self.fail(error, ids_node)
            entries[kind] = ids
        return Principal(entries), field == "NotPrincipal"

    def resources(self, node: Node, m: dict[str, tuple[Node, Node]]) -> tuple[tuple[str, ...] | None, bool]:
        if "Resource" in m and "NotResource" in m:
            raise self.fail(v.SYNTAX_ERRORS, m["NotResource"][0])
        field = "Resource" if "Resource" in m else "NotResource" if "NotResource" in m else None
        if field is None:
            if v.resource_required(self.type):
                raise self.fail(v.MUST_CONTAIN_RESOURCES, node)
            return None, False
        key, value = m[field]
        if v.resource_prohibited(self.type):
            raise self.fail(v.PROHIBITED.format(field=field), key)
        # AWS accepts null entries among a list's resources; they name nothing. A list of nothing
        # but nulls is refused: an empty tuple would read as "no Resource element", which matches
        # every resource.
        kept = [item for item in _elements(value) if item.kind != "null"]
        if not kept:
            raise self.fail(v.SYNTAX_ERRORS, value)
        resources = self.strings(Node("arr", kept, value.start, value.end) if value.kind == "arr" else value)
        return resources, field == "NotResource"

    def conditions(self, node: Node) -> tuple[Condition, ...]:
        if node.kind != "obj":
            raise self.fail(v.SYNTAX_ERRORS, node)
        out = []
        for operator, (op_node, block) in _members(node).items():
            if block.kind != "obj":
                raise self.fail(v.SYNTAX_ERRORS, block)
            try:
                split_operator(operator)
            except UnknownOperator:
                # AWS accepts an unknown operator with an empty block; it constrains nothing.
                if not block.value:
                    continue
                raise self.fail(v.INVALID_CONDITION.format(operator=operator), op_node) from None
            for key, (_key_node, values) in _members(block).items():
                out.append(Condition(operator, key, self.strings(values, allow_scalars=True)))
        return tuple(out)


def parse_policy(text: str, policy_type: PolicyType, policy_id: str = "", *, stored: bool = False) -> Policy:
    """Validate ``text`` as a ``policy_type`` document; raise ``PolicySyntaxError`` if AWS would.

    ``stored=True`` is for documents read back from the store: they passed the checks of their
    day, and skipping today's (a newer version rule, say) keeps a stored ``Deny`` in force
    instead of silently dropping it.
    """
    if not isinstance(text, str) or not isinstance(policy_type, PolicyType):
        raise PolicySyntaxError(v.SYNTAX_ERRORS)
    try:
        return _Parser(text, policy_type).parse(policy_id, stored)
    except PolicySyntaxError:
        raise
    except (RecursionError, ValueError, TypeError, MemoryError):
        raise PolicySyntaxError(v.SYNTAX_ERRORS) from None


def validate_policy(text: str, policy_type: PolicyType) -> tuple[Finding, ...]:
    """AWS's verdict as findings: empty when AWS accepts ``text``, else the one error AWS reports
    first (AWS stops at the first), with its line and column when known."""
    try:
        parse_policy(text, policy_type)
    except PolicySyntaxError as err:
        return (Finding(err.code, err.message, err.line, err.column),)
    return ()
