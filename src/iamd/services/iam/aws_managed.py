"""AWS-managed policies (``arn:aws:iam::aws:policy/...``): read-only data shared by every account.

The catalogue (over 1,500 documents) ships as ``iamd/data/aws_managed_policies.json.gz``, made by
``tools/gen_aws_managed_policies.py``. It loads on first use so that start-up stays fast. Policy ids
are derived from the name so that they are stable across servers and restarts.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources

PREFIX = "arn:aws:iam::aws:policy"


@dataclass(frozen=True)
class AwsPolicy:
    name: str
    path: str
    arn: str
    policy_id: str
    default_version: str
    created: datetime
    updated: datetime
    document: str

    @property
    def name_lower(self) -> str:
        return self.name.lower()


def _policy_id(name: str) -> str:
    digest = base64.b32encode(hashlib.sha256(name.encode()).digest()).decode()
    return "ANPA" + digest[:17]


@cache
def catalogue() -> dict[str, AwsPolicy]:
    raw = resources.files("iamd.data").joinpath("aws_managed_policies.json.gz").read_bytes()
    data = json.loads(gzip.decompress(raw))
    out: dict[str, AwsPolicy] = {}
    for p in data["policies"]:
        arn = f"{PREFIX}{p['path']}{p['name']}"
        out[arn] = AwsPolicy(
            name=p["name"],
            path=p["path"],
            arn=arn,
            policy_id=_policy_id(p["name"]),
            default_version=p["default_version"],
            created=datetime.fromisoformat(p["created"]),
            updated=datetime.fromisoformat(p["updated"]),
            document=p["document"],
        )
    return out


@cache
def sorted_by_name() -> list[AwsPolicy]:
    return sorted(catalogue().values(), key=lambda p: p.name_lower)


def get(arn: str) -> AwsPolicy | None:
    if not arn.startswith(PREFIX):
        return None
    return catalogue().get(arn)


def is_aws_managed(arn: str) -> bool:
    return arn.startswith(PREFIX)
