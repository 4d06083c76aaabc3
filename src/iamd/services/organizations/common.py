"""What every Organizations action needs: the caller's organization, who may call, ids and ARNs.

Who may call (AWS Organizations User Guide, "Managing the AWS accounts in your organization";
API Reference, every operation's "This operation can be called only from the organization's
management account"): most operations only from the management account; a member account gets
``AccessDeniedException``, an account outside any organization
``AWSOrganizationsNotInUseException``. DescribeOrganization, LeaveOrganization and the
handshake operations of the invited account are the members' own. Read-only operations are open
to a delegated administrator too ("can be called only from the organization's management account
or by a member account that is a delegated administrator"). Identity policies still apply: the
API authorizes ``organizations:*`` before the action runs (``authz/org_resources.py``). A member
account that the organization's resource-based delegation policy grants an action, with its own
identity policies, is accepted as the management account is (``Call.org_delegated``, decided by
``authz/org_delegation.py``; the action never reads that policy itself).

Changes take the management account's row lock (``store/locks.py``) before they read what their
rules depend on, so quotas, unique names and "is it empty" hold across processes; the organization
is read again under the lock (it may have been deleted meanwhile).
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from sqlalchemy import Row, select

from iamd.services.context import Call
from iamd.services.organizations.errors import (
    AccessDeniedException,
    AWSOrganizationsNotInUseException,
)
from iamd.store import orgs
from iamd.store.locks import lock_account
from iamd.store.org_schema import org_delegated_admins

_ID_CHARS = string.ascii_lowercase + string.digits
NOT_IN_USE = "Your account is not a member of an organization."
PLACEHOLDER_DOMAIN = "accounts.iamd.invalid"
NOT_MANAGEMENT = "You don't have permissions to access this resource."


def random_suffix(length: int) -> str:
    return "".join(secrets.choice(_ID_CHARS) for _ in range(length))


def new_org_id() -> str:
    return "o-" + random_suffix(10)


def new_root_id() -> str:
    """Unique across every organization of the store (``organizations.root_id``): AWS shows four
    characters, but its pattern allows 4–32, and four (1.7 million values) collide among a few
    hundred organizations; eight do not."""
    return "r-" + random_suffix(8)


def new_ou_id(root_id: str) -> str:
    """AWS's OU ids carry the root's suffix: ``ou-<root>-<8 characters>``."""
    return f"ou-{root_id.removeprefix('r-')}-{random_suffix(8)}"


def new_handshake_id() -> str:
    return "h-" + random_suffix(10)


def new_create_account_request_id() -> str:
    return "car-" + random_suffix(32)


# --- ARNs (Service Authorization Reference, "Resource types defined by AWS Organizations") ---------


def org_arn(org: Row[Any]) -> str:
    return f"arn:aws:organizations::{org.management_account_id}:organization/{org.org_id}"


def root_arn(org: Row[Any], root_id: str | None = None) -> str:
    return f"arn:aws:organizations::{org.management_account_id}:root/{org.org_id}/{root_id or org.root_id}"


def ou_arn(org: Row[Any], ou_id: str) -> str:
    return f"arn:aws:organizations::{org.management_account_id}:ou/{org.org_id}/{ou_id}"


def account_arn(org: Row[Any], account_id: str) -> str:
    return f"arn:aws:organizations::{org.management_account_id}:account/{org.org_id}/{account_id}"


def policy_arn(org: Row[Any], policy_type: str, policy_id: str, aws_managed: bool = False) -> str:
    kind = policy_type.lower()
    if aws_managed:
        return f"arn:aws:organizations::aws:policy/{kind}/{policy_id}"
    return f"arn:aws:organizations::{org.management_account_id}:policy/{org.org_id}/{kind}/{policy_id}"


def handshake_arn(org: Row[Any], action: str, handshake_id: str) -> str:
    kind = {"INVITE": "invite", "ENABLE_ALL_FEATURES": "enable_all_features",
            "APPROVE_ALL_FEATURES": "approve_all_features"}.get(action, action.lower())
    return f"arn:aws:organizations::{org.management_account_id}:handshake/{org.org_id}/{kind}/{handshake_id}"


def placeholder_email(account_id: str) -> str:
    """iamd accounts made outside Organizations have no email; AWS requires one per account. A
    name under ``.invalid`` (RFC 2606: never resolvable) stands in, unique per account."""
    return f"{account_id}@{PLACEHOLDER_DOMAIN}"


# --- who may call ------------------------------------------------------------------------------


def caller_org(call: Call) -> Row[Any]:
    """The organization the caller's account belongs to, as management account or member."""
    org = orgs.org_of_account(call.conn, call.account_id)
    if org is None:
        raise AWSOrganizationsNotInUseException(NOT_IN_USE)
    return org


def managed_org(call: Call, *, delegated: bool = False) -> Row[Any]:
    """The caller's organization when the caller's account manages it (or, with ``delegated``,
    is a delegated administrator of it, for read-only operations)."""
    org = caller_org(call)
    if org.management_account_id == call.account_id or call.org_delegated:
        return org
    if delegated and _is_delegated_admin(call, org.org_id):
        return org
    raise AccessDeniedException(NOT_MANAGEMENT)


def locked_org(call: Call) -> Row[Any]:
    """``managed_org`` for a change: under the management account's lock, read again."""
    org = managed_org(call)
    lock_account(call.conn, org.management_account_id)
    again = orgs.org_of_account(call.conn, call.account_id)
    if again is None:
        raise AWSOrganizationsNotInUseException(NOT_IN_USE)
    if again.org_id != org.org_id or (again.management_account_id != call.account_id and not call.org_delegated):
        raise AccessDeniedException(NOT_MANAGEMENT)
    return again


def _is_delegated_admin(call: Call, org_id: str) -> bool:
    t = org_delegated_admins
    q = select(t.c.account_id).where(t.c.org_id == org_id, t.c.account_id == call.account_id).limit(1)
    return call.conn.execute(q).first() is not None
