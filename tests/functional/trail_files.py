"""Reading what trails delivered into a folder, for the delivery tests."""

from __future__ import annotations

import gzip
import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

LOG_KEY = re.compile(
    r"AWSLogs/(\d{12})/CloudTrail/([a-z0-9-]+)/(\d{4})/(\d{2})/(\d{2})/"
    r"\1_CloudTrail_\2_(\d{8}T\d{4}Z)_([A-Za-z0-9]{16})\.json\.gz"
)


def log_files(bucket: Path) -> list[Path]:
    return sorted(p for p in bucket.rglob("*.json.gz") if "/CloudTrail/" in p.as_posix())


def digest_files(bucket: Path) -> list[Path]:
    return sorted(p for p in bucket.rglob("*.json.gz") if "/CloudTrail-Digest/" in p.as_posix())


def records(bucket: Path) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in log_files(bucket):
        out.extend(json.loads(gzip.decompress(path.read_bytes()))["Records"])
    return out


def wait_for(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    """Poll until ``check()`` is truthy (delivery runs in the background); the timeout only
    bounds a failing test, nothing is asserted about how long it took."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for trail delivery")
        time.sleep(0.1)


def names(bucket: Path, event: str) -> list[str]:
    """The ``userName`` request parameter of every delivered ``event``."""
    return [r["requestParameters"]["userName"] for r in records(bucket) if r["eventName"] == event]
