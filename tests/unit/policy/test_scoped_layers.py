"""GetScopedCredentials' scope-down layers: each one more intersection, for every session kind —
GetSessionToken's user sessions too, which session policies never bind."""

from __future__ import annotations

import pytest
from policy_helpers import PRINCIPALS, policy

from iamd.policy import Context, PolicySet, PolicyType, Request

ANY = {"Effect": "Allow", "Action": "*", "Resource": "*"}
S3 = {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
GET = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
DENY_GET = {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}


def decide(principal: str, action: str, *layers: list[dict[str, str]], identity: dict[str, str] = ANY) -> str:
    ps = PolicySet(
        identity=[policy([identity], PolicyType.IDENTITY, "id")],
        scoped=[[policy(layer, PolicyType.SESSION, f"scope{i}")] if layer else [] for i, layer in enumerate(layers)],
    )
    request = Request(PRINCIPALS[principal], action, "arn:aws:s3:::b/k", Context({}), resource_account="111111111111")
    return str(ps.evaluate(request).effect)


@pytest.mark.parametrize("principal", ["alice", "sess", "fed"])
def test_every_layer_must_allow(principal: str) -> None:
    # A federated user with no session policy has no permissions at all, whatever the layers say.
    allowed = "Allow" if principal != "fed" else "ImplicitDeny"
    assert decide(principal, "s3:GetObject", [S3], [GET]) == allowed
    assert decide(principal, "s3:PutObject", [S3], [GET]) == "ImplicitDeny"
    assert decide(principal, "iam:ListUsers", [S3]) == "ImplicitDeny"
    assert decide(principal, "s3:GetObject", [S3], []) == "ImplicitDeny"  # an empty layer allows nothing


def test_a_layer_cannot_widen_and_its_denies_win() -> None:
    assert decide("sess", "s3:PutObject", [ANY], identity=GET) == "ImplicitDeny"
    assert decide("sess", "s3:GetObject", [ANY, DENY_GET]) == "ExplicitDeny"


def test_no_layers_change_nothing() -> None:
    assert decide("alice", "iam:ListUsers") == "Allow"
