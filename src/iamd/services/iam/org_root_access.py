"""Centralized root access: IAM's switches for managing member accounts' root users centrally.

IAM User Guide, "Centralize root access for member accounts" (``id_root-enable-root-access``):
the organization's management account turns on two features —

- ``RootCredentialsManagement``: the management account (or IAM's delegated administrator) may
  audit, delete and let a member recover the root user's credentials of member accounts, through
  short root sessions scoped by the root-task policies ``IAMAuditRootUserCredentials``,
  ``IAMDeleteRootUserCredentials`` and ``IAMCreateRootUserPassword``;
- ``RootSessions``: it may run the other privileged root tasks (``S3UnlockBucketPolicy``,
  ``SQSUnlockQueuePolicy``) through ``sts:AssumeRoot``.

Prerequisites (the operations' API reference): the account is in an organization with all
features, trusted access for ``iam.amazonaws.com`` is enabled, and the caller's account is the
management account — or, for the Disable and List operations, IAM's delegated administrator
(the model gives only the Enable operations ``CallerIsNotManagementAccountException``).
Permission to call them (``iam:EnableOrganizationsRootSessions`` …) is authorization's, before.
"""

from __future__ import annotations

from typing import Any

from iamd.services.context import Call
from iamd.services.iam.root_access_errors import (
    AccountNotManagementOrDelegatedAdministrator,
    CallerIsNotManagementAccount,
    OrganizationNotFound,
    OrganizationNotInAllFeaturesMode,
    ServiceAccessNotEnabled,
)
from iamd.services.registry import action
from iamd.store import org_root_access as store
from iamd.store.org_root_access import ROOT_CREDENTIALS_MANAGEMENT, ROOT_SESSIONS, OrgMembership


def administered_org(call: Call, *, management_only: bool = False) -> OrgMembership:
    """The organization whose root access the caller's account administers, or AWS's error.

    Checked in the order the prerequisites build on each other: an organization, all features,
    the caller's standing in it, then trusted access for IAM.
    """
    org = store.membership(call.conn, call.account_id)
    if org is None:
        raise OrganizationNotFound()
    if not org.all_features:
        raise OrganizationNotInAllFeaturesMode()
    if call.account_id != org.management_account_id:
        delegated = store.is_delegated_admin(call.conn, org.org_id, call.account_id)
        if not delegated:
            raise AccountNotManagementOrDelegatedAdministrator()
        if management_only:
            raise CallerIsNotManagementAccount()
    if not store.trusted_access_enabled(call.conn, org.org_id):
        raise ServiceAccessNotEnabled()
    return org


def _answer(call: Call, org: OrgMembership) -> dict[str, Any]:
    return {"OrganizationId": org.org_id, "EnabledFeatures": store.features(call.conn, org.org_id)}


def _enable(call: Call, feature: str) -> dict[str, Any]:
    org = administered_org(call, management_only=True)
    store.enable(call.conn, org.org_id, feature, call.now)
    return _answer(call, org)


def _disable(call: Call, feature: str) -> dict[str, Any]:
    org = administered_org(call)
    store.disable(call.conn, org.org_id, feature)
    return _answer(call, org)


@action("iam", "EnableOrganizationsRootCredentialsManagement")
def enable_root_credentials_management(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    return _enable(call, ROOT_CREDENTIALS_MANAGEMENT)


@action("iam", "DisableOrganizationsRootCredentialsManagement")
def disable_root_credentials_management(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    return _disable(call, ROOT_CREDENTIALS_MANAGEMENT)


@action("iam", "EnableOrganizationsRootSessions")
def enable_root_sessions(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    return _enable(call, ROOT_SESSIONS)


@action("iam", "DisableOrganizationsRootSessions")
def disable_root_sessions(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    return _disable(call, ROOT_SESSIONS)


@action("iam", "ListOrganizationsFeatures")
def list_organizations_features(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    return _answer(call, administered_org(call))
