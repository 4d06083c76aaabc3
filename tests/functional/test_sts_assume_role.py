"""AssumeRole end to end: who may assume a role, for how long, and what the session may then do.

Rules under test (IAM User Guide, "Policy evaluation logic", "Cross-account policy evaluation
logic", "Using IAM roles", "Passing session tags in AWS STS", "Monitor and control actions taken
with assumed roles"; AssumeRole API reference):

- the trust policy must allow the caller; in the same account a trust policy naming the user's own
  ARN suffices, one naming the account (``arn:aws:iam::ACCT:root``) defers to the caller's identity
  policies; across accounts both the trust policy and the identity policies must allow;
- ``sts:ExternalId`` in the trust policy must match the request's ``ExternalId``;
- ``DurationSeconds`` is 900 .. the role's ``MaxSessionDuration``, at most one hour when chaining;
- the session's permissions are the role's (inline + attached, capped by the role's boundary)
  intersected with the session policies; session tags and source identity need ``sts:TagSession``
  / ``sts:SetSourceIdentity`` in the trust policy and appear as ``aws:PrincipalTag`` /
  ``aws:SourceIdentity``; transitive tags follow a role chain.

Cross-account cases run on one module-wide data-dir server holding two accounts; the rest use the
session's ephemeral server (reset before each test).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config
from functional_helpers import allow, as_creds, denied, doc, error, lifetime, new_user, seconds_left

from iamd.testing import IamdServer

ACCOUNT_A = "123456789012"
ACCOUNT_B = "210987654321"
EXTERNAL_ID = "ext-7f3a"
NO_VALIDATION = Config(parameter_validation=False)


def trust(principal: str | list[str], actions: str | list[str] = "sts:AssumeRole", **extra: Any) -> str:
    return doc({"Effect": "Allow", "Principal": {"AWS": principal}, "Action": actions, **extra})


def new_role(iam: Any, name: str, trust_doc: str, *statements: dict[str, Any], **kw: Any) -> dict[str, Any]:
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_doc, **kw)["Role"]
    if statements:
        iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=doc(*statements))
    return dict(role)


# --- the two-account server -------------------------------------------------------------------


@dataclass
class World:
    server: IamdServer
    roots: dict[str, dict[str, str]]
    made: dict[tuple[str, ...], Any] = field(default_factory=dict)

    def client(self, account: str, service: str, creds: dict[str, Any] | None = None, **kw: Any) -> Any:
        return as_creds(self.server, service, creds or self.roots[account], **kw)


def _account_create(data: Path, account_id: str) -> dict[str, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "iamd.cli", "account", "create", "--data-dir", str(data), "--new-account-id", account_id],
        capture_output=True, text=True, timeout=60, env=os.environ | {"IAMD_DATA_DIR": str(data)},
    )
    assert proc.returncode == 0, proc.stderr
    pairs = dict(line.split("=", 1) for line in proc.stdout.splitlines() if line.startswith("AWS_"))
    return {"AccessKeyId": pairs["AWS_ACCESS_KEY_ID"], "SecretAccessKey": pairs["AWS_SECRET_ACCESS_KEY"]}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    data = tmp_path_factory.mktemp("two-accounts") / "data"
    srv = IamdServer(account_id=ACCOUNT_A, extra_args=["--data-dir", str(data)])
    with srv:
        roots = {
            ACCOUNT_A: {"AccessKeyId": srv.access_key_id, "SecretAccessKey": srv.secret_access_key},
            ACCOUNT_B: _account_create(data, ACCOUNT_B),
        }
        w = World(srv, roots)
        for account in (ACCOUNT_A, ACCOUNT_B):
            w.client(account, "iam").create_user(UserName="bystander")
        yield w


# --- the AssumeRole matrix --------------------------------------------------------------------

TRUSTS = ("user", "account", "other")  # whom the trust policy names
IDENTITIES = ("allows", "silent")  # whether the caller's identity policy allows sts:AssumeRole
PLACES = ("same", "cross")  # the caller's account relative to the role's
EXTERNAL_IDS = ("right", "wrong", "missing")


def _matrix_case(world: World, trust_kind: str, identity: str, place: str) -> tuple[str, str, dict[str, Any]]:
    """Role in account A, caller in A or B; built once per combination."""
    key = (trust_kind, identity, place)
    if key not in world.made:
        caller_account = ACCOUNT_A if place == "same" else ACCOUNT_B
        name = f"m-{trust_kind}-{identity}-{place}"
        role_arn = f"arn:aws:iam::{ACCOUNT_A}:role/{name}"
        statements = [allow("sts:AssumeRole", role_arn)] if identity == "allows" else []
        user_arn, key_ = new_user(world.client(caller_account, "iam"), name, *statements)
        principal = {
            "user": user_arn,
            "account": f"arn:aws:iam::{caller_account}:root",
            "other": f"arn:aws:iam::{caller_account}:user/bystander",
        }[trust_kind]
        condition = {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}}
        new_role(world.client(ACCOUNT_A, "iam"), name, trust(principal, Condition=condition),
                 allow("iam:ListUsers"))
        world.made[key] = (user_arn, role_arn, key_)
    return world.made[key]  # type: ignore[no-any-return]


@pytest.mark.parametrize("external_id", EXTERNAL_IDS)
@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("identity", IDENTITIES)
@pytest.mark.parametrize("trust_kind", TRUSTS)
def test_assume_role_matrix(world: World, trust_kind: str, identity: str, place: str, external_id: str) -> None:
    user_arn, role_arn, key = _matrix_case(world, trust_kind, identity, place)
    caller_account = ACCOUNT_A if place == "same" else ACCOUNT_B
    sts = world.client(caller_account, "sts", key)
    kwargs: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": "s1"}
    if external_id != "missing":
        kwargs["ExternalId"] = EXTERNAL_ID if external_id == "right" else "not-it"
    expected = (
        trust_kind != "other"
        and external_id == "right"
        and (identity == "allows" or (trust_kind == "user" and place == "same"))
    )
    if not expected:
        err = error(sts.assume_role, **kwargs)
        assert (err["Code"], err["HTTPStatus"]) == ("AccessDenied", 403)
        assert err["Message"].startswith(
            f"User: {user_arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
        )
        return
    out = sts.assume_role(**kwargs)
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT_A}:assumed-role/{role_arn.rsplit('/', 1)[1]}/s1"
    ident = as_creds(world.server, "sts", out["Credentials"]).get_caller_identity()
    assert ident["Account"] == ACCOUNT_A
    assert ident["Arn"] == out["AssumedRoleUser"]["Arn"]
    # The session acts in the role's account with the role's permissions.
    listed = as_creds(world.server, "iam", out["Credentials"]).list_users()["Users"]
    assert {u["Arn"].split(":")[4] for u in listed} == {ACCOUNT_A}


def test_external_id_passed_to_a_trust_without_the_condition_is_ignored(world: World) -> None:
    iam_a = world.client(ACCOUNT_A, "iam")
    user_arn, key = new_user(world.client(ACCOUNT_B, "iam"), "ext-ignored",
                             allow("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT_A}:role/ext-ignored"))
    role = new_role(iam_a, "ext-ignored", trust(user_arn))
    sts = world.client(ACCOUNT_B, "sts", key)
    assert sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1", ExternalId="anything")["Credentials"]
    assert sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1")["Credentials"]


def test_a_role_of_the_other_account_is_not_found_by_name_alone(world: World) -> None:
    """The role ARN's account decides which role is meant; a same-named role elsewhere does not count."""
    user_arn, key = new_user(world.client(ACCOUNT_B, "iam"), "by-name", allow("sts:AssumeRole"))
    new_role(world.client(ACCOUNT_B, "iam"), "by-name", trust(user_arn))
    sts = world.client(ACCOUNT_B, "sts", key)
    missing = f"arn:aws:iam::{ACCOUNT_A}:role/by-name"
    err = error(sts.assume_role, RoleArn=missing, RoleSessionName="s1")
    assert err["Code"] == "AccessDenied" and missing in err["Message"]
    assert sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT_B}:role/by-name", RoleSessionName="s1")


