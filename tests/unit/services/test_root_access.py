"""Centralized root access on both backends: IAM's feature switches, STS AssumeRoot, and what a
root session may do, decided by the real authorizer.

The organization is written straight into the Organizations tables (the Organizations API is
another module's); everything after that goes through the actions and the authorizer.
"""

from __future__ import annotations

import json
import random
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from iamd.auth.caller import Caller
from iamd.auth.session_claims import ROOT_SESSION
from iamd.auth.sessions import caller_from_claims, open_session
from iamd.authz.authorizer import Authorizer
from iamd.authz.context import RequestInfo
from iamd.errors import AccessDenied, InvalidClientTokenId, ValidationError
from iamd.services.accounts import create_account
from iamd.services.iam import root_access_errors as errs
from iamd.services.runtime import Runtime
from iamd.store import org_schema as o

TASK = "arn:aws:iam::aws:policy/root-task/"
DELETE = TASK + "IAMDeleteRootUserCredentials"
AUDIT = TASK + "IAMAuditRootUserCredentials"
S3_UNLOCK = TASK + "S3UnlockBucketPolicy"


def _new_account(runtime: Runtime) -> str:
    account_id = f"{random.randrange(10**11, 10**12):012d}"
    with runtime.store.begin() as conn:
        create_account(conn, runtime.secretbox, account_id, datetime.now(UTC))
    return account_id


def _root(account_id: str) -> Caller:
    return Caller(account_id, f"arn:aws:iam::{account_id}:root", account_id, "root", "AKIAROOT")


class Org:
    """An organization written into the store: a management account and members."""

    def __init__(self, runtime: Runtime, management: str, members: list[str], feature_set: str = "ALL") -> None:
        self.runtime = runtime
        self.org_id = "o-" + secrets.token_hex(5)
        self.root_id = "r-" + secrets.token_hex(2)
        now = datetime.now(UTC)
        with runtime.store.begin() as conn:
            conn.execute(o.organizations.insert().values(
                org_id=self.org_id, management_account_id=management, root_id=self.root_id,
                feature_set=feature_set, created_at=now,
            ))  # fmt: skip
            conn.execute(o.org_units.insert().values(
                unit_id=self.root_id, org_id=self.org_id, parent_id=None, name="Root", name_lower="root",
                depth=0, created_at=now,
            ))  # fmt: skip
            for account in members:
                conn.execute(o.org_accounts.insert().values(
                    account_id=account, org_id=self.org_id, parent_id=self.root_id, name=f"a{account}",
                    email=f"{account}@example.com", email_lower=f"{account}@example.com", status="ACTIVE",
                    joined_method="CREATED", joined_at=now,
                ))  # fmt: skip

    def trust_iam(self) -> None:
        with self.runtime.store.begin() as conn:
            conn.execute(o.org_service_access.insert().values(
                org_id=self.org_id, service_principal="iam.amazonaws.com", enabled_at=datetime.now(UTC)
            ))  # fmt: skip

    def delegate(self, account: str) -> None:
        with self.runtime.store.begin() as conn:
            conn.execute(o.org_delegated_admins.insert().values(
                org_id=self.org_id, account_id=account, service_principal="iam.amazonaws.com",
                enabled_at=datetime.now(UTC),
            ))  # fmt: skip

    def set_status(self, account: str, status: str) -> None:
        with self.runtime.store.begin() as conn:
            conn.execute(o.org_accounts.update().where(o.org_accounts.c.account_id == account).values(status=status))


@pytest.fixture
def world(runtime: Runtime, account: str) -> dict[str, Any]:
    member, other, outsider = (_new_account(runtime) for _ in range(3))
    org = Org(runtime, account, [member, other])
    return {"management": account, "member": member, "other": other, "outsider": outsider, "org": org}


def _admin(invoke: Callable[..., Any], account: str) -> Caller:
    """An IAM user of ``account`` (authorization is not exercised by ``invoke``)."""
    user = invoke("iam", "CreateUser", {"UserName": "admin" + secrets.token_hex(3)}, caller=_root(account))["User"]
    return Caller(account, user["Arn"], user["UserId"], "user", "AKIAADMIN", user_name=user["UserName"])


