"""Security: the simulator is authorized as on AWS and tells nobody about principals they may not see.

``iam:SimulatePrincipalPolicy`` is authorized on the source entity's ARN (with its path, read from
the store, so a Deny on a path holds), ``iam:SimulateCustomPolicy`` on ``*``; another account's
entity is out of reach whatever the caller's own policies allow.
"""

from __future__ import annotations

from typing import Any

from functional_helpers import OTHER_ACCOUNT as OTHER
from functional_helpers import allow, clients, denied, doc, error, new_user

from iamd.testing import IamdServer

ACCOUNT = "123456789012"


def _principal(client: Any, arn: str) -> Any:
    return client.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["s3:GetObject"])


def test_a_user_without_permission_simulates_nothing(server: IamdServer, iam: Any) -> None:
    iam.create_user(UserName="alice")
    iam.put_user_policy(UserName="alice", PolicyName="secret", PolicyDocument=doc(allow("s3:GetObject")))
    _, key = new_user(iam, "mallory")
    mallory, _ = clients(server, key)
    message = denied(_principal, client=mallory, arn=f"arn:aws:iam::{ACCOUNT}:user/alice")
    assert message.startswith(
        f"User: arn:aws:iam::{ACCOUNT}:user/mallory is not authorized to perform: iam:SimulatePrincipalPolicy "
        f"on resource: arn:aws:iam::{ACCOUNT}:user/alice"
    )
    denied(mallory.simulate_custom_policy, PolicyInputList=[doc(allow("*"))], ActionNames=["s3:GetObject"])
    # Even her own simulation needs the permission; a missing entity is no oracle either.
    denied(_principal, client=mallory, arn=f"arn:aws:iam::{ACCOUNT}:user/mallory")
    denied(_principal, client=mallory, arn=f"arn:aws:iam::{ACCOUNT}:user/nobody")


def test_permission_on_one_principal_is_not_permission_on_another(server: IamdServer, iam: Any) -> None:
    for name in ("alice", "bob"):
        iam.create_user(UserName=name)
    iam.create_user(UserName="carol", Path="/secret/")
    _, key = new_user(
        iam, "auditor",
        allow("iam:SimulatePrincipalPolicy", [f"arn:aws:iam::{ACCOUNT}:user/alice", "arn:aws:iam::*:user/${aws:username}"]),
    )
    auditor, _ = clients(server, key)
    assert _principal(auditor, f"arn:aws:iam::{ACCOUNT}:user/alice")["EvaluationResults"]
    assert _principal(auditor, f"arn:aws:iam::{ACCOUNT}:user/auditor")["EvaluationResults"]
    denied(_principal, client=auditor, arn=f"arn:aws:iam::{ACCOUNT}:user/bob")
    # The path comes from the store: carol's ARN with her path is denied by a Deny on the path.
    _, key = new_user(
        iam, "auditor2", allow("iam:SimulatePrincipalPolicy", f"arn:aws:iam::{ACCOUNT}:user/*"),
        {"Effect": "Deny", "Action": "iam:SimulatePrincipalPolicy", "Resource": f"arn:aws:iam::{ACCOUNT}:user/secret/*"},
    )
    auditor2, _ = clients(server, key)
    assert _principal(auditor2, f"arn:aws:iam::{ACCOUNT}:user/bob")["EvaluationResults"]
    denied(_principal, client=auditor2, arn=f"arn:aws:iam::{ACCOUNT}:user/secret/carol")
    # No permission on roles or groups, nor on custom simulations.
    iam.create_role(RoleName="admin", AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}))
    denied(_principal, client=auditor, arn=f"arn:aws:iam::{ACCOUNT}:role/admin")
    message = denied(_principal, client=auditor, arn=f"arn:aws:sts::{ACCOUNT}:assumed-role/admin/s1")
    assert f"on resource: arn:aws:iam::{ACCOUNT}:role/admin" in message  # a session is its role
    denied(auditor.simulate_custom_policy, PolicyInputList=[doc(allow("*"))], ActionNames=["s3:GetObject"])


