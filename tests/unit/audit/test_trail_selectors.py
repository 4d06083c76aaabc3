"""Event selectors: which recorded events a trail delivers."""

from __future__ import annotations

import json

import pytest

from iamd.audit.trail_selectors import EventFacts, Selection

WRITE = EventFacts("iam.amazonaws.com", "CreateUser", False, None, "arn:aws:iam::1:root")
READ = EventFacts("iam.amazonaws.com", "ListUsers", True, "AccessDenied", None)
KMS = EventFacts("kms.amazonaws.com", "Decrypt", True, None, None)


def _adv(*fields: dict[str, object]) -> str:
    return json.dumps([{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}, *fields]}])


@pytest.mark.parametrize(
    ("basic", "advanced", "selected"),
    [
        (None, None, [True, True, True]),
        (json.dumps([{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}]), None, [True, False, False]),
        (json.dumps([{"ReadWriteType": "ReadOnly"}]), None, [False, True, True]),
        (json.dumps([{"ReadWriteType": "All", "IncludeManagementEvents": False}]), None, [False, False, False]),
        (json.dumps([{"ExcludeManagementEventSources": ["kms.amazonaws.com"]}]), None, [True, True, False]),
        (None, _adv({"Field": "readOnly", "Equals": ["false"]}), [True, False, False]),
        (None, _adv({"Field": "eventSource", "NotEquals": ["kms.amazonaws.com"]}), [True, True, False]),
        (None, _adv({"Field": "eventSource", "StartsWith": ["km"]}), [False, False, True]),
        (None, json.dumps([{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]}]}]), [False, False, False]),
        (None, _adv({"Field": "errorCode", "NotEquals": ["x"]}), [True, True, True]),
        (None, _adv({"Field": "errorCode", "Equals": ["AccessDenied"]}), [False, True, False]),
    ],
)
def test_selection(basic: str | None, advanced: str | None, selected: list[bool]) -> None:
    s = Selection(basic, advanced)
    assert [s.selects(e) for e in (WRITE, READ, KMS)] == selected
