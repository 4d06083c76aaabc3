"""DescribeEffectivePolicy, ListAccountsWithInvalidEffectivePolicy, ListEffectivePolicyValidationErrors.

"This operation applies only to management policies" (the model's ``EffectivePolicyType``:
``TAG_POLICY``, ``BACKUP_POLICY``, ``AISERVICES_OPT_OUT_POLICY``, …): the types iamd refuses to
enable (``policy_content.py``: they govern services iamd does not run, each with a language
AWS validates). So no account has an effective policy of any of them, and each operation, after
its caller and target are checked, answers the model's ``EffectivePolicyNotFoundException`` —
"If you ran this action on the management account, this policy type is not enabled. If you ran
the action on a member account, the account doesn't have an effective policy of this type."

Who may call: DescribeEffectivePolicy from the management account (any member's ``TargetId``) or a
member for itself ("When you're signed in as the management account, specify the ID of the
account"; a root or OU "is not supported": ``TARGET_NOT_SUPPORTED``); the two listings from the
management account or a delegated administrator.
"""

from __future__ import annotations

from typing import Any

from iamd.services.context import Call
from iamd.services.organizations import common
from iamd.services.organizations.errors import (
    AccessDeniedException,
    AccountNotFoundException,
    EffectivePolicyNotFoundException,
    InvalidInputException,
    TargetNotFoundException,
)
from iamd.services.registry import action
from iamd.store import orgs

NOT_FOUND = (
    "No effective policy of type {ptype}: iamd serves no management policy type, so it is not enabled "
    "and no account has one."
)
TARGET_NOT_FOUND = "We can't find a root, OU, account, or policy with the TargetId that you specified."
ACCOUNT_NOT_FOUND = "You specified an account that doesn't exist."


def _member(call: Call, org_id: str, account_id: str) -> bool:
    member = orgs.get_member(call.conn, account_id)
    return member is not None and member.org_id == org_id


@action("organizations", "DescribeEffectivePolicy")
def describe_effective_policy(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    org = common.caller_org(call)
    target = p.get("TargetId")
    if target is not None and target.startswith(("r-", "ou-")):
        raise InvalidInputException(
            "TARGET_NOT_SUPPORTED", "Specifying an organization root or organizational unit (OU) as the target is not supported."
        )
    if target is not None and target != call.account_id:
        if org.management_account_id != call.account_id and not call.org_delegated:
            raise AccessDeniedException(common.NOT_MANAGEMENT)
        if not _member(call, org.org_id, target):
            raise TargetNotFoundException(TARGET_NOT_FOUND)
    raise EffectivePolicyNotFoundException(NOT_FOUND.format(ptype=p["PolicyType"]))


@action("organizations", "ListAccountsWithInvalidEffectivePolicy")
def list_accounts_with_invalid_effective_policy(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    common.managed_org(call, delegated=True)
    raise EffectivePolicyNotFoundException(NOT_FOUND.format(ptype=p["PolicyType"]))


@action("organizations", "ListEffectivePolicyValidationErrors")
def list_effective_policy_validation_errors(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    org = common.managed_org(call, delegated=True)
    if not _member(call, org.org_id, p["AccountId"]):
        raise AccountNotFoundException(ACCOUNT_NOT_FOUND)
    raise EffectivePolicyNotFoundException(NOT_FOUND.format(ptype=p["PolicyType"]))
