"""How Organizations policies are attacked, and that each attack fails (docs/organizations.md,
"Policies: security").

- an unauthenticated caller: every call needs SigV4;
- a low-privilege user (or role session) of the management account: IAM authorizes
  ``organizations:*`` before the action runs, so without an allow it can neither create, attach
  nor detach — detaching a Deny SCP is the escalation this stops;
- another account's principal: an account outside the organization gets
  ``AWSOrganizationsNotInUseException``; another organization's policy, root or account ids are
  unknown here (``PolicyNotFoundException``, ``TargetNotFoundException``, ``RootNotFoundException``);
- hostile content: oversized documents are refused before they are parsed; deep nesting, binary
  and huge bodies are AWS errors, never a 500.

Member accounts (which get ``AccessDeniedException`` for every policy operation) are covered in
tests/functional/test_organizations_policies_members.py.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from functional_helpers import OTHER_ACCOUNT, as_creds, error, new_user
from org_policy_helpers import FULL, MALFORMED, SCP, attached, code, create, fails, new_org, scp

from iamd.testing import IamdServer


@pytest.fixture
def org(server: IamdServer) -> Any:
    return server.client("organizations")


def test_unsigned_calls_are_refused(server: IamdServer) -> None:
    response = requests.post(server.endpoint, data=json.dumps({"Filter": SCP}), timeout=30, headers={
        "X-Amz-Target": "AWSOrganizationsV20161128.ListPolicies", "Content-Type": "application/x-amz-json-1.1"})
    assert response.status_code == 403 and "MissingAuthenticationToken" in response.text


def test_low_privilege_user_cannot_change_policies(org: Any, iam: Any, server: IamdServer) -> None:
    root_id = new_org(org, SCP)
    deny = create(org, "DenyIam")
    org.attach_policy(PolicyId=deny, TargetId=server.account_id)
    _, reader = new_user(iam, "reader", {"Effect": "Allow", "Action": ["organizations:Describe*",
                                                                       "organizations:List*"], "Resource": "*"})
    weak = as_creds(server, "organizations", reader)
    assert weak.describe_policy(PolicyId=deny)["Policy"]["Content"] == scp()
    for call, kw in (
        (weak.detach_policy, {"PolicyId": deny, "TargetId": server.account_id}),
        (weak.attach_policy, {"PolicyId": FULL, "TargetId": root_id}),
        (weak.create_policy, {"Name": "mine", "Description": "", "Type": SCP, "Content": scp()}),
        (weak.update_policy, {"PolicyId": deny, "Content": scp({"Effect": "Allow", "Action": "*"})}),
        (weak.delete_policy, {"PolicyId": deny}),
        (weak.disable_policy_type, {"RootId": root_id, "PolicyType": SCP}),
    ):
        err = error(call, **kw)
        assert (err["Code"], err["HTTPStatus"]) == ("AccessDeniedException", 403), err
    assert deny in attached(org, server.account_id)
    assert org.describe_policy(PolicyId=deny)["Policy"]["Content"] == scp()


def test_a_deny_on_detach_policy_holds(org: Any, iam: Any, server: IamdServer) -> None:
    """An administrator whose identity policy denies DetachPolicy cannot lift a guardrail."""
    new_org(org, SCP)
    deny = create(org, "DenyIam")
    org.attach_policy(PolicyId=deny, TargetId=server.account_id)
    _, admin = new_user(iam, "admin", {"Effect": "Allow", "Action": "*", "Resource": "*"},
                        {"Effect": "Deny", "Action": ["organizations:DetachPolicy", "organizations:DisablePolicyType",
                                                      "organizations:UpdatePolicy"], "Resource": "*"})
    acting = as_creds(server, "organizations", admin)
    assert error(acting.detach_policy, PolicyId=deny, TargetId=server.account_id)["Code"] == "AccessDeniedException"
    assert error(acting.update_policy, PolicyId=deny, Content=scp({"Effect": "Deny", "Action": "none:none"}))[
        "Code"] == "AccessDeniedException"
    assert deny in attached(org, server.account_id)


def test_another_organizations_ids_are_unknown(two_accounts: Any) -> None:
    srv, other_key = two_accounts
    mine, theirs = srv.client("organizations"), as_creds(srv, "organizations", other_key)
    my_root = new_org(mine, SCP)
    try:
        assert code(theirs.list_policies, Filter=SCP) == ("AWSOrganizationsNotInUseException", None)
        assert code(theirs.create_policy, Name="x", Description="", Type=SCP, Content=scp()) == (
            "AWSOrganizationsNotInUseException", None)
        my_policy = create(mine, "Mine")
        their_root = new_org(theirs, SCP)
        try:
            their_policy = create(theirs, "Theirs")
            for call, kw in (
                (mine.describe_policy, {"PolicyId": their_policy}),
                (mine.attach_policy, {"PolicyId": their_policy, "TargetId": my_root}),
                (mine.delete_policy, {"PolicyId": their_policy}),
                (mine.update_policy, {"PolicyId": their_policy, "Name": "stolen"}),
                (mine.list_targets_for_policy, {"PolicyId": their_policy}),
            ):
                assert code(call, **kw) == ("PolicyNotFoundException", None)
            assert code(mine.attach_policy, PolicyId=my_policy, TargetId=their_root) == (
                "TargetNotFoundException", None)
            assert code(mine.attach_policy, PolicyId=my_policy, TargetId=OTHER_ACCOUNT) == (
                "TargetNotFoundException", None)
            assert code(mine.list_policies_for_target, TargetId=their_root, Filter=SCP) == (
                "TargetNotFoundException", None)
            assert code(mine.disable_policy_type, RootId=their_root, PolicyType=SCP) == (
                "RootNotFoundException", None)
            # Both organizations have their own FullAWSAccess row: detaching mine leaves theirs.
            assert FULL in attached(theirs, their_root)
            assert theirs.describe_policy(PolicyId=their_policy)["Policy"]["PolicySummary"]["Name"] == "Theirs"
            theirs.delete_policy(PolicyId=their_policy)
        finally:
            theirs.delete_organization()
        mine.delete_policy(PolicyId=my_policy)
    finally:
        mine.delete_organization()


@pytest.mark.parametrize("content", [
    "[" * 2500 + "]" * 2500,                      # deep nesting inside the size limit
    '{"Statement": ' * 300 + "{}" + "}" * 300,    # deep objects
    "\x00\x01\x02 not json",
    '{"Version": "2012-10-17", "Statement": [' + ",".join(['{"Effect":"Deny","Action":"s3:*"}'] * 300)[:5000],
    json.dumps({"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "iam:*", "Resource": "*",
                                                         "Condition": {"NoSuchOperator": {"k": "v"}}}}),
])
def test_hostile_content_is_malformed(org: Any, content: str) -> None:
    new_org(org)
    err = fails(org.create_policy, Name="hostile", Description="", Type=SCP, Content=content)
    assert (err["Code"], err["Message"], err["HTTPStatus"]) == ("MalformedPolicyDocumentException", MALFORMED, 400)


def test_huge_content_is_refused_without_parsing(org: Any) -> None:
    new_org(org)
    big = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": f"s3:Get{i}", "Resource": "*"} for i in range(5000)]})
    assert len(big) > 200_000
    assert code(org.create_policy, Name="huge", Description="", Type=SCP, Content=big) == (
        "ConstraintViolationException", "POLICY_CONTENT_LIMIT_EXCEEDED")
    too_big_for_a_request = "x" * (600 * 1024)
    err = fails(org.create_policy, Name="huger", Description="", Type=SCP, Content=too_big_for_a_request)
    assert err["HTTPStatus"] == 413
    assert org.list_policies(Filter=SCP)["Policies"] == [org.describe_policy(PolicyId=FULL)["Policy"]["PolicySummary"]]


def test_a_deny_on_one_policy_arn_protects_that_policy_only(org: Any, iam: Any, server: IamdServer) -> None:
    """The policy's ARN is the resource of AttachPolicy, DetachPolicy, UpdatePolicy, DeletePolicy."""
    new_org(org, SCP)
    guard, other = create(org, "Guard"), create(org, "Other")
    for pid in (guard, other):
        org.attach_policy(PolicyId=pid, TargetId=server.account_id)
    guard_arn = org.describe_policy(PolicyId=guard)["Policy"]["PolicySummary"]["Arn"]
    _, admin = new_user(iam, "scoped", {"Effect": "Allow", "Action": "organizations:*", "Resource": "*"},
                        {"Effect": "Deny", "Action": "organizations:*", "Resource": guard_arn})
    acting = as_creds(server, "organizations", admin)
    denied = error(acting.detach_policy, PolicyId=guard, TargetId=server.account_id)
    assert denied["Code"] == "AccessDeniedException" and guard_arn in denied["Message"]
    assert error(acting.update_policy, PolicyId=guard, Name="renamed")["Code"] == "AccessDeniedException"
    acting.detach_policy(PolicyId=other, TargetId=server.account_id)
    acting.delete_policy(PolicyId=other)
    assert attached(org, server.account_id) == {FULL, guard}
