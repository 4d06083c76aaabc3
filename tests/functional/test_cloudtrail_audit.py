"""``iamd audit``'s "CloudTrail enabled" check, read from the account's trails."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from iamd.testing import IamdServer


def _trail_finding(server: IamdServer) -> str | None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | server.env
    proc = subprocess.run([sys.executable, "-m", "iamd.cli", "audit", "--endpoint-url", server.endpoint, "--json"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    found = [f["detail"] for f in json.loads(proc.stdout)["findings"] if f["check"] == "cloudtrail_not_enabled"]
    return found[0] if found else None


def test_cloudtrail_enabled_check(server: IamdServer) -> None:
    ct: Any = server.client("cloudtrail")
    assert _trail_finding(server) == "the account has no trail"
    ct.create_trail(Name="org-audit", S3BucketName="audit-logs", IsMultiRegionTrail=True)
    ct.start_logging(Name="org-audit")
    assert "lacks: log file validation" in (_trail_finding(server) or "")
    ct.update_trail(Name="org-audit", EnableLogFileValidation=True)
    ct.put_event_selectors(TrailName="org-audit", EventSelectors=[{"ReadWriteType": "WriteOnly"}])
    assert "lacks: read and write management events" in (_trail_finding(server) or "")
    ct.put_event_selectors(TrailName="org-audit", EventSelectors=[{"ReadWriteType": "All"}])
    assert _trail_finding(server) is None
    ct.stop_logging(Name="org-audit")
    assert "lacks: logging" in (_trail_finding(server) or "")
