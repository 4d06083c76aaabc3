"""The organization's resource policy content rules, as the model's InvalidInputException reasons
name them (``check_content``), without a server."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

from iamd.services.organizations.errors import InvalidInputException
from iamd.services.organizations.resource_policy import check_content

ORG: Any = SimpleNamespace(management_account_id="111111111111", org_id="o-abcdefghij")


def policy(**statement: Any) -> str:
    base = {"Effect": "Allow", "Principal": {"AWS": "222222222222"}, "Action": "organizations:List*", "Resource": "*"}
    return json.dumps({"Version": "2012-10-17", "Statement": [base | statement]})


@pytest.mark.parametrize("statement", [
    {},
    {"Principal": {"AWS": ["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:role/ops"]}},
    {"Action": ["organizations:DescribePolicy", "ORGANIZATIONS:listpolicies"]},
    {"Resource": ["arn:aws:organizations::111111111111:policy/o-abcdefghij/*", "*"]},
    {"Effect": "Deny"},
])
def test_accepted(statement: dict[str, Any]) -> None:
    check_content(ORG, policy(**statement))


@pytest.mark.parametrize(("statement", "reason"), [
    ({"Principal": "*"}, "INVALID_PRINCIPAL"),
    ({"Principal": {"AWS": "*"}}, "INVALID_PRINCIPAL"),
    ({"Principal": {"AWS": "222222222222", "Service": "ec2.amazonaws.com"}}, "INVALID_PRINCIPAL"),
    ({"Principal": {"Federated": "cognito-identity.amazonaws.com"}}, "INVALID_PRINCIPAL"),
    # A group is no principal in IAM's grammar at all: the document is not a resource policy.
    ({"Principal": {"AWS": "arn:aws:iam::222222222222:group/admins"}}, "INVALID_RESOURCE_POLICY_JSON"),
    ({"Action": ["organizations:List*", "iam:CreateUser"]}, "UNSUPPORTED_ACTION_IN_RESOURCE_POLICY"),
    ({"Action": "*"}, "UNSUPPORTED_ACTION_IN_RESOURCE_POLICY"),
    ({"Resource": "arn:aws:organizations::999999999999:policy/o-zzzzzzzzzz/*"},
     "UNSUPPORTED_RESOURCE_IN_RESOURCE_POLICY"),
    ({"Resource": "arn:aws:s3:::bucket"}, "UNSUPPORTED_RESOURCE_IN_RESOURCE_POLICY"),
])
def test_refused(statement: dict[str, Any], reason: str) -> None:
    with pytest.raises(InvalidInputException) as err:
        check_content(ORG, policy(**statement))
    assert err.value.reason == reason


@pytest.mark.parametrize("content", ["", "{", "[]", json.dumps({"Statement": []}),
                                     json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                                                 "Action": "organizations:List*", "Resource": "*"}]})])
def test_not_a_resource_policy(content: str) -> None:
    with pytest.raises(InvalidInputException) as err:
        check_content(ORG, content)
    assert err.value.reason == "INVALID_RESOURCE_POLICY_JSON"


def test_not_action_and_not_resource_are_refused() -> None:
    base = json.loads(policy())
    statement = base["Statement"][0]
    for swap, reason in (("Action", "UNSUPPORTED_ACTION_IN_RESOURCE_POLICY"),
                         ("Resource", "UNSUPPORTED_RESOURCE_IN_RESOURCE_POLICY")):
        changed = dict(statement)
        changed["Not" + swap] = changed.pop(swap)
        with pytest.raises(InvalidInputException) as err:
            check_content(ORG, json.dumps(base | {"Statement": [changed]}))
        assert err.value.reason == reason