def test_features_need_an_organization_all_features_and_trusted_access(invoke, runtime, world):
    mgmt = _root(world["management"])
    with pytest.raises(errs.OrganizationNotFound):
        invoke("iam", "ListOrganizationsFeatures", caller=_root(world["outsider"]))
    with pytest.raises(errs.ServiceAccessNotEnabled):
        invoke("iam", "EnableOrganizationsRootSessions", caller=mgmt)
    world["org"].trust_iam()
    assert invoke("iam", "ListOrganizationsFeatures", caller=mgmt) == {
        "OrganizationId": world["org"].org_id, "EnabledFeatures": [],
    }  # fmt: skip
    out = invoke("iam", "EnableOrganizationsRootSessions", caller=mgmt)
    assert out["EnabledFeatures"] == ["RootSessions"]
    out = invoke("iam", "EnableOrganizationsRootCredentialsManagement", caller=mgmt)
    assert out["EnabledFeatures"] == ["RootCredentialsManagement", "RootSessions"]
    # Idempotent, as AWS's switches are.
    assert invoke("iam", "EnableOrganizationsRootSessions", caller=mgmt)["EnabledFeatures"] == [
        "RootCredentialsManagement", "RootSessions",
    ]  # fmt: skip
    out = invoke("iam", "DisableOrganizationsRootSessions", caller=mgmt)
    assert out["EnabledFeatures"] == ["RootCredentialsManagement"]
    out = invoke("iam", "DisableOrganizationsRootCredentialsManagement", caller=mgmt)
    assert out["EnabledFeatures"] == []


def test_consolidated_billing_organization_is_refused(invoke, runtime, account):
    Org(runtime, account, [], feature_set="CONSOLIDATED_BILLING")
    with pytest.raises(errs.OrganizationNotInAllFeaturesMode):
        invoke("iam", "ListOrganizationsFeatures", caller=_root(account))


def test_members_and_delegated_administrators(invoke, world):
    world["org"].trust_iam()
    with pytest.raises(errs.AccountNotManagementOrDelegatedAdministrator):
        invoke("iam", "EnableOrganizationsRootSessions", caller=_root(world["member"]))
    with pytest.raises(errs.AccountNotManagementOrDelegatedAdministrator):
        invoke("iam", "ListOrganizationsFeatures", caller=_root(world["member"]))
    world["org"].delegate(world["member"])
    # Only the management account enables; IAM's delegated administrator lists and disables.
    with pytest.raises(errs.CallerIsNotManagementAccount):
        invoke("iam", "EnableOrganizationsRootSessions", caller=_root(world["member"]))
    invoke("iam", "EnableOrganizationsRootSessions", caller=_root(world["management"]))
    assert invoke("iam", "ListOrganizationsFeatures", caller=_root(world["member"]))["EnabledFeatures"] == ["RootSessions"]
    assert invoke("iam", "DisableOrganizationsRootSessions", caller=_root(world["member"]))["EnabledFeatures"] == []


def _enabled(invoke: Callable[..., Any], world: dict[str, Any]) -> None:
    world["org"].trust_iam()
    mgmt = _root(world["management"])
    invoke("iam", "EnableOrganizationsRootSessions", caller=mgmt)
    invoke("iam", "EnableOrganizationsRootCredentialsManagement", caller=mgmt)


def _assume_root(invoke: Callable[..., Any], caller: Caller, target: str, task: str, **extra: Any) -> dict[str, Any]:
    params = {"TargetPrincipal": target, "TaskPolicyArn": {"arn": task}, **extra}
    out: dict[str, Any] = invoke("sts", "AssumeRoot", params, caller=caller)
    return out


def _session_caller(runtime: Runtime, creds: dict[str, Any]) -> Caller:
    claims = open_session(creds["SessionToken"], creds["AccessKeyId"], runtime.session_keyring, datetime.now(UTC))
    return caller_from_claims(claims, creds["SessionToken"])


def test_assume_root_issues_a_root_session_of_the_member(invoke, runtime, world):
    _enabled(invoke, world)
    admin = _admin(invoke, world["management"])
    member = world["member"]
    creds = _assume_root(invoke, admin, member, DELETE, DurationSeconds=600)["Credentials"]
    caller = _session_caller(runtime, creds)
    assert (caller.account_id, caller.arn, caller.user_id, caller.kind) == (member, f"arn:aws:iam::{member}:root", member, "root")
    assert caller.session is not None and caller.session.kind == ROOT_SESSION
    assert caller.session.policy_arns == (DELETE,)
    assert caller.session.source_arn == admin.arn
    assert (caller.session.expires_at - caller.session.issued_at).total_seconds() == 600
    # The ARN form of TargetPrincipal names the same account; the default duration is 900.
    creds = _assume_root(invoke, admin, f"arn:aws:iam::{member}:root", AUDIT)["Credentials"]
    session = _session_caller(runtime, creds).session
    assert session is not None and (session.expires_at - session.issued_at).total_seconds() == 900


