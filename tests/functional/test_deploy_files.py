"""The service files the README ships (``deploy/iamd.service``, ``Dockerfile``) name settings iamd
has and paths the install steps make; systemd itself checks the unit where it is installed.
(Building the image needs a Docker daemon, which the test machines lack: docs/operations.md.)"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from iamd.config import DEFAULTS

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "iamd.service"
DOCKERFILE = ROOT / "Dockerfile"


def iamd_variables(text: str) -> set[str]:
    """The IAMD_* settings the file sets (comments left out)."""
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    return {name.removeprefix("IAMD_").lower() for name in re.findall(r"\bIAMD_[A-Z_]+(?==)", code)}


def test_the_unit_runs_the_installed_iamd_with_real_settings() -> None:
    unit = UNIT.read_text()
    assert re.search(r"^ExecStart=/opt/iamd/bin/iamd serve$", unit, re.M)
    assert "python3 -m venv /opt/iamd" in (ROOT / "README.md").read_text()
    assert iamd_variables(unit) == {"data_dir", "host", "port"} <= DEFAULTS.keys()
    assert re.search(r"^StateDirectory=iamd$", unit, re.M) and "IAMD_DATA_DIR=/var/lib/iamd" in unit


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    # /opt/iamd is not installed here: only the executable's existence is left unchecked.
    unit = tmp_path / "iamd.service"
    unit.write_text(UNIT.read_text().replace("/opt/iamd/bin/iamd serve", "/bin/true"))
    proc = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and not proc.stderr.strip(), proc.stderr


def test_the_dockerfile_installs_the_package_and_runs_it_unprivileged() -> None:
    text = DOCKERFILE.read_text()
    assert re.findall(r"^FROM (\S+)", text, re.M) == ["python:3.12-slim", "python:3.12-slim"]
    for source in re.findall(r"^COPY (?!--from)(\S+) ", text, re.M):
        assert (ROOT / source).exists(), source
    assert iamd_variables(text) == {"host", "port", "data_dir"} <= DEFAULTS.keys()
    assert "IAMD_HOST=0.0.0.0" in text and "IAMD_DATA_DIR=/data" in text
    assert re.search(r"^USER iamd$", text, re.M)
    assert re.search(r'^ENTRYPOINT \["iamd"\]\nCMD \["serve"\]$', text, re.M)
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", "iamd-data", ".git"} <= set(ignored)
