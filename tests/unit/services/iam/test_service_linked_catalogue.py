"""The service-linked role catalogue names roles and policies that exist, as AWS spells them."""

from __future__ import annotations

import re

import pytest

from iamd.services.iam import aws_managed
from iamd.services.iam.service_linked_catalogue import LINKED_ROLES
from iamd.services.iam.service_linked_names import MAX_ROLE_NAME


@pytest.mark.parametrize("service", sorted(LINKED_ROLES))
def test_each_policy_is_a_service_role_policy_of_the_catalogue(service: str) -> None:
    entry = LINKED_ROLES[service]
    assert entry.policies
    for name in entry.policies:
        policy = aws_managed.get(f"{aws_managed.PREFIX}/aws-service-role/{name}")
        assert policy is not None, name
        assert policy.path == "/aws-service-role/"


@pytest.mark.parametrize("service", sorted(LINKED_ROLES))
def test_each_name_is_a_role_name(service: str) -> None:
    assert re.fullmatch(r"[\w+=,.@-]+\.amazonaws\.com", service)
    name = LINKED_ROLES[service].role_name
    assert name.startswith("AWSServiceRoleFor") and len(name) <= MAX_ROLE_NAME
    assert re.fullmatch(r"[\w+=,.@-]+", name)


def test_role_names_are_unique() -> None:
    names = [e.role_name.lower() for e in LINKED_ROLES.values()]
    assert len(names) == len(set(names))


def test_the_suffix_services() -> None:
    assert sorted(s for s, e in LINKED_ROLES.items() if e.suffix) == [
        "autoscaling.amazonaws.com", "connect.amazonaws.com", "lexv2.amazonaws.com",
    ]
