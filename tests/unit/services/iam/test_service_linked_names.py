"""Service-linked role names, paths, ARNs and deletion task ids."""

from __future__ import annotations

import pytest

from iamd.services.iam.service_linked_names import is_role_of, parse_task_id, role_arn, task_id


def test_role_arn_is_the_path_and_name_the_role_gets() -> None:
    assert role_arn("123456789012", "ecs.amazonaws.com", "x") == (
        "arn:aws:iam::123456789012:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS_x"
    )


def test_task_ids_round_trip() -> None:
    task = task_id("ecs.amazonaws.com", "AWSServiceRoleForECS", "0f1e")
    assert parse_task_id(task) == ("ecs.amazonaws.com", "AWSServiceRoleForECS", "0f1e")


@pytest.mark.parametrize(
    ("service", "role", "expected"),
    [
        ("ecs.amazonaws.com", "AWSServiceRoleForECS", True),
        ("ecs.amazonaws.com", "AWSServiceRoleForECS_web", True),
        ("ecs.amazonaws.com", "AWSServiceRoleForECSx", False),
        ("backup.amazonaws.com", "AWSServiceRoleForECS", False),
    ],
)
def test_is_role_of(service: str, role: str, expected: bool) -> None:
    assert is_role_of(service, role) is expected
