"""Security: a trust policy's ``Principal`` names an entity, not a name that can be reused.

IAM User Guide, "AWS JSON policy elements: Principal" ("IAM role principals", "IAM user
principals"): a user or role ARN in a role trust policy "transforms to the … unique principal ID
when you save the policy. This helps mitigate the risk of someone escalating their privileges by
removing and recreating the role or user"; once the entity is deleted "the principal ID appears
in resource-based policies because AWS can no longer map it back to a valid ARN", and naming an
entity that does not exist is ``MalformedPolicyDocument: Invalid principal in policy``.

"AWS JSON policy elements: NotPrincipal": ``Allow`` with ``NotPrincipal`` grants "all principals
*except* the one named"; the account-beside-the-user rule is for ``Deny``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from functional_helpers import OTHER_ACCOUNT as OTHER
from functional_helpers import allow, as_creds, clients, denied, doc, error, new_user

from iamd.testing import IamdServer


def trust(principal: Any, *, field: str = "Principal", effect: str = "Allow") -> str:
    return doc({"Effect": effect, field: {"AWS": principal}, "Action": "sts:AssumeRole"})


def principals_of(role: dict[str, Any]) -> list[Any]:
    """The ``AWS`` entries of every statement's Principal/NotPrincipal, as the role shows them."""
    document = role["AssumeRolePolicyDocument"]  # boto3 decodes it
    out: list[Any] = []
    for st in document["Statement"]:
        for field in ("Principal", "NotPrincipal"):
            if field in st:
                value = st[field]["AWS"]
                out += value if isinstance(value, list) else [value]
    return out


def assume(sts: Any, role_arn: str) -> dict[str, Any]:
    return dict(sts.assume_role(RoleArn=role_arn, RoleSessionName="s1")["Credentials"])


@pytest.fixture
def admin_role(iam: Any) -> tuple[str, str, str]:
    """bob (no key yet) is trusted by role ``admin``, which may do everything; returns
    (bob's ARN, bob's user id, the role's ARN)."""
    user = iam.create_user(UserName="bob")["User"]
    role = iam.create_role(RoleName="admin", AssumeRolePolicyDocument=trust(user["Arn"]))["Role"]
    iam.put_role_policy(RoleName="admin", PolicyName="all", PolicyDocument=doc(allow("*")))
    return user["Arn"], user["UserId"], role["Arn"]


# --- the escalation the binding closes ---------------------------------------------------------


def test_a_recreated_user_is_not_trusted_by_the_old_trust_policy(
    server: IamdServer, iam: Any, admin_role: tuple[str, str, str]
) -> None:
    """A user allowed only to create and delete users (and make keys) must not reach the role
    that trusts a user of the same name."""
    bob_arn, old_id, role_arn = admin_role
    _, key = new_user(iam, "mallory", allow(["iam:CreateUser", "iam:CreateAccessKey", "iam:DeleteUser"]))
    mallory, _ = clients(server, key)
    mallory.delete_user(UserName="bob")
    assert mallory.create_user(UserName="bob")["User"]["Arn"] == bob_arn
    bob_key = mallory.create_access_key(UserName="bob")["AccessKey"]
    denied(as_creds(server, "sts", bob_key).assume_role, RoleArn=role_arn, RoleSessionName="s1")
    role = iam.get_role(RoleName="admin")["Role"]
    assert principals_of(role) == [old_id]


def test_the_trust_policy_shows_the_arn_while_the_user_exists_and_the_id_once_gone(
    server: IamdServer, iam: Any, admin_role: tuple[str, str, str]
) -> None:
    bob_arn, old_id, role_arn = admin_role
    key = iam.create_access_key(UserName="bob")["AccessKey"]
    assume(as_creds(server, "sts", key), role_arn)
    assert principals_of(iam.get_role(RoleName="admin")["Role"]) == [bob_arn]
    iam.delete_access_key(UserName="bob", AccessKeyId=key["AccessKeyId"])
    iam.delete_user(UserName="bob")
    shown = [
        iam.get_role(RoleName="admin")["Role"],
        next(r for r in iam.list_roles()["Roles"] if r["RoleName"] == "admin"),
        next(r for r in iam.get_account_authorization_details(Filter=["Role"])["RoleDetailList"]),
    ]
    for role in shown:
        assert principals_of(role) == [old_id]


def test_a_renamed_user_stays_trusted_and_is_shown_by_its_new_arn(
    server: IamdServer, iam: Any, admin_role: tuple[str, str, str]
) -> None:
    _, _, role_arn = admin_role
    iam.update_user(UserName="bob", NewUserName="robert", NewPath="/ops/")
    key = iam.create_access_key(UserName="robert")["AccessKey"]
    assume(as_creds(server, "sts", key), role_arn)
    assert principals_of(iam.get_role(RoleName="admin")["Role"]) == [
        f"arn:aws:iam::{server.account_id}:user/ops/robert"
    ]


