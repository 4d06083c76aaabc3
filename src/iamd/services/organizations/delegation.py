"""Trusted access and delegated administrators: EnableAWSServiceAccess, DisableAWSServiceAccess,
ListAWSServiceAccessForOrganization, RegisterDelegatedAdministrator,
DeregisterDelegatedAdministrator, ListDelegatedAdministrators, ListDelegatedServicesForAccount.

AWS Organizations User Guide ("Using AWS Organizations with other AWS services"): trusted access
lets a service act in every account of the organization (IAM's centralized root access needs
``iam.amazonaws.com``); it needs all features (``ORGANIZATION_NOT_IN_ALL_FEATURES_MODE``). A
delegated administrator is a member account registered for one service; the service's trusted
access must be on (``SERVICE_ACCESS_NOT_ENABLED``); the management account cannot be one
(``CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR``), nor a closed account. A principal that
is not one of the services integrated with Organizations is ``InvalidInputException``
``UNRECOGNIZED_SERVICE_PRINCIPAL``. A delegated administrator may call Organizations' read-only
operations (``common.managed_org(delegated=True)``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select

from iamd.services.context import Call
from iamd.services.organizations import common
from iamd.services.organizations.accounts import account_shape, member_of
from iamd.services.organizations.errors import (
    AccountAlreadyRegisteredException,
    AccountNotRegisteredException,
    ConstraintViolationException,
    InvalidInputException,
)
from iamd.services.organizations.pages import page, with_token
from iamd.services.registry import action
from iamd.store.org_schema import org_delegated_admins, org_service_access

# "AWS services that you can use with AWS Organizations" (User Guide): their service principals.
SERVICE_PRINCIPALS = frozenset({
    "access-analyzer.amazonaws.com", "account.amazonaws.com", "auditmanager.amazonaws.com",
    "aws-artifact-account-sync.amazonaws.com", "backup.amazonaws.com", "cloudtrail.amazonaws.com",
    "compute-optimizer.amazonaws.com", "config.amazonaws.com", "config-multiaccountsetup.amazonaws.com",
    "controltower.amazonaws.com", "detective.amazonaws.com", "devops-guru.amazonaws.com", "ds.amazonaws.com",
    "ec2.amazonaws.com", "fms.amazonaws.com", "guardduty.amazonaws.com", "malware-protection.guardduty.amazonaws.com",
    "health.amazonaws.com", "iam.amazonaws.com", "inspector2.amazonaws.com", "ipam.amazonaws.com",
    "license-manager.amazonaws.com", "macie.amazonaws.com", "member.org.stacksets.cloudformation.amazonaws.com",
    "mgn.amazonaws.com", "networkmanager.amazonaws.com", "ram.amazonaws.com",
    "reporting.trustedadvisor.amazonaws.com", "resource-explorer-2.amazonaws.com", "securityhub.amazonaws.com",
    "securitylake.amazonaws.com", "servicecatalog.amazonaws.com", "servicequotas.amazonaws.com",
    "ssm.amazonaws.com", "sso.amazonaws.com", "storage-lens.s3.amazonaws.com", "tagpolicies.tag.amazonaws.com",
    "wellarchitected.amazonaws.com",
})


@action("organizations", "EnableAWSServiceAccess")
def enable_service_access(call: Call, p: dict[str, Any]) -> None:
    org = common.locked_org(call)
    principal = _known(p["ServicePrincipal"])
    if org.feature_set != "ALL":
        raise ConstraintViolationException(
            "ORGANIZATION_NOT_IN_ALL_FEATURES_MODE", "You can't enable trusted access without all features enabled."
        )
    if not enabled(call.conn, org.org_id, principal):
        call.conn.execute(insert(org_service_access).values(org_id=org.org_id, service_principal=principal,
                                                            enabled_at=call.now))


@action("organizations", "DisableAWSServiceAccess")
def disable_service_access(call: Call, p: dict[str, Any]) -> None:
    org = common.locked_org(call)
    principal = _known(p["ServicePrincipal"])
    t = org_service_access
    call.conn.execute(delete(t).where(t.c.org_id == org.org_id, t.c.service_principal == principal))


@action("organizations", "ListAWSServiceAccessForOrganization")
def list_service_access(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    org = common.managed_org(call, delegated=True)
    t = org_service_access
    rows = list(call.conn.execute(select(t).where(t.c.org_id == org.org_id).order_by(t.c.service_principal)).all())
    chunk, token = page(call, p, "ListAWSServiceAccessForOrganization", rows, lambda r: r.service_principal)
    return with_token({"EnabledServicePrincipals": [
        {"ServicePrincipal": r.service_principal, "DateEnabled": r.enabled_at} for r in chunk]}, token)


@action("organizations", "RegisterDelegatedAdministrator")
def register_delegated_administrator(call: Call, p: dict[str, Any]) -> None:
    org = common.locked_org(call)
    principal = _known(p["ServicePrincipal"])
    member = member_of(call.conn, org, p["AccountId"])
    if member.account_id == org.management_account_id:
        raise ConstraintViolationException(
            "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR",
            "You can't register the management account as a delegated administrator.",
        )
    if member.status != "ACTIVE":
        raise ConstraintViolationException(
            "CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR",
            "You can't register a suspended account as a delegated administrator.",
        )
    if not enabled(call.conn, org.org_id, principal):
        raise ConstraintViolationException(
            "SERVICE_ACCESS_NOT_ENABLED", f"Trusted access is not enabled for {principal}."
        )
    if _registration(call.conn, org, member.account_id, principal) is not None:
        raise AccountAlreadyRegisteredException("The account is already registered as a delegated administrator.")
    call.conn.execute(insert(org_delegated_admins).values(
        org_id=org.org_id, account_id=member.account_id, service_principal=principal, enabled_at=call.now))


@action("organizations", "DeregisterDelegatedAdministrator")
def deregister_delegated_administrator(call: Call, p: dict[str, Any]) -> None:
    org = common.locked_org(call)
    principal = _known(p["ServicePrincipal"])
    member = member_of(call.conn, org, p["AccountId"])
    if _registration(call.conn, org, member.account_id, principal) is None:
        raise AccountNotRegisteredException("The account is not registered as a delegated administrator.")
    t = org_delegated_admins
    call.conn.execute(delete(t).where(t.c.org_id == org.org_id, t.c.account_id == member.account_id,
                                      t.c.service_principal == principal))


@action("organizations", "ListDelegatedAdministrators")
def list_delegated_administrators(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    org = common.managed_org(call, delegated=True)
    t = org_delegated_admins
    q = select(t).where(t.c.org_id == org.org_id)
    if p.get("ServicePrincipal"):
        q = q.where(t.c.service_principal == p["ServicePrincipal"])
    first: dict[str, Row[Any]] = {}
    for row in call.conn.execute(q.order_by(t.c.account_id, t.c.enabled_at)):
        first.setdefault(row.account_id, row)
    chunk, token = page(call, p, "ListDelegatedAdministrators", sorted(first), lambda a: a,
                        query=p.get("ServicePrincipal"))
    out = []
    for account_id in chunk:
        shape = account_shape(call.conn, org, member_of(call.conn, org, account_id))
        shape.pop("Paths", None)
        shape["DelegationEnabledDate"] = first[account_id].enabled_at
        out.append(shape)
    return with_token({"DelegatedAdministrators": out}, token)


@action("organizations", "ListDelegatedServicesForAccount")
def list_delegated_services(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    org = common.managed_org(call, delegated=True)
    member = member_of(call.conn, org, p["AccountId"])
    t = org_delegated_admins
    rows = list(call.conn.execute(select(t).where(t.c.org_id == org.org_id, t.c.account_id == member.account_id)
                                  .order_by(t.c.service_principal)).all())
    if not rows:
        raise AccountNotRegisteredException("The account is not registered as a delegated administrator.")
    chunk, token = page(call, p, "ListDelegatedServicesForAccount", rows, lambda r: r.service_principal,
                        query=member.account_id)
    return with_token({"DelegatedServices": [
        {"ServicePrincipal": r.service_principal, "DelegationEnabledDate": r.enabled_at} for r in chunk]}, token)


def enabled(conn: Connection, org_id: str, principal: str) -> bool:
    """Whether the organization gave ``principal`` trusted access (o-root reads ``iam.amazonaws.com``)."""
    t = org_service_access
    q = select(t.c.org_id).where(t.c.org_id == org_id, t.c.service_principal == principal)
    return conn.execute(q).first() is not None


def _known(principal: str) -> str:
    if principal not in SERVICE_PRINCIPALS:
        raise InvalidInputException(
            "UNRECOGNIZED_SERVICE_PRINCIPAL", f"You specified a service principal that isn't recognized: {principal}."
        )
    return principal


def _registration(conn: Connection, org: Row[Any], account_id: str, principal: str) -> Row[Any] | None:
    t = org_delegated_admins
    q = select(t).where(t.c.org_id == org.org_id, t.c.account_id == account_id, t.c.service_principal == principal)
    return conn.execute(q).first()