@pytest.mark.parametrize("who", ["member", "other", "outsider"])
def test_assume_root_from_outside_the_management_account_is_refused(invoke, world, who):
    _enabled(invoke, world)
    caller = _admin(invoke, world[who])
    target = world["other"] if who == "member" else world["member"]
    with pytest.raises(AccessDenied):
        _assume_root(invoke, caller, target, DELETE)


@pytest.mark.parametrize("target", ["management", "outsider"])
def test_assume_root_into_a_non_member_is_refused(invoke, world, target):
    _enabled(invoke, world)
    with pytest.raises(AccessDenied) as raised:
        _assume_root(invoke, _admin(invoke, world["management"]), world[target], DELETE)
    assert "not a member account of the caller's organization" in str(raised.value)


def test_assume_root_into_a_suspended_member_is_refused(invoke, world):
    _enabled(invoke, world)
    world["org"].set_status(world["member"], "SUSPENDED")
    with pytest.raises(AccessDenied):
        _assume_root(invoke, _admin(invoke, world["management"]), world["member"], DELETE)


def test_assume_root_needs_the_task_s_feature(invoke, world):
    world["org"].trust_iam()
    admin = _admin(invoke, world["management"])
    invoke("iam", "EnableOrganizationsRootSessions", caller=_root(world["management"]))
    _assume_root(invoke, admin, world["member"], S3_UNLOCK)
    with pytest.raises(AccessDenied) as raised:
        _assume_root(invoke, admin, world["member"], DELETE)
    assert "RootCredentialsManagement is not enabled" in str(raised.value)


def test_assume_root_by_a_delegated_administrator(invoke, world):
    _enabled(invoke, world)
    world["org"].delegate(world["other"])
    _assume_root(invoke, _admin(invoke, world["other"]), world["member"], AUDIT)


@pytest.mark.parametrize(
    ("target", "task"),
    [
        ("12345", DELETE),
        ("arn:aws:iam::123456789012:user/bob", DELETE),
        ("123456789012:root", DELETE),
        (None, "arn:aws:iam::aws:policy/AdministratorAccess"),
        (None, "arn:aws:iam::123456789012:policy/root-task/IAMDeleteRootUserCredentials"),
        (None, TASK + "Everything"),
    ],
)
def test_bad_target_or_task_policy(invoke, world, target, task):
    _enabled(invoke, world)
    with pytest.raises(ValidationError):
        _assume_root(invoke, _admin(invoke, world["management"]), target or world["member"], task)


def test_root_credentials_cannot_assume_root(invoke, world):
    _enabled(invoke, world)
    with pytest.raises(AccessDenied, match="root user credentials"):
        _assume_root(invoke, _root(world["management"]), world["member"], DELETE)


# --- what the session may do: the real authorizer -------------------------------------------


def _authorize(runtime: Runtime, caller: Caller, service: str, operation: str, params: dict[str, Any]) -> None:
    authorizer = Authorizer(runtime.master_key)
    info = RequestInfo(service, operation, "us-east-1", "127.0.0.1", True, "test")
    with runtime.store.begin() as conn:
        authorizer.authorize(conn, caller, info, params, datetime.now(UTC))


