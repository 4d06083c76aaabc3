"""Resources of a request as AWS authorizes them."""

from __future__ import annotations

import pytest

from iamd.auth.caller import Caller
from iamd.authz.resources import resolve

ALICE = Caller("123456789012", "arn:aws:iam::123456789012:user/alice", "AIDAEXAMPLE", "user", "AKIAEXAMPLE", "alice")


@pytest.mark.parametrize(
    ("action", "params", "arn"),
    [
        # AWS: "… is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::ID:user/"
        ("iam:ListUsers", {}, "arn:aws:iam::123456789012:user/"),
        ("iam:ListRoles", {"PathPrefix": "/aws-service-role/"}, "arn:aws:iam::123456789012:role/aws-service-role/"),
        ("iam:listgroups", {}, "arn:aws:iam::123456789012:group/"),
        ("iam:ListInstanceProfiles", {}, "arn:aws:iam::123456789012:instance-profile/"),
    ],
)
def test_path_listings_are_authorized_on_the_listed_path(action: str, params: dict[str, str], arn: str) -> None:
    [resource] = resolve(None, ALICE, action, params)  # type: ignore[arg-type]
    assert (resource.arn, resource.account_id) == (arn, "123456789012")


def test_actions_without_a_resource_type_take_any() -> None:
    [resource] = resolve(None, ALICE, "iam:GetAccountSummary", {})  # type: ignore[arg-type]
    assert resource.arn == "*"


SLR = "arn:aws:iam::123456789012:role/aws-service-role/"


@pytest.mark.parametrize(
    ("action", "params", "arn"),
    [
        # The role the action will create, named as the action names it.
        ("iam:CreateServiceLinkedRole", {"AWSServiceName": "ecs.amazonaws.com"}, SLR + "ecs.amazonaws.com/AWSServiceRoleForECS"),
        (
            "iam:CreateServiceLinkedRole",
            {"AWSServiceName": "autoscaling.amazonaws.com", "CustomSuffix": "web"},
            SLR + "autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_web",
        ),
        # The role a deletion task deleted, from the task id.
        (
            "iam:GetServiceLinkedRoleDeletionStatus",
            {"DeletionTaskId": "task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/0f1e"},
            SLR + "ecs.amazonaws.com/AWSServiceRoleForECS",
        ),
        ("iam:GetServiceLinkedRoleDeletionStatus", {"DeletionTaskId": "nonsense"}, "*"),
        # Every user's credentials: a listing of the users under /.
        ("iam:ListServiceSpecificCredentials", {"AllUsers": True}, "arn:aws:iam::123456789012:user/"),
    ],
)
def test_derived_resources(action: str, params: dict[str, object], arn: str) -> None:
    [resource] = resolve(None, ALICE, action, params)  # type: ignore[arg-type]
    assert resource.arn == arn


def test_create_service_linked_role_without_a_service_falls_back_to_the_members() -> None:
    [resource] = resolve(None, ALICE, "iam:CreateServiceLinkedRole", {})  # type: ignore[arg-type]
    assert resource.arn == "*"


ROOT = Caller("123456789012", "arn:aws:iam::123456789012:root", "123456789012", "root", "ASIAEXAMPLE")


@pytest.mark.parametrize(
    ("target", "arn"),
    [
        ("111122223333", "arn:aws:iam::111122223333:root"),
        ("arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:root"),
        ("not-an-account", "not-an-account"),
    ],
)
def test_assume_root_is_authorized_on_the_target_s_root_user(target: str, arn: str) -> None:
    """The SAR's root-user resource; no account, so no cross-account grant is asked of the member
    (its root user has no resource-based policy)."""
    [resource] = resolve(None, ALICE, "sts:AssumeRoot", {"TargetPrincipal": target})  # type: ignore[arg-type]
    assert (resource.arn, resource.account_id) == (arn, None)


@pytest.mark.parametrize("action", ["iam:ListAccessKeys", "iam:DeleteAccessKey", "iam:GetUser", "iam:ListMFADevices"])
def test_root_acting_on_its_own_credentials_is_the_root_user(action: str) -> None:
    """What the root-task policies' ``NotResource: arn:aws:iam::*:root`` needs to see."""
    [resource] = resolve(None, ROOT, action, {"AccessKeyId": "AKIAEXAMPLE"})  # type: ignore[arg-type]
    assert (resource.arn, resource.account_id) == ("arn:aws:iam::123456789012:root", "123456789012")
