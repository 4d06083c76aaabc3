"""The OIDC settings: ``--oidc-jwks ISSUER=FILE,…`` pairs and the CA bundle, from flags."""

from __future__ import annotations

import pytest

from iamd.config import from_values

BASE = {"host": "127.0.0.1", "port": "1", "data_dir": "/tmp/x", "account_id": "123456789012"}


def test_pairs_keep_the_issuer_without_its_scheme() -> None:
    settings = from_values(BASE | {"oidc_jwks": "https://idp.example.com/realm/=a.json, token.actions.githubusercontent.com=b.json",
                                   "oidc_ca_bundle": "/etc/ca.pem"})
    assert settings.oidc_jwks == (("idp.example.com/realm", "a.json"), ("token.actions.githubusercontent.com", "b.json"))
    assert settings.oidc_ca_bundle == "/etc/ca.pem"


@pytest.mark.parametrize("raw", ["no-equals", "=file.json", "issuer="])
def test_malformed_pairs_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="ISSUER=FILE"):
        from_values(BASE | {"oidc_jwks": raw})


def test_defaults_are_empty() -> None:
    settings = from_values(BASE)
    assert settings.oidc_jwks == () and settings.oidc_ca_bundle == ""