def test_update_assume_role_policy_binds_the_new_user(
    server: IamdServer, iam: Any, admin_role: tuple[str, str, str]
) -> None:
    bob_arn, old_id, role_arn = admin_role
    iam.delete_user(UserName="bob")
    iam.create_user(UserName="bob")
    key = iam.create_access_key(UserName="bob")["AccessKey"]
    bob_sts = as_creds(server, "sts", key)
    denied(bob_sts.assume_role, RoleArn=role_arn, RoleSessionName="s1")
    stale = error(iam.update_assume_role_policy, RoleName="admin", PolicyDocument=trust(old_id))
    assert (stale["Code"], stale["Message"]) == (
        "MalformedPolicyDocument", f'Invalid principal in policy: "AWS":"{old_id}"'
    )
    iam.update_assume_role_policy(RoleName="admin", PolicyDocument=trust(bob_arn))
    assume(bob_sts, role_arn)
    assert principals_of(iam.get_role(RoleName="admin")["Role"]) == [bob_arn]


def test_a_recreated_role_is_not_trusted_by_the_old_trust_policy(server: IamdServer, iam: Any) -> None:
    """The role analogue: ``target`` trusts role ``worker``; sessions of a new ``worker`` do not match."""
    _, key = new_user(iam, "dev", allow("sts:AssumeRole"))
    dev_sts = as_creds(server, "sts", key)
    account_root = f"arn:aws:iam::{server.account_id}:root"
    worker = iam.create_role(RoleName="worker", AssumeRolePolicyDocument=trust(account_root))["Role"]
    iam.put_role_policy(RoleName="worker", PolicyName="p", PolicyDocument=doc(allow("sts:AssumeRole")))
    target = iam.create_role(RoleName="target", AssumeRolePolicyDocument=trust(worker["Arn"]))["Role"]
    assume(as_creds(server, "sts", assume(dev_sts, worker["Arn"])), target["Arn"])

    iam.delete_role_policy(RoleName="worker", PolicyName="p")
    iam.delete_role(RoleName="worker")
    iam.create_role(RoleName="worker", AssumeRolePolicyDocument=trust(account_root))
    iam.put_role_policy(RoleName="worker", PolicyName="p", PolicyDocument=doc(allow("sts:AssumeRole")))
    session = as_creds(server, "sts", assume(dev_sts, worker["Arn"]))
    denied(session.assume_role, RoleArn=target["Arn"], RoleSessionName="s1")
    assert principals_of(iam.get_role(RoleName="target")["Role"]) == [worker["RoleId"]]


# --- what a trust policy may name ------------------------------------------------------------


@pytest.mark.parametrize(
    "principal",
    [
        "arn:aws:iam::{account}:user/ghost",
        "arn:aws:iam::{account}:role/ghost",
        "arn:aws:iam::{account}:user/BOB",  # the name in a Principal ARN is case sensitive
        "arn:aws:iam::{account}:user/other/bob",  # right name, wrong path
        "arn:aws:iam::999999999999:user/bob",  # an account this iamd does not hold
        "AIDAAAAAAAAAAAAAAAAAA",
    ],
)
def test_a_principal_that_does_not_exist_is_refused(
    server: IamdServer, iam: Any, admin_role: tuple[str, str, str], principal: str
) -> None:
    value = principal.format(account=server.account_id)
    for fn, kw in (
        (iam.create_role, {"RoleName": "r", "AssumeRolePolicyDocument": trust(["*", value])}),
        (iam.update_assume_role_policy, {"RoleName": "admin", "PolicyDocument": trust(value, field="NotPrincipal",
                                                                                         effect="Deny")}),
    ):
        err = error(fn, **kw)
        assert (err["Code"], err["Message"]) == ("MalformedPolicyDocument", f'Invalid principal in policy: "AWS":"{value}"')
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == ["admin"]
    assert principals_of(iam.get_role(RoleName="admin")["Role"]) == [admin_role[0]]


def test_accounts_sessions_services_and_everyone_are_kept_as_written(server: IamdServer, iam: Any) -> None:
    account = server.account_id
    document = json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": [
                account, f"arn:aws:iam::{account}:root", f"arn:aws:iam::{OTHER}:root",
                f"arn:aws:sts::{account}:assumed-role/gone/s", f"arn:aws:sts::{account}:federated-user/f", "*",
            ]}},
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ec2.amazonaws.com"}},
        ],
    }, indent=2)
    role = iam.create_role(RoleName="kept", AssumeRolePolicyDocument=document)["Role"]
    assert role["AssumeRolePolicyDocument"] == json.loads(document)
    assert iam.get_role(RoleName="kept")["Role"]["AssumeRolePolicyDocument"] == json.loads(document)


# --- NotPrincipal in an Allow ------------------------------------------------------------------


