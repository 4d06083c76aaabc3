"""The context-key actions called directly (authorization is the authorizer's, tested
functionally): which ARNs name a source, which documents count, AWS's errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from services_helpers import TRUST

from iamd.services.iam.errors import InvalidInput, NoSuchEntity


def _doc(**condition: Any) -> str:
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": condition}]}
    )


def _keys(invoke: Any, arn: str, extra: list[str] | None = None) -> list[str]:
    params: dict[str, Any] = {"PolicySourceArn": arn}
    if extra is not None:
        params["PolicyInputList"] = extra
    return list(invoke("iam", "GetContextKeysForPrincipalPolicy", params)["ContextKeyNames"])


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::123456789012:policy/p",
        "arn:aws:iam::123456789012:user/",
        "arn:aws:iam::12345678901:user/bob",
        "arn:aws:iam::123456789012:root",
        "arn:aws:sts::123456789012:federated-user/bob",
        "arn:aws:sts::123456789012:assumed-role/r",
        "arn:aws:iam::123456789012:user/bad name",
        "*",
    ],
)
def test_what_is_not_an_entity_arn_is_invalid_input(invoke: Any, arn: str) -> None:
    with pytest.raises(InvalidInput, match="does not clearly define entity type and name"):
        _keys(invoke, arn)


def test_another_accounts_entity_is_not_looked_up(invoke: Any, account: str) -> None:
    invoke("iam", "CreateUser", {"UserName": "bob"})
    assert _keys(invoke, f"arn:aws:iam::{account}:user/bob") == []
    other = "999999999999" if account != "999999999999" else "888888888888"
    with pytest.raises(NoSuchEntity):
        _keys(invoke, f"arn:aws:iam::{other}:user/bob")


def test_a_role_session_is_its_role_and_a_path_must_match(invoke: Any, account: str) -> None:
    invoke("iam", "CreateRole", {"RoleName": "r", "Path": "/svc/", "AssumeRolePolicyDocument": TRUST})
    invoke("iam", "PutRolePolicy", {"RoleName": "r", "PolicyName": "p", "PolicyDocument": _doc(Bool={"aws:ViaAWSService": "true"})})
    assert _keys(invoke, f"arn:aws:iam::{account}:role/svc/r") == ["aws:ViaAWSService"]
    assert _keys(invoke, f"arn:aws:sts::{account}:assumed-role/r/session") == ["aws:ViaAWSService"]
    with pytest.raises(NoSuchEntity, match="The role with name r cannot be found."):
        _keys(invoke, f"arn:aws:iam::{account}:role/r")


def test_the_boundary_counts_and_a_key_spelt_again_is_listed_once(invoke: Any, account: str) -> None:
    arn = invoke("iam", "CreatePolicy", {"PolicyName": "b", "PolicyDocument": _doc(Bool={"aws:SecureTransport": "true"})})
    invoke("iam", "CreateUser", {"UserName": "u", "PermissionsBoundary": arn["Policy"]["Arn"]})
    assert _keys(invoke, f"arn:aws:iam::{account}:user/u") == ["aws:SecureTransport"]
    assert _keys(invoke, f"arn:aws:iam::{account}:user/u", [_doc(Bool={"AWS:SECURETRANSPORT": "false"})]) == [
        "aws:SecureTransport"
    ]


def test_custom_policy_documents_errors_are_invalid_input(invoke: Any) -> None:
    with pytest.raises(InvalidInput):
        invoke("iam", "GetContextKeysForCustomPolicy", {"PolicyInputList": ['{"Version": "2012-10-17"}']})
    principal = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]})  # fmt: skip
    with pytest.raises(InvalidInput):
        invoke("iam", "GetContextKeysForCustomPolicy", {"PolicyInputList": [principal]})
    assert invoke("iam", "GetContextKeysForCustomPolicy", {"PolicyInputList": []}) == {"ContextKeyNames": []}
