"""Organizations policy actions called directly on both store backends: what enforcement relies on
(every change that alters what applies to an account moves its policy generation, in the same
transaction) and the quotas a black-box test cannot reach cheaply (1,000 policies of a type)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from iamd.services.organizations import policy_content
from iamd.services.organizations.errors import ConstraintViolationException
from iamd.services.runtime import Runtime
from iamd.store import org_policies
from iamd.store.errors import AlreadyExists
from iamd.store.schema import accounts

SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"
DOC = '{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}}'


def _generation(runtime: Runtime, account_id: str) -> int:
    with runtime.store.begin() as conn:
        return int(conn.execute(select(accounts.c.generation).where(accounts.c.account_id == account_id)).scalar_one())


@pytest.fixture
def org(invoke: Any) -> dict[str, str]:
    made = invoke("organizations", "CreateOrganization", {"FeatureSet": "ALL"})["Organization"]
    root = invoke("organizations", "ListRoots", {})["Roots"][0]["Id"]
    return {"org_id": made["Id"], "root_id": root}


def _create(invoke: Any, name: str, policy_type: str = SCP, content: str = DOC) -> str:
    out = invoke("organizations", "CreatePolicy", {"Name": name, "Description": "", "Type": policy_type,
                                                   "Content": content})
    return str(out["Policy"]["PolicySummary"]["Id"])


def test_every_enforced_change_moves_the_generation(invoke: Any, runtime: Runtime, account: str,
                                                     org: dict[str, str]) -> None:
    root = org["root_id"]
    steps: list[tuple[str, dict[str, Any]]] = [
        ("EnablePolicyType", {"RootId": root, "PolicyType": SCP}),
        ("AttachPolicy", {"PolicyId": "<pid>", "TargetId": account}),
        ("UpdatePolicy", {"PolicyId": "<pid>", "Content": DOC.replace("iam:*", "s3:*")}),
        ("DetachPolicy", {"PolicyId": "<pid>", "TargetId": account}),
        ("AttachPolicy", {"PolicyId": "<pid>", "TargetId": root}),
        ("DisablePolicyType", {"RootId": root, "PolicyType": SCP}),
        ("EnablePolicyType", {"RootId": root, "PolicyType": RCP}),
    ]
    pid = _create(invoke, "Guard")
    for name, params in steps:
        before = _generation(runtime, account)
        invoke("organizations", name, {k: (pid if v == "<pid>" else v) for k, v in params.items()})
        assert _generation(runtime, account) > before, name
    # A rename of an attached policy changes nothing that is enforced.
    invoke("organizations", "EnablePolicyType", {"RootId": root, "PolicyType": SCP})
    invoke("organizations", "AttachPolicy", {"PolicyId": pid, "TargetId": account})
    before = _generation(runtime, account)
    invoke("organizations", "UpdatePolicy", {"PolicyId": pid, "Name": "Renamed", "Description": "d"})
    assert _generation(runtime, account) == before


def test_policies_per_organization_quota(invoke: Any, org: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(policy_content.MAX_POLICIES, policy_content.SCP, 3)
    for i in range(3):
        _create(invoke, f"p{i}")
    with pytest.raises(ConstraintViolationException) as err:
        _create(invoke, "one-too-many")
    assert err.value.reason == "POLICY_NUMBER_LIMIT_EXCEEDED"
    # Per type, and the AWS managed policies do not count.
    _create(invoke, "an-rcp", RCP, DOC.replace('"Action"', '"Principal": "*", "Action"').replace("iam:*", "s3:*"))
    listed = invoke("organizations", "ListPolicies", {"Filter": SCP})["Policies"]
    assert len(listed) == 4 and sum(p["AwsManaged"] for p in listed) == 1


def test_the_unique_name_is_a_constraint_too(runtime: Runtime, org: dict[str, str], invoke: Any) -> None:
    """Names are checked under the lock; the unique index is the backstop (AlreadyExists, which the
    service maps to ConcurrentModificationException, never a 500)."""
    _create(invoke, "Same")
    with pytest.raises(AlreadyExists), runtime.store.begin() as conn:
        org_policies.insert_policy(conn, org["org_id"], "p-zzzzzzzz", SCP, "SAME", "", DOC, datetime.now(UTC))


def test_managed_policies_are_rows_of_each_organization(runtime: Runtime, org: dict[str, str]) -> None:
    with runtime.store.begin() as conn:
        rows = {r.policy_id: r for r in org_policies.of_type(conn, org["org_id"], SCP)}
        rcps = {r.policy_id: r for r in org_policies.of_type(conn, org["org_id"], RCP)}
    assert rows["p-FullAWSAccess"].aws_managed and rows["p-FullAWSAccess"].content == policy_content.FULL_AWS_ACCESS.content
    assert rcps["p-RCPFullAWSAccess"].aws_managed


def test_every_policy_operation_is_served() -> None:
    from iamd.services.registry import ACTIONS, load_all

    load_all()
    ops = {"CreatePolicy", "UpdatePolicy", "DescribePolicy", "DeletePolicy", "ListPolicies", "AttachPolicy",
           "DetachPolicy", "ListPoliciesForTarget", "ListTargetsForPolicy", "EnablePolicyType", "DisablePolicyType"}
    assert ops <= set(ACTIONS["organizations"])
