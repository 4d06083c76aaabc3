"""What a SigV4 credential scope may name: a region that exists, and a service this endpoint serves.

AWS refuses a scope whose region does not exist (``Credential should be scoped to a valid region,
not 'zz-fake-9'.``, SignatureDoesNotMatch): a signature over an invented region is not one any
SDK makes by mistake and must not authenticate. The regions are every partition's in botocore's
``endpoints.json`` and ``partitions.json`` (so the list moves with botocore), without the
``aws-global``-style pseudo-regions, which AWS refuses too. A private cloud that names its own
regions lists them in ``--extra-regions`` (``IAMD_EXTRA_REGIONS``).

A scope naming a service iamd does not serve is AWS's answer to a request signed for the wrong
service: ``Credential should be scoped to correct service: 'iam'.`` (SignatureDoesNotMatch), in
the protocol of the service the request was meant for (``api/protocols.intended_service``).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from botocore.loaders import Loader

from iamd.errors import SignatureDoesNotMatch

__all__ = ["RegionCheck", "aws_regions", "wrong_service"]


@cache
def aws_regions() -> frozenset[str]:
    loader = Loader()
    found: set[str] = set()
    for data, key in ((loader.load_data("endpoints"), "partitions"), (loader.load_data("partitions"), "partitions")):
        for partition in data[key]:
            found.update(partition["regions"])
    return frozenset(r for r in found if not r.endswith("-global"))


class RegionCheck:
    """``check(region)`` raises AWS's error for a region that is neither AWS's nor configured."""

    def __init__(self, extra: Iterable[str] = ()) -> None:
        self.regions = aws_regions() | frozenset(extra)

    def check(self, region: str) -> None:
        if region not in self.regions:
            raise SignatureDoesNotMatch(f"Credential should be scoped to a valid region, not '{region}'. ")


def wrong_service(expected: str) -> SignatureDoesNotMatch:
    return SignatureDoesNotMatch(f"Credential should be scoped to correct service: '{expected}'. ")
