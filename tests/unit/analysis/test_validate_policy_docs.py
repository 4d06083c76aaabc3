"""docs/access-analyzer.md lists which of the reference's checks ValidatePolicy runs: the list
must name every check exactly once, and a check listed as not covered must not be emitted."""

from __future__ import annotations

import re
from pathlib import Path

from iamd.analysis.policy_checks.codes import CHECKS

ROOT = Path(__file__).resolve().parents[3]
DOC = (ROOT / "docs" / "access-analyzer.md").read_text()
SOURCES = "".join(
    p.read_text()
    for p in [
        *(ROOT / "src" / "iamd" / "analysis" / "policy_checks").glob("*.py"),
        ROOT / "src" / "iamd" / "analysis" / "validate_policy.py",
    ]
    if p.name != "codes.py"
)


def _codes(section: str) -> set[str]:
    return set(re.findall(r"`([A-Z][A-Z0-9_]+)`", section))


def test_the_lists_partition_the_reference() -> None:
    section = DOC.split("## ValidatePolicy", 1)[1]
    covered_part = section.split("### Checks covered", 1)[1].split("###", 1)[0]
    # Up to the next section of the page (the custom checks and the rest follow it).
    missing_part = section.split("### Checks not covered", 1)[1].split("\n## ", 1)[0]
    covered = _codes("\n".join(line for line in covered_part.splitlines() if line.startswith("- **")))
    missing = _codes(missing_part) - {"UNSUPPORTED_GLOBAL_CONDITION_KEY"}
    assert covered.isdisjoint(missing)
    assert covered | missing == set(CHECKS)
    assert f"{len(covered)} of the {len(CHECKS)} checks" in covered_part
    for code in missing:
        assert f'"{code}"' not in SOURCES, code
    for code in covered:
        composed = re.sub(r"^(PASS_ROLE|CREATE_SLR|ALLOW|DENY)_", "", code)
        assert f'"{code}"' in SOURCES or composed in SOURCES, code
