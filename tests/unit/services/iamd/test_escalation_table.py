"""The escalation table (and the analysis' edges: work bounds, other accounts): principal set-ups, each with the path the analysis must report or none,
on a real store of each backend. Every reported edge whose source is a principal as stored is
re-checked by the engine through IAM's SimulatePrincipalPolicy (another caller of the same
engine, gathering the principal's policies itself)."""

from __future__ import annotations

import json
import random
import urllib.parse
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import org_fixtures
import pytest

from iamd.analysis import escalation
from iamd.analysis.escalation import analyse
from iamd.errors import ValidationException
from iamd.services.accounts import create_account
from iamd.services.context import Call, Caller
from iamd.services.registry import ACTIONS
from iamd.services.runtime import Runtime

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
Invoke = Callable[..., Any]


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: Any, resource: Any = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def trusts(principal: dict[str, str]) -> str:
    return doc({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"})


class Account:
    def __init__(self, invoke: Invoke, account_id: str) -> None:
        self.invoke, self.id = invoke, account_id

    def arn(self, kind: str, name: str) -> str:
        return f"arn:aws:iam::{self.id}:{kind}/{name}"

    def iam(self, name: str, **params: Any) -> Any:
        return self.invoke("iam", name, params)

    def user(self, name: str, *statements: dict[str, Any], boundary: str | None = None) -> None:
        self.iam("CreateUser", UserName=name, **({"PermissionsBoundary": boundary} if boundary else {}))
        if statements:
            self.iam("PutUserPolicy", UserName=name, PolicyName="p", PolicyDocument=doc(*statements))

    def role(self, name: str, trust: str, *statements: dict[str, Any], managed: str | None = None) -> None:
        self.iam("CreateRole", RoleName=name, AssumeRolePolicyDocument=trust)
        if statements:
            self.iam("PutRolePolicy", RoleName=name, PolicyName="p", PolicyDocument=doc(*statements))
        if managed:
            self.iam("AttachRolePolicy", RoleName=name, PolicyArn=managed)

    def policy(self, name: str, *statements: dict[str, Any]) -> str:
        return str(self.iam("CreatePolicy", PolicyName=name, PolicyDocument=doc(*statements))["Policy"]["Arn"])


def passrole_to_admin(a: Account) -> None:
    a.role("admin", trusts({"Service": "ec2.amazonaws.com"}), managed=ADMIN)
    a.user("subject", allow(["iam:PassRole", "ec2:RunInstances"]))


def passrole_to_weaker_role(a: Account) -> None:
    a.role("weak", trusts({"Service": "ec2.amazonaws.com"}), allow("s3:GetObject"))
    a.user("subject", allow(["iam:PassRole", "ec2:RunInstances", "s3:*"]))


def passrole_without_the_service_call(a: Account) -> None:
    a.role("admin", trusts({"Service": "ec2.amazonaws.com"}), managed=ADMIN)
    a.user("subject", allow("iam:PassRole"))


def passrole_to_a_service_the_role_does_not_trust(a: Account) -> None:
    a.role("admin", trusts({"Service": "ec2.amazonaws.com"}), managed=ADMIN)
    a.user("subject", allow(["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"]))


def passrole_to_lambda(a: Account) -> None:
    a.role("admin", trusts({"Service": "lambda.amazonaws.com"}), managed=ADMIN)
    a.user("subject", allow(["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"]))


def create_policy_version(a: Account) -> None:
    arn = f"arn:aws:iam::{a.id}:policy/mine"
    a.policy("mine", allow("iam:CreatePolicyVersion", arn))
    a.user("subject")
    a.iam("AttachUserPolicy", UserName="subject", PolicyArn=arn)


def create_policy_version_denied_by_boundary(a: Account) -> None:
    arn = f"arn:aws:iam::{a.id}:policy/mine"
    a.policy("mine", allow("iam:CreatePolicyVersion", arn))
    boundary = a.policy("fence", allow("s3:*"))
    a.user("subject", boundary=boundary)
    a.iam("AttachUserPolicy", UserName="subject", PolicyArn=arn)


def set_default_policy_version(a: Account) -> None:
    arn = a.policy("mine", allow("iam:SetDefaultPolicyVersion", f"arn:aws:iam::{a.id}:policy/mine"))
    a.iam("CreatePolicyVersion", PolicyArn=arn, PolicyDocument=doc(allow("*")), SetAsDefault=True)
    a.iam("SetDefaultPolicyVersion", PolicyArn=arn, VersionId="v1")
    a.user("subject")
    a.iam("AttachUserPolicy", UserName="subject", PolicyArn=arn)


def put_user_policy_on_itself(a: Account) -> None:
    a.user("subject", allow("iam:PutUserPolicy", a.arn("user", "subject")))


def put_user_policy_on_another_user_only(a: Account) -> None:
    a.user("other")
    a.user("subject", allow("iam:PutUserPolicy", a.arn("user", "other")))


def attach_user_policy_on_itself(a: Account) -> None:
    a.user("subject", allow("iam:AttachUserPolicy", a.arn("user", "subject")))


def put_group_policy_on_its_group(a: Account) -> None:
    a.iam("CreateGroup", GroupName="team")
    a.user("subject", allow("iam:PutGroupPolicy", a.arn("group", "team")))
    a.iam("AddUserToGroup", GroupName="team", UserName="subject")


def add_user_to_admin_group(a: Account) -> None:
    a.iam("CreateGroup", GroupName="admins")
    a.iam("AttachGroupPolicy", GroupName="admins", PolicyArn=ADMIN)
    a.user("subject", allow("iam:AddUserToGroup", a.arn("group", "admins")))


def attach_role_policy_on_assumable_role(a: Account) -> None:
    a.user("subject", allow(["sts:AssumeRole", "iam:AttachRolePolicy"], a.arn("role", "worker")))
    a.role("worker", trusts({"AWS": a.arn("user", "subject")}), allow("s3:GetObject"))


def update_assume_role_policy(a: Account) -> None:
    a.role("admin", trusts({"Service": "ec2.amazonaws.com"}), managed=ADMIN)
    a.user("subject", allow(["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"], a.arn("role", "admin")))


def create_access_key_on_admin(a: Account) -> None:
    a.user("boss")
    a.iam("AttachUserPolicy", UserName="boss", PolicyArn=ADMIN)
    a.user("subject", allow("iam:CreateAccessKey", a.arn("user", "boss")))


def create_access_key_on_weaker_user(a: Account) -> None:
    a.user("intern", allow("s3:GetObject"))
    a.user("subject", allow("iam:CreateAccessKey", a.arn("user", "intern")), allow("s3:*"))


def create_login_profile_on_admin(a: Account) -> None:
    a.user("boss")
    a.iam("AttachUserPolicy", UserName="boss", PolicyArn=ADMIN)
    a.user("subject", allow("iam:CreateLoginProfile", a.arn("user", "boss")))


def update_login_profile_on_admin(a: Account) -> None:
    a.user("boss")
    a.iam("AttachUserPolicy", UserName="boss", PolicyArn=ADMIN)
    a.user("subject", allow("iam:UpdateLoginProfile", a.arn("user", "boss")))


def assume_role_chain(a: Account) -> None:
    a.user("subject", allow("sts:AssumeRole", a.arn("role", "hop")))
    a.role("hop", trusts({"AWS": a.arn("user", "subject")}), allow("sts:AssumeRole", a.arn("role", "top")))
    a.role("top", trusts({"AWS": a.arn("role", "hop")}), managed=ADMIN)


def assume_role_refused_by_trust(a: Account) -> None:
    a.user("friend")
    a.role("admin", trusts({"AWS": a.arn("user", "friend")}), managed=ADMIN)
    a.user("subject", allow("sts:AssumeRole"))


def delete_user_permissions_boundary(a: Account) -> None:
    boundary = a.policy("fence", allow(["s3:*", "iam:DeleteUserPermissionsBoundary"]))
    a.user("subject", allow("*"), boundary=boundary)


def put_user_permissions_boundary(a: Account) -> None:
    boundary = a.policy("fence", allow(["s3:*", "iam:PutUserPermissionsBoundary"]))
    a.user("subject", allow("*"), boundary=boundary)


def administrator_has_nothing_to_gain(a: Account) -> None:
    a.role("ops", trusts({"Service": "ec2.amazonaws.com"}), allow("s3:*"))
    a.user("subject")
    a.iam("AttachUserPolicy", UserName="subject", PolicyArn=ADMIN)


# (set-up, the methods of one of the subject's paths, or None for no path)
CASES: list[tuple[Callable[[Account], None], list[str] | None]] = [
    (passrole_to_admin, ["iam:PassRole to ec2.amazonaws.com"]),
    (passrole_to_weaker_role, None),
    (passrole_without_the_service_call, None),
    (passrole_to_a_service_the_role_does_not_trust, None),
    (passrole_to_lambda, ["iam:PassRole to lambda.amazonaws.com"]),
    (create_policy_version, ["iam:CreatePolicyVersion"]),
    (create_policy_version_denied_by_boundary, None),
    (set_default_policy_version, ["iam:SetDefaultPolicyVersion"]),
    (put_user_policy_on_itself, ["iam:PutUserPolicy"]),
    (put_user_policy_on_another_user_only, None),
    (attach_user_policy_on_itself, ["iam:AttachUserPolicy"]),
    (put_group_policy_on_its_group, ["iam:PutGroupPolicy"]),
    (add_user_to_admin_group, ["iam:AddUserToGroup"]),
    (attach_role_policy_on_assumable_role, ["iam:AttachRolePolicy"]),
    (update_assume_role_policy, ["iam:UpdateAssumeRolePolicy"]),
    (create_access_key_on_admin, ["iam:CreateAccessKey"]),
    (create_access_key_on_weaker_user, None),
    (create_login_profile_on_admin, ["iam:CreateLoginProfile"]),
    (update_login_profile_on_admin, ["iam:UpdateLoginProfile"]),
    (assume_role_chain, ["sts:AssumeRole", "sts:AssumeRole"]),
    (assume_role_refused_by_trust, None),
    (delete_user_permissions_boundary, ["iam:DeleteUserPermissionsBoundary"]),
    (put_user_permissions_boundary, ["iam:PutUserPermissionsBoundary"]),
    (administrator_has_nothing_to_gain, None),
]


def paths_of(runtime: Runtime, account_id: str, principal: str | None = None) -> list[dict[str, Any]]:
    with runtime.store.connect() as conn:
        report = analyse(conn, account_id, datetime.now(UTC), principal)
        conn.rollback()
    assert not report.truncated
    return [p.as_dict() for p in report.paths]


def recheck(a: Account, path: dict[str, Any]) -> None:
    """Each edge acted by a stored principal, asked again of the engine through the simulator."""
    for edge in path["Edges"]:
        if "(" in edge["Source"]:
            continue  # a principal after a hypothetical write: nothing stored to simulate
        for request in edge["AllowedRequests"]:
            params: dict[str, Any] = {"PolicySourceArn": edge["Source"], "ActionNames": [request["Action"]],
                                      "ResourceArns": [request["Resource"]]}
            if request.get("Context"):
                params["ContextEntries"] = [{"ContextKeyName": k, "ContextKeyValues": [v], "ContextKeyType": "string"}
                                            for k, v in request["Context"].items()]
            # The simulator takes a resource policy only with a user as caller (AWS: "Caller must be
            # an IAM user in this context"): a role's AssumeRole is re-checked on its own policies.
            if request["Action"] == "sts:AssumeRole" and ":user/" in edge["Source"]:
                if edge["Method"] == "iam:UpdateAssumeRolePolicy":
                    params["ResourcePolicy"] = trusts({"AWS": edge["Source"]})
                else:
                    name = request["Resource"].rsplit("/", 1)[1]
                    trust = a.iam("GetRole", RoleName=name)["Role"]["AssumeRolePolicyDocument"]
                    params["ResourcePolicy"] = trust if trust.startswith("{") else urllib.parse.unquote(trust)
            result = a.iam("SimulatePrincipalPolicy", **params)["EvaluationResults"][0]
            assert result["EvalDecision"] == "allowed", (edge, request, result)


@pytest.mark.parametrize(("setup", "expected"), CASES, ids=[c[0].__name__ for c in CASES])
def test_escalation_table(runtime: Runtime, invoke: Invoke, account: str,
                          setup: Callable[[Account], None], expected: list[str] | None) -> None:
    a = Account(invoke, account)
    setup(a)
    paths = paths_of(runtime, account)
    subject = a.arn("user", "subject")
    mine = [p for p in paths if p["PrincipalArn"] == subject]
    if expected is None:
        assert mine == []
    else:
        assert mine, paths
        assert expected in [[e["Method"] for e in p["Edges"]] for p in mine], mine
        assert all(p["Gains"] for p in mine)
    for path in paths:
        assert path["PrincipalArn"].startswith(f"arn:aws:iam::{account}:")
        recheck(a, path)


def member_invoke(runtime: Runtime, account_id: str) -> Invoke:
    def run(service: str, name: str, params: dict[str, Any] | None = None) -> Any:
        with runtime.store.begin() as conn:
            caller = Caller(account_id, f"arn:aws:iam::{account_id}:root", account_id, "root", "AKIAROOT")
            call = Call(conn=conn, caller=caller, now=datetime.now(UTC), request_id=str(uuid.uuid4()), runtime=runtime)
            return ACTIONS[service][name](call, params or {})

    return run


def test_an_scp_denying_the_method_in_a_member_account_leaves_no_path(runtime: Runtime) -> None:
    with runtime.store.begin() as conn:
        tree = org_fixtures.build(conn, types=(org_fixtures.SCP,))
        deny = doc({"Effect": "Deny", "Action": "iam:PutUserPolicy", "Resource": "*"})
        tree.policy("p-nowrites", org_fixtures.SCP, deny, tree.member)
    for account_id, expected in ((tree.member, False), (tree.mgmt, True)):
        a = Account(member_invoke(runtime, account_id), account_id)
        put_user_policy_on_itself(a)
        found = [p for p in paths_of(runtime, account_id) if p["PrincipalArn"] == a.arn("user", "subject")]
        assert bool(found) is expected, account_id


def test_one_principal_and_nothing_of_another_account(runtime: Runtime, invoke: Invoke, account: str) -> None:
    a = Account(invoke, account)
    passrole_to_admin(a)
    a.user("writer", allow("iam:PutUserPolicy", a.arn("user", "writer")))
    only = paths_of(runtime, account, a.arn("user", "writer"))
    assert only and {p["PrincipalArn"] for p in only} == {a.arn("user", "writer")}
    assert paths_of(runtime, account, "arn:aws:iam::999999999999:user/subject") == []

def test_a_bound_that_stops_the_search_says_truncated(runtime: Runtime, invoke: Invoke, account: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    a = Account(invoke, account)
    a.role("admin", trusts({"Service": "ec2.amazonaws.com"}), managed=ADMIN)
    a.user("subject", allow(["iam:PassRole", "ec2:RunInstances"]))
    monkeypatch.setattr(escalation, "MAX_EVALUATIONS", 5)
    with runtime.store.connect() as conn:
        report = escalation.analyse(conn, account, datetime.now(UTC))
    assert report.truncated


def test_another_accounts_role_is_not_analysed_into_this_account(runtime: Runtime, invoke: Invoke,
                                                                  account: str) -> None:
    """Account B's administrator role trusts a user of A: A's analysis lists only A's principals
    and follows no edge into B; B's lists only B's."""
    other = f"{random.randrange(10**11, 10**12):012d}"
    with runtime.store.begin() as conn:
        create_account(conn, runtime.secretbox, other, datetime.now(UTC))
    a = Account(invoke, account)
    a.user("subject", allow("sts:AssumeRole"))
    b = Account(member_invoke(runtime, other), other)
    b.role("admin", trusts({"AWS": a.arn("user", "subject")}), managed=ADMIN)
    b.user("local")
    for account_id in (account, other):
        for path in paths_of(runtime, account_id):
            assert path["PrincipalArn"].startswith(f"arn:aws:iam::{account_id}:")
            for edge in path["Edges"]:
                assert f":{account_id}:" in edge["Result"]
    assert paths_of(runtime, account, a.arn("user", "subject")) == []


def test_the_service_refuses_another_accounts_principal(invoke: Invoke) -> None:
    with pytest.raises(ValidationException):
        invoke("iamd", "ListEscalationPaths", {"PrincipalArn": "arn:aws:iam::999999999999:user/x"})


def role_puts_its_own_policy(a: Account) -> None:
    a.role("subject", trusts({"Service": "ec2.amazonaws.com"}), allow("iam:PutRolePolicy", a.arn("role", "subject")))


def role_drops_its_boundary(a: Account) -> None:
    fence = a.policy("fence", allow(["s3:*", "iam:DeleteRolePermissionsBoundary"]))
    a.role("subject", trusts({"Service": "ec2.amazonaws.com"}), allow("*"))
    a.iam("PutRolePermissionsBoundary", RoleName="subject", PermissionsBoundary=fence)


def role_boundary_forbids_the_write(a: Account) -> None:
    fence = a.policy("fence", allow("s3:*"))
    a.role("subject", trusts({"Service": "ec2.amazonaws.com"}), allow(["s3:*", "iam:PutRolePolicy"]))
    a.iam("PutRolePermissionsBoundary", RoleName="subject", PermissionsBoundary=fence)


ROLE_CASES: list[tuple[Callable[[Account], None], list[str] | None]] = [
    (role_puts_its_own_policy, ["iam:PutRolePolicy"]),
    (role_drops_its_boundary, ["iam:DeleteRolePermissionsBoundary"]),
    (role_boundary_forbids_the_write, None),
]


@pytest.mark.parametrize(("setup", "expected"), ROLE_CASES, ids=[c[0].__name__ for c in ROLE_CASES])
def test_escalation_table_of_roles(runtime: Runtime, invoke: Invoke, account: str,
                                   setup: Callable[[Account], None], expected: list[str] | None) -> None:
    a = Account(invoke, account)
    setup(a)
    mine = paths_of(runtime, account, a.arn("role", "subject"))
    if expected is None:
        assert mine == []
    else:
        assert expected in [[e["Method"] for e in p["Edges"]] for p in mine], mine
    for path in mine:
        recheck(a, path)
