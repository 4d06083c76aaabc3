"""Access Analyzer's ValidatePolicy: every finding of AWS's policy checks, located in the text.

``validate_policy(text, policy_type, resource_type, locale)`` returns the findings as
ValidatePolicy's response lists them (``findingType``, ``issueCode``, ``findingDetails``,
``learnMoreLink``, ``locations``), in document order. It is pure — no store, no clock — so the
Access Analyzer action, ``iamd policy lint`` and tests share it. The checks themselves are in
``policy_checks/`` by family (grammar, actions, resources, conditions and condition keys,
principals, variables); docs/access-analyzer.md lists which of the reference's checks run.

Bad arguments raise ``ValidatePolicyInputError`` (the service answers ValidationException);
a document that is not JSON is a finding (``JSON_SYNTAX_ERROR``), as on AWS. Work is bounded
before anything is parsed: at most ``MAX_DOCUMENT_CHARS`` characters (AWS's ValidatePolicy
maximum, counted without white space, as AWS's own CloudFormation validator counts it) and the
JSON reader's nesting bound.
"""

from __future__ import annotations

from typing import Any

from iamd.policy.errors import PolicySyntaxError
from iamd.policy.jsonloc import Locator, Node, read_json

from .policy_checks import actions, conditions, grammar, principals, resources, variables
from .policy_checks.grammar import Kind
from .policy_checks.report import Report

POLICY_TYPES = ("IDENTITY_POLICY", "RESOURCE_POLICY", "SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY")
RESOURCE_TYPES = tuple(resources.RESOURCE_TYPES)
LOCALES = ("DE", "EN", "ES", "FR", "IT", "JA", "KO", "PT_BR", "ZH_CN", "ZH_TW")
MAX_DOCUMENT_CHARS = 32768
# Raw length, white space included, past which the document is refused without being read.
MAX_RAW_CHARS = 1 << 20

IDENTITY_QUOTA = 6144  # managed policy, white space not counted
TRUST_QUOTA = 2048  # role trust policy default, white space not counted
SCP_QUOTA = 5120  # Organizations counts every character
RESOURCE_QUOTAS = {"AWS::S3::Bucket": 20480, "AWS::DynamoDB::Table": 20480}


class ValidatePolicyInputError(ValueError):
    """An argument AWS would refuse with ValidationException; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _non_whitespace(text: str) -> int:
    return sum(1 for ch in text if ch not in " \t\r\n")


def check_arguments(text: str, policy_type: str, resource_type: str | None, locale: str) -> None:
    if policy_type not in POLICY_TYPES:
        raise ValidatePolicyInputError(
            "policyType",
            f"Value at 'policyType' failed to satisfy constraint: Member must satisfy enum value set: [{', '.join(POLICY_TYPES)}]",
        )
    if resource_type is not None:
        if resource_type not in RESOURCE_TYPES:
            raise ValidatePolicyInputError(
                "validatePolicyResourceType",
                f"Value at 'validatePolicyResourceType' failed to satisfy constraint: Member must satisfy enum value set: [{', '.join(RESOURCE_TYPES)}]",
            )
        if policy_type != "RESOURCE_POLICY":
            raise ValidatePolicyInputError(
                "validatePolicyResourceType",
                "validatePolicyResourceType can only be specified for the policy type RESOURCE_POLICY.",
            )
    if locale not in LOCALES:
        raise ValidatePolicyInputError(
            "locale",
            f"Value at 'locale' failed to satisfy constraint: Member must satisfy enum value set: [{', '.join(LOCALES)}]",
        )
    if len(text) > MAX_RAW_CHARS or _non_whitespace(text) > MAX_DOCUMENT_CHARS:
        raise ValidatePolicyInputError(
            "policyDocument",
            f"The policy document exceeds the maximum of {MAX_DOCUMENT_CHARS} characters, excluding white space, "
            "that ValidatePolicy accepts. Use multiple granular policies.",
        )


def validate_policy(
    text: str, policy_type: str, resource_type: str | None = None, locale: str = "EN"
) -> list[dict[str, Any]]:
    """The findings of AWS's policy checks for ``text`` as ``policy_type``.

    ``locale`` is accepted as AWS accepts it; the findings are worded in English whatever its
    value (iamd ships no translations of AWS's messages).
    """
    check_arguments(text, policy_type, resource_type, locale)
    kind = Kind(policy_type, resource_type)
    try:
        root, locator = read_json(text)
    except PolicySyntaxError as err:
        return [_syntax_finding(text, err)]
    report = Report(text, locator)
    _quotas(report, root, text, kind)
    statements, version = grammar.document(report, root, kind)
    for st in statements:
        actions.check(report, st, kind)
        resources.check(report, st, kind)
        for name in ("Resource", "NotResource"):
            for path, node in st.strings(name):
                variables.check_resource(report, path, node, str(node.value), version)
        conditions.check(report, st, kind, version)
        if kind.needs_principal:
            principals.check(report, st, kind)
    return report.ordered()


def _syntax_finding(text: str, err: PolicySyntaxError) -> dict[str, Any]:
    line, column = err.line or 1, (err.column or 1) - 1
    lines = text.split("\n")
    offset = sum(len(x) + 1 for x in lines[: line - 1]) + column
    report = Report(text, Locator(text))
    end = min(offset + 1, len(text))
    point = Node("null", None, min(offset, len(text)), max(end, min(offset, len(text))))
    report.at("JSON_SYNTAX_ERROR", (), point, index=offset, line=line, column=column)
    return report.ordered()[0]


def _quotas(report: Report, root: Node, text: str, kind: Kind) -> None:
    size = _non_whitespace(text)
    if kind.identity and size > IDENTITY_QUOTA:
        report.at(
            "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA",
            (),
            root,
            policySize=size,
            policySizeQuota=IDENTITY_QUOTA,
        )
    elif kind.scp and len(text) > SCP_QUOTA:
        report.at("POLICY_SIZE_EXCEEDS_SCP_QUOTA", (), root, policySize=len(text), policySizeQuota=SCP_QUOTA)
    elif kind.trust and size > TRUST_QUOTA:
        report.at("POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA", (), root)
    elif kind.resource_type in RESOURCE_QUOTAS and size > RESOURCE_QUOTAS[kind.resource_type]:
        quota = RESOURCE_QUOTAS[kind.resource_type]
        report.at(
            "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA", (), root, policySize=size, policySizeQuota=quota
        )
