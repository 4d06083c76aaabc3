"""The security resource table's rows (test_security_resource_table.py) for the account-level
IAM operations, temporary delegation, role templates, UpdateOpenIDConnectProvider, and the
Organizations resource policy, effective policies, responsibility transfers and GovCloud.

Each operation is authorized before it answers (a NoSuchEntity, an EffectivePolicyNotFound, a
ConstraintViolation by design: docs/aws-fidelity.md), so the probes see the IAM decision.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from resource_table import Row, row
from resource_table_orgs import ACCOUNT, ORGS

U = "iam:"
REQUEST = "dr-0123456789abcdef"
DELEGATION = f"delegation-request/{REQUEST}"
TEMPLATE = "arn:aws:iam::aws:role-template/ExampleServiceTemplate"
OIDC = "oidc-provider/idp.example.com/team"
TRANSFER = "rt-0123456789ab"
# A transfer's ARN carries its type and direction, which only an existing transfer has; iamd has
# none (no billing), so they are BILLING, the only type, and ``*`` (authz/org_resources.py).
TRANSFER_ARN = "org:transfer/{org}/BILLING/*/" + TRANSFER
START = datetime(2027, 1, 1, tzinfo=UTC)


def _nothing(w: Any) -> dict[str, Any]:
    return {}


def _request(w: Any) -> dict[str, Any]:
    return {"DelegationRequestId": REQUEST}


def _create_request(w: Any) -> dict[str, Any]:
    return {"Description": "d", "RequestorWorkflowId": "wf-00001", "SessionDuration": 3600,
            "NotificationChannel": "arn:aws:sns:us-east-1:111122223333:partner",
            "Permissions": {"PolicyTemplateArn": "arn:aws:iam::aws:delegation-template/Setup"}}


def _in_org(w: Any) -> dict[str, Any]:
    return {} if w.org.org else {}


OPS_ROWS: list[Row] = [
    row(U + "SetSecurityTokenServicePreferences", lambda w: {"GlobalEndpointTokenVersion": "v2Token"}, "*"),
    row(U + "GetAccountProperties", _nothing, "*"),
    row(U + "PutAccountProperties", lambda w: {"Properties": {"RoleManager/Enabled": "true"}}, "*"),
    row(U + "GetRoleTemplateVersion", lambda w: {"TemplateArn": TEMPLATE}, "*"),
    row(U + "AcquireRole", lambda w: {"TemplateArn": TEMPLATE}, "*"),
    row(U + "UpdateOpenIDConnectProvider",
        lambda w: {"OpenIDConnectProviderArn": w.oidc_provider, "RemoveContextProvider": True}, OIDC),
    # Temporary delegation: on the request, in the caller's account; the one a create would make
    # has no id yet.
    row(U + "CreateDelegationRequest", _create_request, "delegation-request/*"),
    row(U + "GetDelegationRequest", _request, DELEGATION),
    row(U + "AssociateDelegationRequest", _request, DELEGATION),
    row(U + "UpdateDelegationRequest", _request, DELEGATION),
    row(U + "AcceptDelegationRequest", _request, DELEGATION),
    row(U + "RejectDelegationRequest", _request, DELEGATION),
    row(U + "SendDelegationToken", _request, DELEGATION),
    row(U + "ListDelegationRequests", _nothing, "*"),
    row(U + "GetHumanReadableSummary",
        lambda w: {"EntityArn": f"arn:aws:iam::123456789012:{DELEGATION}"}, DELEGATION),
    # Organizations
    row(ORGS + "PutResourcePolicy", lambda w: {"Content": '{"Version":"2012-10-17","Statement":[]}'} if w.org.org
        else {}, "org:resourcepolicy/{org}/rp-*"),
    row(ORGS + "DescribeResourcePolicy", _in_org, "*"),
    row(ORGS + "DeleteResourcePolicy", _in_org, "*"),
    row(ORGS + "DescribeEffectivePolicy", lambda w: {"PolicyType": "TAG_POLICY", "TargetId": w.org.account}, ACCOUNT),
    row(ORGS + "ListEffectivePolicyValidationErrors",
        lambda w: {"PolicyType": "TAG_POLICY", "AccountId": w.org.account}, ACCOUNT),
    row(ORGS + "ListAccountsWithInvalidEffectivePolicy", lambda w: {"PolicyType": "TAG_POLICY"} if w.org.org else {},
        "*"),
    row(ORGS + "CreateGovCloudAccount", lambda w: {"Email": "gov@example.com", "AccountName": "gov"} if w.org.org
        else {}, "*"),
    row(ORGS + "InviteOrganizationToTransferResponsibility",
        lambda w: {"Type": "BILLING", "Target": {"Type": "ACCOUNT", "Id": w.org.account}, "StartTimestamp": START,
                   "SourceName": "billing"}, ACCOUNT),
    row(ORGS + "ListInboundResponsibilityTransfers", lambda w: {"Type": "BILLING"} if w.org.org else {}, "*"),
    row(ORGS + "ListOutboundResponsibilityTransfers", lambda w: {"Type": "BILLING"} if w.org.org else {}, "*"),
    row(ORGS + "DescribeResponsibilityTransfer", lambda w: {"Id": TRANSFER} if w.org.org else {}, TRANSFER_ARN),
    row(ORGS + "UpdateResponsibilityTransfer", lambda w: {"Id": TRANSFER, "Name": "n"} if w.org.org else {},
        TRANSFER_ARN),
    row(ORGS + "TerminateResponsibilityTransfer", lambda w: {"Id": TRANSFER} if w.org.org else {}, TRANSFER_ARN),
]
