"""The policy grammar checks: elements, their JSON types, and what each policy type allows.

Unlike IAM's CreatePolicy, which stops at the first error, ValidatePolicy reports every problem
it finds, so each check here records a finding and carries on with what is usable. Statements
that are not objects are reported and left out of the later (action, resource, condition) checks.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from iamd.policy.jsonloc import Node

from .report import Path, Report, Statement, indexed, items, members, text

TOP_LEVEL = ("Version", "Id", "Statement")
ELEMENTS = (
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
)
VERSIONS = ("2012-10-17", "2008-10-17")
PRINCIPAL_KEYS = ("AWS", "Service", "Federated", "CanonicalUser")
TRUST = "AWS::IAM::AssumeRolePolicyDocument"
_SID = re.compile(r"[0-9A-Za-z]*")
_JSON_TYPES = {
    "obj": "Object",
    "arr": "Array",
    "str": "String",
    "num": "Number",
    "bool": "Boolean",
    "null": "Null",
}


@dataclass(frozen=True, slots=True)
class Kind:
    """Where the document goes: ValidatePolicy's ``policyType`` and ``validatePolicyResourceType``."""

    policy_type: str
    resource_type: str | None

    @property
    def identity(self) -> bool:
        return self.policy_type == "IDENTITY_POLICY"

    @property
    def scp(self) -> bool:
        return self.policy_type == "SERVICE_CONTROL_POLICY"

    @property
    def rcp(self) -> bool:
        return self.policy_type == "RESOURCE_CONTROL_POLICY"

    @property
    def resource(self) -> bool:
        return self.policy_type == "RESOURCE_POLICY"

    @property
    def trust(self) -> bool:
        return self.resource and self.resource_type == TRUST

    @property
    def needs_principal(self) -> bool:
        return self.resource or self.rcp


def mismatch(report: Report, path: Path, node: Node, expected: str) -> None:
    report.at("DATA_TYPE_MISMATCH", path, node, data_type=expected)


def document(report: Report, root: Node, kind: Kind) -> tuple[list[Statement], str | None]:
    """The top level; returns the usable statements and the Version (None when absent)."""
    if root.kind != "obj":
        mismatch(report, (), root, "Object")
        return [], None
    top = members(root)
    for name, (key, _) in top.items():
        if name not in TOP_LEVEL:
            report.at_key("INVALID_POLICY_ELEMENT", ({"value": name},), key, element=name)
    version: str | None = None
    if "Version" not in top:
        report.at("MISSING_VERSION", (), root)
    else:
        node = top["Version"][1]
        if node.kind != "str":
            mismatch(report, ({"value": "Version"},), node, "String")
        elif text(node) not in VERSIONS:
            report.at(
                "INVALID_VERSION",
                ({"value": "Version"},),
                node,
                version=text(node),
                versions=", ".join(VERSIONS),
            )
        else:
            version = text(node)
    if "Id" in top and top["Id"][1].kind != "str":
        mismatch(report, ({"value": "Id"},), top["Id"][1], "String")
    if "Statement" not in top:
        report.at("MISSING_STATEMENT", (), root)
        return [], version
    body = top["Statement"][1]
    if body.kind not in ("obj", "arr"):
        mismatch(report, ({"value": "Statement"},), body, "Array")
        return [], version
    if body.kind == "arr" and not items(body):
        report.at("MISSING_STATEMENT", ({"value": "Statement"},), body)
    statements = []
    for path, node in indexed(({"value": "Statement"},), body):
        if node.kind != "obj":
            mismatch(report, path, node, "Object")
            continue
        st = Statement(members(node), node, path)
        statement(report, st, kind)
        statements.append(st)
    sids(report, statements, kind)
    redundant_statements(report, statements)
    return statements, version


def statement(report: Report, st: Statement, kind: Kind) -> None:
    for name, (key, _) in st.members.items():
        if name not in ELEMENTS:
            report.at_key("INVALID_POLICY_ELEMENT", st.at(name), key, element=name)
    for one, other in (("Action", "NotAction"), ("Resource", "NotResource"), ("Principal", "NotPrincipal")):
        if st.has(one) and st.has(other):
            report.at_key(
                "UNSUPPORTED_ELEMENT_COMBINATION",
                st.at(other),
                st.members[other][0],
                element1=one,
                element2=other,
            )
    effect = st.value("Effect")
    if effect is None:
        report.at("MISSING_EFFECT", st.path, st.node)
    elif effect.kind != "str":
        mismatch(report, st.at("Effect"), effect, "String")
    elif text(effect) not in ("Allow", "Deny"):
        report.at("INVALID_EFFECT", st.at("Effect"), effect, effect=text(effect))
    sid = st.value("Sid")
    if sid is not None:
        if sid.kind != "str":
            mismatch(report, st.at("Sid"), sid, "String")
        elif text(sid) == "":
            report.at("EMPTY_SID_VALUE", st.at("Sid"), sid)
        elif not _SID.fullmatch(text(sid)) and not (kind.resource and not kind.trust):
            report.at("UNSUPPORTED_SID", st.at("Sid"), sid)
    _string_lists(report, st)
    if not st.has("Action") and not st.has("NotAction"):
        report.at("MISSING_ACTION", st.path, st.node)
    _resource_rules(report, st, kind)
    _principal_rules(report, st, kind)


