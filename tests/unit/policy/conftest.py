"""Shared helpers for the policy engine tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

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


def _load_helper(name: str) -> None:
    """Make a sibling helper module importable by name: the suite runs with
    ``--import-mode=importlib``, which does not put test folders on ``sys.path``."""
    if name in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)


_load_helper("policy_helpers")
_load_helper("policy_reference")
