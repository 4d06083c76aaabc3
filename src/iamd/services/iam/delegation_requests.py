"""IAM temporary delegation: delegation requests that AWS Partners file and customers approve.

IAM User Guide, "IAM temporary delegation": "Temporary delegation requests can only be created by
Amazon products and qualified AWS Partners that have completed the feature onboarding process.
Customers review and approve these requests but cannot create them directly"; the partner names
a ``PolicyTemplateArn`` that "maps to a pre-registered policy content for this partner", and the
accepted request's token is delivered to the partner's SNS topic. iamd has no partner onboarding,
no registered policy templates and no SNS, so:

- ``CreateDelegationRequest`` checks its request (the model's bounds in api/, a policy template
  named), then refuses it with InvalidInput: the caller is
  not an onboarded partner (no iamd account can be one), so its policy template is unknown;
- with no request ever created, every operation on one (``Get``, ``Associate``, ``Update``,
  ``Accept``, ``Reject``, ``SendDelegationToken``, ``GetHumanReadableSummary``) answers
  NoSuchEntity for the id or ARN named, and ``ListDelegationRequests`` an empty list.

Each is authorized first, on ``delegation-request/ID`` of the caller's account (the SAR's
resource type). Listed in docs/aws-fidelity.md.
"""

from __future__ import annotations

import re
from typing import Any

from iamd.services.context import Call
from iamd.services.iam.errors import InvalidInput, NoSuchEntity
from iamd.services.registry import action

NOT_ONBOARDED = (
    "Delegation requests can only be created by AWS Partners that completed the onboarding process; "
    "iamd has no onboarded partner, so the policy template {arn} is not registered for the caller."
)
_REQUEST_ARN = re.compile(r"arn:aws:iam::(\d{12}):delegation-request/([\w-]{16,128})")


def _not_found(request_id: str) -> NoSuchEntity:
    return NoSuchEntity(f"The delegation request with id {request_id} cannot be found.")


@action("iam", "CreateDelegationRequest")
def create_delegation_request(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    template = p["Permissions"].get("PolicyTemplateArn")
    if not template:
        raise InvalidInput("Permissions must name the PolicyTemplateArn registered for the partner.")
    raise InvalidInput(NOT_ONBOARDED.format(arn=template))


@action("iam", "ListDelegationRequests")
def list_delegation_requests(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    return {"DelegationRequests": [], "isTruncated": False}


@action("iam", "GetDelegationRequest")
def get_delegation_request(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    raise _not_found(p["DelegationRequestId"])


def _refuse(call: Call, p: dict[str, Any]) -> None:
    raise _not_found(p["DelegationRequestId"])


for _name in ("AssociateDelegationRequest", "UpdateDelegationRequest", "AcceptDelegationRequest",
              "RejectDelegationRequest", "SendDelegationToken"):
    action("iam", _name)(_refuse)


@action("iam", "GetHumanReadableSummary")
def get_human_readable_summary(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    """"At this time, the only supported entity type is delegation-request"."""
    arn = str(p["EntityArn"])
    found = _REQUEST_ARN.fullmatch(arn)
    if found is None:
        raise InvalidInput(f"The entity {arn} is not a delegation request, the only entity type summarized.")
    raise _not_found(found.group(2))
