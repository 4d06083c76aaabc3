"""Responsibility transfers (InviteOrganizationToTransferResponsibility, Describe/Update/Terminate-
ResponsibilityTransfer, ListInbound/OutboundResponsibilityTransfers) and CreateGovCloudAccount.

A transfer is "an arrangement between two management accounts where one account designates the
other with specified responsibilities for their organization"; "Currently, only BILLING is
supported". iamd has no billing, so an invitation is refused, after the caller (the management
account) and its request are checked, with the model's ``ConstraintViolationException``
``UNMET_BILLING_PREREQUISITE``; no transfer can exist, so the listings are empty and a transfer
named by id is ``ResponsibilityTransferNotFoundException``.

CreateGovCloudAccount "is available if ... you already have an account in the AWS GovCloud (US)
Region that is paired with a management account of an organization in the commercial Region";
iamd has no GovCloud partition: ``ConstraintViolationException``
``MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED``. Both are listed in docs/aws-fidelity.md.
"""

from __future__ import annotations

from typing import Any

from iamd.services.context import Call
from iamd.services.organizations import common, tagging
from iamd.services.organizations.errors import (
    ConstraintViolationException,
    InvalidInputException,
    ResponsibilityTransferNotFoundException,
)
from iamd.services.registry import action

NOT_FOUND = "We can't find a transfer that you specified."
NO_BILLING = "iamd has no billing, so it cannot transfer the BILLING responsibility of an organization."
NO_GOVCLOUD = (
    "Your management account is not paired with an account in the AWS GovCloud (US) Region: "
    "iamd has no GovCloud partition."
)


@action("organizations", "InviteOrganizationToTransferResponsibility")
def invite_organization_to_transfer_responsibility(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    tagging.check_tags(p.get("Tags") or [])
    if p["Target"]["Type"] not in ("ACCOUNT", "EMAIL"):
        raise InvalidInputException("INVALID_PARTY_TYPE_TARGET", "The target must be an ACCOUNT or an EMAIL.")
    common.locked_org(call)
    raise ConstraintViolationException("UNMET_BILLING_PREREQUISITE", NO_BILLING)


@action("organizations", "ListInboundResponsibilityTransfers")
def list_inbound_responsibility_transfers(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    common.managed_org(call)
    if p.get("Id") is not None:
        raise ResponsibilityTransferNotFoundException(NOT_FOUND)
    return {"ResponsibilityTransfers": []}


@action("organizations", "ListOutboundResponsibilityTransfers")
def list_outbound_responsibility_transfers(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    common.managed_org(call)
    return {"ResponsibilityTransfers": []}


def _not_found(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    common.managed_org(call)
    raise ResponsibilityTransferNotFoundException(NOT_FOUND)


for _name in ("DescribeResponsibilityTransfer", "UpdateResponsibilityTransfer", "TerminateResponsibilityTransfer"):
    action("organizations", _name)(_not_found)


@action("organizations", "CreateGovCloudAccount")
def create_gov_cloud_account(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    tagging.check_tags(p.get("Tags") or [])
    common.locked_org(call)
    raise ConstraintViolationException("MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED", NO_GOVCLOUD)
