"""Black-box: the organization's resource-based delegation policy (Put/Describe/DeleteResourcePolicy):
stored, replaced, tagged, validated as the model's reasons name; who may call."""

from __future__ import annotations

import json
from typing import Any

import pytest
from functional_helpers import allow, as_creds, denied, doc, new_user
from org_helpers import Org, reason_of

from iamd.testing import IamdServer


def delegation(account: str, *actions: str, resource: Any = "*") -> str:
    """The shape of AWS's example "View organization, OUs, accounts, and policies"."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "Delegating", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
        "Action": list(actions) or ["organizations:Describe*", "organizations:List*"], "Resource": resource}]})


@pytest.fixture
def org(server: IamdServer) -> Org:
    return Org(server)


def test_put_describe_replace_and_delete(server: IamdServer, org: Org) -> None:
    member = org.account("delegate")
    client = org.client
    assert reason_of(client.describe_resource_policy)[0] == "ResourcePolicyNotFoundException"
    made = client.put_resource_policy(Content=delegation(member), Tags=[{"Key": "team", "Value": "sec"}])
    summary = made["ResourcePolicy"]["ResourcePolicySummary"]
    assert summary["Id"].startswith("rp-") and len(summary["Id"]) == 11
    assert summary["Arn"] == f"arn:aws:organizations::{server.account_id}:resourcepolicy/{org.id}/{summary['Id']}"
    assert made["ResourcePolicy"]["Content"] == delegation(member)
    assert client.describe_resource_policy()["ResourcePolicy"] == made["ResourcePolicy"]
    assert client.list_tags_for_resource(ResourceId=summary["Id"])["Tags"] == [{"Key": "team", "Value": "sec"}]

    again = delegation(member, "organizations:DescribeOrganization")
    assert reason_of(client.put_resource_policy, Content=again, Tags=[{"Key": "k", "Value": "v"}]) == (
        "InvalidInputException", "INVALID_LIST_MEMBER")
    assert client.describe_resource_policy()["ResourcePolicy"]["Content"] == delegation(member)
    replaced = client.put_resource_policy(Content=again)
    assert replaced["ResourcePolicy"]["ResourcePolicySummary"] == summary
    assert "DescribeOrganization" in client.describe_resource_policy()["ResourcePolicy"]["Content"]

    client.delete_resource_policy()
    assert reason_of(client.describe_resource_policy)[0] == "ResourcePolicyNotFoundException"
    assert reason_of(client.delete_resource_policy)[0] == "ResourcePolicyNotFoundException"
    assert reason_of(client.list_tags_for_resource, ResourceId=summary["Id"])[0] == "TargetNotFoundException"


@pytest.mark.parametrize(("content", "reason"), [
    ("not json", "INVALID_RESOURCE_POLICY_JSON"),
    (doc(allow("organizations:List*")), "INVALID_RESOURCE_POLICY_JSON"),  # no Principal
    (json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
                 "Action": "organizations:List*", "Resource": "*"}]}), "INVALID_PRINCIPAL"),
    (json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                 "Action": "organizations:List*", "Resource": "*"}]}), "INVALID_PRINCIPAL"),
    (delegation("111122223333", "s3:GetObject"), "UNSUPPORTED_ACTION_IN_RESOURCE_POLICY"),
    (delegation("111122223333", "*"), "UNSUPPORTED_ACTION_IN_RESOURCE_POLICY"),
    (delegation("111122223333", resource="arn:aws:organizations::999999999999:policy/o-other/*"),
     "UNSUPPORTED_RESOURCE_IN_RESOURCE_POLICY"),
])
def test_bad_content_is_refused_and_changes_nothing(org: Org, content: str, reason: str) -> None:
    assert reason_of(org.client.put_resource_policy, Content=content) == ("InvalidInputException", reason)
    assert reason_of(org.client.describe_resource_policy)[0] == "ResourcePolicyNotFoundException"


def test_resources_of_the_organization_are_allowed(server: IamdServer, org: Org) -> None:
    own = f"arn:aws:organizations::{server.account_id}:policy/{org.id}/backup_policy/*"
    org.client.put_resource_policy(Content=delegation("111122223333", "organizations:DescribePolicy", resource=own))


def test_members_outsiders_and_low_privilege_users_cannot_change_it(server: IamdServer, iam: Any, org: Org) -> None:
    member = org.account("member")
    inside = org.as_admin(member, "organizations")
    assert reason_of(inside.put_resource_policy, Content=delegation(member))[0] == "AccessDeniedException"
    assert reason_of(inside.describe_resource_policy)[0] == "AccessDeniedException"
    assert reason_of(inside.delete_resource_policy)[0] == "AccessDeniedException"

    org.client.put_resource_policy(Content=delegation(member))
    _, key = new_user(iam, "viewer", allow("organizations:Describe*"))
    viewer = as_creds(server, "organizations", key)
    assert "Content" in viewer.describe_resource_policy()["ResourcePolicy"]
    message = denied(viewer.put_resource_policy, Content=delegation(member, "organizations:*"))
    assert "organizations:PutResourcePolicy on resource: arn:aws:organizations::" in message
    denied(viewer.delete_resource_policy)
    assert "organizations:List*" in org.client.describe_resource_policy()["ResourcePolicy"]["Content"]


def test_a_delegated_administrator_may_read_it(server: IamdServer, org: Org) -> None:
    member = org.account("sec")
    org.client.enable_aws_service_access(ServicePrincipal="guardduty.amazonaws.com")
    org.client.register_delegated_administrator(AccountId=member, ServicePrincipal="guardduty.amazonaws.com")
    org.client.put_resource_policy(Content=delegation(member))
    inside = org.as_admin(member, "organizations")
    assert inside.describe_resource_policy()["ResourcePolicy"]["Content"] == delegation(member)
    assert reason_of(inside.delete_resource_policy)[0] == "AccessDeniedException"


def test_outside_an_organization(server: IamdServer) -> None:
    client = server.client("organizations")
    for call, kw in ((client.put_resource_policy, {"Content": delegation("111122223333")}),
                     (client.describe_resource_policy, {}), (client.delete_resource_policy, {})):
        assert reason_of(call, **kw)[0] == "AWSOrganizationsNotInUseException"
