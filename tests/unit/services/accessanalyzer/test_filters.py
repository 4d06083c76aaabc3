"""Finding filters and sort (services/accessanalyzer/filters.py), as "IAM Access Analyzer filter
keys" defines them."""

from __future__ import annotations

from typing import Any

import pytest

from iamd.services.accessanalyzer import filters
from iamd.services.accessanalyzer.errors import AaValidation

FINDING: dict[str, Any] = {
    "id": "f1", "status": "ACTIVE", "resource": "arn:aws:iam::111111111111:role/app", "isPublic": False,
    "principal": {"AWS": "444455556666"}, "action": ["sts:AssumeRole", "sts:TagSession"],
    "condition": {"sts:ExternalId": "x"}, "resourceType": "AWS::IAM::Role",
}


@pytest.mark.parametrize(
    ("filter_", "matched"),
    [
        ({"status": {"eq": ["ACTIVE"]}}, True),
        ({"status": {"eq": ["ARCHIVED", "RESOLVED"]}}, False),
        ({"status": {"neq": ["ACTIVE"]}}, False),
        ({"principal.AWS": {"eq": ["444455556666"]}}, True),
        ({"resource": {"contains": [":role/"]}}, True),
        ({"action": {"eq": ["sts:TagSession"]}}, True),
        ({"action": {"neq": ["sts:TagSession"]}}, False),
        ({"isPublic": {"eq": ["false"]}}, True),
        ({"condition.sts:ExternalId": {"exists": True}}, True),
        ({"error": {"exists": True}}, False),
        ({"principal.Federated": {"exists": False}}, True),
        ({"status": {"eq": ["ACTIVE"]}, "isPublic": {"eq": ["true"]}}, False),
        ({}, True),
    ],
)
def test_matches(filter_: dict[str, Any], matched: bool) -> None:
    filters.check(filter_)
    assert filters.matches(filter_, FINDING) is matched


@pytest.mark.parametrize(
    "filter_",
    [{"secret": {"eq": ["x"]}}, {"status": {}}, {f"condition.k{i}": {"eq": ["x"]} for i in range(21)}],
)
def test_refused(filter_: dict[str, Any]) -> None:
    with pytest.raises(AaValidation):
        filters.check(filter_)


def test_sort() -> None:
    items = [{"id": "b", "resource": "r2"}, {"id": "a", "resource": "r1"}, {"id": "c", "resource": "r2"}]
    assert [i["id"] for i in filters.sort(items, {"attributeName": "resource", "orderBy": "ASC"})] == ["a", "b", "c"]
    assert [i["id"] for i in filters.sort(items, {"attributeName": "resource", "orderBy": "DESC"})][0] in ("b", "c")
    with pytest.raises(AaValidation):
        filters.sort(items, {"attributeName": "password"})