def test_allow_with_not_principal_grants_nothing_to_the_named_user(server: IamdServer, iam: Any) -> None:
    bob_arn, bob_key = new_user(iam, "bob", allow("sts:AssumeRole"))
    _, alice_key = new_user(iam, "alice", allow("sts:AssumeRole"))
    role = iam.create_role(RoleName="open", AssumeRolePolicyDocument=trust(bob_arn, field="NotPrincipal"))["Role"]
    denied(as_creds(server, "sts", bob_key).assume_role, RoleArn=role["Arn"], RoleSessionName="s1")
    assume(as_creds(server, "sts", alice_key), role["Arn"])


def test_allow_with_not_principal_naming_a_role_excludes_its_sessions(server: IamdServer, iam: Any) -> None:
    _, key = new_user(iam, "dev", allow("sts:AssumeRole"))
    dev_sts = as_creds(server, "sts", key)
    account_root = f"arn:aws:iam::{server.account_id}:root"
    worker = iam.create_role(RoleName="worker", AssumeRolePolicyDocument=trust(account_root))["Role"]
    iam.put_role_policy(RoleName="worker", PolicyName="p", PolicyDocument=doc(allow("sts:AssumeRole")))
    target = iam.create_role(RoleName="target", AssumeRolePolicyDocument=trust(worker["Arn"], field="NotPrincipal"))
    session = as_creds(server, "sts", assume(dev_sts, worker["Arn"]))
    denied(session.assume_role, RoleArn=target["Role"]["Arn"], RoleSessionName="s1")
    assume(dev_sts, target["Role"]["Arn"])


# --- across accounts ---------------------------------------------------------------------------


def test_a_trust_policy_of_another_account_binds_the_user_it_names(
    two_accounts: tuple[IamdServer, dict[str, str]],
) -> None:
    srv, other_root = two_accounts
    theirs = as_creds(srv, "iam", other_root)
    mine = srv.client("iam")
    carol_arn, key = new_user(mine, "carol", allow("sts:AssumeRole"))
    old_id = mine.get_user(UserName="carol")["User"]["UserId"]
    role_arn = theirs.create_role(RoleName="shared", AssumeRolePolicyDocument=trust(carol_arn))["Role"]["Arn"]
    assume(as_creds(srv, "sts", key), role_arn)
    assert principals_of(theirs.get_role(RoleName="shared")["Role"]) == [carol_arn]

    mine.delete_access_key(UserName="carol", AccessKeyId=key["AccessKeyId"])
    mine.delete_user_policy(UserName="carol", PolicyName="p")
    mine.delete_user(UserName="carol")
    _, key = new_user(mine, "carol", allow("sts:AssumeRole"))
    denied(as_creds(srv, "sts", key).assume_role, RoleArn=role_arn, RoleSessionName="s1")
    assert principals_of(theirs.get_role(RoleName="shared")["Role"]) == [old_id]
    ghost = f"arn:aws:iam::{srv.account_id}:role/ghost"
    err = error(theirs.update_assume_role_policy, RoleName="shared", PolicyDocument=trust(ghost))
    assert (err["Code"], err["Message"]) == ("MalformedPolicyDocument", f'Invalid principal in policy: "AWS":"{ghost}"')
    theirs.update_assume_role_policy(RoleName="shared", PolicyDocument=trust(carol_arn))
    assume(as_creds(srv, "sts", key), role_arn)


def test_a_trust_policy_of_another_account_binds_the_role_it_names(
    two_accounts: tuple[IamdServer, dict[str, str]],
) -> None:
    """Sessions of the first account's role ``hop`` may assume OTHER's role; a new ``hop`` may not."""
    srv, other_root = two_accounts
    theirs = as_creds(srv, "iam", other_root)
    mine = srv.client("iam")
    _, key = new_user(mine, "hopper", allow("sts:AssumeRole"))
    hopper = as_creds(srv, "sts", key)
    me = f"arn:aws:iam::{srv.account_id}:root"

    def make_hop() -> dict[str, Any]:
        role = mine.create_role(RoleName="hop", AssumeRolePolicyDocument=trust(me))["Role"]
        mine.put_role_policy(RoleName="hop", PolicyName="p", PolicyDocument=doc(allow("sts:AssumeRole")))
        return dict(role)

    hop = make_hop()
    target = theirs.create_role(RoleName="landing", AssumeRolePolicyDocument=trust(hop["Arn"]))["Role"]["Arn"]
    assume(as_creds(srv, "sts", assume(hopper, hop["Arn"])), target)
    mine.delete_role_policy(RoleName="hop", PolicyName="p")
    mine.delete_role(RoleName="hop")
    make_hop()
    session = as_creds(srv, "sts", assume(hopper, hop["Arn"]))
    denied(session.assume_role, RoleArn=target, RoleSessionName="s1")
    assert principals_of(theirs.get_role(RoleName="landing")["Role"]) == [hop["RoleId"]]
