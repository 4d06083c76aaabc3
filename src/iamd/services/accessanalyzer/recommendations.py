"""GenerateFindingRecommendation and GetFindingRecommendation: recommendations are made "for an
unused permissions finding" only (API Reference).

iamd does not compute unused-access findings yet (docs/access-analyzer.md), so no finding a
recommendation applies to exists: an unknown finding is the operations' modelled error
(``ValidationException`` for Generate, which models no ResourceNotFound; ``ResourceNotFound`` for
Get), an external-access finding is ``ValidationException`` as AWS answers a finding of another
type, and an unused-permission finding — which only a later analysis will write — answers
``notSupported`` rather than a made-up recommendation.
"""

from __future__ import annotations

from typing import Any

from iamd.services.accessanalyzer import sync
from iamd.services.accessanalyzer.common import analyzer_at, lock
from iamd.services.accessanalyzer.errors import AaValidation, ResourceNotFound
from iamd.services.context import Call
from iamd.services.registry import action
from iamd.store import aa_repo

FINDING = "AWS::AccessAnalyzer::Finding"


@action("accessanalyzer", "GenerateFindingRecommendation")
def generate_finding_recommendation(call: Call, p: dict[str, Any]) -> None:
    lock(call)
    analyzer = sync.current(call, analyzer_at(call, p["analyzerArn"]))
    row = aa_repo.finding(call.conn, analyzer.analyzer_id, p["id"])
    if row is None:
        raise AaValidation("Finding not found", "fieldValidationFailed", "id")
    if row.finding_type != "UnusedPermission":
        raise AaValidation("Recommendations are generated only for unused permissions findings.",
                           "notSupported", "id")
    raise AaValidation("iamd does not generate recommendations for unused permissions yet.", "notSupported", "id")


@action("accessanalyzer", "GetFindingRecommendation")
def get_finding_recommendation(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    analyzer = analyzer_at(call, p["analyzerArn"])
    row = aa_repo.finding(call.conn, analyzer.analyzer_id, p["id"])
    if row is None:
        raise ResourceNotFound("Finding not found", p["id"], FINDING)
    raise ResourceNotFound("No recommendation was generated for this finding.", p["id"], FINDING)
