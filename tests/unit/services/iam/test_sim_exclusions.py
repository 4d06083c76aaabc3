"""PolicyExclusionList over the labels authz.policy_sets gives an entity's policies."""

from __future__ import annotations

import json
from typing import Any

import pytest

from iamd.analysis.sim_context import SimulationInputError
from iamd.policy import Policy, PolicyType, parse_policy
from iamd.services.iam.sim_exclusions import apply

DOC = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
LABELS = ["user/alice/own", "group/devs/shared", "arn:aws:iam::aws:policy/ReadOnlyAccess",
          "arn:aws:iam::123456789012:policy/team/ec2-start", "arn:aws:iam::123456789012:policy/ec2-stop"]


def policies() -> tuple[list[Policy], Policy]:
    identity = [parse_policy(DOC, PolicyType.IDENTITY, policy_id=label) for label in LABELS]
    return identity, parse_policy(DOC, PolicyType.BOUNDARY, policy_id="arn:aws:iam::123456789012:policy/boundary")


@pytest.mark.parametrize(("identifiers", "kept", "boundary_kept"), [
    ([], LABELS, True),
    ([{"PolicyType": "inline"}], LABELS[2:], True),
    ([{"PolicyType": "aws-managed"}], LABELS[:2] + LABELS[3:], True),
    ([{"PolicyType": "user-managed"}], LABELS[:3], True),
    ([{"PolicyType": "permission-boundary"}], LABELS, False),
    ([{"PolicyType": "scp"}, {"PolicyType": "rcp"}], LABELS, True),
    ([{"PolicyArn": "arn:aws:iam::123456789012:policy/*ec2-sto?"}], LABELS[:4], True),
    ([{"PolicyArn": "arn:aws:iam::123456789012:policy/boundary"}], LABELS, False),
    ([{"InlinePolicyIdentifier": {"PolicyName": "shared", "AttachmentType": "group", "AttachmentName": "d*"}}],
     [LABELS[0], *LABELS[2:]], True),
    ([{"InlinePolicyIdentifier": {"PolicyName": "shared", "AttachmentType": "user", "AttachmentName": "devs"}}], LABELS, True),
])
def test_exclusions(identifiers: list[dict[str, Any]], kept: list[str], boundary_kept: bool) -> None:
    identity, boundary = policies()
    out, left = apply(identifiers, identity, boundary)
    assert [p.policy_id for p in out] == kept
    assert (left is not None) is boundary_kept


@pytest.mark.parametrize("identifier", [
    {"PolicyType": "bogus"},
    {"PolicyArn": "arn:aws:iam::123456789012:policy/a*b*"},
    {"PolicyArn": "arn:aws:s3:::bucket"},
    {"PolicyType": "inline", "PolicyArn": "arn:aws:iam::aws:policy/X"},
    {},
    {"InlinePolicyIdentifier": {"PolicyName": "p", "AttachmentType": "bucket", "AttachmentName": "x"}},
])
def test_invalid_identifiers(identifier: dict[str, Any]) -> None:
    identity, boundary = policies()
    with pytest.raises(SimulationInputError):
        apply([identifier], identity, boundary)
