"""Every case of ``cases/validate_policy.yaml`` against ``analysis.validate_policy``: exactly the
findings listed (type, issue code, first location's path), no more, no fewer."""

from __future__ import annotations

from typing import Any

import pytest
from validate_cases import actual, expected, load_cases

from iamd.analysis.validate_policy import validate_policy

CASES = load_cases()


def test_the_table_is_large_enough_and_names_its_sources() -> None:
    assert len(CASES) >= 40
    assert all(case.get("source") for case in CASES)
    assert len({c["name"] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case: dict[str, Any]) -> None:
    findings = validate_policy(case["document"], case["type"], case.get("resource_type"))
    assert actual(findings) == expected(case)
