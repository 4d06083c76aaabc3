"""Centralized root access end to end, with boto3 and the aws CLI against a real ``iamd serve``.

IAM User Guide, "Centralize root access for member accounts" and "Perform a privileged task on a
member account": the management account enables trusted access for IAM and the two features,
then takes short root sessions (``sts:AssumeRoot``) in member accounts, scoped by AWS's
root-task policies, to audit and delete the members' root credentials.

Every test builds its own organization: a management account and members made with ``iamd
account create`` (which have a root access key, as an invited account does) and with
``CreateAccount`` (which have none), on one server with a data folder, so a restart keeps it all.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from functional_helpers import allow, as_creds, doc, error, poll

from iamd.testing import IamdServer

TASK = "arn:aws:iam::aws:policy/root-task/"
TASKS = [
    "IAMAuditRootUserCredentials",
    "IAMCreateRootUserPassword",
    "IAMDeleteRootUserCredentials",
    "S3UnlockBucketPolicy",
    "SQSUnlockQueuePolicy",
]
DELETE = TASK + "IAMDeleteRootUserCredentials"
AUDIT = TASK + "IAMAuditRootUserCredentials"
ORG_ROLE = "OrganizationAccountAccessRole"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[IamdServer, Path]]:
    data = tmp_path_factory.mktemp("root-access")
    with IamdServer(extra_args=["--data-dir", str(data)]) as srv:
        yield srv, data


def cli_account(data: Path, db: str | None = None) -> dict[str, str]:
    """A new account with a root access key, made as an operator makes one."""
    store = ["--data-dir", str(data), *(["--db", db] if db else [])]
    out = subprocess.run(
        [sys.executable, "-m", "iamd.cli", "account", "create", *store],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    pairs = dict(line.split("=", 1) for line in out.splitlines() if line.startswith("AWS_"))
    account = out.splitlines()[0].split(": ", 1)[1]
    return {"Account": account, "AccessKeyId": pairs["AWS_ACCESS_KEY_ID"], "SecretAccessKey": pairs["AWS_SECRET_ACCESS_KEY"]}


class World:
    """One organization: its management account's root and an administrator allowed AssumeRoot."""

    def __init__(self, server: IamdServer, data: Path, db: str | None = None) -> None:
        self.server, self.data, self.db = server, data, db
        self.root = cli_account(data, db)
        self.management = self.root["Account"]
        self.org = self.client("organizations", self.root)
        self.org.create_organization(FeatureSet="ALL")
        self.root_id = self.org.list_roots()["Roots"][0]["Id"]
        iam = self.client("iam", self.root)
        iam.create_user(UserName="admin")
        iam.put_user_policy(UserName="admin", PolicyName="p", PolicyDocument=doc(
            allow(["sts:AssumeRoot", "sts:AssumeRole", "iam:*", "organizations:*", "cloudtrail:*"])
        ))  # fmt: skip
        self.admin = iam.create_access_key(UserName="admin")["AccessKey"]

    def client(self, service: str, creds: dict[str, Any]) -> Any:
        return as_creds(self.server, service, creds)

    def enable(self, *features: str) -> None:
        self.org.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
        iam = self.client("iam", self.root)
        for feature in features or ("RootCredentialsManagement", "RootSessions"):
            getattr(iam, f"enable_organizations_{'root_sessions' if feature == 'RootSessions' else 'root_credentials_management'}")()

    def created_member(self, name: str = "member") -> str:
        """A member made by CreateAccount (no root credentials)."""
        status = self.org.create_account(Email=f"{name}-{self.management}@example.com", AccountName=name)
        request = status["CreateAccountStatus"]["Id"]

        def done() -> Any:
            got = self.org.describe_create_account_status(CreateAccountRequestId=request)["CreateAccountStatus"]
            return got if got["State"] != "IN_PROGRESS" else None

        final = poll(done)
        assert final["State"] == "SUCCEEDED", final
        return str(final["AccountId"])

    def invited_member(self) -> dict[str, str]:
        """An existing account (with a root access key) that accepts an invitation."""
        guest = cli_account(self.data, self.db)
        shake = self.org.invite_account_to_organization(Target={"Id": guest["Account"], "Type": "ACCOUNT"})
        self.client("organizations", guest).accept_handshake(HandshakeId=shake["Handshake"]["Id"])
        return guest

    def org_role_in_management(self) -> dict[str, Any]:
        """A role of the management account allowed AssumeRoot, and a session of it."""
        iam = self.client("iam", self.root)
        trust = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{self.management}:root"},
                     "Action": "sts:AssumeRole"})  # fmt: skip
        iam.create_role(RoleName="root-operator", AssumeRolePolicyDocument=trust)
        iam.put_role_policy(RoleName="root-operator", PolicyName="p", PolicyDocument=doc(allow("sts:AssumeRoot")))
        out = self.client("sts", self.admin).assume_role(
            RoleArn=f"arn:aws:iam::{self.management}:role/root-operator", RoleSessionName="operator"
        )
        return dict(out["Credentials"])

    def org_role(self, member: str) -> dict[str, Any]:
        """The administrator's session in a member through ``OrganizationAccountAccessRole``."""
        out = self.client("sts", self.admin).assume_role(
            RoleArn=f"arn:aws:iam::{member}:role/{ORG_ROLE}", RoleSessionName="ops"
        )
        return dict(out["Credentials"])

    def assume_root(self, member: str, task: str = DELETE, creds: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        sts = self.client("sts", creds or self.admin)
        out: dict[str, Any] = sts.assume_root(TargetPrincipal=member, TaskPolicyArn={"arn": task}, **kw)
        return dict(out["Credentials"])


@pytest.fixture
def world(env: tuple[IamdServer, Path]) -> World:
    return World(*env)


def test_prerequisites_then_both_features(world: World) -> None:
    iam = world.client("iam", world.root)
    outsider = world.client("iam", cli_account(world.data))
    assert error(outsider.list_organizations_features)["Code"] == "OrganizationNotFoundException"
    assert error(iam.enable_organizations_root_sessions)["Code"] == "ServiceAccessNotEnabledException"
    world.org.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    org_id = world.org.describe_organization()["Organization"]["Id"]
    assert iam.list_organizations_features()["EnabledFeatures"] == []
    out = iam.enable_organizations_root_credentials_management()
    assert (out["OrganizationId"], out["EnabledFeatures"]) == (org_id, ["RootCredentialsManagement"])
    assert iam.enable_organizations_root_sessions()["EnabledFeatures"] == ["RootCredentialsManagement", "RootSessions"]
    member = world.created_member()
    err = error(world.client("iam", world.org_role(member)).list_organizations_features)
    assert err["Code"] == "AccountNotManagementOrDelegatedAdministratorException"
    shown = subprocess.run(
        [sys.executable, "-m", "iamd.cli", "org", "show", "--data-dir", str(world.data), "--account", world.management],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout.splitlines()  # fmt: skip
    assert shown[1:3] == ["Trusted access: iam.amazonaws.com", "Centralized root access: RootCredentialsManagement, RootSessions"]


def test_features_with_the_aws_cli(world: World, tmp_path: Path) -> None:
    world.org.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    cli_env = {
        "AWS_ACCESS_KEY_ID": world.root["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": world.root["SecretAccessKey"],
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_PAGER": "",
    }  # fmt: skip

    def aws(*args: str) -> Any:
        proc = subprocess.run(
            [str(Path(sys.executable).with_name("aws")), "--endpoint-url", world.server.endpoint, *args],
            env={k: v for k, v in os.environ.items() if k != "AWS_PROFILE"} | cli_env,
            capture_output=True, text=True, timeout=60, cwd=tmp_path,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    assert aws("iam", "enable-organizations-root-sessions")["EnabledFeatures"] == ["RootSessions"]
    assert aws("iam", "enable-organizations-root-credentials-management")["EnabledFeatures"] == [
        "RootCredentialsManagement", "RootSessions",
    ]  # fmt: skip
    assert aws("iam", "list-organizations-features")["EnabledFeatures"] == ["RootCredentialsManagement", "RootSessions"]
    member = world.created_member()
    cli_env |= {"AWS_ACCESS_KEY_ID": world.admin["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": world.admin["SecretAccessKey"]}
    creds = aws("sts", "assume-root", "--target-principal", member, "--task-policy-arn", f"arn={AUDIT}")["Credentials"]
    cli_env |= {
        "AWS_ACCESS_KEY_ID": creds["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
        "AWS_SESSION_TOKEN": creds["SessionToken"],
    }  # fmt: skip
    assert aws("sts", "get-caller-identity")["Arn"] == f"arn:aws:iam::{member}:root"
    assert aws("iam", "list-access-keys")["AccessKeyMetadata"] == []


@pytest.mark.parametrize("task", TASKS)
def test_assume_root_with_each_task_policy(world: World, task: str) -> None:
    world.enable()
    member = world.created_member()
    creds = world.assume_root(member, TASK + task)
    identity = world.client("sts", creds).get_caller_identity()
    assert (identity["Account"], identity["Arn"], identity["UserId"]) == (member, f"arn:aws:iam::{member}:root", member)
    assert creds["AccessKeyId"].startswith("ASIA")


def test_root_session_deletes_a_member_s_root_access_key(world: World) -> None:
    world.enable()
    guest = world.invited_member()
    member = guest["Account"]
    # Auditing sees the key but cannot delete it.
    audit = world.client("iam", world.assume_root(member, AUDIT))
    keys = audit.list_access_keys()["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in keys] == [guest["AccessKeyId"]]
    audit.get_access_key_last_used(AccessKeyId=guest["AccessKeyId"])
    err = error(audit.delete_access_key, AccessKeyId=guest["AccessKeyId"])
    assert err["Code"] == "AccessDenied" and "explicit deny in a session policy" in err["Message"], err
    # The delete task does; the member's root key stops working at once.
    delete = world.client("iam", world.assume_root(member, DELETE))
    delete.delete_access_key(AccessKeyId=guest["AccessKeyId"])
    assert delete.list_access_keys()["AccessKeyMetadata"] == []
    assert error(world.client("sts", guest).get_caller_identity)["Code"] == "InvalidClientTokenId"


def test_root_session_is_refused_outside_its_task(world: World) -> None:
    world.enable()
    member = world.created_member()
    creds = world.assume_root(member, DELETE)
    iam, sts = world.client("iam", creds), world.client("sts", creds)
    for call, kw in [
        (iam.create_user, {"UserName": "intruder"}),
        (iam.create_access_key, {}),
        (iam.delete_role, {"RoleName": ORG_ROLE}),
        (iam.attach_role_policy, {"RoleName": ORG_ROLE, "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
    ]:
        err = error(call, **kw)
        assert err["Code"] == "AccessDenied" and "explicit deny in a session policy" in err["Message"], err
    err = error(sts.assume_role, RoleArn=f"arn:aws:iam::{member}:role/{ORG_ROLE}", RoleSessionName="ss")
    assert err["Code"] == "AccessDenied"
    err = error(sts.assume_root, TargetPrincipal=member, TaskPolicyArn={"arn": DELETE})
    assert err["Code"] == "AccessDenied"


def test_duration_over_900_is_refused(world: World) -> None:
    world.enable()
    member = world.created_member()
    err = error(world.client("sts", world.admin).assume_root, TargetPrincipal=member,
                TaskPolicyArn={"arn": DELETE}, DurationSeconds=901)  # fmt: skip
    assert err["Code"] == "ValidationError", err
    creds = world.assume_root(member, DELETE, DurationSeconds=900)
    assert world.client("sts", creds).get_caller_identity()["Account"] == member


def test_assume_root_refusals(world: World) -> None:
    world.enable()
    member = world.created_member("m1")
    other = world.created_member("m2")
    stranger = cli_account(world.data)["Account"]
    for target in (world.management, stranger):
        err = error(world.client("sts", world.admin).assume_root, TargetPrincipal=target, TaskPolicyArn={"arn": DELETE})
        assert err["Code"] == "AccessDenied", err
    # Root credentials never; a task policy that is not a root-task policy never.
    err = error(world.client("sts", world.root).assume_root, TargetPrincipal=member, TaskPolicyArn={"arn": DELETE})
    assert err["Code"] == "AccessDenied"
    err = error(world.client("sts", world.admin).assume_root, TargetPrincipal=member,
                TaskPolicyArn={"arn": "arn:aws:iam::aws:policy/AdministratorAccess"})  # fmt: skip
    assert err["Code"] == "ValidationError"
    # From a member account (its administrator through OrganizationAccountAccessRole).
    err = error(world.client("sts", world.org_role(member)).assume_root, TargetPrincipal=other, TaskPolicyArn={"arn": DELETE})
    assert err["Code"] == "AccessDenied", err
    # With the features disabled.
    iam = world.client("iam", world.root)
    iam.disable_organizations_root_credentials_management()
    err = error(world.client("sts", world.admin).assume_root, TargetPrincipal=member, TaskPolicyArn={"arn": DELETE})
    assert err["Code"] == "AccessDenied" and "RootCredentialsManagement is not enabled" in err["Message"]
    iam.disable_organizations_root_sessions()
    err = error(world.client("sts", world.admin).assume_root, TargetPrincipal=member,
                TaskPolicyArn={"arn": TASK + "S3UnlockBucketPolicy"})  # fmt: skip
    assert err["Code"] == "AccessDenied"


def test_low_privilege_user_and_task_policy_condition(world: World) -> None:
    world.enable()
    member = world.created_member()
    iam = world.client("iam", world.root)
    iam.create_user(UserName="reader")
    iam.put_user_policy(UserName="reader", PolicyName="p", PolicyDocument=doc(allow("iam:List*")))
    reader = iam.create_access_key(UserName="reader")["AccessKey"]
    err = error(world.client("sts", reader).assume_root, TargetPrincipal=member, TaskPolicyArn={"arn": DELETE})
    assert err["Code"] == "AccessDenied" and "sts:AssumeRoot" in err["Message"], err
    # sts:TaskPolicyArn scopes which tasks a principal may start.
    iam.create_user(UserName="auditor")
    iam.put_user_policy(UserName="auditor", PolicyName="p", PolicyDocument=doc(
        allow("sts:AssumeRoot", f"arn:aws:iam::{member}:root", StringEquals={"sts:TaskPolicyArn": AUDIT})
    ))  # fmt: skip
    auditor = iam.create_access_key(UserName="auditor")["AccessKey"]
    world.assume_root(member, AUDIT, creds=auditor)
    err = error(world.client("sts", auditor).assume_root, TargetPrincipal=member, TaskPolicyArn={"arn": DELETE})
    assert err["Code"] == "AccessDenied"


def test_another_organization_is_out_of_reach(world: World, env: tuple[IamdServer, Path]) -> None:
    world.enable()
    rival = World(*env)
    rival.enable()
    their_member = rival.created_member()
    err = error(world.client("sts", world.admin).assume_root, TargetPrincipal=their_member, TaskPolicyArn={"arn": DELETE})
    assert err["Code"] == "AccessDenied"


def test_session_ends_when_the_feature_is_disabled(world: World) -> None:
    world.enable()
    member = world.created_member()
    creds = world.assume_root(member, DELETE)
    iam = world.client("iam", creds)
    iam.list_access_keys()
    world.client("iam", world.root).disable_organizations_root_credentials_management()
    assert error(iam.list_access_keys)["Code"] == "InvalidClientTokenId"
    # The grounds are read on every request: enabling the feature again within the session's
    # 15 minutes lets it act again (AWS documents neither way; see docs/organizations.md).
    world.client("iam", world.root).enable_organizations_root_credentials_management()
    iam.list_access_keys()


def test_forged_root_session_token_is_refused(world: World) -> None:
    world.enable()
    member = world.created_member()
    creds = world.assume_root(member, DELETE)
    token = creds["SessionToken"]
    flipped = token[:40] + ("A" if token[40] != "A" else "B") + token[41:]
    forged = {**creds, "SessionToken": flipped}
    assert error(world.client("sts", forged).get_caller_identity)["Code"] == "InvalidClientTokenId"


def test_audit_trail_records_assume_root_and_the_session_s_calls(world: World) -> None:
    world.enable()
    guest = world.invited_member()
    creds = world.assume_root(guest["Account"], AUDIT)
    world.client("iam", creds).list_access_keys()

    def event(ct: Any, name: str) -> Any:
        found = ct.lookup_events(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": name}])["Events"]
        return json.loads(found[0]["CloudTrailEvent"]) if found else None

    issued = poll(lambda: event(world.client("cloudtrail", world.root), "AssumeRoot"))
    assert issued["requestParameters"]["targetPrincipal"] == guest["Account"]
    assert issued["requestParameters"]["taskPolicyArn"] == {"arn": AUDIT}
    assert issued["userIdentity"]["arn"] == f"arn:aws:iam::{world.management}:user/admin"
    assert "sessionContext" not in issued["userIdentity"]  # a long-term key's call has none
    assert issued["responseElements"]["credentials"]["accessKeyId"] == creds["AccessKeyId"]
    assert creds["SessionToken"] not in json.dumps(issued) and creds["SecretAccessKey"] not in json.dumps(issued)
    used = poll(lambda: event(world.client("cloudtrail", guest), "ListAccessKeys"))
    identity = used["userIdentity"]
    assert (identity["type"], identity["arn"], identity["accountId"]) == (
        "Root", f"arn:aws:iam::{guest['Account']}:root", guest["Account"],
    )  # fmt: skip
    assert identity["accessKeyId"] == creds["AccessKeyId"]
    assert identity["inScopeOf"] == {
        "issuerAccountId": world.management,
        "issuerType": "AWS::STS::AssumeRoot",
        "credentialsIssuedTo": f"arn:aws:iam::{world.management}:user/admin",
    }
    assert identity["sessionContext"]["attributes"]["mfaAuthenticated"] == "false"
    # AssumeRoot called from a role session: CloudTrail marks that session with assumedRoot.
    member = world.created_member()
    world.assume_root(member, AUDIT, creds=world.org_role_in_management())
    marked = poll(lambda: next((e for e in _events(world, "AssumeRoot") if "sessionContext" in e["userIdentity"]), None))
    assert marked["userIdentity"]["sessionContext"]["assumedRoot"] == "true"
    assert marked["userIdentity"]["type"] == "AssumedRole"


def _events(world: World, name: str) -> list[dict[str, Any]]:
    ct = world.client("cloudtrail", world.root)
    found = ct.lookup_events(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": name}])["Events"]
    return [json.loads(e["CloudTrailEvent"]) for e in found]


def test_features_and_sessions_survive_a_restart(world: World, env: tuple[IamdServer, Path]) -> None:
    world.enable()
    member = world.created_member()
    creds = world.assume_root(member, AUDIT)
    server, _ = env
    server.stop()
    server.start()
    assert world.client("iam", world.root).list_organizations_features()["EnabledFeatures"] == [
        "RootCredentialsManagement", "RootSessions",
    ]  # fmt: skip
    assert world.client("sts", creds).get_caller_identity()["Account"] == member
    world.assume_root(member, DELETE)



def test_delegated_administrator_takes_root_sessions_but_does_not_enable(world: World) -> None:
    world.enable()
    member, target = world.created_member("admin-acct"), world.created_member("target")
    world.org.register_delegated_administrator(AccountId=member, ServicePrincipal="iam.amazonaws.com")
    delegated = world.org_role(member)
    iam = world.client("iam", delegated)
    assert iam.list_organizations_features()["EnabledFeatures"] == ["RootCredentialsManagement", "RootSessions"]
    assert error(iam.enable_organizations_root_sessions)["Code"] == "CallerIsNotManagementAccountException"
    creds = world.assume_root(target, AUDIT, creds=delegated)
    assert world.client("sts", creds).get_caller_identity()["Account"] == target
    # Deregistered, its sessions end and it can start no more.
    world.org.deregister_delegated_administrator(AccountId=member, ServicePrincipal="iam.amazonaws.com")
    assert error(world.client("iam", creds).list_access_keys)["Code"] == "InvalidClientTokenId"
    assert error(world.client("sts", delegated).assume_root, TargetPrincipal=target,
                 TaskPolicyArn={"arn": AUDIT})["Code"] == "AccessDenied"  # fmt: skip


def test_scps_limit_a_root_session_as_they_limit_the_member_s_root(world: World) -> None:
    world.enable()
    guest = world.invited_member()
    org = world.org
    org.enable_policy_type(RootId=world.root_id, PolicyType="SERVICE_CONTROL_POLICY")
    scp = org.create_policy(
        Name="KeepKeys", Description="no key deletion", Type="SERVICE_CONTROL_POLICY",
        Content=doc({"Effect": "Deny", "Action": "iam:DeleteAccessKey", "Resource": "*"}),
    )["Policy"]["PolicySummary"]["Id"]  # fmt: skip
    org.attach_policy(PolicyId=scp, TargetId=guest["Account"])
    iam = world.client("iam", world.assume_root(guest["Account"], DELETE))
    err = error(iam.delete_access_key, AccessKeyId=guest["AccessKeyId"])
    assert err["Code"] == "AccessDenied" and "service control policy" in err["Message"], err
    assert [k["AccessKeyId"] for k in iam.list_access_keys()["AccessKeyMetadata"]] == [guest["AccessKeyId"]]


def test_on_postgresql_across_a_restart(tmp_path: Path, empty_pg_url: str) -> None:
    """The same flow with the PostgreSQL store: features, a deleted root key and a live session
    survive a restart of the server."""
    data = tmp_path / "data"
    data.mkdir()
    server = IamdServer(extra_args=["--data-dir", str(data), "--db", empty_pg_url])
    with server:
        world = World(server, data, empty_pg_url)
        world.enable()
        guest = world.invited_member()
        creds = world.assume_root(guest["Account"], DELETE)
        world.client("iam", creds).delete_access_key(AccessKeyId=guest["AccessKeyId"])
    with server:
        assert world.client("iam", world.root).list_organizations_features()["EnabledFeatures"] == [
            "RootCredentialsManagement", "RootSessions",
        ]  # fmt: skip
        assert world.client("iam", creds).list_access_keys()["AccessKeyMetadata"] == []
        assert error(world.client("sts", guest).get_caller_identity)["Code"] == "InvalidClientTokenId"
