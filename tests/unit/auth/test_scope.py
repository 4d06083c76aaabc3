"""Regions a credential scope may name: botocore's, without pseudo-regions, plus configured ones."""

from __future__ import annotations

import pytest

from iamd.auth.scope import RegionCheck, aws_regions
from iamd.errors import SignatureDoesNotMatch


def test_aws_regions_come_from_botocore() -> None:
    regions = aws_regions()
    assert {"us-east-1", "eu-west-1", "cn-north-1", "us-gov-west-1", "us-isob-east-1"} <= regions
    assert not any(r.endswith("-global") for r in regions)


@pytest.mark.parametrize("region", ["zz-fake-9", "aws-global", "US-EAST-1", "us-east-1a", "local"])
def test_unknown_regions_are_refused(region: str) -> None:
    with pytest.raises(SignatureDoesNotMatch, match=f"^Credential should be scoped to a valid region, not '{region}'. $"):
        RegionCheck().check(region)


def test_configured_regions_are_accepted() -> None:
    check = RegionCheck(["local"])
    check.check("local")
    check.check("us-west-2")
