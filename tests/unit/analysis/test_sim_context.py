"""ContextEntries → the engine's Context: every ContextKeyType, checked."""

from __future__ import annotations

from typing import Any

import pytest

from iamd.analysis.sim_context import SimulationInputError, build_context


def entry(name: str, kind: str | None, *values: str) -> dict[str, Any]:
    out: dict[str, Any] = {"ContextKeyName": name, "ContextKeyValues": list(values)}
    if kind is not None:
        out["ContextKeyType"] = kind
    return out


def test_types_fold_into_the_engine_context() -> None:
    ctx = build_context([
        entry("aws:SourceIp", "ip", "10.0.0.1"),
        entry("aws:TagKeys", "stringList", "a", "b"),
        entry("aws:SecureTransport", "boolean", "TRUE"),
        entry("aws:CurrentTime", "date", "2026-01-01T00:00:00Z"),
        entry("aws:EpochTime", "numeric", "1700000000"),
        entry("s3:prefix", None, "home/"),
        entry("ec2:Addresses", "ipList", "10.0.0.0/8", "192.0.2.1"),
        entry("x:empty", "stringList"),
    ])
    assert ctx["aws:sourceip"] == ("10.0.0.1",)
    assert ctx["aws:tagkeys"] == ("a", "b")
    assert ctx["aws:securetransport"] == ("true",)
    assert ctx["s3:prefix"] == ("home/",)
    assert ctx["x:empty"] == ()
    assert len(ctx) == 8


@pytest.mark.parametrize("entries", [
    [entry("aws:EpochTime", "numeric", "soon")],
    [entry("aws:EpochTime", "numeric", "nan")],
    [entry("aws:EpochTime", "numeric", "1e999")],
    [entry("aws:SecureTransport", "boolean", "1")],
    [entry("aws:SourceIp", "ip", "10.0.0.256")],
    [entry("aws:CurrentTime", "date", "yesterday")],
    [entry("k:b", "binary", "not base64!")],
    [entry("k:s", "string", "a", "b")],
    [entry("k:s", "string")],
    [entry("k:s", "strings", "a")],
    [{"ContextKeyValues": ["a"]}],
    [entry("aws:username", "string", "a"), entry("AWS:UserName", "string", "b")],
    [entry("k:many", "stringList", *["v"] * 1001)],
    [entry(f"k:k{i}", "string", "v") for i in range(1001)],
])
def test_refusals(entries: list[dict[str, Any]]) -> None:
    with pytest.raises(SimulationInputError):
        build_context(entries)


def test_a_long_bad_value_is_not_echoed_whole() -> None:
    with pytest.raises(SimulationInputError) as info:
        build_context([entry("aws:CurrentTime", "date", "9" * 5000)])
    assert len(str(info.value)) < 200
