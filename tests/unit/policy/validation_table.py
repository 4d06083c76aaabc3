"""The validation table (cases/validation.yaml) as data any test can run against any validator.

The unit test runs it against ``parse_policy``; the functional test against a real server's
CreatePolicy, PutUserPolicy, CreateRole and PutRolePermissionsBoundary; the simulator's tests can
run it against SimulateCustomPolicy::

    from validation_table import load_validation_cases
    for case in load_validation_cases(types={"identity"}):
        case.text, case.policy_type, case.error   # error is None when AWS accepts the document
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from iamd.policy import PolicyType

TABLE = Path(__file__).parent / "cases" / "validation.yaml"
KINDS = ("identity", "trust", "boundary", "session", "resource", "scp", "rcp")


@dataclass(frozen=True)
class ValidationCase:
    name: str
    kind: str
    text: str
    error: str | None
    source: str

    @property
    def policy_type(self) -> PolicyType:
        return PolicyType(self.kind)

    @property
    def valid(self) -> bool:
        return self.error is None

    @property
    def code(self) -> str | None:
        return None if self.error is None else "MalformedPolicyDocument"


def load_validation_cases(types: Iterable[str] | None = None, path: Path = TABLE) -> list[ValidationCase]:
    """Every case of the table (or of the given kinds), documents already serialised to text."""
    wanted = set(types) if types is not None else set(KINDS)
    out = []
    for raw in yaml.safe_load(path.read_text()):
        text = raw["text"] if "text" in raw else json.dumps(raw["document"])
        case = ValidationCase(raw["name"], raw["type"], text, raw.get("error"), raw["source"])
        if case.kind in wanted:
            out.append(case)
    return out