def test_cross_account_root_of_the_trusted_account_cannot_assume(world: World) -> None:
    """AWS: "Roles may not be assumed by root accounts" — even when the trust policy names the account."""
    role = new_role(world.client(ACCOUNT_A, "iam"), "root-trusted", trust(f"arn:aws:iam::{ACCOUNT_B}:root"))
    err = error(world.client(ACCOUNT_B, "sts").assume_role, RoleArn=role["Arn"], RoleSessionName="s1")
    assert (err["Code"], err["HTTPStatus"]) == ("AccessDenied", 403)
    assert err["Message"] == "Roles may not be assumed by root accounts."


def test_cross_account_chain_back_into_the_callers_account(world: World) -> None:
    """A session of a role in A assumes a role in B whose trust names the A role."""
    iam_a, iam_b = world.client(ACCOUNT_A, "iam"), world.client(ACCOUNT_B, "iam")
    user_arn, key = new_user(iam_a, "chain-x", allow("sts:AssumeRole"))
    first = new_role(iam_a, "chain-x1", trust(user_arn), allow("sts:AssumeRole"))
    second = new_role(iam_b, "chain-x2", trust(first["Arn"]), allow("iam:ListUsers"))
    creds = world.client(ACCOUNT_A, "sts", key).assume_role(RoleArn=first["Arn"], RoleSessionName="one")["Credentials"]
    out = as_creds(world.server, "sts", creds).assume_role(RoleArn=second["Arn"], RoleSessionName="two")
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT_B}:assumed-role/chain-x2/two"
    assert seconds_left(out["Credentials"]) <= 3600


