"""Trusted access and delegated administrators, through boto3."""

from __future__ import annotations

from typing import Any

import pytest
from functional_helpers import as_creds, new_user
from org_helpers import reason_of

from iamd.testing import IamdServer

ROLE = "OrganizationAccountAccessRole"



@pytest.fixture
def org(server: IamdServer) -> Any:
    client = server.client("organizations")
    client.create_organization()
    return client


def _member_client(server: IamdServer, account_id: str) -> Any:
    iam = server.client("iam")
    iam.create_user(UserName="entering")
    iam.attach_user_policy(UserName="entering", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    key = iam.create_access_key(UserName="entering")["AccessKey"]
    creds = as_creds(server, "sts", key).assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/{ROLE}",
                                                     RoleSessionName="delegated")["Credentials"]
    return as_creds(server, "organizations", creds)


def test_trusted_access(org: Any) -> None:
    assert org.list_aws_service_access_for_organization()["EnabledServicePrincipals"] == []
    org.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    org.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    org.enable_aws_service_access(ServicePrincipal="guardduty.amazonaws.com")
    listed = org.list_aws_service_access_for_organization()["EnabledServicePrincipals"]
    assert [s["ServicePrincipal"] for s in listed] == ["guardduty.amazonaws.com", "iam.amazonaws.com"]
    assert all("DateEnabled" in s for s in listed)
    org.disable_aws_service_access(ServicePrincipal="guardduty.amazonaws.com")
    assert [s["ServicePrincipal"] for s in org.list_aws_service_access_for_organization()[
        "EnabledServicePrincipals"]] == ["iam.amazonaws.com"]
    assert reason_of(org.enable_aws_service_access, ServicePrincipal="nothing.example.com") == (
        "InvalidInputException", "UNRECOGNIZED_SERVICE_PRINCIPAL")


def test_trusted_access_needs_all_features(server: IamdServer) -> None:
    org = server.client("organizations")
    org.create_organization(FeatureSet="CONSOLIDATED_BILLING")
    assert reason_of(org.enable_aws_service_access, ServicePrincipal="iam.amazonaws.com") == (
        "ConstraintViolationException", "ORGANIZATION_NOT_IN_ALL_FEATURES_MODE")


def test_delegated_administrator(org: Any, server: IamdServer) -> None:
    member = org.create_account(AccountName="Sec", Email="sec@example.com")["CreateAccountStatus"]["AccountId"]
    principal = "guardduty.amazonaws.com"
    assert reason_of(org.register_delegated_administrator, AccountId=member, ServicePrincipal=principal) == (
        "ConstraintViolationException", "SERVICE_ACCESS_NOT_ENABLED")
    org.enable_aws_service_access(ServicePrincipal=principal)
    assert reason_of(org.register_delegated_administrator, AccountId=server.account_id,
                     ServicePrincipal=principal) == (
        "ConstraintViolationException", "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR")
    assert reason_of(org.register_delegated_administrator, AccountId="999999999999",
                     ServicePrincipal=principal)[0] == "AccountNotFoundException"
    inside = _member_client(server, member)
    assert reason_of(inside.list_accounts)[0] == "AccessDeniedException"
    org.register_delegated_administrator(AccountId=member, ServicePrincipal=principal)
    assert reason_of(org.register_delegated_administrator, AccountId=member, ServicePrincipal=principal)[0] == (
        "AccountAlreadyRegisteredException")
    admins = org.list_delegated_administrators()["DelegatedAdministrators"]
    assert [(a["Id"], a["Name"]) for a in admins] == [(member, "Sec")] and "DelegationEnabledDate" in admins[0]
    assert org.list_delegated_administrators(ServicePrincipal="iam.amazonaws.com")["DelegatedAdministrators"] == []
    services = org.list_delegated_services_for_account(AccountId=member)["DelegatedServices"]
    assert [s["ServicePrincipal"] for s in services] == [principal]
    # A delegated administrator reads the organization, and changes nothing.
    assert {a["Id"] for a in inside.list_accounts()["Accounts"]} == {server.account_id, member}
    assert inside.list_roots()["Roots"]
    assert reason_of(inside.create_account, AccountName="x", Email="x@example.com")[0] == "AccessDeniedException"
    assert reason_of(inside.deregister_delegated_administrator, AccountId=member,
                     ServicePrincipal=principal)[0] == "AccessDeniedException"
    assert reason_of(org.remove_account_from_organization, AccountId=member) == (
        "ConstraintViolationException", "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG")
    org.deregister_delegated_administrator(AccountId=member, ServicePrincipal=principal)
    assert reason_of(org.deregister_delegated_administrator, AccountId=member, ServicePrincipal=principal)[0] == (
        "AccountNotRegisteredException")
    assert reason_of(org.list_delegated_services_for_account, AccountId=member)[0] == (
        "AccountNotRegisteredException")
    assert reason_of(inside.list_accounts)[0] == "AccessDeniedException"
    org.remove_account_from_organization(AccountId=member)


def test_suspended_account_cannot_be_registered(org: Any) -> None:
    member = org.create_account(AccountName="Old", Email="old@example.com")["CreateAccountStatus"]["AccountId"]
    org.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    org.close_account(AccountId=member)
    assert reason_of(org.register_delegated_administrator, AccountId=member,
                     ServicePrincipal="iam.amazonaws.com") == (
        "ConstraintViolationException", "CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR")


def test_service_principal_condition_key(org: Any, iam: Any, server: IamdServer) -> None:
    """``organizations:ServicePrincipal`` carries the request's ServicePrincipal."""
    _, key = new_user(iam, "trusted-access-admin", {
        "Effect": "Allow", "Action": "organizations:EnableAWSServiceAccess", "Resource": "*",
        "Condition": {"StringEquals": {"organizations:ServicePrincipal": "iam.amazonaws.com"}}})
    scoped = as_creds(server, "organizations", key)
    scoped.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    assert reason_of(scoped.enable_aws_service_access, ServicePrincipal="guardduty.amazonaws.com")[0] == "AccessDeniedException"
    assert [s["ServicePrincipal"] for s in org.list_aws_service_access_for_organization()[
        "EnabledServicePrincipals"]] == ["iam.amazonaws.com"]
