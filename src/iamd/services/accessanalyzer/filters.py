"""Filter criteria (``FilterCriteriaMap``) and sort criteria of findings, as Access Analyzer
applies them in ListFindings, ListFindingsV2, ListAccessPreviewFindings and archive rules.

IAM User Guide, "IAM Access Analyzer filter keys": a finding matches a filter when it matches
every criterion; a criterion's ``eq`` matches when the finding's value is one of the values,
``neq`` when it is none of them, ``contains`` when the value contains one of them (for a list,
one element does), ``exists`` when the finding has (true) or lacks (false) the key. List keys
(``action``) match when any element does. A key no finding type has is a ValidationException, as
AWS answers it, so a typo never archives (or hides) nothing silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from iamd.services.accessanalyzer.errors import AaValidation

FIELDS = frozenset({
    "id", "status", "resource", "resourceType", "resourceOwnerAccount", "isPublic", "action", "error",
    "findingType", "principal.AWS", "principal.Federated", "principal.Service", "principal.CanonicalUser",
    "createdAt", "updatedAt", "analyzedAt", "changeType", "existingFindingStatus", "existingFindingId",
})
MAX_CRITERIA = 20
SORTABLE = frozenset({"createdAt", "updatedAt", "analyzedAt", "resource", "resourceType", "resourceOwnerAccount",
                      "status", "findingType", "id", "isPublic"})


def check(filter_: Mapping[str, Mapping[str, Any]] | None, field: str = "filter") -> None:
    """Refuse what AWS refuses: an unknown key, a criterion with no test, too many criteria."""
    if not filter_:
        return
    if len(filter_) > MAX_CRITERIA:
        raise AaValidation(f"A filter can have at most {MAX_CRITERIA} criteria.", "fieldValidationFailed", field)
    for key, criterion in filter_.items():
        if key not in FIELDS and not key.startswith("condition."):
            raise AaValidation(f"Invalid filter key: {key[:128]}", "fieldValidationFailed", f"{field}.{key[:128]}")
        if not any(criterion.get(t) is not None for t in ("eq", "neq", "contains", "exists")):
            raise AaValidation(f"The criterion for {key[:128]} has no condition.", "fieldValidationFailed",
                               f"{field}.{key[:128]}")


def flat(finding: Mapping[str, Any]) -> dict[str, list[str]]:
    """A finding (in the API's shape) as key → values, the way filters read it."""
    out: dict[str, list[str]] = {}
    for key, value in finding.items():
        if value is None:
            continue
        if key in ("principal", "condition") and isinstance(value, Mapping):
            for sub, v in value.items():
                out[f"{key}.{sub}"] = [str(v)]
        elif isinstance(value, bool):
            out[key] = ["true" if value else "false"]
        elif isinstance(value, list):
            out[key] = [str(v) for v in value]
        elif hasattr(value, "isoformat"):
            out[key] = [value.isoformat()]
        else:
            out[key] = [str(value)]
    return out


def matches(filter_: Mapping[str, Mapping[str, Any]] | None, finding: Mapping[str, Any]) -> bool:
    if not filter_:
        return True
    values = flat(finding)
    for key, criterion in filter_.items():
        have = values.get(key)
        exists = criterion.get("exists")
        if exists is not None and bool(have) != bool(exists):
            return False
        eq, neq, contains = criterion.get("eq"), criterion.get("neq"), criterion.get("contains")
        if eq is not None and not (have and any(v in eq for v in have)):
            return False
        if neq is not None and have and any(v in neq for v in have):
            return False
        if contains is not None and not (have and any(c in v for v in have for c in contains)):
            return False
    return True


def sort(items: list[dict[str, Any]], criteria: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """Sorted by the criteria's attribute (default: creation time), then by id for a stable page."""
    attribute = (criteria or {}).get("attributeName") or "createdAt"
    if attribute not in SORTABLE:
        raise AaValidation(f"Invalid sort attribute: {str(attribute)[:128]}", "fieldValidationFailed", "sort.attributeName")
    descending = (criteria or {}).get("orderBy") == "DESC"
    by_id = sorted(items, key=lambda f: str(f.get("id")))
    return sorted(by_id, key=lambda f: (f.get(attribute) is None, str(f.get(attribute) or "")), reverse=descending)
