"""Resource ARN checks against the SAR's ARN templates, and what a resource policy may name.

Each ARN is split into ``arn:partition:service:region:account:resource`` and compared with every
template the SAR gives for that ARN vendor (templates of all services, since ``iam`` ARNs also
come from ``sts``' table): a region where no template has one, none where all need one, an
account where none takes one, a resource part no template matches. Fields holding a wildcard
or a policy variable are not judged (they may stand for anything valid).
"""

from __future__ import annotations

import re
from functools import cache

from iamd.authz import catalogue
from iamd.policy.jsonloc import Node
from iamd.policy.resources import PARTITIONS

from .grammar import Kind
from .report import Path, Report, Statement, glob_match, text

REGION = re.compile(
    r"(?:af|ap|ca|cn|eu|il|me|mx|sa|us)(?:-gov|-iso[a-z]?|-isob)?-"
    r"(?:central|north|south|east|west|northeast|northwest|southeast|southwest)-\d{1,2}"
)
MAX_PATTERNS = 64
_ACCOUNT = re.compile(r"\d{12}")
_TEMPLATE_VAR = re.compile(r"\$\{[^}]*\}")

# validatePolicyResourceType → (action prefixes it takes, test of a resource ARN's fields)
_S3_OWN = ("accesspoint/", "job/", "storage-lens", "access-grants/", "async-request/")
RESOURCE_TYPES: dict[str, tuple[tuple[str, ...], str]] = {
    "AWS::S3::Bucket": (("s3",), "arn:*:s3:::*"),
    "AWS::S3::AccessPoint": (("s3",), "arn:*:s3:*:*:accesspoint/*"),
    "AWS::S3::MultiRegionAccessPoint": (("s3",), "arn:*:s3::*:accesspoint/*"),
    "AWS::S3ObjectLambda::AccessPoint": (("s3-object-lambda",), "arn:*:s3-object-lambda:*:*:accesspoint/*"),
    "AWS::DynamoDB::Table": (("dynamodb",), "arn:*:dynamodb:*:*:table/*"),
    "AWS::IAM::AssumeRolePolicyDocument": (("sts",), ""),
}


def _loose(field: str) -> bool:
    return "*" in field or "?" in field or "${" in field


@cache
def _templates() -> dict[str, list[tuple[str, str, re.Pattern[str]]]]:
    """ARN vendor → [(region field, account field, resource-part regex)] over the whole SAR."""
    out: dict[str, list[tuple[str, str, re.Pattern[str]]]] = {}
    for prefix in catalogue.services():
        svc = catalogue.service(prefix)
        assert svc is not None
        for rt in svc.resource_types.values():
            fields = rt.arn_template.split(":", 5)
            if len(fields) < 6:
                continue
            parts = _TEMPLATE_VAR.split(fields[5])
            body = ".+".join(re.escape(p) for p in parts)
            out.setdefault(fields[2], []).append((fields[3], fields[4], re.compile(body, re.S)))
    return out


def check(report: Report, st: Statement, kind: Kind) -> None:
    for name in ("Resource", "NotResource"):
        for path, node in st.strings(name):
            _one(report, path, node, text(node))
            if kind.resource_type and name == "Resource":
                _for_resource_type(report, path, node, kind.resource_type)
    _redundant(report, st)
    if kind.resource_type:
        _actions_for_resource_type(report, st, kind.resource_type)


def _one(report: Report, path: Path, node: Node, arn: str) -> None:
    if arn == "*" or arn.startswith("${"):
        return
    if not arn.startswith("arn:"):
        report.at("INVALID_ARN_PREFIX", path, node)
        return
    fields = arn.split(":", 5)
    if len(fields) < 6:
        report.at("MISSING_ARN_FIELD", path, node, fields=6)
        return
    _, partition, service, region, account, resource = fields
    templates = _templates().get(service)
    if not _loose(partition) and partition not in PARTITIONS:
        report.at(
            "INVALID_PARTITION",
            path,
            node,
            service=service,
            partition=partition,
            partitions=", ".join(sorted(PARTITIONS)),
        )
    if _loose(service):
        return
    if service != service.lower():
        report.at("INVALID_ARN_SERVICE_CASE", path, node, service=service)
        return
    if templates is None:
        if catalogue.service(service) is None:
            report.at("INVALID_SERVICE", path, node, service=service)
        return
    if not _loose(resource):
        matching = [t for t in templates if t[2].fullmatch(resource)]
        if not matching:
            report.at("INVALID_ARN_RESOURCE", path, node)
            return
        templates = matching
    regions = {t[0] for t in templates}
    if region and not _loose(region):
        if regions == {""}:
            report.at("ARN_REGION_NOT_ALLOWED", path, node, service=service)
        elif not REGION.fullmatch(region):
            report.at("INVALID_ARN_REGION", path, node, region=region)
    elif not region and "" not in regions:
        report.at("MISSING_ARN_REGION", path, node, service=service)
    accounts = {t[1] for t in templates}
    if account and not _loose(account):
        if accounts == {""}:
            report.at("ARN_ACCOUNT_NOT_ALLOWED", path, node, service=service)
        elif not _ACCOUNT.fullmatch(account) and account != "aws" and account not in accounts:
            report.at("INVALID_ARN_ACCOUNT", path, node, account=account)


def _redundant(report: Report, st: Statement) -> None:
    """An ARN another ARN of the statement already covers ("jane-admin" beside "jane*").

    Each ARN is compared with the statement's first ``MAX_PATTERNS`` wildcard ARNs, so a
    statement of thousands of ARNs costs thousands of comparisons, not millions."""
    entries = [(p, n, text(n)) for p, n in st.strings("Resource")]
    if len(entries) < 2:
        return
    patterns = list(dict.fromkeys(v for _, _, v in entries if _wild(v)))[:MAX_PATTERNS]
    redundant = []
    seen: set[str] = set()
    for path, node, value in entries:
        if value in seen:
            redundant.append((path, node))
            continue
        seen.add(value)
        if any(other != value and glob_match(other, value) for other in patterns):
            redundant.append((path, node))
    if redundant:
        report.add(
            "REDUNDANT_RESOURCE",
            [report.location(p, n) for p, n in redundant],
            redundantResourceCount=len(redundant),
        )


def _wild(value: str) -> bool:
    return "*" in value or "?" in value


def _for_resource_type(report: Report, path: Path, node: Node, resource_type: str) -> None:
    arn = text(node)
    pattern = RESOURCE_TYPES[resource_type][1]
    if not pattern or arn == "*":
        return
    ok = glob_match(pattern, arn)
    if ok and resource_type == "AWS::S3::Bucket":
        ok = not arn.split(":", 5)[5].startswith(_S3_OWN)
    if not ok:
        report.at("UNSUPPORTED_RESOURCE_ARN_IN_POLICY", path, node, resourceType=resource_type)


def _actions_for_resource_type(report: Report, st: Statement, resource_type: str) -> None:
    prefixes = RESOURCE_TYPES[resource_type][0]
    for path, node in st.strings("Action"):
        action = text(node)
        prefix = action.partition(":")[0]
        if action == "*" or any(glob_match(prefix, p, True) for p in prefixes):
            continue
        report.at("UNSUPPORTED_ACTION_IN_POLICY", path, node, action=action, resourceType=resource_type)
