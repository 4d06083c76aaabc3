"""Black-box: the Organizations operations that answer an AWS error by design (docs/aws-fidelity.md):
effective policies of management policy types, responsibility transfers, CreateGovCloudAccount —
each after the caller and the request are checked as AWS does."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from botocore.config import Config
from org_helpers import Org, reason_of

from iamd.testing import IamdServer

TRANSFER = "rt-0123456789ab"
INVITE = {"Type": "BILLING", "Target": {"Id": "210987654321", "Type": "ACCOUNT"},
          "StartTimestamp": datetime(2027, 1, 1, tzinfo=UTC), "SourceName": "billing"}


@pytest.fixture
def org(server: IamdServer) -> Org:
    return Org(server)


def test_no_account_has_an_effective_management_policy(server: IamdServer, org: Org) -> None:
    member = org.account("member")
    client = org.client
    for kw in ({}, {"TargetId": member}, {"TargetId": server.account_id}):
        err = reason_of(client.describe_effective_policy, PolicyType="TAG_POLICY", **kw)
        assert err[0] == "EffectivePolicyNotFoundException", kw
    assert reason_of(client.describe_effective_policy, PolicyType="BACKUP_POLICY", TargetId=org.root) == (
        "InvalidInputException", "TARGET_NOT_SUPPORTED")
    assert reason_of(client.describe_effective_policy, PolicyType="TAG_POLICY",
                     TargetId="999999999999")[0] == "TargetNotFoundException"
    assert reason_of(client.list_accounts_with_invalid_effective_policy,
                     PolicyType="TAG_POLICY")[0] == "EffectivePolicyNotFoundException"
    assert reason_of(client.list_effective_policy_validation_errors, AccountId=member,
                     PolicyType="TAG_POLICY")[0] == "EffectivePolicyNotFoundException"
    assert reason_of(client.list_effective_policy_validation_errors, AccountId="999999999999",
                     PolicyType="TAG_POLICY")[0] == "AccountNotFoundException"


def test_a_member_asks_only_for_itself(org: Org) -> None:
    member, other = org.account("one"), org.account("two")
    inside = org.as_admin(member, "organizations")
    assert reason_of(inside.describe_effective_policy, PolicyType="TAG_POLICY")[0] == "EffectivePolicyNotFoundException"
    assert reason_of(inside.describe_effective_policy, PolicyType="TAG_POLICY",
                     TargetId=other)[0] == "AccessDeniedException"
    assert reason_of(inside.list_accounts_with_invalid_effective_policy,
                     PolicyType="TAG_POLICY")[0] == "AccessDeniedException"


def test_a_policy_type_outside_the_models_enum_is_a_validation_error(server: IamdServer, org: Org) -> None:
    unchecked = server.client("organizations", config=Config(parameter_validation=False))
    err = reason_of(unchecked.describe_effective_policy, PolicyType="SERVICE_CONTROL_POLICY")
    assert err[0] in ("ValidationException", "InvalidInputException"), err


def test_there_is_no_billing_to_transfer(org: Org) -> None:
    client = org.client
    assert reason_of(client.invite_organization_to_transfer_responsibility, **INVITE) == (
        "ConstraintViolationException", "UNMET_BILLING_PREREQUISITE")
    assert client.list_outbound_responsibility_transfers(Type="BILLING")["ResponsibilityTransfers"] == []
    assert client.list_inbound_responsibility_transfers(Type="BILLING")["ResponsibilityTransfers"] == []
    assert reason_of(client.list_inbound_responsibility_transfers, Type="BILLING",
                     Id=TRANSFER)[0] == "ResponsibilityTransferNotFoundException"
    for call, kw in ((client.describe_responsibility_transfer, {}),
                     (client.update_responsibility_transfer, {"Name": "renamed"}),
                     (client.terminate_responsibility_transfer, {})):
        assert reason_of(call, Id=TRANSFER, **kw)[0] == "ResponsibilityTransferNotFoundException"


def test_an_invitation_is_checked_before_it_is_refused(org: Org) -> None:
    bad_tags = [{"Key": "aws:x", "Value": "y"}]
    assert reason_of(org.client.invite_organization_to_transfer_responsibility, **INVITE, Tags=bad_tags) == (
        "InvalidInputException", "INVALID_SYSTEM_TAGS_PARAMETER")
    party = INVITE | {"Target": {"Id": "o-abcdefghij", "Type": "ORGANIZATION"}}
    assert reason_of(org.client.invite_organization_to_transfer_responsibility, **party) == (
        "InvalidInputException", "INVALID_PARTY_TYPE_TARGET")


def test_there_is_no_govcloud(org: Org) -> None:
    assert reason_of(org.client.create_gov_cloud_account, Email="gov@example.com", AccountName="gov") == (
        "ConstraintViolationException", "MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED")
    accounts = org.client.list_accounts()["Accounts"]
    assert [a["Id"] for a in accounts] == [org.server.account_id]


def test_members_and_outsiders(server: IamdServer, org: Org) -> None:
    inside = org.as_admin(org.account("member"), "organizations")
    for call, kw in ((inside.create_gov_cloud_account, {"Email": "g@example.com", "AccountName": "g"}),
                     (inside.invite_organization_to_transfer_responsibility, INVITE),
                     (inside.list_outbound_responsibility_transfers, {"Type": "BILLING"}),
                     (inside.describe_responsibility_transfer, {"Id": TRANSFER})):
        assert reason_of(call, **kw)[0] == "AccessDeniedException", call


def test_outside_an_organization(server: IamdServer) -> None:
    client = server.client("organizations")
    for call, kw in ((client.create_gov_cloud_account, {"Email": "g@example.com", "AccountName": "g"}),
                     (client.describe_effective_policy, {"PolicyType": "TAG_POLICY"}),
                     (client.list_inbound_responsibility_transfers, {"Type": "BILLING"})):
        assert reason_of(call, **kw)[0] == "AWSOrganizationsNotInUseException"
