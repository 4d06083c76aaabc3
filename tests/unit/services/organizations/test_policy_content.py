"""The content rules of Organizations policies: size as AWS counts it, the grammar per type, the
AWS managed documents. The documents accepted and refused per type are cases/validation.yaml's
``scp`` and ``rcp`` kinds (tests/unit/policy/test_validation_table.py runs them on the parser,
tests/functional/test_organizations_policies.py on CreatePolicy)."""

from __future__ import annotations

import json

import pytest

from iamd.policy import PolicySyntaxError, PolicyType, parse_policy
from iamd.services.organizations import policy_content as content
from iamd.services.organizations.errors import (
    ConstraintViolationException,
    MalformedPolicyDocumentException,
    PolicyTypeNotAvailableForOrganizationException,
)

DENY = {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}


def _padded(size: int, policy_type: str = content.SCP) -> str:
    """A valid document of exactly ``size`` characters, whitespace making up the rest."""
    statement = dict(DENY, Principal="*", Action="s3:*") if policy_type == content.RCP else DENY
    base = json.dumps({"Version": "2012-10-17", "Statement": statement})
    return base[:-1] + "\n" * (size - len(base)) + "}"


@pytest.mark.parametrize(("policy_type", "limit"), [(content.SCP, 10240), (content.RCP, 5120)])
def test_whitespace_counts_toward_the_limit(policy_type: str, limit: int) -> None:
    content.check_content(policy_type, _padded(limit, policy_type))
    with pytest.raises(ConstraintViolationException) as err:
        content.check_content(policy_type, _padded(limit + 1, policy_type))
    assert err.value.reason == "POLICY_CONTENT_LIMIT_EXCEEDED"


def test_size_is_checked_before_the_grammar() -> None:
    """An oversized body is refused without being parsed, whatever it holds."""
    with pytest.raises(ConstraintViolationException):
        content.check_content(content.SCP, "[" * 100_000)


@pytest.mark.parametrize("text", ["", "{}", "null", '{"Statement": []}', "[" * 3000,
                                  json.dumps({"Statement": dict(DENY, Principal="*")})])
def test_grammar_errors_are_one_sentence(text: str) -> None:
    with pytest.raises(MalformedPolicyDocumentException) as err:
        content.check_content(content.SCP, text)
    assert err.value.message == content.MALFORMED


@pytest.mark.parametrize("policy_type", ["TAG_POLICY", "BACKUP_POLICY", "DECLARATIVE_POLICY_EC2", "S3_POLICY"])
def test_unserved_types_are_not_available(policy_type: str) -> None:
    with pytest.raises(PolicyTypeNotAvailableForOrganizationException):
        content.served_type(policy_type)
    assert content.served_type(content.SCP) == content.SCP


def test_the_managed_documents() -> None:
    scp = parse_policy(content.FULL_AWS_ACCESS.content, PolicyType.SCP)
    assert [(s.effect, s.actions, s.resources) for s in scp.statements] == [("Allow", ("*",), ("*",))]
    # RCPFullAWSAccess is the one RCP with Allow and "*": valid only as AWS's own, stored document.
    with pytest.raises(PolicySyntaxError):
        parse_policy(content.RCP_FULL_AWS_ACCESS.content, PolicyType.RCP)
    rcp = parse_policy(content.RCP_FULL_AWS_ACCESS.content, PolicyType.RCP, stored=True)
    assert rcp.statements[0].principal is not None and rcp.statements[0].principal.everyone
    assert not content.RCP_FULL_AWS_ACCESS.detachable and content.FULL_AWS_ACCESS.detachable
