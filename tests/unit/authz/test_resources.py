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
