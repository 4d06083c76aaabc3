"""The validation table (tests/unit/policy/cases/validation.yaml) against a real server.

Each kind goes where AWS validates it: identity documents to CreatePolicy and PutUserPolicy,
trust documents to CreateRole and UpdateAssumeRolePolicy, boundaries to CreatePolicy (a boundary
is a managed policy; PutRolePermissionsBoundary takes its ARN, and must then accept it), session
documents to GetFederationToken's Policy. Resource policies and SCPs have no API in iamd yet;
the unit table covers them. A refused document must leave nothing behind.

One test per kind, reporting every mismatch at once (a reset per document would be slow).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from functional_helpers import error
from validation_table import ValidationCase, load_validation_cases

from iamd.testing import IamdServer

TRUST = json.dumps(
    {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                            "Action": "sts:AssumeRole"}}
)  # fmt: skip


def verdict(fn: Callable[..., Any], **kwargs: Any) -> tuple[str, str] | None:
    """None when the call succeeds, else (code, message)."""
    try:
        fn(**kwargs)
    except Exception:  # noqa: BLE001 - error() below re-raises anything that is not a ClientError
        err = error(fn, **kwargs)
        return str(err["Code"]), str(err["Message"])
    return None


def expected(case: ValidationCase) -> tuple[str, str] | None:
    return None if case.error is None else ("MalformedPolicyDocument", case.error)


def mismatches(cases: list[ValidationCase], call: Callable[[int, ValidationCase], tuple[str, str] | None]) -> list:
    out = []
    for i, case in enumerate(cases):
        got = call(i, case)
        if got != expected(case):
            out.append((case.name, expected(case), got))
    return out


def test_identity_documents_on_create_policy_and_put_user_policy(iam: Any) -> None:
    cases = load_validation_cases({"identity"})
    iam.create_user(UserName="table")

    def create_policy(i: int, case: ValidationCase) -> tuple[str, str] | None:
        return verdict(iam.create_policy, PolicyName=f"p{i}", PolicyDocument=case.text)

    def put_user_policy(i: int, case: ValidationCase) -> tuple[str, str] | None:
        got = verdict(iam.put_user_policy, UserName="table", PolicyName=f"p{i}", PolicyDocument=case.text)
        if got is None:  # a user's inline policies share 2,048 characters: keep one at a time
            assert iam.get_user_policy(UserName="table", PolicyName=f"p{i}")["PolicyDocument"]
            iam.delete_user_policy(UserName="table", PolicyName=f"p{i}")
        else:
            assert iam.list_user_policies(UserName="table")["PolicyNames"] == []
        return got

    assert mismatches(cases, create_policy) == []
    assert mismatches(cases, put_user_policy) == []
    assert len(iam.list_policies(Scope="Local", MaxItems=1000)["Policies"]) == sum(c.valid for c in cases)


def test_trust_documents_on_create_role_and_update_assume_role_policy(iam: Any) -> None:
    cases = load_validation_cases({"trust"})
    iam.create_role(RoleName="holder", AssumeRolePolicyDocument=TRUST)

    def create_role(i: int, case: ValidationCase) -> tuple[str, str] | None:
        return verdict(iam.create_role, RoleName=f"r{i}", AssumeRolePolicyDocument=case.text)

    def update(i: int, case: ValidationCase) -> tuple[str, str] | None:
        return verdict(iam.update_assume_role_policy, RoleName="holder", PolicyDocument=case.text)

    assert mismatches(cases, create_role) == []
    assert mismatches(cases, update) == []
    assert len(iam.list_roles()["Roles"]) == 1 + sum(c.valid for c in cases)


def test_boundary_documents_on_create_policy_then_put_role_permissions_boundary(iam: Any, server: IamdServer) -> None:
    cases = load_validation_cases({"boundary"})
    iam.create_role(RoleName="bounded", AssumeRolePolicyDocument=TRUST)

    def create_and_attach(i: int, case: ValidationCase) -> tuple[str, str] | None:
        got = verdict(iam.create_policy, PolicyName=f"b{i}", PolicyDocument=case.text)
        if got is None:
            arn = f"arn:aws:iam::{server.account_id}:policy/b{i}"
            iam.put_role_permissions_boundary(RoleName="bounded", PermissionsBoundary=arn)
            assert iam.get_role(RoleName="bounded")["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == arn
        return got

    assert mismatches(cases, create_and_attach) == []


def test_session_documents_on_get_federation_token(sts: Any) -> None:
    cases = load_validation_cases({"session"})

    def federate(i: int, case: ValidationCase) -> tuple[str, str] | None:
        return verdict(sts.get_federation_token, Name=f"fed{i}", Policy=case.text)

    assert mismatches(cases, federate) == []
