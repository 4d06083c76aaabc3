"""CreateOrganization, DescribeOrganization, DeleteOrganization, ListRoots.

AWS Organizations API Reference: CreateOrganization "Creates an AWS organization. The account
whose user is calling the CreateOrganization operation automatically becomes the management
account of the new organization"; it fails with ``AlreadyInOrganizationException`` when the account
already belongs to one. ``FeatureSet`` defaults to ``ALL``; ``CONSOLIDATED_BILLING`` is accepted
as AWS accepts it (an organization without policy types: EnablePolicyType answers
``ConstraintViolationException`` ``ORGANIZATION_NOT_IN_ALL_FEATURES_MODE``). DeleteOrganization
"can be called only from the management account" and only once "all member accounts" are gone
(``OrganizationNotEmptyException``); its OUs and policies go with it.

Joining or leaving an organization changes what applies to the account's principals (SCPs,
``aws:PrincipalOrgID``), so both bump the account's policy generation.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select

from iamd.services.context import Call
from iamd.services.organizations import common
from iamd.services.organizations.errors import AlreadyInOrganizationException, OrganizationNotEmptyException
from iamd.services.organizations.pages import page, with_token
from iamd.services.registry import action
from iamd.store import orgs
from iamd.store.locks import lock_account
from iamd.store.org_schema import org_policy_types
from iamd.store.schema import accounts

OrganizationHook = Callable[[Connection, Row[Any], datetime], None]
# Run in CreateOrganization's transaction once the organization and its root exist (the policy
# helpers add the AWS managed policies here).
ON_CREATE: list[OrganizationHook] = []


@action("organizations", "CreateOrganization")
def create_organization(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    feature_set = p.get("FeatureSet") or "ALL"
    lock_account(call.conn, call.account_id)
    if orgs.org_of_account(call.conn, call.account_id) is not None:
        raise AlreadyInOrganizationException("The AWS account is already a member of an organization.")
    org_id, root_id = common.new_org_id(), common.new_root_id()
    orgs.create_org(call.conn, org_id, root_id, call.account_id, feature_set, call.now)
    orgs.add_member(
        call.conn, org_id, call.account_id, root_id, account_name(call.conn, call.account_id),
        common.placeholder_email(call.account_id), "INVITED", call.now,
    )
    org = orgs.get_org(call.conn, org_id)
    assert org is not None
    for hook in ON_CREATE:
        hook(call.conn, org, call.now)
    orgs.bump_accounts(call.conn, [call.account_id])
    return {"Organization": describe(call.conn, org)}


@action("organizations", "DescribeOrganization")
def describe_organization(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    return {"Organization": describe(call.conn, common.caller_org(call))}


@action("organizations", "DeleteOrganization")
def delete_organization(call: Call, p: dict[str, Any]) -> None:
    org = common.locked_org(call)
    if orgs.count_members(call.conn, org.org_id) > 1:
        raise OrganizationNotEmptyException(
            "To delete an organization you must first remove all member accounts (except the management account)."
        )
    orgs.delete_org(call.conn, org.org_id)
    orgs.bump_accounts(call.conn, [org.management_account_id])


@action("organizations", "ListRoots")
def list_roots(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    org = common.managed_org(call, delegated=True)
    roots, token = page(call, p, "ListRoots", [org.root_id], lambda r: r)
    return with_token({"Roots": [root(call.conn, org) for _ in roots]}, token)


def describe(conn: Connection, org: Row[Any]) -> dict[str, Any]:
    management = orgs.get_member(conn, org.management_account_id)
    return {
        "Id": org.org_id,
        "Arn": common.org_arn(org),
        "FeatureSet": org.feature_set,
        "MasterAccountArn": common.account_arn(org, org.management_account_id),
        "MasterAccountId": org.management_account_id,
        "MasterAccountEmail": management.email if management is not None else "",
        # AWS: "Do not use. This field is deprecated"; it lists the root's enabled types.
        "AvailablePolicyTypes": policy_types(conn, org.org_id),
    }


def root(conn: Connection, org: Row[Any]) -> dict[str, Any]:
    unit = orgs.get_unit(conn, org.org_id, org.root_id)
    return {
        "Id": org.root_id,
        "Arn": common.root_arn(org),
        "Name": unit.name if unit is not None else "Root",
        "PolicyTypes": policy_types(conn, org.org_id),
    }


def policy_types(conn: Connection, org_id: str) -> list[dict[str, str]]:
    t = org_policy_types
    rows = conn.execute(select(t.c.policy_type, t.c.status).where(t.c.org_id == org_id).order_by(t.c.policy_type))
    return [{"Type": r.policy_type, "Status": r.status} for r in rows]


def account_name(conn: Connection, account_id: str) -> str:
    """An iamd account has no name of its own: its alias, else its id (AWS's names are 1–50
    characters, an alias at most 63)."""
    alias = conn.execute(select(accounts.c.alias).where(accounts.c.account_id == account_id)).scalar()
    return str(alias)[:50] if alias else account_id
