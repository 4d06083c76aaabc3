"""Condition checks: operators, keys (against the SAR's global and service keys) and values.

The operator registry is the engine's (``policy.conditions.operators``), so an operator is
valid here exactly when the evaluator can evaluate it. Key types come from the SAR
(``catalogue.condition_key_type``); values are judged with the engine's own parsers (dates,
IP ranges) so that what is reported as a type mismatch is what the engine would not match.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re

from iamd.authz import catalogue
from iamd.policy.conditions.dates import to_epoch
from iamd.policy.conditions.operators import UnknownOperator, split_operator
from iamd.policy.jsonloc import Node

from . import condition_keys, variables
from .grammar import Kind, mismatch
from .report import Path, Report, Statement, indexed, items, members

_FAMILY = {
    "string": "String",
    "arn": "ARN",
    "numeric": "Numeric",
    "date": "Date",
    "bool": "Bool",
    "binary": "Binary",
    "ipaddress": "IPAddress",
    "notipaddress": "IPAddress",
    "null": "Null",
}
# SAR key type → operator families that compare it correctly (String operators take ARNs too).
_ACCEPTS = {
    "String": ("String",),
    "ARN": ("ARN", "String"),
    "Numeric": ("Numeric",),
    "Date": ("Date",),
    "Bool": ("Bool",),
    "IPAddress": ("IPAddress",),
    "Binary": ("Binary",),
}
# RFC 1918 and RFC 4193 ranges: addresses a request from the internet never carries.
PRIVATE = tuple(
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "fe80::/10")
)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def family(base: str) -> str:
    for prefix, name in _FAMILY.items():
        if base.startswith(prefix):
            return name
    return "String"


def check(report: Report, st: Statement, kind: Kind, version: str | None) -> None:
    node = st.value("Condition")
    if node is None:
        return
    path = st.at("Condition")
    if node.kind != "obj":
        mismatch(report, path, node, "Object")
        return
    if not members(node):
        report.at("EMPTY_OBJECT_CONDITION", path, node)
    for operator, (op_key, block) in members(node).items():
        _operator(report, st, path + ({"value": operator},), operator, op_key, block, kind, version)


def _operator(
    report: Report,
    st: Statement,
    path: Path,
    operator: str,
    op_key: Node,
    block: Node,
    kind: Kind,
    version: str | None,
) -> None:
    if operator.lower().removeprefix("forallvalues:").removeprefix("foranyvalue:") == "nullifexists":
        report.at_key("NULL_WITH_IF_EXISTS", path, op_key)
        return
    try:
        qualifier, base, if_exists = split_operator(operator)
    except UnknownOperator:
        report.at_key("INVALID_CONDITION_OPERATOR", path, op_key, operator=operator)
        return
    if base == "null" and qualifier:
        report.at_key("NULL_WITH_QUALIFIER", path, op_key)
    if block.kind != "obj":
        mismatch(report, path, block, "Object")
        return
    if not members(block):
        report.at("EMPTY_OBJECT_CONDITION", path, block)
    lowered: dict[str, str] = {}
    condition_keys.check_block(report, st, path, {k: kn for k, (kn, _) in members(block).items()})
    for key, (key_node, values) in members(block).items():
        key_path = path + ({"value": key},)
        if key.lower() in lowered:
            report.at_key("DUPLICATE_KEYS_WITH_DIFFERENT_CASE", key_path, key_node, key=key)
        lowered[key.lower()] = key
        condition_keys.check_key(report, st, key_path, key_node, values, key, kind)
        _key_type(report, key_path, key_node, key, operator, base, qualifier)
        _values(report, key_path, key, values, operator, base, qualifier, if_exists, version)


def _key_type(
    report: Report, path: Path, key_node: Node, key: str, operator: str, base: str, qualifier: str | None
) -> None:
    key_type = catalogue.condition_key_type(key)
    if key_type is None or base == "null":
        return
    single = key_type.removeprefix("ArrayOf")
    allowed = _ACCEPTS.get(single)
    if allowed is not None and family(base) not in allowed:
        report.at_key("TYPE_MISMATCH", path, key_node, allowed=allowed[0], operator=operator, key=key)
    multivalued = key_type.startswith("ArrayOf")
    if qualifier == "ForAllValues" and not multivalued:
        report.at_key("FORALLVALUES_WITH_SINGLE_VALUED_KEY", path, key_node, key=key)
    elif qualifier is None and multivalued:
        report.at_key("MISSING_QUALIFIER", path, key_node, key=key)


def _values(
    report: Report,
    path: Path,
    key: str,
    values: Node,
    operator: str,
    base: str,
    qualifier: str | None,
    if_exists: bool,
    version: str | None,
) -> None:
    if values.kind == "arr" and not items(values):
        code = {
            "ForAllValues": "EMPTY_ARRAY_CONDITION_FORALLVALUES",
            "ForAnyValue": "EMPTY_ARRAY_CONDITION_FORANYVALUE",
        }.get(qualifier or "", "EMPTY_ARRAY_CONDITION_IFEXISTS" if if_exists else "EMPTY_ARRAY_CONDITION")
        report.at(code, path, values, key=key)
        return
    if values.kind not in ("arr", "str", "num", "bool"):
        mismatch(report, path, values, "Array")
        return
    elements = indexed(path, values)
    kinds = {n.kind for _, n in elements}
    if len(kinds) > 1:
        report.at("INVALID_CONDITION_DATA_TYPE", path, values)
    fam = family(base)
    for item_path, item in elements:
        if item.kind not in ("str", "num", "bool"):
            mismatch(report, item_path, item, "String")
            continue
        value = _scalar(item)
        variables.check_value(report, item_path, item, value, fam, version)
        _typed_value(report, item_path, item, value, operator, base, fam, key)
    if fam == "Bool" and len(elements) > 1:
        report.at("INVALID_CONDITION_MULTIPLE_BOOLEAN", path, values)
    if (
        fam == "Numeric"
        and len(elements) > 1
        and base
        in (
            "numericlessthan",
            "numericlessthanequals",
            "numericgreaterthan",
            "numericgreaterthanequals",
        )
    ):
        if all(_number(_scalar(n)) is not None for _, n in elements):
            extreme = "greatest" if "less" in base else "least"
            report.at(
                "REDUNDANT_CONDITION_VALUE_NUM",
                path,
                values,
                operator=operator,
                greatest_least=extreme,
                key=key,
            )
    if key.lower() == "aws:sourceip" and fam == "IPAddress":
        _private(report, path, values, [_scalar(n) for _, n in elements], base)


def _scalar(node: Node) -> str:
    if node.kind == "bool":
        return "true" if node.value else "false"
    return str(node.value)


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def _typed_value(
    report: Report, path: Path, node: Node, value: str, operator: str, base: str, fam: str, key: str
) -> None:
    if "${" in value:
        return
    if fam == "Bool" and value.lower() not in ("true", "false"):
        report.at("TYPE_MISMATCH_BOOLEAN", path, node, operator=operator)
    elif fam == "Numeric" and _number(value) is None:
        report.at("TYPE_MISMATCH_NUMBER", path, node, operator=operator)
    elif fam == "Date":
        if to_epoch(value) is None:
            report.at("TYPE_MISMATCH_DATE", path, node)
        elif not _ISO_DATE.match(value):
            report.at("INVALID_DATE_VALUE", path, node, date=value)
    elif fam == "IPAddress":
        _ip(report, path, node, value, operator)
    elif fam == "Binary":
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            report.at("TYPE_MISMATCH_STRING", path, node, operator=operator)
    elif fam == "String":
        if base in ("stringequals", "stringnotequals", "stringequalsignorecase", "stringnotequalsignorecase"):
            if "*" in value or "?" in value:
                report.at("WILDCARD_WITHOUT_LIKE_OPERATOR", path, node)
        condition_keys.check_value(report, path, node, key, value, base)


def _ip(report: Report, path: Path, node: Node, value: str, operator: str) -> None:
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        report.at("TYPE_MISMATCH_IP_RANGE", path, node, operator=operator)
        return
    try:
        ipaddress.ip_network(value, strict=True)
    except ValueError:
        report.at("IMPROVE_IP_RANGE", path, node, addr=str(network))


def _private(report: Report, path: Path, values: Node, texts: list[str], base: str) -> None:
    nets = []
    for value in texts:
        try:
            nets.append(ipaddress.ip_network(value, strict=False))
        except ValueError:
            return
    private = [any(n.version == p.version and n.subnet_of(p) for p in PRIVATE) for n in nets]  # type: ignore[arg-type]
    if not private or not any(private):
        return
    negated = base == "notipaddress"
    if all(private):
        report.at("PRIVATE_NOTIPADDRESS" if negated else "PRIVATE_IP_ADDRESS", path, values)
    else:
        report.at("PRIVATE_NOTIPADDRESS_SUBSET" if negated else "PRIVATE_IP_ADDRESS_SUBSET", path, values)