# --- same account, on the ephemeral server ----------------------------------------------------


@pytest.fixture
def caller(server: IamdServer, iam: Any) -> tuple[str, dict[str, Any]]:
    """A user allowed every sts:AssumeRole by its identity policy."""
    return new_user(iam, "alice", allow("sts:AssumeRole"))


def _assume(server: IamdServer, creds: dict[str, Any], role_arn: str, **kw: Any) -> dict[str, Any]:
    out = as_creds(server, "sts", creds, config=NO_VALIDATION).assume_role(
        RoleArn=role_arn, RoleSessionName=kw.pop("RoleSessionName", "s1"), **kw
    )
    return dict(out)


def test_root_user_cannot_assume_a_role_of_its_own_account(server: IamdServer, iam: Any, sts: Any) -> None:
    role = new_role(iam, "r", trust(f"arn:aws:iam::{server.account_id}:root"))
    err = error(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s1")
    assert (err["Code"], err["Message"]) == ("AccessDenied", "Roles may not be assumed by root accounts.")


def test_session_identity_is_the_assumed_role(server: IamdServer, iam: Any, caller: Any) -> None:
    user_arn, key = caller
    role = new_role(iam, "app", trust(user_arn), allow("sts:GetAccessKeyInfo"), Path="/svc/")
    out = _assume(server, key, role["Arn"], RoleSessionName="build-42")
    assert role["RoleId"].startswith("AROA")
    assumed = f"arn:aws:sts::{server.account_id}:assumed-role/app/build-42"
    assert out["AssumedRoleUser"] == {"AssumedRoleId": f"{role['RoleId']}:build-42", "Arn": assumed}
    creds = out["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA") and len(creds["AccessKeyId"]) == 20
    assert len(creds["SecretAccessKey"]) == 40
    ident = as_creds(server, "sts", creds).get_caller_identity()
    assert ident == {**ident, "Arn": assumed, "UserId": f"{role['RoleId']}:build-42", "Account": server.account_id}
    info = as_creds(server, "sts", creds).get_access_key_info(AccessKeyId=creds["AccessKeyId"])
    assert info["Account"] == server.account_id


@pytest.mark.parametrize(
    ("requested", "expected"),
    [(None, 3600), (900, 900), (3600, 3600)],
)
def test_durations_within_the_role_maximum(
    server: IamdServer, iam: Any, caller: Any, requested: int | None, expected: int
) -> None:
    user_arn, key = caller
    role = new_role(iam, "r", trust(user_arn))
    kw = {} if requested is None else {"DurationSeconds": requested}
    _, low, high = lifetime(lambda: _assume(server, key, role["Arn"], **kw))
    assert low <= expected <= high


def test_duration_beyond_the_role_maximum_until_it_is_raised(server: IamdServer, iam: Any, caller: Any) -> None:
    user_arn, key = caller
    role = new_role(iam, "r", trust(user_arn))
    assert iam.get_role(RoleName=role["RoleName"])["Role"]["MaxSessionDuration"] == 3600
    sts = as_creds(server, "sts", key, config=NO_VALIDATION)
    err = error(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s1", DurationSeconds=3601)
    assert (err["Code"], err["HTTPStatus"]) == ("ValidationError", 400)
    assert err["Message"] == "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
    iam.update_role(RoleName="r", MaxSessionDuration=7200)
    assert iam.get_role(RoleName="r")["Role"]["MaxSessionDuration"] == 7200
    _, low, high = lifetime(lambda: _assume(server, key, role["Arn"], DurationSeconds=7200))
    assert low <= 7200 <= high
    err = error(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s1", DurationSeconds=7201)
    assert err["Message"] == "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."


@pytest.mark.parametrize("seconds", [899, 0, 43201])
def test_duration_outside_the_api_range(server: IamdServer, iam: Any, caller: Any, seconds: int) -> None:
    user_arn, key = caller
    role = new_role(iam, "r", trust(user_arn), MaxSessionDuration=43200)
    sts = as_creds(server, "sts", key, config=NO_VALIDATION)
    err = error(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s1", DurationSeconds=seconds)
    assert (err["Code"], err["HTTPStatus"]) == ("ValidationError", 400)
    assert "durationSeconds" in err["Message"]


def test_chained_sessions_are_limited_to_one_hour(server: IamdServer, iam: Any, caller: Any) -> None:
    user_arn, key = caller
    first = new_role(iam, "first", trust(user_arn), allow("sts:AssumeRole"), MaxSessionDuration=43200)
    second = new_role(iam, "second", trust(first["Arn"]), MaxSessionDuration=43200)
    # The first hop is not chaining: up to the role's maximum.
    creds = _assume(server, key, first["Arn"], DurationSeconds=7200)["Credentials"]
    assert seconds_left(creds) > 7000
    chained = as_creds(server, "sts", creds, config=NO_VALIDATION)
    err = error(chained.assume_role, RoleArn=second["Arn"], RoleSessionName="s1", DurationSeconds=3601)
    assert (err["Code"], err["HTTPStatus"]) == ("ValidationError", 400)
    assert err["Message"] == (
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
    )
    assert seconds_left(_assume(server, creds, second["Arn"], DurationSeconds=3600)["Credentials"]) <= 3600
    assert seconds_left(_assume(server, creds, second["Arn"])["Credentials"]) <= 3600


# --- what the session may do ------------------------------------------------------------------


def test_session_has_exactly_the_roles_permissions(server: IamdServer, iam: Any) -> None:
    """Inline + attached policies of the role, capped by its boundary; nothing of the caller's own."""
    user_arn, key = new_user(iam, "admin", allow("*"))
    attached = iam.create_policy(PolicyName="roles-read", PolicyDocument=doc(allow("iam:ListRoles")))["Policy"]["Arn"]
    boundary = iam.create_policy(
        PolicyName="cap", PolicyDocument=doc(allow(["iam:ListUsers", "iam:ListRoles", "sts:GetCallerIdentity"]))
    )["Policy"]["Arn"]
    new_role(iam, "worker", trust(user_arn), allow(["iam:ListUsers", "iam:ListGroups"]), PermissionsBoundary=boundary)
    iam.attach_role_policy(RoleName="worker", PolicyArn=attached)
    creds = _assume(server, key, f"arn:aws:iam::{server.account_id}:role/worker")["Credentials"]
    session = as_creds(server, "iam", creds)
    session.list_users()  # inline
    session.list_roles()  # attached
    me = f"arn:aws:sts::{server.account_id}:assumed-role/worker/s1"
    msg = denied(session.list_groups)
    assert msg.startswith(f"User: {me} is not authorized to perform: iam:ListGroups on resource: ")
    assert "because no permissions boundary allows the iam:ListGroups action" in msg
    msg = denied(session.create_user, UserName="x")
    assert msg.startswith(f"User: {me} is not authorized to perform: iam:CreateUser on resource: ")
    assert "because no identity-based policy allows the iam:CreateUser action" in msg
    # A change to the role applies to live sessions on their next request.
    iam.detach_role_policy(RoleName="worker", PolicyArn=attached)
    denied(session.list_roles)


@pytest.mark.parametrize("how", ["Policy", "PolicyArns", "both"])
def test_session_policies_narrow_the_role(server: IamdServer, iam: Any, caller: Any, how: str) -> None:
    user_arn, key = caller
    role = new_role(iam, "r", trust(user_arn), allow(["iam:ListUsers", "iam:ListRoles", "iam:ListGroups"]))
    kw: dict[str, Any] = {}
    if how in ("Policy", "both"):
        kw["Policy"] = doc(allow(["iam:ListUsers", "iam:ListPolicies"]))
    if how in ("PolicyArns", "both"):
        managed = iam.create_policy(PolicyName="sess", PolicyDocument=doc(allow(["iam:ListRoles", "iam:ListPolicies"])))
        kw["PolicyArns"] = [{"arn": managed["Policy"]["Arn"]}]
    out = _assume(server, key, role["Arn"], **kw)
    assert 0 < out["PackedPolicySize"] <= 100
    session = as_creds(server, "iam", out["Credentials"])
    granted = {"iam:ListUsers"} if how == "Policy" else {"iam:ListRoles"} if how == "PolicyArns" else {
        "iam:ListUsers", "iam:ListRoles"}
    calls = {"iam:ListUsers": session.list_users, "iam:ListRoles": session.list_roles,
             "iam:ListGroups": session.list_groups}
    for action, fn in calls.items():
        if action in granted:
            fn()
        else:
            assert f"because no session policy allows the {action} action" in denied(fn)
    # Allowed by the session policy, not by the role: still denied.
    assert "because no identity-based policy allows the iam:ListPolicies action" in denied(session.list_policies)


def test_a_deny_in_the_session_policy(server: IamdServer, iam: Any, caller: Any) -> None:
    user_arn, key = caller
    role = new_role(iam, "r", trust(user_arn), allow("iam:*"))
    policy = doc(allow("*"), {"Effect": "Deny", "Action": "iam:ListUsers", "Resource": "*"})
    session = as_creds(server, "iam", _assume(server, key, role["Arn"], Policy=policy)["Credentials"])
    session.list_roles()
    assert "with an explicit deny in a session policy" in denied(session.list_users)


# --- session tags and source identity ---------------------------------------------------------

TEAM_BLUE = {"StringEquals": {"aws:PrincipalTag/team": "blue"}}


def test_session_tags_need_tag_session_in_the_trust_policy(server: IamdServer, iam: Any, caller: Any) -> None:
    user_arn, key = caller
    untagged = new_role(iam, "plain", trust(user_arn))
    err = error(as_creds(server, "sts", key).assume_role, RoleArn=untagged["Arn"], RoleSessionName="s1",
                Tags=[{"Key": "team", "Value": "blue"}])
    assert err["Code"] == "AccessDenied"
    assert err["Message"].startswith(
        f"User: {user_arn} is not authorized to perform: sts:TagSession on resource: {untagged['Arn']}"
    )
    assert _assume(server, key, untagged["Arn"])  # without tags it still works


@pytest.mark.parametrize(("team", "allowed"), [("blue", True), ("red", False)])
def test_session_tags_become_principal_tags(
    server: IamdServer, iam: Any, caller: Any, team: str, allowed: bool
) -> None:
    user_arn, key = caller
    role = new_role(iam, "tagged", trust(user_arn, ["sts:AssumeRole", "sts:TagSession"]),
                    allow("iam:ListUsers", **TEAM_BLUE))
    out = _assume(server, key, role["Arn"], Tags=[{"Key": "team", "Value": team}])
    session = as_creds(server, "iam", out["Credentials"])
    if allowed:
        session.list_users()
    else:
        denied(session.list_users)


def test_transitive_tags_follow_the_chain(server: IamdServer, iam: Any, caller: Any) -> None:
    user_arn, key = caller
    first = new_role(iam, "first", trust(user_arn, ["sts:AssumeRole", "sts:TagSession"]), allow("sts:AssumeRole"))
    second = new_role(
        iam, "second", trust(first["Arn"], ["sts:AssumeRole", "sts:TagSession"]),
        allow("iam:ListUsers", **TEAM_BLUE),
        allow("iam:ListRoles", **{"StringEquals": {"aws:PrincipalTag/env": "prod"}}),
    )
    creds = _assume(server, key, first["Arn"], Tags=[{"Key": "team", "Value": "blue"}, {"Key": "env", "Value": "prod"}],
                    TransitiveTagKeys=["team"])["Credentials"]
    chained = as_creds(server, "iam", _assume(server, creds, second["Arn"])["Credentials"])
    chained.list_users()  # team=blue travelled
    denied(chained.list_roles)  # env=prod was not transitive
    # A transitive tag cannot be overridden further down the chain.
    err = error(as_creds(server, "sts", creds).assume_role, RoleArn=second["Arn"], RoleSessionName="s1",
                Tags=[{"Key": "team", "Value": "red"}])
    assert err["Code"] == "InvalidParameterValue"


def test_source_identity_needs_set_source_identity(server: IamdServer, iam: Any, caller: Any) -> None:
    user_arn, key = caller
    role = new_role(iam, "plain", trust(user_arn))
    err = error(as_creds(server, "sts", key).assume_role, RoleArn=role["Arn"], RoleSessionName="s1",
                SourceIdentity="alice")
    assert err["Code"] == "AccessDenied"
    assert f"not authorized to perform: sts:SetSourceIdentity on resource: {role['Arn']}" in err["Message"]


@pytest.mark.parametrize(("identity", "allowed"), [("alice", True), ("bob", False)])
def test_source_identity_is_a_condition_key(
    server: IamdServer, iam: Any, caller: Any, identity: str, allowed: bool
) -> None:
    user_arn, key = caller
    role = new_role(iam, "audited", trust(user_arn, ["sts:AssumeRole", "sts:SetSourceIdentity"]),
                    allow(["iam:ListUsers", "sts:AssumeRole"], **{"StringEquals": {"aws:SourceIdentity": "alice"}}))
    out = _assume(server, key, role["Arn"], SourceIdentity=identity)
    assert out["SourceIdentity"] == identity
    session = as_creds(server, "iam", out["Credentials"])
    if allowed:
        session.list_users()
    else:
        denied(session.list_users)


def test_source_identity_in_the_trust_condition_and_along_the_chain(server: IamdServer, iam: Any, caller: Any) -> None:
    user_arn, key = caller
    only_alice = {"StringEquals": {"sts:SourceIdentity": "alice"}}
    first = new_role(iam, "first", trust(user_arn, ["sts:AssumeRole", "sts:SetSourceIdentity"], Condition=only_alice),
                     allow("sts:AssumeRole"))
    second = new_role(iam, "second", trust(first["Arn"], ["sts:AssumeRole", "sts:SetSourceIdentity"]),
                      allow("iam:ListUsers", **{"StringEquals": {"aws:SourceIdentity": "alice"}}))
    assert error(as_creds(server, "sts", key).assume_role, RoleArn=first["Arn"], RoleSessionName="s1",
                 SourceIdentity="mallory")["Code"] == "AccessDenied"
    creds = _assume(server, key, first["Arn"], SourceIdentity="alice")["Credentials"]
    chained = _assume(server, creds, second["Arn"])
    assert chained["SourceIdentity"] == "alice"
    as_creds(server, "iam", chained["Credentials"]).list_users()
    err = error(as_creds(server, "sts", creds).assume_role, RoleArn=second["Arn"], RoleSessionName="s1",
                SourceIdentity="bob")
    assert err["Code"] == "AccessDenied"


# --- the aws CLI ------------------------------------------------------------------------------


def test_aws_cli_assume_role_then_use_the_session(server: IamdServer, iam: Any, aws: Any, caller: Any) -> None:
    user_arn, key = caller
    role = new_role(iam, "cli-role", trust(user_arn), allow("iam:ListUsers"))
    as_user = {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
    started = datetime.now(UTC).replace(microsecond=0)
    out = aws("sts", "assume-role", "--role-arn", role["Arn"], "--role-session-name", "cli",
              "--duration-seconds", "900", env=as_user)
    creds = out["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    as_session = {"AWS_ACCESS_KEY_ID": creds["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
                  "AWS_SESSION_TOKEN": creds["SessionToken"]}
    ident = aws("sts", "get-caller-identity", env=as_session)
    assert ident["Arn"] == f"arn:aws:sts::{server.account_id}:assumed-role/cli-role/cli"
    assert "Users" in aws("iam", "list-users", env=as_session)
    denied = aws.run("iam", "list-roles", env=as_session, check=False)
    assert denied.returncode != 0 and "AccessDenied" in denied.stderr
    expiration = datetime.fromisoformat(creds["Expiration"].replace("Z", "+00:00"))
    assert started + timedelta(seconds=900) <= expiration <= datetime.now(UTC) + timedelta(seconds=900)


@pytest.mark.parametrize(
    ("name", "valid"),
    [("ok@=,.-_", True), ("a" * 64, True), ("bad name", False), ("a" * 65, False), ("x", False), ("slash/no", False)],
)
def test_role_session_name_rules(server: IamdServer, iam: Any, caller: Any, name: str, valid: bool) -> None:
    user_arn, key = caller
    role = new_role(iam, "r", trust(user_arn))
    if valid:
        out = _assume(server, key, role["Arn"], RoleSessionName=name)
        assert out["AssumedRoleUser"]["Arn"].endswith(f":assumed-role/r/{name}")
        return
    sts = as_creds(server, "sts", key, config=NO_VALIDATION)
    err = error(sts.assume_role, RoleArn=role["Arn"], RoleSessionName=name)
    assert (err["Code"], err["HTTPStatus"]) == ("ValidationError", 400)
    assert "roleSessionName" in err["Message"]


def test_trust_policy_conditions_on_session_name_and_request_tags(server: IamdServer, iam: Any, caller: Any) -> None:
    user_arn, key = caller
    role = new_role(iam, "r", doc(
        {"Effect": "Allow", "Principal": {"AWS": user_arn}, "Action": "sts:AssumeRole",
         "Condition": {"StringLike": {"sts:RoleSessionName": "${aws:username}-*"}}},
        {"Effect": "Allow", "Principal": {"AWS": user_arn}, "Action": "sts:TagSession",
         "Condition": {"StringEquals": {"aws:RequestTag/team": "blue"}}},
    ))
    sts = as_creds(server, "sts", key)
    assert _assume(server, key, role["Arn"], RoleSessionName="alice-1")
    err = error(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="bob-1")
    assert "sts:AssumeRole" in err["Message"]
    assert _assume(server, key, role["Arn"], RoleSessionName="alice-2", Tags=[{"Key": "team", "Value": "blue"}])
    err = error(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="alice-3", Tags=[{"Key": "team", "Value": "red"}])
    assert "sts:TagSession" in err["Message"]


def test_cross_account_session_policy_arns_live_in_the_roles_account(world: World) -> None:
    iam_a, iam_b = world.client(ACCOUNT_A, "iam"), world.client(ACCOUNT_B, "iam")
    user_arn, key = new_user(iam_b, "pol-x", allow("sts:AssumeRole"))
    role = new_role(iam_a, "pol-x", trust(user_arn), allow(["iam:ListUsers", "iam:ListRoles"]))
    theirs = iam_a.create_policy(PolicyName="pol-x", PolicyDocument=doc(allow("iam:ListRoles")))["Policy"]["Arn"]
    mine = iam_b.create_policy(PolicyName="pol-x", PolicyDocument=doc(allow("iam:ListRoles")))["Policy"]["Arn"]
    sts = world.client(ACCOUNT_B, "sts", key)
    err = error(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s1", PolicyArns=[{"arn": mine}])
    assert err["Code"] == "InvalidParameterValue"
    creds = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1", PolicyArns=[{"arn": theirs}])["Credentials"]
    session = world.client(ACCOUNT_A, "iam", creds)
    session.list_roles()
    assert error(session.list_users)["Code"] == "AccessDenied"
