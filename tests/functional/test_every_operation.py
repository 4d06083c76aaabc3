"""Every operation of the models iamd serves answers something other than NotImplemented.

The walk sends each operation of botocore's ``iam``, ``sts``, ``organizations``, ``cloudtrail``
and ``accessanalyzer`` models, and of the model of iamd's own ``iamd`` service, to a real server, signed as the account's root user, with the
smallest input the model accepts (required members only, each given a value that meets its
length, range, enum and pattern constraints). Any answer is fine — a result, an AWS error about
the made-up names, a refusal — except those that mean iamd has nothing behind the operation or
broke on it: ``NotImplemented`` (HTTP 501), an unknown service or operation, a signature refused
for naming a service iamd does not serve, and an internal failure (HTTP 500).

The server is reset before every test, so what the walk creates or deletes stays in its test.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.model import OperationModel, Shape

from iamd.api.operations import load_model
from iamd.testing import IamdServer

SERVICES = ("iam", "sts", "organizations", "cloudtrail", "accessanalyzer", "iamd")

# Answers that mean the request never reached an action: nothing behind the operation, a service
# or an operation the endpoint does not know, or a signature refused for naming another service.
NOTHING_BEHIND = frozenset(
    {"NotImplemented", "UnknownService", "UnknownOperationException", "InvalidAction", "SignatureDoesNotMatch"}
)

# Values tried, in order, for a string member with a pattern; the first that fits is sent.
_CANDIDATES = (
    "walker",
    "arn:aws:iam::123456789012:role/walker",
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "123456789012",
    "r-walk",
    "ou-walk-walker01",
    "p-walker01",
    "o-walker0001",
    "h-walker0001",
    "car-walker0001",
    "/",
    "us-east-1",
    "2012-10-17",
    "a" * 16,
    "A" * 20,
    "0" * 40,
    "walker@example.com",
)


def _string(shape: Shape) -> str:
    enum = shape.metadata.get("enum")
    if enum:
        return str(enum[0])
    low = int(shape.metadata.get("min", 1))
    high = int(shape.metadata.get("max", 10_000))
    pattern = shape.metadata.get("pattern")
    for value in _CANDIDATES:
        value = value * max(1, -(-low // len(value)))
        value = value[: max(low, min(high, len(value)))]
        if not low <= len(value) <= high:
            continue
        if pattern is None or _fits(pattern, value):
            return value
    if pattern is not None:
        return _from_regex(pattern, low, high)
    return "w" * max(1, low)


def _fits(pattern: str, value: str) -> bool:
    try:
        return re.fullmatch(pattern, value) is not None
    except re.error:
        return True


def _from_regex(pattern: str, low: int, high: int) -> str:
    """A string that fits ``pattern`` (Hypothesis draws it; botocore patterns are Java regexes
    that Python's engine reads)."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    found: list[str] = []

    @settings(max_examples=200, database=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(st.from_regex(pattern, fullmatch=True))
    def draw(value: str) -> None:
        if not found and low <= len(value) <= high:
            found.append(value)

    draw()
    return found[0] if found else "w" * max(1, low)


def minimal(shape: Shape, depth: int = 0) -> Any:
    """The smallest value of ``shape`` that the model's constraints accept."""
    kind = shape.type_name
    if kind == "structure":
        members: dict[str, Shape] = shape.members  # type: ignore[attr-defined]
        required = shape.required_members  # type: ignore[attr-defined]
        if shape.metadata.get("union") and members and not required:
            name = next(iter(members))
            return {name: minimal(members[name], depth + 1)}
        return {name: minimal(members[name], depth + 1) for name in required}
    if kind == "list":
        count = int(shape.metadata.get("min", 0))
        member: Shape = shape.member  # type: ignore[attr-defined]
        return [minimal(member, depth + 1) for _ in range(count)]
    if kind == "map":
        return {}
    if kind == "string":
        return _string(shape)
    if kind in ("integer", "long"):
        return int(shape.metadata.get("min", 1))
    if kind in ("float", "double"):
        return float(shape.metadata.get("min", 1))
    if kind == "boolean":
        return False
    if kind == "timestamp":
        return "2026-01-01T00:00:00Z"
    if kind == "blob":
        return b"walker"
    raise AssertionError(f"no minimal value for shape type {kind}")


def _inputs(op: OperationModel) -> dict[str, Any]:
    return minimal(op.input_shape) if op.input_shape is not None else {}


def _cases() -> list[tuple[str, str]]:
    return [(svc, name) for svc in SERVICES for name in load_model(svc).operation_names]


def test_the_walk_covers_every_operation_of_the_five_models() -> None:
    counts = {svc: len(load_model(svc).operation_names) for svc in SERVICES}
    assert counts["iam"] >= 170 and counts["sts"] >= 10 and counts["accessanalyzer"] >= 30, counts
    assert len(_cases()) == sum(counts.values())


@pytest.mark.parametrize("service", SERVICES)
def test_no_operation_answers_not_implemented(server: IamdServer, service: str) -> None:
    client = server.client(
        service,
        config=Config(parameter_validation=False, retries={"max_attempts": 1, "mode": "standard"}),
    )
    model = load_model(service)
    methods = {api: snake for snake, api in client.meta.method_to_api_mapping.items()}
    missing: list[str] = []
    for name in model.operation_names:
        op = model.operation_model(name)
        method = getattr(client, methods[name])
        try:
            method(**_inputs(op))
        except ClientError as err:
            code = err.response["Error"].get("Code", "")
            status = err.response["ResponseMetadata"]["HTTPStatusCode"]
            # A numeric code is botocore's fallback when it could not parse the answer at all.
            if code in NOTHING_BEHIND or status in (500, 501) or not code or code.isdigit():
                missing.append(f"{name}: {status} {code} {err.response['Error'].get('Message', '')}")
    # The walk must not have locked itself out (a deleted key would make every answer an error).
    assert server.client("sts").get_caller_identity()["Account"]
    assert not missing, f"{service}: {len(missing)} operations answer nothing real:\n" + "\n".join(missing)

