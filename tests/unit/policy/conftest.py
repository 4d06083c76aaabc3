"""Shared helpers for the policy engine tests."""

from __future__ import annotations

import pytest

from iamd.policy import Context
from iamd.policy.conditions import compile_condition


def check(operator: str, key: str, values: list[str] | str, context: dict | None, variables: bool = True) -> bool:
    """Evaluate one condition against a context dict (values str or list)."""
    if isinstance(values, str):
        values = [values]
    return compile_condition(operator, key, list(values), variables).check(Context(context or {}))


@pytest.fixture
def condition():
    return check

