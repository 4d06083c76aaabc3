"""The simulator's request members, checked as AWS checks them."""

from __future__ import annotations

import pytest

from iamd.analysis.sim_context import SimulationInputError
from iamd.analysis.sim_inputs import (
    caller_principal,
    check_actions,
    check_resource_handling,
    check_resources,
    parse_entity_arn,
    resource_owner,
)
from iamd.policy import PrincipalType


def test_entity_arns() -> None:
    assert parse_entity_arn("arn:aws:iam::123456789012:user/division/alice") == ("user", "123456789012", "/division/", "alice")
    assert parse_entity_arn("arn:aws:iam::123456789012:group/devs") == ("group", "123456789012", "/", "devs")
    assert parse_entity_arn("arn:aws:sts::123456789012:assumed-role/app/sess") == ("role", "123456789012", None, "app")
    for bad in ["arn:aws:iam::123456789012:policy/p", "arn:aws:iam::12345678901:user/a", "arn:aws:iam::123456789012:user/",
                "arn:aws:sts::123456789012:federated-user/bob", "arn:aws:iam::123456789012:user/a b"]:
        with pytest.raises(SimulationInputError, match="does not clearly define entity type and name"):
            parse_entity_arn(bad)
    with pytest.raises(SimulationInputError):
        parse_entity_arn("arn:aws:sts::123456789012:assumed-role/app/sess", sessions=False)


def test_callers() -> None:
    user = caller_principal("arn:aws:iam::123456789012:user/bob", None)
    assert (user.type, user.account) == (PrincipalType.USER, "123456789012")
    role = caller_principal("arn:aws:iam::123456789012:role/r", None)
    assert (role.type, role.source_arn) == (PrincipalType.ROLE_SESSION, "arn:aws:iam::123456789012:role/r")
    with pytest.raises(SimulationInputError, match="Caller must be an IAM user"):
        caller_principal("arn:aws:iam::123456789012:role/r", "Invalid caller - Caller must be an IAM user in this context.")


def test_resource_owner() -> None:
    assert resource_owner(None) is None
    assert resource_owner("123456789012") == "123456789012"
    assert resource_owner("arn:aws:iam::123456789012:root") == "123456789012"
    with pytest.raises(SimulationInputError, match="'1234' is not a valid as a Resource Owner."):
        resource_owner("1234")


def test_actions_and_resources() -> None:
    check_actions(["s3:GetObject", "iam:*", "ec2:Describe*"])
    for bad in [[], ["GetObject"], ["s3:"], ["s3:Get Object"], [f"s3:A{i}" for i in range(1001)]]:
        with pytest.raises(SimulationInputError):
            check_actions(bad)
    check_resources(["*", "arn:aws:s3:::b/k", "arn:aws:ec2:us-east-1:123456789012:instance/i-1"])
    for bad_resources in [["b"], ["arn:aws:s3"], ["*"] * 1001]:
        with pytest.raises(SimulationInputError):
            check_resources(bad_resources)


def test_resource_handling_options() -> None:
    base = ["arn:aws:ec2:us-east-1:123456789012:instance/i", "arn:aws:ec2:us-east-1::image/ami",
            "arn:aws:ec2:us-east-1:123456789012:security-group/sg"]
    check_resource_handling(None, [])
    check_resource_handling("EC2-Classic-InstanceStore", base)
    with pytest.raises(SimulationInputError, match="missing: volume"):
        check_resource_handling("EC2-Classic-EBS", base)
    with pytest.raises(SimulationInputError, match="Invalid ResourceHandlingOption"):
        check_resource_handling("EC2-Anything", base)
