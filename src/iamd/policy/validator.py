"""Per-policy-type rules and AWS's ``MalformedPolicyDocument`` messages.

The messages are AWS's own wording (as returned by IAM, STS and Organizations), so services can
return ``str(PolicySyntaxError)`` unchanged. Which elements a statement may or must carry depends
on where the document is attached:

============  =========================  ===========================  ==========================
type          Principal / NotPrincipal   Resource / NotResource       notes
============  =========================  ===========================  ==========================
identity      prohibited                 required                     user, group, role policies
boundary      prohibited                 required                     permissions boundary
session       prohibited                 required                     AssumeRole* ``Policy``
scp           prohibited                 optional                     Organizations SCP
rcp           required (``"*"`` only)    required                     Organizations RCP (``rcp``)
resource      required                   optional                     bucket, queue, key policies
trust         required                   prohibited                   only STS actions
============  =========================  ===========================  ==========================
"""

from __future__ import annotations

import re

from .document import PolicyType
from .principal_names import UNIQUE_ID

SYNTAX_ERRORS = "Syntax errors in policy."
SHOULD_NOT_SPECIFY_PRINCIPAL = "Policy document should not specify a principal."
MISSING_PRINCIPAL = "Missing required field Principal"
NO_PRINCIPALS = (
    "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: "
    "The passed in policy has a statement with no principals!"
)
INVALID_JSON = "This policy contains invalid Json"
VERSION_REQUIRED = "Policy document must be version 2012-10-17 or greater."
LEGACY_PARSING = "The policy failed legacy parsing"
MISSING_EFFECT = "Missing required field Effect"
MUST_CONTAIN_ACTIONS = "Policy statement must contain actions."
MUST_CONTAIN_RESOURCES = "Policy statement must contain resources."
SID_NOT_UNIQUE = "Statement IDs (SID) in a single policy must be unique."
SID_NOT_ALPHANUMERIC = (
    "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"
)
VENDOR_REQUIRED = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
ONE_COLON = "Actions/Condition can contain only one colon."
TRUST_ACTIONS = "AssumeRole policy may only specify STS AssumeRole actions."
PROHIBITED = "Has prohibited field {field}"
INVALID_CONDITION = "Invalid Condition type : {operator}"
INVALID_PRINCIPAL = 'Invalid principal in policy: "{kind}":"{value}"'
VENDOR_INVALID = "Vendor {vendor} is not valid"

VERSIONS = ("2012-10-17", "2008-10-17")
TOP_LEVEL = frozenset({"Version", "Id", "Statement"})
STATEMENT_FIELDS = frozenset(
    {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}
)
PRINCIPAL_KINDS = ("AWS", "Service", "Federated", "CanonicalUser")

_NO_PRINCIPAL = frozenset({PolicyType.IDENTITY, PolicyType.BOUNDARY, PolicyType.SESSION, PolicyType.SCP})
# An SCP statement without Resource applies to every resource: botocore's own CreatePolicy
# example creates ``{"Effect": "Allow", "Action": "s3:*"}``.
_NEEDS_RESOURCE = (_NO_PRINCIPAL - {PolicyType.SCP}) | {PolicyType.RCP}
_SID = re.compile(r"[0-9A-Za-z]*")
_VENDOR = re.compile(r"[a-zA-Z0-9\-.]+")
_ACCOUNT = re.compile(r"\d{12}")
_AWS_PRINCIPAL = re.compile(
    r"arn:aws[a-z-]*:(?:iam::\d{12}:(?:root|user/.+|role/.+)|sts::\d{12}:(?:assumed-role/[^/]+/.+|federated-user/.+))"
)
_TRUST_ACTION = re.compile(r"sts:[a-z*?]*", re.I)


def principal_allowed(policy_type: PolicyType) -> bool:
    return policy_type not in _NO_PRINCIPAL


def principal_required(policy_type: PolicyType) -> bool:
    return policy_type in (PolicyType.RESOURCE, PolicyType.TRUST, PolicyType.RCP)


def principal_prohibited_message(policy_type: PolicyType, field: str) -> str:
    if policy_type is PolicyType.SCP:
        return PROHIBITED.format(field=field)
    return SHOULD_NOT_SPECIFY_PRINCIPAL


def resource_required(policy_type: PolicyType) -> bool:
    return policy_type in _NEEDS_RESOURCE


def resource_prohibited(policy_type: PolicyType) -> bool:
    return policy_type is PolicyType.TRUST


def missing_principal_message(policy_type: PolicyType) -> str:
    """IAM's trust-policy checker and the resource services word a missing Principal differently."""
    return NO_PRINCIPALS if policy_type is PolicyType.TRUST else MISSING_PRINCIPAL


def version_required(policy_type: PolicyType) -> bool:
    """IAM refuses identity documents (inline or managed, hence boundaries too) that are not
    ``2012-10-17``; trust, session, resource policies and SCPs still take ``2008-10-17``."""
    return policy_type in (PolicyType.IDENTITY, PolicyType.BOUNDARY)


def sid_error(policy_type: PolicyType, sid: str) -> str | None:
    """IAM and STS documents need alphanumeric Sids; resource policies accept any string."""
    if policy_type is not PolicyType.RESOURCE and not _SID.fullmatch(sid):
        return SID_NOT_ALPHANUMERIC
    return None


def action_error(action: str) -> str | None:
    """The vendor prefix rules; anything after the colon is the service's business (AWS accepts
    ``iam: asdf safdsf af ``)."""
    if action == "*":
        return None
    parts = action.split(":")
    if len(parts) == 1:
        return VENDOR_REQUIRED
    if len(parts) > 2:
        return ONE_COLON
    if parts[0] != "*" and not _VENDOR.fullmatch(parts[0]):
        return VENDOR_INVALID.format(vendor=parts[0])
    return None


def trust_action_error(action: str) -> str | None:
    return None if _TRUST_ACTION.fullmatch(action) else TRUST_ACTIONS


def principal_error(kind: str, value: str) -> str | None:
    """AWS accepts ``*``, an account ID, a root, user, role, assumed-role or federated-user
    ARN, or the unique id a stored policy keeps for a user or role, for ``AWS``; wildcards
    inside ARNs are rejected."""
    if kind == "AWS":
        if value == "*" or _ACCOUNT.fullmatch(value) or UNIQUE_ID.fullmatch(value):
            return None
        if "*" in value or "?" in value or not _AWS_PRINCIPAL.fullmatch(value):
            return INVALID_PRINCIPAL.format(kind=kind, value=value)
        return None
    if not value or value.strip() != value:
        return INVALID_PRINCIPAL.format(kind=kind, value=value)
    return None
