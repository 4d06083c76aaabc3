"""What an Organizations policy may contain, and the AWS managed policies every organization has.

Policy types. iamd serves ``SERVICE_CONTROL_POLICY`` and ``RESOURCE_CONTROL_POLICY`` fully (they
are enforced on every call). The model's other types (``TAG_POLICY``, ``BACKUP_POLICY``,
``AISERVICES_OPT_OUT_POLICY``, ``DECLARATIVE_POLICY_EC2`` …) govern services iamd does not run, and
each has its own document language that AWS validates; storing them unchecked would accept what
AWS refuses. They are refused wherever a type is named for a change (CreatePolicy,
EnablePolicyType) with ``PolicyTypeNotAvailableForOrganizationException``, AWS's error for "a
policy type this organization cannot use"; listing them answers an empty list.

Content. "Quotas for AWS Organizations": the maximum size of an SCP is 10,240 characters (5,120
until AWS doubled the SCP quotas on 15 May 2026), of an RCP 5,120, and "this includes all
characters, including white space" — unlike IAM, which does not count whitespace — so the size
is ``len(content)``, checked before the document is parsed
(an oversized body costs nothing to refuse): ``ConstraintViolationException``
``POLICY_CONTENT_LIMIT_EXCEEDED``. The grammar is iamd's policy parser with
``PolicyType.SCP`` ("SCP syntax": the full IAM language except ``Principal`` and
``NotPrincipal``) or ``PolicyType.RCP`` ("RCP syntax": ``policy/rcp.py``). Organizations answers
every grammar error with one sentence, ``MalformedPolicyDocumentException`` "The provided policy
document does not meet the requirements of the specified policy type."
"""

from __future__ import annotations

from dataclasses import dataclass

from iamd.policy import PolicySyntaxError, PolicyType, parse_policy
from iamd.services.organizations.errors import (
    ConstraintViolationException,
    MalformedPolicyDocumentException,
    PolicyTypeNotAvailableForOrganizationException,
)

SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"
SERVED = (SCP, RCP)
ENGINE_TYPE = {SCP: PolicyType.SCP, RCP: PolicyType.RCP}

# "Quotas for AWS Organizations"; the SCP numbers doubled on 15 May 2026 ("AWS Organizations
# increased SCP quotas": 10 SCPs per root, OU or account, 10,240 characters each).
MAX_CONTENT = {SCP: 10240, RCP: 5120}
MAX_ATTACHED = {SCP: 10, RCP: 5}  # per root, OU or account; the AWS managed policy counts
MIN_ATTACHED = {SCP: 1, RCP: 1}  # "every entity must have at least one SCP attached at all times"
# Of one type, in an organization; AWS managed ones not counted ("Number of policies of each type
# in an organization": service control policies 10,000, resource control policies 1,000).
MAX_POLICIES = {SCP: 10_000, RCP: 1000}

MALFORMED = "The provided policy document does not meet the requirements of the specified policy type."
TOO_LARGE = "You attempted to create a policy that is larger than the maximum size."


@dataclass(frozen=True)
class ManagedPolicy:
    policy_id: str
    policy_type: str
    name: str
    description: str
    content: str
    detachable: bool


# AWS's documents, byte for byte as DescribePolicy returns them.
FULL_AWS_ACCESS = ManagedPolicy(
    "p-FullAWSAccess", SCP, "FullAWSAccess", "Allows access to every operation",
    '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n'
    '      "Action": "*",\n      "Resource": "*"\n    }\n  ]\n}',
    detachable=True,
)
# "RCP syntax": RCPFullAWSAccess "is automatically attached to the organization root, every OU,
# and every account in your organization, when you enable resource control policies (RCPs). You
# cannot detach this policy."
RCP_FULL_AWS_ACCESS = ManagedPolicy(
    "p-RCPFullAWSAccess", RCP, "RCPFullAWSAccess", "Allows access to every operation",
    '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n'
    '      "Principal": "*",\n      "Action": "*",\n      "Resource": "*"\n    }\n  ]\n}',
    detachable=False,
)
MANAGED = {SCP: FULL_AWS_ACCESS, RCP: RCP_FULL_AWS_ACCESS}
MANAGED_IDS = {m.policy_id: m for m in MANAGED.values()}


def served_type(policy_type: str) -> str:
    """``policy_type`` when iamd serves it, else AWS's error for a type the organization cannot use."""
    if policy_type not in SERVED:
        raise PolicyTypeNotAvailableForOrganizationException(
            f"The policy type {policy_type} is not available in this organization: iamd serves "
            "SERVICE_CONTROL_POLICY and RESOURCE_CONTROL_POLICY."
        )
    return policy_type


def check_content(policy_type: str, content: str) -> None:
    """Refuse content AWS would refuse for ``policy_type`` (a served type)."""
    if len(content) > MAX_CONTENT[policy_type]:
        raise ConstraintViolationException("POLICY_CONTENT_LIMIT_EXCEEDED", TOO_LARGE)
    try:
        parse_policy(content, ENGINE_TYPE[policy_type])
    except PolicySyntaxError:
        raise MalformedPolicyDocumentException(MALFORMED) from None
