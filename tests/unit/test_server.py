"""The first-start banner: a generated root secret is shown once; one the operator set is never echoed."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from iamd.config import Settings
from iamd.server import banner
from iamd.services.accounts import RootCredentials

CREATED = RootCredentials("123456789012", "AKIAEXAMPLEEXAMPLE12", "generated/secret/value")


def _banner(preset: str | None) -> str:
    settings = Settings("127.0.0.1", 4566, Path("d"), "", "123456789012", root_secret_access_key=preset)
    runtime: Any = SimpleNamespace(default_account_id="123456789012")
    return banner(settings, runtime, CREATED)


def test_a_generated_secret_is_shown_on_first_start() -> None:
    text = _banner(None)
    assert "AWS_SECRET_ACCESS_KEY=generated/secret/value" in text
    assert "aws_secret_access_key generated/secret/value --profile iamd" in text


@pytest.mark.parametrize("preset", ["generated/secret/value", "something-else"])
def test_a_preset_secret_is_not_echoed(preset: str) -> None:
    text = _banner(preset)
    assert "generated/secret/value" not in text and "something-else" not in text
    assert "AWS_ACCESS_KEY_ID=AKIAEXAMPLEEXAMPLE12" in text
    assert 'aws_secret_access_key "$IAMD_ROOT_SECRET_ACCESS_KEY" --profile iamd' in text
