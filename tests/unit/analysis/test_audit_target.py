"""``iamd audit`` with no target flag audits the local iamd (``analysis/audit.default_target``),
never AWS: the AWS_* endpoint, else the local store, else the local server's endpoint."""

from __future__ import annotations

from pathlib import Path

import pytest

from iamd.analysis.audit import default_target

ENV = ("AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL", "IAMD_DB", "IAMD_DATA_DIR", "IAMD_HOST", "IAMD_PORT",
       "IAMD_TLS_CERT")


@pytest.fixture(autouse=True)
def _no_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_nothing_configured_is_the_local_default_endpoint() -> None:
    assert default_target() == ("http://127.0.0.1:8750", None, None)


def test_the_aws_endpoint_variables_win(monkeypatch: pytest.MonkeyPatch) -> None:
    Path("iamd-data").mkdir()
    Path("iamd-data/iamd.db").touch()
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://10.0.0.5:8750")
    assert default_target() == ("http://10.0.0.5:8750", None, None)
    monkeypatch.setenv("AWS_ENDPOINT_URL_IAM", "http://10.0.0.6:8750")
    assert default_target() == ("http://10.0.0.6:8750", None, None)


def test_the_local_data_folder_when_it_holds_a_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    Path("iamd-data").mkdir()
    assert default_target()[0] == "http://127.0.0.1:8750"  # an empty folder is no store
    Path("iamd-data/iamd.db").touch()
    assert default_target() == (None, "./iamd-data", None)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "iamd.db").touch()
    monkeypatch.setenv("IAMD_DATA_DIR", str(tmp_path / "elsewhere"))
    assert default_target() == (None, str(tmp_path / "elsewhere"), None)
    monkeypatch.setenv("IAMD_DB", "postgresql://iamd@db/iamd")
    assert default_target() == (None, None, "postgresql://iamd@db/iamd")


@pytest.mark.parametrize(("host", "port", "tls", "endpoint"), [
    ("0.0.0.0", "9000", "", "http://127.0.0.1:9000"),
    ("::", "8750", "", "http://[::1]:8750"),
    ("10.1.2.3", "8750", "/etc/iamd/cert.pem", "https://10.1.2.3:8750"),
])
def test_the_local_server_as_iamd_serve_is_configured(
    monkeypatch: pytest.MonkeyPatch, host: str, port: str, tls: str, endpoint: str
) -> None:
    monkeypatch.setenv("IAMD_HOST", host)
    monkeypatch.setenv("IAMD_PORT", port)
    monkeypatch.setenv("IAMD_TLS_CERT", tls)
    assert default_target() == (endpoint, None, None)
