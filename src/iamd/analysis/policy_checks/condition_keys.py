"""Condition key checks: does the key exist, does it apply to the statement's actions, and
do well-known keys hold values of their documented form.

A key's existence is the SAR's (global keys and each service's keys, templated keys such as
``aws:RequestTag/${TagKey}`` included); keys of prefixes the SAR does not know (identity
providers such as ``accounts.google.com:aud`` or an OIDC provider's URL) are not judged.
"""

from __future__ import annotations

import re
from functools import lru_cache

from iamd.authz import catalogue
from iamd.policy.jsonloc import Node

from .grammar import Kind
from .report import Path, Report, Statement, text
from .resources import REGION

_FORMAT = re.compile(r"[^:\s]+:[^\s]+")
_TAG_BARE = (
    "aws:requesttag",
    "aws:resourcetag",
    "aws:principaltag",
    "s3:existingobjecttag",
    "s3:requestobjecttag",
)
_TAG_TEMPLATES = {
    "aws:requesttag/": "aws:RequestTag/${TagKey}",
    "aws:resourcetag/": "aws:ResourceTag/${TagKey}",
}
_VPC = re.compile(r"vpc-(?:[0-9a-zA-Z]{8}|[0-9a-zA-Z]{17})")
_VPCE = re.compile(r"vpce-(?:[0-9a-zA-Z]{8}|[0-9a-zA-Z]{17})")
_SERVICE_PRINCIPAL = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?")
_VIA_SERVICE = re.compile(r"[a-z0-9-]+\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?")
# Keys that only identity-based policies can use for a resource type (the reference's example).
IRRELEVANT = {"s3:resourceaccount": ("AWS::S3::Bucket", "AWS::S3::AccessPoint")}
# Keys that AWS recommends pairing with a related key in the same condition block.
PAIRED = {"aws:vpcsourceip": ("aws:SourceVpc",)}


def _matches(written: str, sar_key: str) -> bool:
    """``s3:ExistingObjectTag/team`` matches the SAR's ``s3:ExistingObjectTag/<key>``."""
    sar = sar_key.lower()
    if written == sar:
        return True
    for opener, closer in (("${", "}"), ("<", ">")):
        start = sar.find(opener)
        if start != -1:
            end = sar.find(closer, start)
            prefix, suffix = sar[:start], sar[end + 1 :]
            return (
                written.startswith(prefix)
                and written.endswith(suffix)
                and len(written) > len(prefix) + len(suffix)
            )
    return False


@lru_cache(maxsize=4096)  # keyed by user-written spellings: bounded
def _action_keys(action: str) -> tuple[str, ...]:
    """The keys an action takes: its own rows' keys and those of the resource types it acts on."""
    info = catalogue.action(action)
    if info is None:
        return ()
    keys = list(info.condition_keys)
    for ref in info.resource_types:
        rt = catalogue.resource_type(info.service, ref.name)
        if rt is not None:
            keys.extend(rt.condition_keys)
    return tuple(dict.fromkeys(keys))


def check_key(
    report: Report, st: Statement, path: Path, key_node: Node, values: Node, key: str, kind: Kind
) -> None:
    """``key_node`` is the key (for findings about its name), ``values`` what it is compared with
    (AWS locates findings about the key's use there, as its CLI example shows)."""
    lowered = key.lower()
    if not _FORMAT.fullmatch(key):
        report.at_key("INVALID_CONDITION_KEY_FORMAT", path, key_node)
        return
    prefix = lowered.split(":", 1)[0]
    if lowered == "aws:arn":
        report.at_key("UNSUPPORTED_GLOBAL_CONDITION_KEY", path, key_node)
        return
    if lowered in _TAG_BARE or (lowered.endswith("/") and lowered.rstrip("/") in _TAG_BARE):
        name = key if key.endswith("/") else key + "/"
        report.at_key("MISSING_TAG_KEY_IN_CONDITION", path, key_node, conditionKeyName=name)
        return
    known = catalogue.condition_key_type(key) is not None
    if prefix == "aws":
        if not known:
            report.at_key("INVALID_GLOBAL_CONDITION_KEY", path, key_node, key=key)
            return
        _tag_support(report, st, path, values, key)
        return
    irrelevant = IRRELEVANT.get(lowered)
    if irrelevant and kind.resource_type in irrelevant:
        report.at_key(
            "IRRELEVANT_CONDITION_KEY_IN_POLICY",
            path,
            key_node,
            condition_key=key,
            resource_type=kind.resource_type,
        )
    if catalogue.service(prefix) is None:
        if known:  # an identity provider's key the SAR lists on STS actions
            _action_support(report, st, path, values, key)
        return
    if not known:
        report.at_key("INVALID_SERVICE_CONDITION_KEY", path, key_node, key=key, service=prefix)
        return
    _action_support(report, st, path, values, key)