def _string_lists(report: Report, st: Statement) -> None:
    for name, empty in (
        ("Action", "EMPTY_ARRAY_ACTION"),
        ("NotAction", "EMPTY_ARRAY_ACTION"),
        ("Resource", "EMPTY_ARRAY_RESOURCE"),
        ("NotResource", "EMPTY_ARRAY_RESOURCE"),
    ):
        node = st.value(name)
        if node is None:
            continue
        if node.kind == "arr" and not items(node):
            report.at(empty, st.at(name), node)
        elif node.kind not in ("str", "arr"):
            mismatch(report, st.at(name), node, "Array")
        for path, item in indexed(st.at(name), node) if node.kind == "arr" else ():
            if item.kind != "str":
                mismatch(report, path, item, "String")


def _resource_rules(report: Report, st: Statement, kind: Kind) -> None:
    has_resource = st.has("Resource") or st.has("NotResource")
    if kind.trust:
        for name in ("Resource", "NotResource"):
            if st.has(name):
                report.at_key("ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE", st.at(name), st.members[name][0])
    elif not has_resource and (kind.identity or kind.rcp or kind.resource_type):
        # Generic resource policies may leave it out: a role trust policy has none (the aws CLI's
        # ValidatePolicy example, a trust policy sent as RESOURCE_POLICY, reports no MISSING_RESOURCE).
        report.at("MISSING_RESOURCE", st.path, st.node)


def _principal_rules(report: Report, st: Statement, kind: Kind) -> None:
    names = [n for n in ("Principal", "NotPrincipal") if st.has(n)]
    if not kind.needs_principal:
        for name in names:
            key = st.members[name][0]
            if kind.scp:
                report.at_key("SCP_SYNTAX_ERROR_PRINCIPAL", st.at(name), key)
            else:
                report.at_key("UNSUPPORTED_PRINCIPAL", st.at(name), key, policy_type=kind.policy_type)
        return
    if not names:
        report.at("MISSING_PRINCIPAL", st.path, st.node)
        return
    for name in names:
        if name == "NotPrincipal" and kind.trust:
            report.at_key("ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL", st.at(name), st.members[name][0])
        elif name == "NotPrincipal" and st.effect == "Allow":
            report.at_key("ALLOW_WITH_NOTPRINCIPAL", st.at(name), st.members[name][0])
        _principal_format(report, st.at(name), st.members[name][1], kind)


def _principal_format(report: Report, path: Path, node: Node, kind: Kind) -> None:
    if node.kind == "str":
        if text(node) != "*":
            report.at("INVALID_PRINCIPAL_FORMAT", path, node)
        elif kind.trust:
            report.at("ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL", path, node)
        return
    if node.kind != "obj":
        report.at("INVALID_PRINCIPAL_FORMAT", path, node)
        return
    if not members(node):
        report.at("EMPTY_OBJECT_PRINCIPAL", path, node)
    for name, (key, ids) in members(node).items():
        if name not in PRINCIPAL_KEYS:
            report.at_key("INVALID_PRINCIPAL_KEY", path + ({"value": name},), key, principal_key=name)
            continue
        if ids.kind == "arr" and not items(ids):
            report.at("EMPTY_ARRAY_PRINCIPAL", path + ({"value": name},), ids)
        for item_path, item in indexed(path + ({"value": name},), ids):
            if item.kind != "str":
                mismatch(report, item_path, item, "String")


def sids(report: Report, statements: list[Statement], kind: Kind) -> None:
    """IAM (identity and role trust policies) refuses repeated Sids; elsewhere AWS recommends unique ones."""
    code = "UNIQUE_SIDS_REQUIRED" if kind.identity or kind.trust else "UNIQUE_SIDS_RECOMMENDED"
    seen: set[str] = set()
    for st in statements:
        sid = st.value("Sid")
        if sid is None or sid.kind != "str" or not text(sid):
            continue
        if text(sid) in seen:
            report.at(code, st.at("Sid"), sid)
        seen.add(text(sid))


def _canonical(node: Node) -> object:
    if node.kind == "obj":
        return {k: _canonical(v) for k, (_, v) in sorted(members(node).items())}
    if node.kind == "arr":
        return [_canonical(i) for i in items(node)]
    return [node.kind, node.value]


def redundant_statements(report: Report, statements: list[Statement]) -> None:
    """A statement equal to an earlier one, Sid aside, grants nothing more."""
    seen: dict[str, Statement] = {}
    for st in statements:
        body = {k: _canonical(v) for k, (_, v) in st.members.items() if k != "Sid"}
        digest = json.dumps(body, sort_keys=True)
        first = seen.get(digest)
        if first is None:
            seen[digest] = st
            continue
        report.add(
            "REDUNDANT_STATEMENT",
            [report.location(first.path, first.node), report.location(st.path, st.node)],
        )


def json_type(node: Node) -> str:
    return _JSON_TYPES[node.kind]