def test_delete_task_session_reaches_root_credentials_only(invoke, runtime, world):
    _enabled(invoke, world)
    creds = _assume_root(invoke, _admin(invoke, world["management"]), world["member"], DELETE)["Credentials"]
    caller = _session_caller(runtime, creds)
    for operation in ("ListAccessKeys", "DeleteAccessKey", "ListSigningCertificates", "ListMFADevices", "GetUser"):
        _authorize(runtime, caller, "iam", operation, {"AccessKeyId": "AKIAEXAMPLE"})
    # Outside the task: another action, or the same action on an IAM user instead of root.
    for operation, params in [
        ("CreateUser", {"UserName": "x"}),
        ("CreateAccessKey", {}),
        ("DeleteAccessKey", {"UserName": "bob", "AccessKeyId": "AKIAEXAMPLE"}),
        ("AttachRolePolicy", {"RoleName": "r", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
    ]:
        with pytest.raises(AccessDenied, match="explicit deny in a session policy"):
            _authorize(runtime, caller, "iam", operation, params)
    with pytest.raises(AccessDenied):
        _authorize(runtime, caller, "sts", "AssumeRole", {"RoleArn": f"arn:aws:iam::{world['member']}:role/r", "RoleSessionName": "s"})


def test_s3_unlock_session_is_limited_to_bucket_policies(invoke, runtime, world):
    _enabled(invoke, world)
    creds = _assume_root(invoke, _admin(invoke, world["management"]), world["member"], S3_UNLOCK)["Credentials"]
    caller = _session_caller(runtime, creds)
    _authorize(runtime, caller, "s3", "DeleteBucketPolicy", {})
    with pytest.raises(AccessDenied):
        _authorize(runtime, caller, "iam", "ListAccessKeys", {})


@pytest.mark.parametrize("undo", ["feature", "trusted-access", "membership"])
def test_a_session_ends_when_its_grounds_go(invoke, runtime, world, undo):
    _enabled(invoke, world)
    creds = _assume_root(invoke, _admin(invoke, world["management"]), world["member"], DELETE)["Credentials"]
    caller = _session_caller(runtime, creds)
    _authorize(runtime, caller, "iam", "ListAccessKeys", {})
    if undo == "feature":
        invoke("iam", "DisableOrganizationsRootCredentialsManagement", caller=_root(world["management"]))
    else:
        table = o.org_service_access if undo == "trusted-access" else o.org_accounts
        column = table.c.org_id if undo == "trusted-access" else table.c.account_id
        value = world["org"].org_id if undo == "trusted-access" else world["member"]
        with runtime.store.begin() as conn:
            conn.execute(table.delete().where(column == value))
    with pytest.raises(InvalidClientTokenId):
        _authorize(runtime, caller, "iam", "ListAccessKeys", {})


def test_a_forged_root_session_claim_does_not_open(runtime, world):
    """A token is sealed under the master key with its access key id as associated data: editing
    the claims (or pairing a token with another key id) never yields a root session."""
    import base64

    claims_token = base64.b64encode(json.dumps({"k": 3, "a": world["member"]}).encode()).decode()
    with pytest.raises(InvalidClientTokenId):
        open_session(claims_token, "ASIAEXAMPLE", runtime.session_keyring, datetime.now(UTC))


def test_root_session_finds_no_root_password(invoke, runtime, world):
    """iamd keeps no console password for root users: the audit task finds none, the recovery
    task has none to recover (a clear error, nothing changed)."""
    from iamd.services.iam.errors import InvalidInput, NoSuchEntity

    _enabled(invoke, world)
    admin = _admin(invoke, world["management"])
    audit = _session_caller(runtime, _assume_root(invoke, admin, world["member"], AUDIT)["Credentials"])
    with pytest.raises(NoSuchEntity, match="root"):
        invoke("iam", "GetLoginProfile", {}, caller=audit)
    create = _session_caller(runtime, _assume_root(invoke, admin, world["member"], TASK + "IAMCreateRootUserPassword")["Credentials"])
    _authorize(runtime, create, "iam", "CreateLoginProfile", {})
    with pytest.raises(InvalidInput, match="no console password for root"):
        invoke("iam", "CreateLoginProfile", {}, caller=create)


def test_zero_duration_credentials_are_refused_on_first_use(invoke, runtime, world):
    _enabled(invoke, world)
    creds = _assume_root(invoke, _admin(invoke, world["management"]), world["member"], AUDIT, DurationSeconds=0)
    with pytest.raises(InvalidClientTokenId):
        _session_caller(runtime, creds["Credentials"])


def test_source_identity_of_the_calling_session_carries_over(invoke, runtime, world):
    """AssumeRoot's output ``SourceIdentity``: "specified by the principal that is calling"."""
    from dataclasses import replace

    _enabled(invoke, world)
    admin = _admin(invoke, world["management"])
    role_creds = invoke("sts", "GetFederationToken", {"Name": "x"}, caller=admin)["Credentials"]
    session = _session_caller(runtime, role_creds)
    assert session.session is not None
    caller = replace(session, session=replace(session.session, source_identity="alice"))
    out = _assume_root(invoke, caller, world["member"], AUDIT)
    assert out["SourceIdentity"] == "alice"
    assert _session_caller(runtime, out["Credentials"]).session.source_identity == "alice"