def _action_support(report: Report, st: Statement, path: Path, values: Node, key: str) -> None:
    """AWS skips actions with wildcards for this check (the reference says so)."""
    lowered = key.lower()
    unsupported = []
    for action_path, node in st.strings("Action"):
        action = text(node)
        if "*" in action or "?" in action or catalogue.action(action) is None:
            continue
        if not any(_matches(lowered, k) for k in _action_keys(action)):
            unsupported.append((action_path, node))
    if unsupported:
        places = [report.location(p, n) for p, n in unsupported]
        places.append(report.location(path, values))
        names = ", ".join(text(n) for _, n in unsupported)
        report.add("UNSUPPORTED_ACTION_FOR_CONDITION_KEY", places, actions=names, key=key)


def _tag_support(report: Report, st: Statement, path: Path, values: Node, key: str) -> None:
    """A tag key on actions of services that do not read it: an Allow grants nothing for them,
    a Deny denies nothing for them."""
    lowered = key.lower()
    template = next((t for p, t in _TAG_TEMPLATES.items() if lowered.startswith(p)), None)
    if template is None and lowered == "aws:tagkeys":
        template = "aws:TagKeys"
    if template is None or st.effect not in ("Allow", "Deny"):
        return
    verb = "ALLOW" if st.effect == "Allow" else "DENY"
    if st.has("NotAction"):
        report.at(
            f"{verb}_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
            path,
            values,
            conditionKeyName=key,
        )
        return
    services: list[str] = []
    places = []
    for action_path, node in st.strings("Action"):
        prefix = text(node).partition(":")[0].lower()
        svc = catalogue.service(prefix) if text(node) != "*" else None
        if svc is None:
            continue
        if not any(k.lower() == template.lower() for k in svc.condition_keys):
            if prefix not in services:
                services.append(prefix)
            places.append(report.location(action_path, node))
    if services:
        places.append(report.location(path, values))
        report.add(
            f"{verb}_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
            places,
            conditionKeyName=key,
            serviceNames=", ".join(services),
        )


def check_block(report: Report, st: Statement, path: Path, keys: dict[str, Node]) -> None:
    """Keys that are weak alone (``aws:VpcSourceIp`` without ``aws:SourceVpc``) in Allow statements."""
    if st.effect != "Allow":
        return
    present = {k.lower() for k in keys}
    for key, node in keys.items():
        wanted = PAIRED.get(key.lower())
        if wanted and not any(w.lower() in present for w in wanted):
            report.at_key(
                "MISSING_PAIRED_CONDITION_KEYS",
                path + ({"value": key},),
                node,
                conditionKeyName=key,
                recommendedKeys=", ".join(wanted),
            )


def check_value(report: Report, path: Path, node: Node, key: str, value: str, base: str) -> None:
    """Values of String operators whose form AWS documents."""
    lowered = key.lower()
    if "${" in value:
        return
    wild = "*" in value or "?" in value
    if lowered == "token.actions.githubusercontent.com:sub" and "*" in value and base == "stringlike":
        report.at("SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED", path, node)
    if wild:
        return
    if lowered == "aws:sourcevpc" and not _VPC.fullmatch(value):
        report.at("INVALID_VPC_FORMAT", path, node)
    elif lowered == "aws:sourcevpce" and not _VPCE.fullmatch(value):
        report.at("INVALID_VPCE_FORMAT", path, node)
    elif lowered == "aws:requestedregion":
        if not REGION.fullmatch(value):
            report.at("INVALID_REGION", path, node, region=value)
    elif lowered in (
        "aws:principalservicename",
        "aws:principalservicenameslist",
    ) and not _SERVICE_PRINCIPAL.fullmatch(value):
        report.at("INVALID_SERVICE_PRINCIPAL_FORMAT", path, node, expectedFormat="service-name.amazonaws.com")
    elif lowered == "kms:viaservice" and not _VIA_SERVICE.fullmatch(value):
        report.at(
            "INVALID_SERVICE_PRINCIPAL_FORMAT",
            path,
            node,
            expectedFormat="service-name.AWS_region.amazonaws.com",
        )
