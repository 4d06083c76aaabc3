"""The AWS SDK for JavaScript v3 against a real server (see js/smoke.mjs for what it checks)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

JS = Path(__file__).parent / "js"


def test_js_sdk_smoke(server) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    if not (JS / "node_modules" / "@aws-sdk" / "client-iam").exists():
        pytest.skip("JS SDK not installed: run `make js` (make test does)")
    env = os.environ | server.env | {"IAMD_ENDPOINT": server.endpoint}
    proc = subprocess.run([node, "smoke.mjs"], cwd=JS, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "js smoke: ok" in proc.stdout
