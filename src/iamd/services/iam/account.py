"""Account-level IAM: the account alias and GetAccountSummary's usage and quotas."""

from __future__ import annotations

from typing import Any

from sqlalchemy import distinct, func, select, update

from iamd.services.context import Call
from iamd.services.iam import sts_preferences
from iamd.services.iam.errors import EntityAlreadyExists, NoSuchEntity
from iamd.services.registry import action
from iamd.store import schema

accounts = schema.accounts

# AWS's default quotas, as GetAccountSummary reports them (reference_iam-quotas.md).
QUOTAS = {
    "UsersQuota": 5000,
    "GroupsQuota": 300,
    "RolesQuota": 1000,
    "PoliciesQuota": 1500,
    "InstanceProfilesQuota": 1000,
    "ServerCertificatesQuota": 20,
    "GroupsPerUserQuota": 10,
    "AccessKeysPerUserQuota": 2,
    "SigningCertificatesPerUserQuota": 2,
    "AttachedPoliciesPerUserQuota": 10,
    "AttachedPoliciesPerGroupQuota": 10,
    "AttachedPoliciesPerRoleQuota": 10,
    "UserPolicySizeQuota": 2048,
    "GroupPolicySizeQuota": 5120,
    "RolePolicySizeQuota": 10240,
    "PolicySizeQuota": 6144,
    "VersionsPerPolicyQuota": 5,
    "PolicyVersionsInUseQuota": 10000,
    "AssumeRolePolicySizeQuota": 2048,
}


@action("iam", "CreateAccountAlias")
def create_account_alias(call: Call, p: dict[str, Any]) -> None:
    alias = p["AccountAlias"]
    owner = call.conn.execute(select(accounts.c.account_id).where(accounts.c.alias == alias)).scalar()
    if owner is not None and owner != call.account_id:
        raise EntityAlreadyExists(f"The account alias {alias} already exists.")
    call.conn.execute(update(accounts).where(accounts.c.account_id == call.account_id).values(alias=alias))
    return None


@action("iam", "DeleteAccountAlias")
def delete_account_alias(call: Call, p: dict[str, Any]) -> None:
    alias = p["AccountAlias"]
    current = call.conn.execute(
        select(accounts.c.alias).where(accounts.c.account_id == call.account_id)
    ).scalar()
    if current != alias:
        raise NoSuchEntity(f"The account alias {alias} cannot be found.")
    call.conn.execute(update(accounts).where(accounts.c.account_id == call.account_id).values(alias=None))
    return None


@action("iam", "ListAccountAliases")
def list_account_aliases(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    alias = call.conn.execute(
        select(accounts.c.alias).where(accounts.c.account_id == call.account_id)
    ).scalar()
    return {"AccountAliases": [alias] if alias else [], "IsTruncated": False}


def _count(call: Call, table: Any, *where: Any) -> int:
    q = select(func.count()).select_from(table).where(table.c.account_id == call.account_id, *where)
    return int(call.conn.execute(q).scalar_one())


@action("iam", "GetAccountSummary")
def get_account_summary(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    s = schema
    versions_in_use = call.conn.execute(
        select(func.count())
        .select_from(s.policy_versions.join(s.managed_policies))
        .where(s.managed_policies.c.account_id == call.account_id)
    ).scalar_one()
    attached_aws = call.conn.execute(
        select(func.count(distinct(s.policy_attachments.c.policy_arn))).where(
            s.policy_attachments.c.account_id == call.account_id,
            s.policy_attachments.c.policy_arn.startswith("arn:aws:iam::aws:policy"),
        )
    ).scalar_one()
    summary = {
        **QUOTAS,
        "Users": _count(call, s.users),
        "Groups": _count(call, s.groups),
        "Roles": _count(call, s.roles),
        "Policies": _count(call, s.managed_policies),
        "InstanceProfiles": _count(call, s.instance_profiles),
        "PolicyVersionsInUse": int(versions_in_use) + int(attached_aws),
        "ServerCertificates": 0,
        "Providers": 0,
        "MFADevices": _count(call, s.mfa_devices),
        "MFADevicesInUse": _count(call, s.mfa_devices, s.mfa_devices.c.enabled_at.is_not(None)),
        "AccountMFAEnabled": 1 if _count(call, s.mfa_devices, s.mfa_devices.c.assigned_to_root.is_(True)) else 0,
        "AccountAccessKeysPresent": 1 if _count(call, s.access_keys, s.access_keys.c.user_id.is_(None)) else 0,
        "AccountSigningCertificatesPresent": 0,
        "GlobalEndpointTokenVersion": sts_preferences.token_version(call),
    }
    return {"SummaryMap": summary}
