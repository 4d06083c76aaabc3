"""Settings: the availability limits, from flags, else ``IAMD_…`` variables, else defaults."""

from __future__ import annotations

import pytest

from iamd.cli import main, parser
from iamd.config import from_values


def _settings(*argv: str) -> object:
    return from_values(vars(parser().parse_args(["serve", *argv])))


def test_defaults_flags_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    s = _settings()
    assert (s.worker_threads, s.max_connections, s.max_header_bytes) == (16, 1000, 65536)  # type: ignore[attr-defined]
    assert (s.header_timeout, s.body_timeout, s.keep_alive_timeout) == (10.0, 20.0, 5)  # type: ignore[attr-defined]
    assert (s.failed_call_events_rate, s.failed_call_events_burst) == (5.0, 100)  # type: ignore[attr-defined]
    monkeypatch.setenv("IAMD_HEADER_TIMEOUT", "2.5")
    monkeypatch.setenv("IAMD_FAILED_CALL_EVENTS_RATE", "0")
    s = _settings("--max-connections", "50")
    assert (s.header_timeout, s.max_connections, s.failed_call_events_rate) == (2.5, 50, 0.0)  # type: ignore[attr-defined]


@pytest.mark.parametrize("argv", [["--worker-threads", "0"], ["--body-timeout", "-1"]])
def test_a_limit_out_of_range_stops_the_server_with_a_message(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--ephemeral", *argv]) == 2
    assert "must be positive" in capsys.readouterr().err


def test_org_max_accounts(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Organizations' account quota: AWS's default 10, raised by flag or environment."""
    assert _settings().org_max_accounts == 10  # type: ignore[attr-defined]
    assert _settings("--org-max-accounts", "500").org_max_accounts == 500  # type: ignore[attr-defined]
    monkeypatch.setenv("IAMD_ORG_MAX_ACCOUNTS", "42")
    assert _settings().org_max_accounts == 42  # type: ignore[attr-defined]
    assert main(["serve", "--ephemeral", "--org-max-accounts", "0"]) == 2
    assert "must be positive" in capsys.readouterr().err


def test_public_url_is_normalized_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _settings().public_url == ""  # type: ignore[attr-defined]
    assert _settings("--public-url", "https://iam.example.com/base/").public_url == "https://iam.example.com/base"  # type: ignore[attr-defined]
    monkeypatch.setenv("IAMD_PUBLIC_URL", "http://10.0.0.1:8750")
    assert _settings().public_url == "http://10.0.0.1:8750"  # type: ignore[attr-defined]
    for bad in ("ftp://x", "https://", "https://x/?a=1", "https://x/#f", "x.example.com"):
        with pytest.raises(ValueError, match="public-url"):
            _settings("--public-url", bad)