def test_custom_simulation_is_authorized_on_star(server: IamdServer, iam: Any) -> None:
    iam.create_user(UserName="alice")
    _, key = new_user(iam, "dev", allow("iam:SimulateCustomPolicy"))
    dev, _ = clients(server, key)
    out = dev.simulate_custom_policy(PolicyInputList=[doc(allow("s3:*"))], ActionNames=["s3:GetObject"])
    assert out["EvaluationResults"][0]["EvalDecision"] == "allowed"
    denied(_principal, client=dev, arn=f"arn:aws:iam::{ACCOUNT}:user/alice")
    # Scoping SimulateCustomPolicy to something else than "*" grants nothing.
    _, key = new_user(iam, "dev2", allow("iam:SimulateCustomPolicy", f"arn:aws:iam::{ACCOUNT}:user/*"))
    dev2, _ = clients(server, key)
    denied(dev2.simulate_custom_policy, PolicyInputList=[doc(allow("s3:*"))], ActionNames=["s3:GetObject"])


def test_another_accounts_principal_is_out_of_reach(two_accounts: tuple[IamdServer, dict[str, str]]) -> None:
    srv, other_root = two_accounts
    mine = srv.client("iam")
    mine.create_user(UserName="victim")
    mine.put_user_policy(UserName="victim", PolicyName="SecretPolicyName", PolicyDocument=doc(allow("s3:GetObject")))
    theirs, _ = clients(srv, other_root)
    theirs.create_user(UserName="admin")
    theirs.put_user_policy(UserName="admin", PolicyName="all", PolicyDocument=doc(allow("*")))
    admin, _ = clients(srv, theirs.create_access_key(UserName="admin")["AccessKey"])
    victim = f"arn:aws:iam::{ACCOUNT}:user/victim"
    for client in (theirs, admin):  # the other account's root, and its administrator
        err = error(_principal, client=client, arn=victim)
        assert err["Code"] == "AccessDenied", err
        assert "SecretPolicyName" not in err["Message"]
    # Their own principals they may simulate.
    assert _principal(admin, f"arn:aws:iam::{OTHER}:user/admin")["EvaluationResults"][0]["EvalDecision"] == "allowed"
    # And the action itself never looks outside the caller's account.
    missing = error(_principal, client=mine, arn=f"arn:aws:iam::{OTHER}:user/admin")
    assert missing["Code"] in ("AccessDenied", "NoSuchEntity"), missing
    assert "all" not in missing["Message"].split()


def test_a_role_session_simulates_with_its_roles_permissions(server: IamdServer, iam: Any) -> None:
    _, key = new_user(iam, "assumer", allow("sts:AssumeRole"))
    iam.create_role(RoleName="auditor", AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/assumer"}, "Action": "sts:AssumeRole"}))
    iam.put_role_policy(RoleName="auditor", PolicyName="sim", PolicyDocument=doc(
        allow("iam:SimulatePrincipalPolicy", "arn:aws:iam::*:role/${aws:PrincipalTag/none}"),
        allow("iam:SimulateCustomPolicy")))
    _, sts = clients(server, key)
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/auditor", RoleSessionName="audit")["Credentials"]
    session, _ = clients(server, creds)
    assert session.simulate_custom_policy(PolicyInputList=[doc(allow("*"))], ActionNames=["s3:GetObject"])
    # Its own role is not simulable: the policy's variable has no value, so it matches nothing.
    denied(_principal, client=session, arn=f"arn:aws:iam::{ACCOUNT}:role/auditor")


def test_hostile_sizes_are_answered_not_crashed(iam: Any) -> None:
    statement = allow("s3:GetObject", [f"arn:aws:s3:::bucket-{i}/*" for i in range(40)])
    document = doc(*[statement] * 3)
    many = iam.simulate_custom_policy(PolicyInputList=[document] * 60, ActionNames=["s3:GetObject"],
                                      ResourceArns=["arn:aws:s3:::bucket-7/key"])
    assert many["EvaluationResults"][0]["EvalDecision"] == "allowed"
    too_much = error(iam.simulate_custom_policy, PolicyInputList=[document] * 60,
                     ActionNames=[f"s3:A{i}" for i in range(100)], ResourceArns=[f"arn:aws:s3:::b/{i}" for i in range(20)])
    assert (too_much["Code"], too_much["HTTPStatus"]) == ("InvalidInput", 400)
    for arn in ["arn:aws:iam::123456789012:user/" + "a" * 2000, "arn:aws:iam::123456789012:user" + "/x" * 900]:
        err = error(iam.simulate_principal_policy, PolicySourceArn=arn, ActionNames=["s3:GetObject"])
        assert err["HTTPStatus"] in (400, 404), err
